"""Which columns a query reads, so that the catalogue's loaders select only those (issue 9).

A query names the fields it wants. On a type backed by a model (MODELS), a field without resolver reads
its own column, and a resolver field reads the columns declared for it in READS. `columns_for` works out,
once per operation, every (type, field) the operation may select (through fragments, and whatever its
@skip/@include say) and from them the columns each model's rows need; the loaders then read those
(Loaders.fields_of). A page of powers thus no longer reads a document's history or an operation record's
applicant to show a title and a stage.

It fails closed. An operation gets None, and every loader reads whole rows as before, when it is not a
query, or selects a field this module does not know: a resolver field missing from READS, a field of an
interface or union, introspection. A resolver in READS may read the declared columns of its own object's
row and hand rows on to the field's own type; one that reads a loaded row for any other purpose (an SVG
drawn from positions, a unit's name shown on another type) must stay out of READS. A column a field reads
but was not declared fails loudly: the row lacks the attribute (AttributeError), it never answers null.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from threading import Lock
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    is_object_type,
)
from tortoise.models import Model

from domain import models as m
from domain.rows import attributes_of

DEFINITION = "strawberry-definition"  # where strawberry keeps a GraphQL field's StrawberryField

#: GraphQL types whose objects take over their model row's columns (schema.node.of_row)
MODELS: Mapping[str, type[Model]] = {
    "Power": m.Power,
    "Unit": m.Unit,
    "Position": m.Position,
    "PowerBasis": m.PowerBasis,
    "LegalArticle": m.LegalArticle,
    "LegalDocument": m.LegalDocument,
    "FlowChart": m.FlowChart,
    "FlowStep": m.FlowStep,
    "FlowEdge": m.FlowEdge,
    "OperationRecord": m.OperationRecord,
    "DisclosureRecord": m.DisclosureRecord,
    "ExerciseRules": m.Power,  # a power's 行使规则, read from its row
}

ALL = None  # a field that reads the whole row (what a model's columns are then: every one)

#: GraphQL type -> resolver field -> the columns of the type's own row it reads (on a type without model:
#: ()); the id (primary key) is always read. Connections' `nodes` (every `…Connection`) reads nothing.
READS: Mapping[str, Mapping[str, tuple[str, ...] | None]] = {
    "Query": {
        "units": (), "powers": (), "power": (), "unit": (),
        "searchLegalBasis": (), "searchLegalDocuments": (), "searchPowers": (),  # and ROWS_READ
    },  # fmt: skip
    "Power": {
        "unit": ("unit_id",),
        "bases": (),
        "rules": (),
        "confidentiality": ("confidential", "confidentiality_reason", "confidentiality_basis"),
        "flowChart": (),
        "disclosureRecords": ("unit_id",),
        "operationRecords": ("unit_id",),
    },
    "Unit": {"parent": ("parent_id",), "children": (), "positions": (), "powers": ()},
    "Position": {"unit": ("unit_id",)},
    "PowerBasis": {"article": ("article_id",), "power": ("power_id",)},
    "LegalArticle": {"document": ("document_id",)},
    "LegalDocument": {"versions": ("work_id",)},
    "FlowChart": {"steps": (), "edges": ()},
    "FlowStep": {"position": ("position_id",)},
    "FlowEdge": {"sourceStepId": ("source_id",), "targetStepId": ("target_id",)},
    # the personal and free-text fields go through domain.personal, which reads the whole record
    "OperationRecord": {"subject": ALL, "decision": ALL, "execution": ALL, "result": ALL, "applicant": ALL},
    "DisclosureRecord": {"content": ALL, "operation": ("operation_id",)},  # content: with its operation
}

#: "Type.field" -> the columns a resolver reads of rows of other models (a search's hits, say)
ROWS_READ: Mapping[str, Mapping[type[Model], tuple[str, ...]]] = {
    "Query.searchLegalBasis": {m.LegalArticle: ("document_id",)},  # and the documents' ids
    "Query.searchLegalDocuments": {m.LegalDocument: ("title",)},  # the title, when it did not match
    "Query.searchPowers": {m.Power: ("name",)},  # the name, when it did not match
}

Columns = dict[type[Model], tuple[str, ...] | None]


class _Unknown(Exception):
    """The operation selects something this module does not know: no pruning."""


def _field_columns(parent: GraphQLObjectType, name: str) -> tuple[str, ...] | None:
    """The columns of `parent`'s row that its field `name` reads (ALL: every one); _Unknown if not known."""
    field_def = parent.fields.get(name)
    definition = (field_def.extensions or {}).get(DEFINITION) if field_def is not None else None
    if definition is None:
        raise _Unknown(f"{parent.name}.{name}")
    declared = READS.get(parent.name, {})
    if name in declared:
        return declared[name]
    if definition.base_resolver is not None:
        if name == "nodes" and parent.name.endswith("Connection"):
            return ()
        raise _Unknown(f"{parent.name}.{name}")
    model = MODELS.get(parent.name)
    if model is None:
        return ()  # a plain value's attribute (a connection's edges, ExerciseRules …)
    column = definition.python_name
    if column == "id":
        return ()  # the global id, made from the primary key
    if column in attributes_of(model):
        return (column,)
    return ALL  # an attribute of the object that is not a column of its row: take the row whole


