"""The domain: models, enums and rules. No GraphQL, no HTTP."""
