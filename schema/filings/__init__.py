"""Filings (备案): the Word documents of a unit's catalogue, as signed, short-lived download links."""
