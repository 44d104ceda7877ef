"""Compiled queries (issue 27): a document the portal sends again and again, answered without graphql-core.

An uncached page of 20 powers completes ~1,200 fields, and graphql-core (with strawberry's wrappers
around each resolver) spends most of the app's CPU deciding, field by field, what it decided for the
same document a moment before. A `Plan` decides it once per document and operation name: for each
response key, how its value is read from its parent object and completed, down to the leaves. A request
then reads its root field's page the way the resolver does, loads the levels below it the way the
resolver does, and walks the plan straight into the answer's dicts.

The subset (anything else has no plan, and runs the normal execution unchanged):

- a query operation (no mutation, subscription, introspection: `__schema` and `__type` are not fields
  of the types below) whose document has passed validation (the document cache's verdict, `[]`);
- root fields in ROOTS only: `powers` with the arguments `first` and `after` (literals or variables);
- below them, fields of object types without arguments, whose strawberry field has no extensions
  (permissions included), and that are plain attributes or synchronous resolvers: the resolvers of
  the loader-backed relations (`now_or_later`: unit, parent, bases, article, document, versions,
  flowChart, steps, position, edges, disclosureRecords, operationRecords) and the computed ones
  (rules, acceptsApplications, a record's texts); `__typename`; aliases; inline fragments and
  fragment spreads whose type condition is the very type they are spread in (or none);
- no directive anywhere (not even @skip/@include), no fragment arguments, no interface or union type.

The equivalence promise: where a plan answers, its `data` is the normal execution's, byte for byte once
serialized (tests/test_compiled_page.py asserts it for the public, another unit's staff, the unit's
own staff and ADMIN, with each hidden case alone). It holds because nothing of what is answered is
computed anew here:

- the root page is `resolvers.power.powers_page` (the same visibility rule `access.power_q`, total,
  keyset and cursors) and the levels below are loaded by `resolvers.prefetch` through the request's
  `Loaders`, whose statements carry the viewer's conditions (`domain.access` compiled through
  `domain.rows`), exactly as the resolver loads them: the same statements, the same count;
- each field's value is the one the normal execution reads: the same attribute (strawberry's default
  resolver) or the same resolver function called the same way; a resolver's `info` is a stand-in that
  holds the request's context and nothing else (a resolver that reads anything else from it fails);
- leaves are serialized by their GraphQL type's own `serialize` (graphql-core's `complete_leaf_value`)
  and objects are checked to be their type's class; the keys are the response names in graphql-core's
  collection order;
- below a row-made object (resolvers.columns.MODELS), a relation whose resolver only makes objects of what a
  loader holds (ROW_RELATIONS) is read the way the resolver reads it (the same loader, the same key, from
  the parent's row), and when everything selected below it is columns, ids, `__typename` and such
  relations, its rows are completed as they are (`_row_completer`): the columns the objects would take
  over, read from the rows, without making the objects (a quarter of a page's CPU went to making and
  completing ~640 of them). The rows are the loaders' own (same statements, same viewer's conditions).

Where the normal execution would report an error (a null in a non-null field, a resolver raising, a
value of another type, an awaitable left: a level not loaded ahead, arguments the root refuses), the
plan gives up (`Fallback`) and the request runs the normal execution, which reports it as it always has.
A plan's requests make the statements the normal execution makes (the page, its total, one per level, to-one
relations joined into the level that holds them), on one connection taken from the pool for them all
(domain.db.one_connection: ~55 µs of the app's CPU a statement);
`QINGQUAN_COMPILED_QUERIES=0` turns plans off, so that both can be compared.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from inspect import isawaitable
from threading import Lock
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
    get_operation_ast,
    is_leaf_type,
)
from graphql.execution.values import get_argument_values, get_variable_values
from graphql.language import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
)
from graphql.pyutils import Undefined
from strawberry.types.field import StrawberryField

from domain.db import one_connection
from domain.rows import attributes_of
from resolvers.columns import DEFINITION, MODELS, columns_for
from resolvers.loaders import Loaders
from resolvers.prefetch import PLAN
from schema.document_cache import MAX_CACHED_CHARS, DocumentLRU
from schema.execution import _origin
from schema.relay import encode_id

log = logging.getLogger("qingquan.compiled")


class Unsupported(Exception):
    """The document lies outside the subset: it has no plan."""


class Fallback(Exception):
    """This request's answer would hold an error, or something the plan does not decide: execute normally."""


