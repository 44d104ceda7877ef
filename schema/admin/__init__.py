"""Administration: API tokens and webhooks (admins only)."""
