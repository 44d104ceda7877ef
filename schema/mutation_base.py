"""What every mutation module shares: the `Deleted` result, error conversion, id decoding, patches."""

from __future__ import annotations

import base64
import dataclasses
from typing import Annotated, Any

import strawberry
from strawberry.utils.str_converters import to_camel_case

from domain.errors import DomainError, FieldError, ValidationFailed
from schema.errors import NotFoundError, PermissionDeniedError, ValidationErrors, error_result
from schema.relay import decode_id, encode_id


@strawberry.type(description="What a delete mutation removed.")
class Deleted:
    id: strawberry.ID = strawberry.field(
        description="this result's own global id (never the deleted object's: a client's store keeps one type per id)"
    )
    deleted_id: strawberry.ID = strawberry.field(description="global id of the deleted object (what `id` was before)")

    @classmethod
    def of(cls, type_name: str, pk: int) -> Deleted:
        return cls(id=deleted_result_id(type_name, pk), deleted_id=encode_id(type_name, pk))


def deleted_result_id(type_name: str, pk: int) -> strawberry.ID:
    """`Deleted:<Type>:<pk>` in base64: one per deleted object, the id of no other type (`node` knows none)."""
    return strawberry.ID(base64.urlsafe_b64encode(f"Deleted:{type_name}:{pk}".encode()).decode().rstrip("="))


def result(name: str, node: type) -> Any:
    """The union a mutation returns: the changed object (or `Deleted`), or one of the typed errors."""
    return Annotated[node | ValidationErrors | NotFoundError | PermissionDeniedError, strawberry.union(name)]


def _graphql_path(field: str) -> str:
    """`articles.1.chapter_path` → `articles.1.chapterPath`: the names the input uses."""
    return ".".join(to_camel_case(part) for part in field.split("."))


def failure(exc: DomainError) -> ValidationErrors | NotFoundError | PermissionDeniedError:
    """The GraphQL error object of a failed mutation, with field names as the input spells them."""
    if isinstance(exc, ValidationFailed):
        exc = ValidationFailed([FieldError(_graphql_path(e.field), e.message, e.code) for e in exc.errors])
    return error_result(exc)


def pk(global_id: strawberry.ID, type_name: str, field: str = "id") -> int:
    """The database id behind a global id of `type_name`; a typed validation error otherwise."""
    return decode_id(global_id, type_name, field=field)


def optional_pk(global_id: strawberry.ID | None, type_name: str, field: str) -> int | None:
    return None if global_id is None else pk(global_id, type_name, field)


def given(input_: object, ids: dict[str, str] | None = None) -> dict[str, Any]:
    """The fields an update input sets (left-out ones stay as they are), snake_case, ids decoded.

    `ids` maps each input field holding a global id to the type name it must carry.
    """
    ids = ids or {}
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(input_):  # type: ignore[arg-type]
        value = getattr(input_, f.name)
        if value is strawberry.UNSET:
            continue
        changes[f.name] = optional_pk(value, ids[f.name], to_camel_case(f.name)) if f.name in ids else value
    return changes


def as_data(input_: object, **extra: Any) -> dict[str, Any]:
    """A create input's fields as keyword arguments of the domain's data class."""
    values = {f.name: getattr(input_, f.name) for f in dataclasses.fields(input_)}  # type: ignore[arg-type]
    return {**values, **extra}
