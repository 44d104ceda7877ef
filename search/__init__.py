"""Full-text search over the legal library and the power catalogue (issue 3: not built yet)."""
