"""Typed mutation errors: a mutation returns `Result | ValidationErrors | NotFoundError | PermissionDeniedError`."""

from __future__ import annotations

import strawberry

from domain.errors import DomainError, NotFound, PermissionDenied, ValidationFailed


@strawberry.type(description="One field's problem, for a form to show beside that field.")
class FieldError:
    field: str = strawberry.field(description="the input field, e.g. `name` or `bases.0.articleId`")
    message: str
    code: str = strawberry.field(description="machine-readable: invalid, required, not_found, duplicate …")


@strawberry.type(description="The input was rejected; nothing was changed.")
class ValidationErrors:
    message: str
    errors: list[FieldError]


@strawberry.type(description="The item does not exist or the caller may not see it; nothing was changed.")
class NotFoundError:
    message: str


@strawberry.type(description="The caller may not do this; nothing was changed.")
class PermissionDeniedError:
    message: str


MutationError = ValidationErrors | NotFoundError | PermissionDeniedError


def error_result(exc: DomainError) -> ValidationErrors | NotFoundError | PermissionDeniedError:
    """Turn a domain error into its GraphQL error object."""
    if isinstance(exc, PermissionDenied):
        return PermissionDeniedError(message=exc.message)
    if isinstance(exc, NotFound):
        return NotFoundError(message=exc.message)
    errors = [FieldError(field=e.field, message=e.message, code=e.code) for e in exc.errors]
    if not isinstance(exc, ValidationFailed) and not errors:
        errors = [FieldError(field="", message=exc.message, code=exc.code)]
    return ValidationErrors(message=exc.message, errors=errors)


@strawberry.type(description="The item's current status does not allow this step (e.g. publishing a DRAFT); nothing was changed.")
class IllegalTransitionError:
    message: str
    action: str = strawberry.field(description="the step refused: declare, submit, decide, publish, explain, review …")
    current_status: str = strawberry.field(description="the item's current status (PowerStatus or ChangeNoticeStatus)")
