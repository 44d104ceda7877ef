"""Word filings: forms 附3–附7 and flow charts (issue 5: not built yet)."""
