"""Load a page's nested data ahead, level by level, so that nested fields complete synchronously.

A connection resolver knows its page and the selection below it. `prefetch` walks that selection and
asks each level's DataLoader for the whole level at once (one query per level, as the loaders would
anyway), which fills the loaders' caches. The nested resolvers then find their value already loaded
(`now_or_later`) and return it at once instead of an awaitable: graphql-core completes a plain value
in place, where an awaitable costs a coroutine, a future and a trip through the event loop per field —
most of the time a page of nested powers used to take.

To-one relations are read in the statement of the level that holds them (issue 27): when a level is
loaded, the relations selected below it that lead to one row of a loader without condition (a unit, a
parent unit, an article, its document, a power's flow chart, a step's position — `Step.join`, and
`joinable`) are LEFT JOINed into the level's statement, to any depth, and their loaders' caches primed
with what the join found (None where it found no row, as the loader would answer). The walk then finds
those levels loaded: a page of powers with units, bases, articles, documents, charts, steps and positions
takes 8 statements instead of 15. The page itself takes the relations of the powers (`joins_below`).

Nothing here decides what the caller may see: the loaders are the request's, built for its viewer,
and a field the walk does not know is simply resolved the ordinary way. A join never widens what is
read: the level's rows are the ones its own statement selects (its condition, the viewer's, kept), and a
joined relation is read only through a loader that applies no condition of the viewer, so its row is
the one that loader would read for that key (checked when priming: the key each object is primed under
is its own).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)
from strawberry.dataloader import DataLoader

from domain.rows import Join, Joined
from resolvers.loaders import Loaders, RowsLoader

K = TypeVar("K")
V = TypeVar("V")
R = TypeVar("R")


def now_or_later(loader: DataLoader[K, V], key: K, convert: Callable[[V], R]) -> R | Awaitable[R]:
    """`convert(value)` at once when `loader` already holds `key`; else an awaitable of it."""
    future = loader.cache_map.get(key)
    if future is not None and future.done() and not future.cancelled() and future.exception() is None:
        return convert(future.result())

    async def later() -> R:
        return convert(await loader.load(key))

    return later()


async def _load(loader: DataLoader[K, V], keys: list[K], joined: Callable[[], Joined | None] | None = None) -> list[V]:
    """The values of `keys`, the missing ones loaded in one batch and primed into the loader's cache
    (`joined`: the to-one relations below to read in the same statement, asked for only when a batch runs).

    Calls the batch function directly rather than `load_many`: that would make a future per key
    whose completion the event loop must schedule, hundreds per page, for values we have in hand.
    """
    missing = [key for key in keys if loader.cache_map.get(key) is None]
    if missing:
        if joined is not None and isinstance(loader, RowsLoader) and (relations := joined()) is not None:
            values = await loader.load_joined(missing, relations)
        else:
            values = await loader.load_fn(missing)
        loader.prime_many(dict(zip(missing, values, strict=True)))
    return [await future for future in (loader.cache_map.get(key) for key in keys) if future is not None]


@dataclass(frozen=True)
class Step:
    """How a field of a type loads: which loader, the key of each parent, the type of what it returns;
    for a to-one relation, `join`: the relation of the parent's model that reaches the same row (tortoise's
    name), so that it may be read in the parent's statement."""

    loader: str
    key: Callable[[Any], Any]
    child: str
    join: str | None = None


# type name -> GraphQL field name -> step; every loader here is one of `Loaders`
PLAN: Mapping[str, Mapping[str, Step]] = {
    "Power": {
        "unit": Step("unit_by_id", lambda p: p.unit_id, "Unit", join="unit"),
        "bases": Step("bases_by_power_id", lambda p: p.id, "PowerBasis"),
        "flowChart": Step("flow_chart_by_power_id", lambda p: p.id, "FlowChart", join="flow_chart"),
        "disclosureRecords": Step("disclosure_records_by_power_id", lambda p: p.id, "DisclosureRecord"),
        "operationRecords": Step("operation_records_by_power_id", lambda p: p.id, "OperationRecord"),
    },
    "Unit": {
        "parent": Step("unit_by_id", lambda u: u.parent_id, "Unit", join="parent"),
        "children": Step("units_by_parent_id", lambda u: u.id, "Unit"),
        "positions": Step("positions_by_unit_id", lambda u: u.id, "Position"),
    },
    "Position": {"unit": Step("unit_by_id", lambda p: p.unit_id, "Unit", join="unit")},
    "PowerBasis": {"article": Step("article_by_id", lambda b: b.article_id, "LegalArticle", join="article")},
    "LegalArticle": {"document": Step("document_by_id", lambda a: a.document_id, "LegalDocument", join="document")},
    "LegalDocument": {"versions": Step("documents_by_work_id", lambda d: d.work_id, "LegalDocument")},
    "FlowChart": {
        "steps": Step("steps_by_chart_id", lambda c: c.id, "FlowStep"),
        "edges": Step("edges_by_chart_id", lambda c: c.id, "FlowEdge"),
    },
    "FlowStep": {"position": Step("position_by_id", lambda s: s.position_id, "Position", join="position")},
}


def joinable(loader: DataLoader[Any, Any], model: type[Any]) -> bool:
    """Whether a relation answered by `loader` may be read in its holder's statement: one object per key,
    read by id or a one-to-one key (`Step.join` reaches the row whose `key_field` is the step's key) from
    a Rows of `model` with no condition (the viewer's, or any: a join carries none)."""
    return (
        isinstance(loader, RowsLoader)
        and not loader.many
        and loader.rows.where is None
        and loader.rows.queryset.model is model
    )


