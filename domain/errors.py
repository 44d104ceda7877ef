"""Typed domain errors: resolvers turn them into GraphQL error objects, the CLI into messages."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    code: str = "invalid"


class DomainError(Exception):
    """Base class: something the caller asked for cannot be done; nothing was changed."""

    code = "error"

    def __init__(self, message: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or []

    @property
    def extensions(self) -> dict[str, object]:
        """What a GraphQL error built from this exception carries (graphql-core copies it)."""
        ext: dict[str, object] = {"code": self.code}
        if self.errors:
            ext["fields"] = [{"field": e.field, "message": e.message, "code": e.code} for e in self.errors]
        return ext


class ValidationFailed(DomainError):
    code = "invalid"

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors), errors)


class NotFound(DomainError):
    code = "not_found"


class PermissionDenied(DomainError):
    code = "forbidden"


@dataclass
class Validator:
    """Collects field errors, then raises them all at once."""

    errors: list[FieldError] = field(default_factory=list)

    def add(self, field_name: str, message: str, code: str = "invalid") -> None:
        self.errors.append(FieldError(field_name, message, code))

    def check(self, ok: bool, field_name: str, message: str, code: str = "invalid") -> None:
        if not ok:
            self.add(field_name, message, code)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)


class IllegalTransition(DomainError):
    """A lifecycle step the item's current status does not allow (e.g. publishing a DRAFT)."""

    code = "illegal_transition"

    def __init__(self, message: str, action: str, status: str) -> None:
        super().__init__(message)
        self.action = action
        self.status = status