class _Info:
    """What a resolver's `info` is under a plan: the request's context, nothing else (reading anything
    else raises AttributeError, and the request falls back to the normal execution)."""

    __slots__ = ("context",)

    def __init__(self, context: Any) -> None:
        self.context = context


class _Run:
    """One request under a plan: the resolvers' `info`, the objects (or rows) completed so far, and how many
    rows were completed without an object."""

    __slots__ = ("info", "completed", "rows")

    def __init__(self, context: Any) -> None:
        self.info = _Info(context)
        self.completed: dict[tuple[object, int, Any], tuple[Any, dict[str, Any]]] = {}
        self.rows = 0


_NO_ROW: dict[str, Any] = {}
Complete = Callable[[Any, _Run], Any]  # a value read from the parent -> its place in the answer
Read = Callable[[Any, _Info], Any]  # the parent object -> the field's value


# -- the root fields a plan may start from --------------------------------------------------------


async def _powers(
    context: Any, args: Mapping[str, Any], nodes: list[FieldNode], fragments: Mapping[str, Any]
) -> Any:
    """`Query.powers(first, after)`: what its resolver answers, by the same function."""
    from resolvers.keyset import PageArgs
    from schema.catalogue.power import powers_connection

    page_args = PageArgs(args.get("first"), args.get("after"), None, None)
    return await powers_connection(context, page_args, None, None, nodes, fragments)


#: root field name -> (the arguments it accepts, how it is answered)
ROOTS: Mapping[str, tuple[frozenset[str], Callable[..., Awaitable[Any]]]] = {
    "powers": (frozenset({"first", "after"}), _powers),
}


# -- planning ---------------------------------------------------------------------------------------


