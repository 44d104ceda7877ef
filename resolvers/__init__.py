"""Async functions behind the GraphQL fields: queries, loaders, pagination."""
