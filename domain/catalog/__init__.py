"""Catalogue exchange (issue 13): 一表 in and out, other places' catalogues, events for other systems.

Importing the package registers the webhook listener on audit events (domain/catalog/webhooks.py):
Tortoise imports domain.catalog.models, and so this package, wherever the database is opened.
"""

from domain.catalog import webhooks as webhooks  # noqa: F401  (registers the audit listener)
