"""Load a page's nested data ahead, level by level, so that nested fields complete synchronously.

A connection resolver knows its page and the selection below it. `prefetch` walks that selection and
asks each level's DataLoader for the whole level at once (one query per level, as the loaders would
anyway), which fills the loaders' caches. The nested resolvers then find their value already loaded
(`now_or_later`) and return it at once instead of an awaitable: graphql-core completes a plain value
in place, where an awaitable costs a coroutine, a future and a trip through the event loop per field —
most of the time a page of nested powers used to take.

Nothing here decides what the caller may see: the loaders are the request's, built for its viewer,
and a field the walk does not know is simply resolved the ordinary way.
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

from resolvers.loaders import Loaders

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


async def _load(loader: DataLoader[K, V], keys: list[K]) -> list[V]:
    """The values of `keys`, the missing ones loaded in one batch and primed into the loader's cache.

    Calls the batch function directly rather than `load_many`: that would make a future per key
    whose completion the event loop must schedule, hundreds per page, for values we have in hand.
    """
    missing = [key for key in keys if loader.cache_map.get(key) is None]
    if missing:
        loader.prime_many(dict(zip(missing, await loader.load_fn(missing), strict=True)))
    return [await future for future in (loader.cache_map.get(key) for key in keys) if future is not None]


@dataclass(frozen=True)
class Step:
    """How a field of a type loads: which loader, the key of each parent, the type of what it returns."""

    loader: str
    key: Callable[[Any], Any]
    child: str


# type name -> GraphQL field name -> step; every loader here is one of `Loaders`
PLAN: Mapping[str, Mapping[str, Step]] = {
    "Power": {
        "unit": Step("unit_by_id", lambda p: p.unit_id, "Unit"),
        "bases": Step("bases_by_power_id", lambda p: p.id, "PowerBasis"),
        "flowChart": Step("flow_chart_by_power_id", lambda p: p.id, "FlowChart"),
        "disclosureRecords": Step("disclosure_records_by_power_id", lambda p: p.id, "DisclosureRecord"),
        "operationRecords": Step("operation_records_by_power_id", lambda p: p.id, "OperationRecord"),
    },
    "Unit": {
        "parent": Step("unit_by_id", lambda u: u.parent_id, "Unit"),
        "children": Step("units_by_parent_id", lambda u: u.id, "Unit"),
        "positions": Step("positions_by_unit_id", lambda u: u.id, "Position"),
    },
    "Position": {"unit": Step("unit_by_id", lambda p: p.unit_id, "Unit")},
    "PowerBasis": {"article": Step("article_by_id", lambda b: b.article_id, "LegalArticle")},
    "LegalArticle": {"document": Step("document_by_id", lambda a: a.document_id, "LegalDocument")},
    "LegalDocument": {"versions": Step("documents_by_work_id", lambda d: d.work_id, "LegalDocument")},
    "FlowChart": {
        "steps": Step("steps_by_chart_id", lambda c: c.id, "FlowStep"),
        "edges": Step("edges_by_chart_id", lambda c: c.id, "FlowEdge"),
    },
    "FlowStep": {"position": Step("position_by_id", lambda s: s.position_id, "Position")},
}


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
        loaded = await _load(getattr(loaders, step.loader), keys)
        children: list[Any] = []
        for value in loaded:
            if isinstance(value, list):
                children.extend(value)
            elif value is not None:
                children.append(value)
        await _walk(loaders, step.child, children, below, fragments)


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
    top = field_selections([node.selection_set for node in field_nodes], fragments)
    below: list[SelectionSetNode | None] = list(top.get("nodes", []))
    for edges in top.get("edges", []):
        below.extend(field_selections([edges], fragments).get("node", []))
    await _walk(loaders, type_name, items, below, fragments)