@dataclass(frozen=True)
class _Fold:
    """A to-one relation read in a level's statement: its join, its loader, the key of its holder (the
    level's object, `holder` -1, or the object of an earlier join)."""

    join: Join
    loader: RowsLoader
    key: Callable[[Any], Any]
    holder: int


def _folds(
    loaders: Loaders,
    type_name: str,
    selection_sets: list[SelectionSetNode | None],
    fragments: Mapping[str, FragmentDefinitionNode],
    model: type[Any],
    path: str = "",
    holder: int = -1,
    into: list[_Fold] | None = None,
) -> list[_Fold]:
    """The to-one relations selected below a level of `type_name` (rows of `model`) that may be joined into
    its statement, each before those below it."""
    found: list[_Fold] = [] if into is None else into
    plan = PLAN.get(type_name, {})
    for name, below in field_selections(selection_sets, fragments).items():
        step = plan.get(name)
        if step is None or step.join is None:
            continue
        target = model._meta.fields_map[step.join].related_model
        loader = getattr(loaders, step.loader)
        if not joinable(loader, target):
            continue
        found.append(_Fold(Join(f"{path}{step.join}", target, loader.rows.fields), loader, step.key, holder))
        _folds(loaders, step.child, below, fragments, target, f"{path}{step.join}__", len(found) - 1, found)
    return found


def _joined(folds: list[_Fold]) -> Joined | None:
    """The joins of `folds`, and the priming of their loaders with what each read finds."""
    if not folds:
        return None

    def receive(objects: list[Any], related: list[list[Any]]) -> None:
        for fold, values in zip(folds, related, strict=True):
            primed: dict[Any, Any] = {}
            key_of, key_field = fold.key, fold.loader.key_field
            for holder, value in zip(objects if fold.holder < 0 else related[fold.holder], values, strict=True):
                key = None if holder is None else key_of(holder)
                if key is None or key in primed:
                    continue  # no holder, or no relation (the walk asks nobody for it either), or primed already
                if value is not None and getattr(value, key_field) != key:
                    raise AssertionError(f"{fold.join.path}: a joined row primed under another key than its own")
                primed[key] = value
            fold.loader.prime_many(primed)

    return Joined(tuple(fold.join for fold in folds), receive)


def field_selections(
    selection_sets: Iterable[SelectionSetNode | None],
    fragments: Mapping[str, FragmentDefinitionNode],
) -> dict[str, list[SelectionSetNode | None]]:
    """Field name -> the selection sets below it, fragments merged in (each fragment once)."""
    found: dict[str, list[SelectionSetNode | None]] = {}
    seen: set[str] = set()
    pending = [s for s in selection_sets if s is not None]
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FieldNode):
                found.setdefault(selection.name.value, []).append(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
                seen.add(selection.name.value)
                if (fragment := fragments.get(selection.name.value)) is not None:
                    pending.append(fragment.selection_set)
    return found


async def _walk(
    loaders: Loaders,
    type_name: str,
    parents: Sequence[Any],
    selection_sets: list[SelectionSetNode | None],
    fragments: Mapping[str, FragmentDefinitionNode],
) -> None:
    plan = PLAN.get(type_name)
    if not plan or not parents:
        return
    for name, below in field_selections(selection_sets, fragments).items():
        step = plan.get(name)
        if step is None:
            continue
        keys = list(dict.fromkeys(k for k in (step.key(p) for p in parents) if k is not None))
        if not keys:
            continue
        loader = getattr(loaders, step.loader)

        def joined(loader: Any = loader, step: Step = step, below: Any = below) -> Joined | None:
            # asked by _load for a RowsLoader only
            return _joined(_folds(loaders, step.child, below, fragments, loader.rows.queryset.model))

        loaded = await _load(loader, keys, joined)
        children: list[Any] = []
        for value in loaded:
            if isinstance(value, list):
                children.extend(value)
            elif value is not None:
                children.append(value)
        await _walk(loaders, step.child, children, below, fragments)


def _nodes_below(
    field_nodes: Iterable[FieldNode], fragments: Mapping[str, FragmentDefinitionNode]
) -> list[SelectionSetNode | None]:
    """The selection sets of a connection's nodes (below `edges { node }` and `nodes`)."""
    top = field_selections([node.selection_set for node in field_nodes], fragments)
    below: list[SelectionSetNode | None] = list(top.get("nodes", []))
    for edges in top.get("edges", []):
        below.extend(field_selections([edges], fragments).get("node", []))
    return below


def joins_below(
    loaders: Loaders,
    type_name: str,
    model: type[Any],
    field_nodes: Iterable[FieldNode],
    fragments: Mapping[str, FragmentDefinitionNode],
) -> Joined | None:
    """The to-one relations of a connection's nodes (rows of `model`) to read in its page's statement, their
    loaders primed with what it finds (None: nothing to join)."""
    return _joined(_folds(loaders, type_name, _nodes_below(field_nodes, fragments), fragments, model))


async def prefetch_connection(info: Any, type_name: str, items: Sequence[Any]) -> None:
    """`prefetch` for a Relay connection's page: below `edges { node }` and `nodes`."""
    raw = info._raw_info
    await prefetch_below_connection(info.context.loaders, type_name, items, raw.field_nodes, raw.fragments)


async def prefetch_below_connection(
    loaders: Loaders,
    type_name: str,
    items: Sequence[Any],
    field_nodes: Iterable[FieldNode],
    fragments: Mapping[str, FragmentDefinitionNode],
) -> None:
    """`prefetch` below the connection fields `field_nodes` (their `edges { node }` and `nodes`)."""
    await _walk(loaders, type_name, items, _nodes_below(field_nodes, fragments), fragments)
