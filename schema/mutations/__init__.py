"""Mutations, one small module per entity; each returns the changed object or a typed error.

A resolver decodes global ids, builds the domain's input, calls one service in domain/services/
(which checks permissions, validates, writes in one transaction and records the audit event) and
turns a DomainError into `ValidationErrors | NotFoundError | PermissionDeniedError`.
"""
