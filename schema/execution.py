"""Completing a page of plain values without graphql-core's per-field machinery (issue 9).

graphql-core executes every field the same way: it builds a resolve-info object, reads the field's
arguments from the document, calls strawberry's resolver wrapper (which builds strawberry's `Info`,
converts arguments and applies field extensions), checks whether the result is awaitable, then
completes it through a chain of type dispatches. For a page of 20 nested powers that is ~1,400 fields,
and it was most of the time an uncached request took.

`FastExecutionContext.execute_fields` does the same work in fewer steps for the fields whose shape
allows it, decided once per selection set of a request (a `_Plan`):

- a field without resolver, arguments or extensions (`strawberry.field` on a dataclass attribute):
  the attribute, completed in place;
- a field with a synchronous resolver and no arguments (the loader-backed fields of `now_or_later`):
  the resolver's function is called as strawberry would call it (self, root/parent, info), with a real
  resolve info of the field's own path;
- a value that is exactly an instance of its object type's strawberry class, and not cast
  (`strawberry.cast`), goes straight to its fields: strawberry's `is_type_of` would say yes, so neither
  it nor graphql-core's dispatch on the return type is run (anything else is checked as before);
- anything else (arguments, async resolvers, introspection, abstract types, incremental delivery):
  graphql-core's own `execute_field`.

The same resolvers run with the same arguments, so every visibility rule they and the request's
loaders apply holds; errors are located and nulled exactly as graphql-core does (`handle_field_error`),
and an awaitable anywhere is handed back to graphql-core's completion.

An object made from a row (`schema.node.of_row`) is completed once per selection set, row and context in
a request: where the row appears again under the same selection (the same position under 90 steps, the
same unit under 20 powers), its completed fields are reused. The viewer is the request's and such a
type's synchronous resolvers read only the row and the request's loaders, so the answer is the same
there; a completion that met an error or an awaitable is not reused (each place then reports its own).
A type made by `of_row` must keep its synchronous resolvers free of side effects.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLID,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLString,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from graphql.pyutils import Path, Undefined, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types import Info
from strawberry.types.cast import TYPE_CAST_ATTRIBUTE
from strawberry.types.field import StrawberryField

from resolvers.columns import DEFINITION, columns_for
from resolvers.loaders import Loaders

_NO_ROW: dict[str, Any] = {}

ATTRIBUTE, RESOLVER = 1, 2
# scalars whose output coercion returns a value of this exact type unchanged (graphql-core's
# serialize_string, serialize_id and serialize_boolean); Int and Float check ranges, enums map values
EXACT: dict[Any, type] = {GraphQLString: str, GraphQLID: str, GraphQLBoolean: bool}


@dataclass(slots=True)
class _Field:
    """How one response key of a selection set is executed."""

    key: str
    details: Any  # graphql-core's FieldDetailsList
    kind: int  # ATTRIBUTE, RESOLVER, or 0: graphql-core's own path
    field_def: Any = None
    field: StrawberryField | None = None
    return_type: Any = None
    leaf: Any = None  # the (nullable) leaf type when the field's value is a scalar or enum, else None
    non_null: bool = False
    self_arg: bool = False
    source_kwargs: tuple[str, ...] = ()
    info_kwarg: str | None = None
    getter: Any = None  # an ATTRIBUTE's: strawberry's default resolver (getattr), and the attribute
    python_name: str = ""
    exact: type | None = None  # a leaf value of this very type completes as itself (str for String and ID)
    nodes: list[Any] | None = None  # the field's nodes, as resolve infos hold them
    call: Any = None  # a RESOLVER's function, as strawberry's resolver calls it (its `wrapped_func`)


#: per output type (by identity: the schema's types live as long as it), its `_origin`
_ORIGINS: dict[int, tuple[Any, type | None]] = {}


def _origin(return_type: Any) -> type | None:
    """The strawberry class of an object type (None for any other type, or one without a class of its
    own, e.g. a generic's specialisation): an instance of exactly that class, not cast (`strawberry.cast`),
    is of the type for its `is_type_of` (strawberry's is `isinstance` of the type and its interfaces), so
    completing it needs neither that check nor graphql-core's dispatch on the return type."""
    found = _ORIGINS.get(id(return_type))
    if found is not None:
        return found[1]
    origin = None
    if type(return_type) is GraphQLObjectType:
        definition = (return_type.extensions or {}).get(DEFINITION)
        candidate = getattr(definition, "origin", None)
        if isinstance(candidate, type) and getattr(definition, "is_type_of", None) is None:  # (its own may read the value)
            origin = candidate
    _ORIGINS[id(return_type)] = (return_type, origin)  # the type kept beside, so that its id stays its own
    return origin


def _plain_field(parent_type: GraphQLObjectType, key: str, details: Any, schema: Any) -> _Field:
    node = details[0].node
    field_def = schema.get_field(parent_type, node.name.value)
    if field_def is None or field_def.args or node.arguments or node.directives:
        return _Field(key, details, 0)
    field = (field_def.extensions or {}).get(DEFINITION)
    if not isinstance(field, StrawberryField) or field.extensions:
        return _Field(key, details, 0)
    return_type = field_def.type
    non_null = is_non_null_type(return_type)
    inner = return_type.of_type if non_null else return_type
    plan = _Field(
        key, details, 0, field_def, field, return_type, inner if is_leaf_type(inner) else None, non_null
    )
    plan.exact = EXACT.get(plan.leaf) if plan.leaf is not None else None
    plan.nodes = [d.node for d in details]
    resolver = field.base_resolver
    if resolver is None:
        plan.kind = ATTRIBUTE
        plan.getter, plan.python_name = field.default_resolver, field.python_name
        return plan
    if resolver.is_async or resolver.arguments:
        return plan
    plan.kind = RESOLVER
    plan.call = resolver.wrapped_func  # what StrawberryResolver.__call__ calls, without its frame
    if not callable(plan.call):
        return _Field(key, details, 0)  # graphql-core's path reports it
    plan.self_arg = resolver.self_parameter is not None
    plan.source_kwargs = tuple(
        p.name for p in (resolver.parent_parameter, resolver.root_parameter) if p is not None
    )
    plan.info_kwarg = resolver.info_parameter.name if resolver.info_parameter is not None else None
    return plan


class FastExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's execution, with plain fields completed in place (see the module's doc)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: dict[int, tuple[Any, list[_Field]]] = {}
        # a row's fields, completed once per selection set (see execute_fields); None once answered
        self._completed: dict[tuple[int, int], tuple[Any, Any, dict[str, Any]]] | None = {}
        self._field_errors = 0
        loaders = getattr(self.context_value, "loaders", None)
        if isinstance(loaders, Loaders) and loaders.columns is None:
            # the loaders read only the columns the query selects (resolvers/columns.py)
            fragments = {name: details.definition for name, details in self.fragments.items()}
            loaders.columns = columns_for(self.schema, self.operation, fragments)

    def _plan(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> list[_Field]:
        # graphql-core memoizes a selection set's grouped fields per parent field, so their identity
        # is stable for the request; the set is kept alive beside its plan so that its id stays unique
        found = self._plans.get(id(grouped_field_set))
        if found is not None:
            return found[1]
        plan = [
            _plain_field(parent_type, key, details, self.schema) for key, details in grouped_field_set.items()
        ]
        self._plans[id(grouped_field_set)] = (grouped_field_set, plan)
        return plan

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        if position_context is not None or (self.middleware_manager and self.middleware_manager.middlewares):
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        # An object made from a row (schema.node.of_row) completes the same under the same selection set
        # wherever the row appears in the answer (its resolvers read the row and the request's loaders):
        # the 90 steps of a page name 22 positions of 8 units, completed once each. Only a completion
        # without error and without awaitable is kept; its dict is shared by every place it answers.
        completed = self._completed
        attributes = getattr(source_value, "__dict__", _NO_ROW) if completed is not None else _NO_ROW
        row = attributes.get("_row")
        if row is not None:
            key = (id(grouped_field_set), id(row), attributes["_context"])
            done = completed.get(key)  # type: ignore[union-attr]
            if done is not None:
                return done[2]
            errors_before = self._field_errors
        results: dict[str, Any] = {}
        awaitable_fields: list[str] = []
        is_awaitable = self.is_awaitable
        try:
            for entry in self._plan(parent_type, grouped_field_set):
                if entry.exact is not None and entry.kind == ATTRIBUTE:
                    # most fields of a page: an attribute whose coercion returns it unchanged, completed
                    # without a path (made only for an error) or a call; anything else goes on below
                    try:
                        result = entry.getter(source_value, entry.python_name)
                    except Exception as raw_error:
                        field_path = Path(path, entry.key, parent_type.name)
                        self.handle_field_error(raw_error, entry.return_type, entry.details, field_path)
                        results[entry.key] = None
                        continue
                    if type(result) is entry.exact:
                        results[entry.key] = result
                        continue
                    result = self._execute_plain(  # the value read once: completed the general way
                        entry, parent_type, source_value, Path(path, entry.key, parent_type.name), result
                    )
                    results[entry.key] = result
                    if is_awaitable(result):
                        awaitable_fields.append(entry.key)
                    continue
                field_path = Path(path, entry.key, parent_type.name)
                if entry.kind:
                    result = self._execute_plain(entry, parent_type, source_value, field_path)
                else:
                    result = self.execute_field(parent_type, source_value, entry.details, field_path, None)
                    if result is Undefined:
                        continue
                results[entry.key] = result
                if is_awaitable(result):
                    awaitable_fields.append(entry.key)
        except Exception:
            if awaitable_fields:  # as graphql-core: the other fields' awaitables are settled, not dropped
                self.settle_in_background([results[key] for key in awaitable_fields])
            raise
        if not awaitable_fields:
            if row is not None and self._field_errors == errors_before:
                # the set and the row kept beside it, so that their ids stay theirs while it is kept
                completed[key] = (grouped_field_set, row, results)  # type: ignore[index]
            return results
        return _gather_fields(results, awaitable_fields)

    def handle_field_error(self, raw_error: Exception, return_type: Any, details: Any, path: Path) -> None:
        self._field_errors += 1  # (graphql-core may drop an error below a nulled field: counted here all the same)
        super().handle_field_error(raw_error, return_type, details, path)

    def build_response(self, data: dict[str, Any] | None) -> Any:
        # the context refers to itself, so what it holds waits for the garbage collector: let go of the
        # completed rows now (the answer holds what it needs); deferred parts, if any, complete anew
        self._completed = None
        return super().build_response(data)

    def _execute_plain(
        self, entry: _Field, parent_type: GraphQLObjectType, source: Any, path: Path, read: Any = Undefined
    ) -> Any:
        """One plain field; `read`: an ATTRIBUTE's value when the caller has read it already."""
        info = None
        try:
            if entry.kind == ATTRIBUTE:  # StrawberryField.get_result of a field without resolver
                result = entry.getter(source, entry.python_name) if read is Undefined else read
            else:
                info = self.build_resolve_info(entry.field_def, entry.nodes, parent_type, path)
                kwargs: dict[str, Any] = {name: source for name in entry.source_kwargs}
                if entry.info_kwarg is not None:
                    kwargs[entry.info_kwarg] = Info(_raw_info=info, _field=entry.field)  # type: ignore[arg-type]
                result = entry.call(*((source,) if entry.self_arg else ()), **kwargs)
                if self.is_awaitable(result):
                    return self.complete_awaitable_value(
                        entry.return_type, entry.details, info, path, result, None
                    )
            if entry.leaf is not None:
                if type(result) is entry.exact:
                    return result
                if result is None or result is Undefined:
                    if entry.non_null:
                        name = entry.details[0].node.name.value
                        raise TypeError(
                            f"Cannot return null for non-nullable field {parent_type.name}.{name}."
                        )
                    return None
                return self.complete_leaf_value(entry.leaf, result)
            if info is None:
                info = self.build_resolve_info(entry.field_def, entry.nodes, parent_type, path)
            completed = self._complete(entry.return_type, entry.details, info, path, result)
        except Exception as raw_error:
            self.handle_field_error(raw_error, entry.return_type, entry.details, path)
            return None
        if self.is_awaitable(completed):
            return self._await_completed(completed, entry.return_type, entry.details, path)
        return completed

    async def _await_completed(
        self, completed: Awaitable[Any], return_type: Any, details: Any, path: Path
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, details, path)
            return None

    def _complete(
        self, return_type: GraphQLOutputType, details: Any, info: Any, path: Path, result: Any
    ) -> Any:
        """graphql-core's `complete_value` for a value in hand; awaitables and abstract types go back to it."""
        if isinstance(result, Exception):
            raise result
        if isinstance(return_type, GraphQLNonNull):
            completed = self._complete(return_type.of_type, details, info, path, result)
            if completed is None:
                raise TypeError(
                    f"Cannot return null for non-nullable field {info.parent_type}.{info.field_name}."
                )
            return completed
        if result is None or result is Undefined:
            return None
        if type(result) is _origin(return_type) and getattr(result, TYPE_CAST_ATTRIBUTE, None) is None:
            grouped = self.collect_subfields(return_type, details)[0]  # (memoized by graphql-core)
            return self.execute_fields(return_type, result, path, grouped, None)
        if self.is_awaitable(result) or is_abstract_type(return_type):
            return self.complete_value(return_type, details, info, path, result, None)
        if is_list_type(return_type):
            return self._complete_list(return_type, details, info, path, result)
        if is_leaf_type(return_type):
            return self.complete_leaf_value(return_type, result)
        if is_object_type(return_type):
            if return_type.is_type_of and not return_type.is_type_of(result, info):
                return self.complete_object_value(return_type, details, info, path, result, None)  # its error
            grouped = self.collect_subfields(return_type, details)[0]
            return self.execute_fields(return_type, result, path, grouped, None)
        return self.complete_value(return_type, details, info, path, result, None)

    def _complete_list(
        self, return_type: GraphQLList, details: Any, info: Any, path: Path, result: Any
    ) -> Any:
        if not isinstance(result, list | tuple):
            return self.complete_value(return_type, details, info, path, result, None)
        item_type = return_type.of_type
        is_awaitable = self.is_awaitable
        completed: list[Any] = []
        awaitable_items: list[int] = []
        for index, item in enumerate(result):
            item_path = path.add_key(index, None)
            try:
                value = self._complete(item_type, details, info, item_path, item)
            except Exception as raw_error:
                self.handle_field_error(raw_error, item_type, details, item_path)
                value = None
            if is_awaitable(value):
                value = self._await_completed(value, item_type, details, item_path)
                awaitable_items.append(index)
            completed.append(value)
        if not awaitable_items:
            return completed
        return _gather_items(completed, awaitable_items)


async def _gather_fields(results: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    """The awaitable fields of one object, awaited together (as graphql-core's `execute_fields`)."""
    if len(keys) == 1:
        results[keys[0]] = await results[keys[0]]
    else:
        results.update(zip(keys, await gather_with_cancel(*(results[key] for key in keys)), strict=True))
    return results


async def _gather_items(completed: list[Any], awaitable_items: list[int]) -> list[Any]:
    values = await gather_with_cancel(*(completed[i] for i in awaitable_items))
    for index, value in zip(awaitable_items, values, strict=True):
        completed[index] = value
    return completed