def _collect(
    schema: GraphQLSchema,
    parent: Any,
    selection_set: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    found: dict[type[Model], set[str] | None],
    spread: set[tuple[str, str]],
) -> None:
    """Every (type, field) below `selection_set` into `found`. A fragment is walked once per type it is
    spread in (what it selects there is known after the first time), so that a document whose fragments
    each spread the next twice costs its size, not 2 ** its depth (tests/test_http_hardening.py)."""
    if not is_object_type(parent):
        raise _Unknown(f"a selection on {parent}")  # interfaces, unions: which rows is not known here
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            name = selection.name.value
            if name == "__typename":
                continue
            columns = _field_columns(parent, name)  # (_Unknown if not known)
            if (model := MODELS.get(parent.name)) is not None:
                _add(found, model, columns)
            for other, columns in ROWS_READ.get(f"{parent.name}.{name}", {}).items():
                _add(found, other, columns)
            if selection.selection_set is not None:
                below = get_named_type(parent.fields[name].type)
                _collect(schema, below, selection.selection_set, fragments, found, spread)
        elif isinstance(selection, InlineFragmentNode):
            narrowed = _narrowed(schema, parent, selection.type_condition)
            _collect(schema, narrowed, selection.selection_set, fragments, found, spread)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is None:
                raise _Unknown(f"fragment {name}")
            narrowed = _narrowed(schema, parent, fragment.type_condition)
            if (name, narrowed.name) not in spread:  # (a cycle, refused by validation, ends here too)
                spread.add((name, narrowed.name))
                _collect(schema, narrowed, fragment.selection_set, fragments, found, spread)


def _add(found: dict[type[Model], set[str] | None], model: type[Model], columns: tuple[str, ...] | None) -> None:
    held = found.setdefault(model, set())
    if columns is ALL:
        found[model] = None
    elif held is not None:
        held.update(columns)


def _narrowed(schema: GraphQLSchema, parent: GraphQLObjectType, condition: Any) -> Any:
    """The type a fragment's fields apply to inside `parent`: the parent itself, unless the fragment names
    another object type (it never matches there; its fields are counted for that type: more, never less)."""
    if condition is None:
        return parent
    named = schema.get_type(condition.name.value)
    return parent if named is None or not is_object_type(named) or named is parent else named


def _compute(
    schema: GraphQLSchema, operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> Columns | None:
    if operation.operation is not OperationType.QUERY or schema.query_type is None:
        return None
    found: dict[type[Model], set[str] | None] = {}
    try:
        _collect(schema, schema.query_type, operation.selection_set, fragments, found, set())
    except _Unknown:
        return None
    return {
        model: None if names is None else tuple(sorted({model._meta.pk_attr, *names})) for model, names in found.items()
    }


class _Cache:
    """`columns_for`'s answers by operation: documents come from the parsed-document cache, so the same
    operation node is asked about again and again (kept alive beside its answer, so its id stays its own)."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._entries: OrderedDict[int, tuple[Any, Columns | None]] = OrderedDict()
        self._lock = Lock()

    def get(self, operation: OperationDefinitionNode) -> tuple[Any, Columns | None] | None:
        with self._lock:
            entry = self._entries.get(id(operation))
            return entry if entry is not None and entry[0] is operation else None

    def put(self, operation: OperationDefinitionNode, columns: Columns | None) -> None:
        with self._lock:
            self._entries[id(operation)] = (operation, columns)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


_CACHE = _Cache()


def columns_for(
    schema: GraphQLSchema, operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> Columns | None:
    """Per model, the columns `operation` reads of its rows (None for a model: whole rows); None: read
    whole rows everywhere. A model the operation does not select is absent (its rows, if any are loaded,
    are read whole)."""
    entry = _CACHE.get(operation)
    if entry is not None:
        return entry[1]
    columns = _compute(schema, operation, fragments)
    _CACHE.put(operation, columns)
    return columns
