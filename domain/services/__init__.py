"""Write operations: create, update and delete the registry's entities.

Each function checks permissions (domain.access), validates everything before it writes, writes in
one transaction and records an AuditEvent in that same transaction. Bad input raises a DomainError
and changes nothing.
"""
