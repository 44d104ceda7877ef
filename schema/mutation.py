"""The root Mutation, merged from the per-entity classes in schema/mutations/ (being wired)."""

Mutation = None