def _collect(
    type_name: str, selection_sets: list[SelectionSetNode], fragments: Mapping[str, FragmentDefinitionNode]
) -> dict[str, list[FieldNode]]:
    """Response key -> its field nodes, in graphql-core's collection order (a named fragment once)."""
    found: dict[str, list[FieldNode]] = {}
    visited: set[str] = set()

    def walk(selection_set: SelectionSetNode) -> None:
        for selection in selection_set.selections:
            if selection.directives:
                raise Unsupported("a directive")
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                found.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if condition is not None and condition.name.value != type_name:
                    raise Unsupported("a fragment on another type")
                walk(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if getattr(selection, "arguments", None):
                    raise Unsupported("fragment arguments")
                if name in visited:
                    continue
                visited.add(name)
                fragment = fragments.get(name)
                if fragment is None or fragment.type_condition.name.value != type_name or fragment.directives:
                    raise Unsupported("a fragment on another type")
                walk(fragment.selection_set)

    for selection_set in selection_sets:
        walk(selection_set)
    return found


def _plain_field(field_def: GraphQLField) -> StrawberryField | None:
    """The strawberry field behind a GraphQL field, or None where it has field extensions (permissions
    included) or is not strawberry's: such a field is never planned."""
    field = (field_def.extensions or {}).get(DEFINITION)
    return field if isinstance(field, StrawberryField) and not field.extensions else None


def _read(field_def: GraphQLField) -> Read:
    """How a field's value is read from its parent: the attribute, or the resolver called as strawberry calls it."""
    field = _plain_field(field_def)
    if field is None:
        raise Unsupported("a field with extensions")
    resolver = field.base_resolver
    if resolver is None:
        getter, name = field.default_resolver, field.python_name
        return lambda source, info: getter(source, name)
    if resolver.is_async or resolver.arguments:
        raise Unsupported("an async resolver")
    call = resolver.wrapped_func
    self_arg = resolver.self_parameter is not None
    source_names = tuple(
        p.name for p in (resolver.parent_parameter, resolver.root_parameter) if p is not None
    )
    info_name = resolver.info_parameter.name if resolver.info_parameter is not None else None
    if not callable(call) or (self_arg and source_names):
        raise Unsupported("an unusual resolver")
    if self_arg and info_name is None:
        return lambda source, info: call(source)
    if self_arg:
        return lambda source, info: call(source, **{info_name: info})

    def read(source: Any, info: _Info) -> Any:
        kwargs: dict[str, Any] = {name: source for name in source_names}
        if info_name is not None:
            kwargs[info_name] = info
        return call(**kwargs)

    return read


def _completer(
    gtype: Any,
    nodes: list[FieldNode],
    fragments: Mapping[str, FragmentDefinitionNode],
    schema: GraphQLSchema,
    rows: Any = None,
) -> Complete:
    """How a value of `gtype` is completed into the answer (graphql-core's `complete_value`, decided once).

    `rows`: the object is given as its model row (a model instance of `rows`, as the loaders hold it), not as
    the object its resolver would make of it (`_row_completer`; _NotRows where that cannot be)."""
    non_null = isinstance(gtype, GraphQLNonNull)
    if non_null:
        gtype = gtype.of_type

    def absent(value: Any) -> None:
        """A value that is null (or an awaitable: a level the prefetch did not load, which the normal
        execution would await): None, or Fallback where the normal execution would report it."""
        if value is not None and value is not Undefined:
            if isawaitable(value) and hasattr(value, "close"):
                value.close()
            raise Fallback(f"a value of another type than {gtype}")
        if non_null:
            raise Fallback("a null in a non-null field")

    if isinstance(gtype, GraphQLList):
        item = _completer(gtype.of_type, nodes, fragments, schema, rows)

        def listed(value: Any, run: _Run) -> Any:
            if type(value) is not list and not isinstance(value, list | tuple):
                return absent(value)
            return [item(v, run) for v in value]

        return listed
    if is_leaf_type(gtype):
        serialize = gtype.serialize
        exact = {"String": str, "ID": str, "Boolean": bool}.get(gtype.name)

        def leaf(value: Any, run: _Run) -> Any:
            if type(value) is exact:
                return value
            if value is None or value is Undefined:
                return absent(value)
            serialized = serialize(value)
            if serialized is None or serialized is Undefined:
                raise Fallback("a leaf that does not serialize")
            return serialized

        return leaf
    if type(gtype) is not GraphQLObjectType:
        raise Unsupported("an interface or a union")
    if rows is not None:
        return _row_completer(gtype, rows, nodes, fragments, schema, absent)
    # graphql-core asks the type's is_type_of, if it has one (strawberry's: an instance of its class): an
    # instance of exactly that class passes (schema.execution._origin), anything else falls back
    origin = _origin(gtype) if gtype.is_type_of is not None else None
    if gtype.is_type_of is not None and origin is None:
        raise Unsupported("an object type whose is_type_of reads more than the class")
    fields = _fields(
        gtype, [n.selection_set for n in nodes if n.selection_set is not None], fragments, schema
    )
    shape = object()  # this selection set, in the request's completed rows

    def obj(value: Any, run: _Run) -> Any:
        if origin is not None:
            if type(value) is not origin:
                return absent(value)
        elif value is None or isawaitable(value):
            return absent(value)
        # an object made from a row (schema.node.of_row) completes the same wherever the row appears under
        # this selection set with the same context (as in schema/execution.py): completed once a request
        attributes = getattr(value, "__dict__", _NO_ROW)
        row = attributes.get("_row")
        if row is not None:
            key = (shape, id(row), attributes["_context"])
            done = run.completed.get(key)
            if done is not None:
                return done[1]
        info = run.info
        answer = {name: complete(read(value, info), run) for name, read, complete in fields}
        if row is not None:
            run.completed[key] = (row, answer)  # the row kept beside, so that its id stays its own
        return answer

    return obj


def _fields(
    gtype: GraphQLObjectType,
    selection_sets: list[SelectionSetNode],
    fragments: Mapping[str, FragmentDefinitionNode],
    schema: GraphQLSchema,
) -> list[tuple[str, Read, Complete]]:
    """The plan of one selection set on an object type: (response key, read, complete) in answer order."""
    plan: list[tuple[str, Read, Complete]] = []
    for key, nodes, field_def in _selected(gtype, selection_sets, fragments):
        if field_def is None:
            plan.append(_typename(key, gtype))
            continue
        name = nodes[0].name.value
        if (
            gtype.name in MODELS
        ):  # an object made from a row (schema.node.of_row): its relations may read rows
            try:
                read_row, complete = _relation(gtype.name, name, field_def, nodes, fragments, schema)
            except _NotRows:
                pass
            else:
                plan.append(
                    (key, lambda source, info, read_row=read_row: read_row(source._row, info), complete)
                )
                continue
        plan.append((key, _read(field_def), _completer(field_def.type, nodes, fragments, schema)))
    return plan


def _selected(
    gtype: GraphQLObjectType,
    selection_sets: list[SelectionSetNode],
    fragments: Mapping[str, FragmentDefinitionNode],
) -> Iterator[tuple[str, list[FieldNode], GraphQLField | None]]:
    """(response key, its field nodes, the field, None for `__typename`) of a selection set on an object
    type, in answer order; Unsupported for a field of the introspection or with arguments."""
    for key, nodes in _collect(gtype.name, selection_sets, fragments).items():
        name = nodes[0].name.value
        if name == "__typename":
            yield key, nodes, None
            continue
        field_def = gtype.fields.get(name)
        if field_def is None or name.startswith("__"):
            raise Unsupported(f"the field {name}")
        if field_def.args or any(n.arguments for n in nodes):
            raise Unsupported("a field with arguments")
        yield key, nodes, field_def


def _typename(key: str, gtype: GraphQLObjectType) -> tuple[str, Read, Complete]:
    typename = gtype.name
    return key, lambda source, info: None, lambda value, run: typename


# -- objects answered from their rows ---------------------------------------------------------------


class _NotRows(Exception):
    """This selection cannot be answered from the rows alone: its objects are made and completed as above."""


#: relations whose resolver is `now_or_later(loader, key, from_model)` over their step of
#: resolvers.prefetch.PLAN (the key read from the parent's row; a missing key, or a missing value where the
#: type is nullable, null), and whose type's `from_model` is `schema.node.of_row` with the id
#: `encode_id(type, row.id)` and nothing else a column would be read from (each checked by hand: a relation
#: added to PLAN is not one of them until it is checked and listed here)
ROW_RELATIONS = frozenset({
    ("Power", "unit"), ("Power", "bases"), ("Power", "flowChart"),
    ("Power", "disclosureRecords"), ("Power", "operationRecords"),  # their context reaches no column
    ("Unit", "parent"), ("Unit", "children"), ("Unit", "positions"),
    ("Position", "unit"), ("PowerBasis", "article"), ("LegalArticle", "document"),
    ("LegalDocument", "versions"), ("FlowChart", "steps"), ("FlowChart", "edges"), ("FlowStep", "position"),
})  # fmt: skip
#: (type, field) -> a relation whose object is made from the parent's own row (`of_row(Type, self.model)`)
SAME_ROW = frozenset({("Power", "rules")})


def _relation(
    parent: str,
    name: str,
    field_def: GraphQLField,
    nodes: list[FieldNode],
    fragments: Mapping[str, FragmentDefinitionNode],
    schema: GraphQLSchema,
) -> tuple[Read, Complete]:
    """How a relation of a row-made object is read from its parent's row and completed from rows (its value:
    the row, or list of rows, the request's loader holds, which its resolver would make objects of)."""
    child = MODELS.get(get_named_type(field_def.type).name)
    if child is None:
        raise _NotRows(f"{parent}.{name}")
    if (parent, name) in SAME_ROW:
        return (lambda row, info: row), _completer(field_def.type, nodes, fragments, schema, child)
    step = PLAN.get(parent, {}).get(name)
    if (parent, name) not in ROW_RELATIONS or step is None:
        raise _NotRows(f"{parent}.{name}")
    loader_name, key_of = step.loader, step.key

    def read(row: Any, info: _Info) -> Any:
        key = key_of(row)
        if key is None:
            return None
        future = getattr(info.context.loaders, loader_name).cache_map.get(key)
        if future is None or not future.done() or future.cancelled() or future.exception() is not None:
            raise Fallback("a level not loaded ahead")
        return future.result()

    return read, _completer(field_def.type, nodes, fragments, schema, child)


def _row_completer(
    gtype: GraphQLObjectType,
    model: Any,
    nodes: list[FieldNode],
    fragments: Mapping[str, FragmentDefinitionNode],
    schema: GraphQLSchema,
    absent: Callable[[Any], None],
) -> Complete:
    """An object of `gtype` completed from its row (an instance of exactly `model`), without the object its
    resolver would make of it: what the object's fields would read of the row, read from the row itself. Only
    for a selection of columns (fields without resolver that are columns of the row, as `of_row` takes them
    over), the id (`encode_id(type, row.id)`, as every `from_model` of MODELS holds it), `__typename` and the
    relations above; anything else: _NotRows."""
    columns = attributes_of(model)
    plan: list[tuple[str, Read, Complete]] = []
    selection_sets = [n.selection_set for n in nodes if n.selection_set is not None]
    for key, field_nodes, field_def in _selected(gtype, selection_sets, fragments):
        if field_def is None:
            plan.append(_typename(key, gtype))
            continue
        name = field_nodes[0].name.value
        definition = _plain_field(field_def)
        if definition is None:
            raise _NotRows("a field with extensions")
        column = definition.python_name
        if definition.base_resolver is not None:
            plan.append((key, *_relation(gtype.name, name, field_def, field_nodes, fragments, schema)))
            continue
        if column == "id" and any(i.name == "Node" for i in gtype.interfaces):
            typename = gtype.name
            read: Read = lambda row, info, typename=typename: encode_id(typename, row.id)  # noqa: E731
        elif column in columns and column != "id":
            read = lambda row, info, column=column: row.__dict__[column]  # noqa: E731
        else:
            raise _NotRows(f"{gtype.name}.{name}")
        plan.append((key, read, _completer(field_def.type, field_nodes, fragments, schema)))
    shape = object()  # this selection set, in the request's completed rows

    def obj(row: Any, run: _Run) -> Any:
        if type(row) is not model:
            return absent(row)
        key = (shape, id(row), None)
        done = run.completed.get(key)
        if done is not None:
            return done[1]
        info = run.info
        answer = {name: complete(read(row, info), run) for name, read, complete in plan}
        run.rows += 1
        run.completed[key] = (row, answer)  # the row kept beside, so that its id stays its own
        return answer

    return obj


@dataclass(frozen=True)
class _Root:
    key: str
    field_def: GraphQLField
    nodes: list[FieldNode]
    answer: Callable[..., Awaitable[Any]]
    complete: Complete


@dataclass(frozen=True)
class Plan:
    """One operation of a document, decided once: its root fields and how each answer is completed."""

    document: DocumentNode
    operation: OperationDefinitionNode
    fragments: Mapping[str, FragmentDefinitionNode]
    roots: tuple[_Root, ...]

    async def run(
        self, schema: GraphQLSchema, context: Any, variables: dict[str, Any] | None
    ) -> tuple[dict[str, Any], int]:
        """The operation's `data` for this request, and how many rows it completed without making their
        objects; Fallback when the normal execution must answer."""
        coerced = get_variable_values(schema, self.operation.variable_definitions or (), variables or {})
        if isinstance(coerced, list):
            raise Fallback("variables that do not coerce")
        loaders = getattr(context, "loaders", None)
        if not isinstance(loaders, Loaders):
            raise Fallback("no loaders")
        if loaders.columns is None:  # as FastExecutionContext: the loaders read only the selected columns
            loaders.columns = columns_for(schema, self.operation, self.fragments)
        values = []
        # the page and its levels are read in sequence, on one connection taken for them all
        async with one_connection():
            for root in self.roots:
                args = get_argument_values(root.field_def, root.nodes[0], coerced)
                values.append(await root.answer(context, args, root.nodes, self.fragments))
        run = _Run(context)
        data = {root.key: root.complete(value, run) for root, value in zip(self.roots, values, strict=True)}
        return data, run.rows


def plan_of(schema: GraphQLSchema, document: DocumentNode, operation_name: str | None) -> Plan:
    """The plan of a document's operation (Unsupported when it lies outside the subset)."""
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation != OperationType.QUERY or operation.directives:
        raise Unsupported("not a query")
    if any(v.directives for v in operation.variable_definitions or ()):
        raise Unsupported("a directive")
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    query_type = schema.query_type
    assert query_type is not None
    roots = []
    for key, nodes in _collect(query_type.name, [operation.selection_set], fragments).items():
        name = nodes[0].name.value
        accepted, answer = ROOTS.get(name, (None, None))
        if accepted is None or answer is None:
            raise Unsupported(f"the root field {name}")
        if any({a.name.value for a in n.arguments or ()} - accepted for n in nodes):  # None: no arguments
            raise Unsupported("root arguments")
        field_def = query_type.fields[name]
        roots.append(
            _Root(key, field_def, nodes, answer, _completer(field_def.type, nodes, fragments, schema))
        )
    return Plan(document, operation, fragments, tuple(roots))


class CompiledQueries:
    """The plans of the documents the schema has validated, made once per document and operation name and
    kept beside the document cache (as many, the most recently used)."""

    def __init__(self, documents: DocumentLRU, enabled: bool = True) -> None:
        self.documents = documents
        self.enabled = enabled
        self._plans: OrderedDict[tuple[str, str | None], Plan | None] = OrderedDict()
        self._lock = Lock()
        self.answered = 0  # requests answered by a plan (the tests check that theirs were)
        self.rows = 0  # rows they completed without making their objects (the tests check that some were)

    def plan(self, schema: GraphQLSchema, query: str | None, operation_name: str | None) -> Plan | None:
        """The plan for a request, or None: plans off, a document not (yet) validated, or outside the subset."""
        if not self.enabled or not query or len(query) > MAX_CACHED_CHARS:
            return None
        key = (query, operation_name)
        with self._lock:
            if key in self._plans:
                self._plans.move_to_end(key)
                return self._plans[key]
        entry = self.documents.get(query)
        if (
            entry is None or entry[1] != []
        ):  # parsed and validated, without error, by the normal execution first
            return None
        try:
            plan: Plan | None = plan_of(schema, entry[0], operation_name)
        except Unsupported as reason:
            log.debug("no plan: %s", reason)
            plan = None
        except Exception:  # a planner's bug must not fail the request: the normal execution answers it
            log.exception("no plan: the planner failed on a validated document")
            plan = None
        with self._lock:
            self._plans[key] = plan
            while len(self._plans) > max(self.documents.size, 1):
                self._plans.popitem(last=False)
        return plan

    async def execute(
        self,
        schema: GraphQLSchema,
        query: str | None,
        operation_name: str | None,
        variables: Any,
        context: Any,
    ) -> dict[str, Any] | None:
        """The request's `data` by its plan, or None: the normal execution answers."""
        plan = self.plan(schema, query, operation_name)
        if plan is None or (variables is not None and not isinstance(variables, dict)):
            return None
        try:
            data, rows = await plan.run(schema, context, variables)
        except Fallback as reason:
            log.debug("plan fell back: %s", reason)
        except Exception:  # the normal execution meets it again, and reports it as it always has
            log.debug("plan fell back on an error", exc_info=True)
        else:
            self.answered += 1
            self.rows += rows
            return data
        return None
