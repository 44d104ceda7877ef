"""Query limits checked before anything runs: depth, aliases, the node limit, and a time budget for validation.

Depth: the longest chain of fields with sub-selections (introspection fields not counted), as
strawberry's QueryDepthLimiter counts it. Node limit: each connection field (one selecting `edges` or
`nodes`) may return `first` items for every item of the connections around it, so a query's worst
case is the sum, over its connections, of the product of the `first`s on the way down (a `first`
given by a variable counts as the largest page; none, as the default page).

Both are computed in one pass that visits every selection set of the document once: a fragment's
figures are computed the first time it is spread and reused at every other spread (the node count
of a selection set scales linearly with the factor above it, so it is computed once at factor 1).
Spreading fragments into each other therefore costs time linear in the document, however often they
are spread; a document that expands to billions of fields is refused in microseconds.

graphql-core's own rules are bounded too (tokens are capped by the parser), and a last guard,
`ValidationBudget`, refuses a document whose validation outlasts a few milliseconds.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    Node,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    ValueNode,
)
from graphql.language.parser import MAX_NESTING_DEPTH
from graphql.validation.validate import ValidationAbortedError

from domain.comment_periods import MAX_POWERS
from qingquan.settings import Settings

CONNECTION_FIELDS = frozenset({"edges", "nodes"})
#: Plain lists that may be long, counted as pages of their largest size (the others hold a few items:
#: a chart's steps, a power's bases). By field name, as everything here: the limits run before types do.
LONG_LISTS: Mapping[str, int] = {"drafts": MAX_POWERS}
VALIDATION_TIME = "validation_time"  # the reason of a refusal that depends on the moment, not the document
# Figures are capped here: past the limits nobody needs the exact number, and the cap keeps the
# arithmetic on machine-sized integers.
_CAP = 10**15


class TooComplex(Exception):
    """The document would make field merging compare too many pairs of fields."""


class TooNested(Exception):
    """Fragments spread inside each other deeper than graphql-core will follow."""


@dataclass(frozen=True)
class Shape:
    """What a selection set costs: its depth, its worst-case nodes at factor 1, its aliased fields
    (each spread of a fragment counting its aliases again), its field names, and how often each
    response key occurs once inline fragments and fragments are merged in."""

    depth: int
    nodes: int
    aliases: int
    names: frozenset[str]
    keys: Mapping[str, tuple[int, int]]  # response key -> (occurrences, largest sub-selection size)
    size: int  # fields in it, sub-selections and fragments included


_EMPTY = Shape(0, 0, 0, frozenset(), {}, 0)


@dataclass
class DocumentShapes:
    """Shapes of a document's selection sets, each fragment computed once.

    It also counts the pairs of fields with the same response key that meet in one selection set,
    each weighted by the size of their sub-selections: graphql-core's OverlappingFieldsCanBeMerged
    rule compares each such pair down their sub-selections, which is quadratic in the repetitions,
    so a document with too much of that work is refused before the rule runs. Counting stops as soon
    as the limit is passed, which keeps this pass linear too.
    """

    fragments: Mapping[str, FragmentDefinitionNode]
    settings: Settings
    pairs: int = 0
    _done: dict[str, Shape] = field(default_factory=dict)
    _in_progress: set[str] = field(default_factory=set)

    def of(self, selection_set: SelectionSetNode | None) -> Shape:
        if selection_set is None:
            return _EMPTY
        depth = nodes = aliases = size = 0
        names: set[str] = set()
        keys: dict[str, tuple[int, int]] = {}
        spread: set[str] = set()
        for selection in selection_set.selections:
            if isinstance(selection, FragmentSpreadNode):
                # a fragment spread again in the same selection adds nothing: execution and
                # validation both merge it once
                if selection.name.value in spread:
                    continue
                spread.add(selection.name.value)
            if isinstance(selection, FieldNode):
                names.add(selection.name.value)
                d, n, a, z = self._field(selection)
                self._count(keys, (selection.alias or selection.name).value, 1, z)
            else:
                part = (
                    self.of(selection.selection_set)
                    if isinstance(selection, InlineFragmentNode)
                    else self._fragment(selection)  # type: ignore[arg-type]
                )
                names |= part.names
                for key, (count, weight) in part.keys.items():
                    self._count(keys, key, count, weight)
                d, n, a, z = part.depth, part.nodes, part.aliases, part.size
            depth = max(depth, d)
            nodes = min(nodes + n, _CAP)
            aliases = min(aliases + a, _CAP)
            size = min(size + z, _CAP)
        return Shape(depth, nodes, aliases, frozenset(names), keys, size)

    def _count(self, keys: dict[str, tuple[int, int]], key: str, count: int, weight: int) -> None:
        before, before_weight = keys.get(key, (0, 0))
        weight = max(weight, before_weight)
        keys[key] = (before + count, weight)
        self.pairs += (before * count + count * (count - 1) // 2) * weight
        if self.pairs > self.settings.max_field_pairs:
            raise TooComplex

    def _field(self, node: FieldNode) -> tuple[int, int, int, int]:
        """(depth, worst-case nodes, aliases, size) of one field at factor 1."""
        alias = 1 if node.alias else 0
        if node.selection_set is None:
            return 0, 0, alias, 1
        inner = self.of(node.selection_set)
        depth = 0 if node.name.value.startswith("__") else 1 + inner.depth
        aliases = min(alias + inner.aliases, _CAP)
        size = min(1 + inner.size, _CAP)
        if node.name.value in LONG_LISTS:
            page = LONG_LISTS[node.name.value]
        elif not inner.names & CONNECTION_FIELDS:
            return depth, inner.nodes, aliases, size
        else:
            page = self._page_size(node)
        return depth, min(page + page * inner.nodes, _CAP), aliases, size

    def _page_size(self, node: FieldNode) -> int:
        """The page a connection may return: its `first` or its `last` (keyset connections page backward)."""
        sizes = [self._size(a.value) for a in node.arguments or () if a.name.value in ("first", "last")]
        return max(sizes) if sizes else self.settings.default_page_size

    def _size(self, value: ValueNode) -> int:
        if isinstance(value, IntValueNode):
            return min(max(int(value.value), 0), _CAP)
        return self.settings.max_page_size  # a variable (or a bad value the core rules refuse)

    def _fragment(self, spread: FragmentSpreadNode) -> Shape:
        name = spread.name.value
        if name in self._done:
            return self._done[name]
        fragment = self.fragments.get(name)
        if fragment is None or name in self._in_progress:  # unknown or cyclic: the core rules report it
            return _EMPTY
        if len(self._in_progress) >= MAX_NESTING_DEPTH:
            raise TooNested
        self._in_progress.add(name)
        shape = self.of(fragment.selection_set)
        self._in_progress.discard(name)
        self._done[name] = shape
        return shape


def worst_case_nodes(
    selection_set: SelectionSetNode | None, fragments: Mapping[str, FragmentDefinitionNode], settings: Settings
) -> int:
    return DocumentShapes(fragments, settings).of(selection_set).nodes


def query_limits(settings: Settings) -> type[ValidationRule]:
    class QueryLimits(ValidationRule):
        def enter_document(self, document: DocumentNode, *_: object) -> None:
            fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
            shapes = DocumentShapes(fragments, settings)
            try:
                for operation in document.definitions:
                    if isinstance(operation, OperationDefinitionNode):
                        self._check(operation, shapes.of(operation.selection_set))
            except RecursionError:  # fragments spread inside each other hundreds of levels deep
                raise ValidationAbortedError(
                    "查询嵌套过深 (the document nests fragments too deeply)",
                    extensions={"code": "too_deep", "limit": settings.max_query_depth},
                ) from None
            except TooNested:
                raise ValidationAbortedError(
                    f"查询的片段嵌套过深 (fragments are spread inside each other more than {MAX_NESTING_DEPTH} levels deep)",
                    extensions={"code": "too_deep", "limit": MAX_NESTING_DEPTH},
                ) from None
            except TooComplex:
                # abort: the remaining rules would spend their time on exactly this
                raise ValidationAbortedError(
                    f"查询中同名字段重复过多 (the document repeats the same fields in one selection more than "
                    f"{settings.max_field_pairs} pairs of fields could be compared: merge the repeats)",
                    extensions={"code": "too_complex", "limit": settings.max_field_pairs},
                ) from None

        def _check(self, operation: OperationDefinitionNode, shape: Shape) -> None:
            name = operation.name.value if operation.name else "anonymous"
            refusals = (
                (shape.depth > settings.max_query_depth, "too_deep", {"depth": shape.depth},
                 f"查询嵌套过深：{shape.depth} 层，上限 {settings.max_query_depth} 层 "
                 f"('{name}' exceeds maximum operation depth of {settings.max_query_depth})",
                 settings.max_query_depth),
                (shape.aliases > settings.max_aliases, "too_many_aliases", {"aliases": shape.aliases},
                 f"别名过多：{shape.aliases} 个，上限 {settings.max_aliases} 个 "
                 f"('{name}' uses {shape.aliases} aliases, more than the limit of {settings.max_aliases})",
                 settings.max_aliases),
                (shape.nodes > settings.max_nodes, "too_many_nodes", {"nodes": shape.nodes},
                 f"这个查询最多可能返回 {shape.nodes} 个对象，超过上限 {settings.max_nodes}；请减小 first "
                 f"(the query may return up to {shape.nodes} nodes, more than the limit of {settings.max_nodes}: "
                 "ask for smaller pages)",
                 settings.max_nodes),
            )  # fmt: skip
            for over, code, figures, message, limit in refusals:
                if over:
                    extensions = {"code": code, **figures, "limit": limit}
                    self.report_error(GraphQLError(message, [operation], extensions=extensions))

    return QueryLimits


_gc = {"seconds": 0.0, "started": 0.0}


def _on_gc(phase: str, _info: dict[str, int]) -> None:
    if phase == "start":
        _gc["started"] = time.thread_time()
    else:
        _gc["seconds"] += time.thread_time() - _gc["started"]


gc.callbacks.append(_on_gc)


def _work_time() -> float:
    """This thread's CPU time without the time spent collecting garbage."""
    return time.thread_time() - _gc["seconds"]


def validation_budget(settings: Settings) -> type[ValidationRule]:
    """A rule that stops validation once it has used more CPU time than its budget.

    graphql-core visits the document once with all rules in parallel, so this rule sees the clock
    between any two nodes; a document that keeps the other rules busy is refused within the budget
    (plus the time of one node's work), and the event loop is free again.
    """
    budget = settings.max_validation_ms / 1000

    class ValidationBudget(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            # CPU time of this thread, less garbage collection: what this document costs, whatever
            # else the machine or the process is doing
            self.deadline = _work_time() + budget
            self.visited = 0

        def enter(self, node: Node, *_: object) -> None:
            self.visited += 1
            if self.visited % 16 == 1 and _work_time() > self.deadline:
                raise ValidationAbortedError(
                    f"查询过于复杂，校验超过 {settings.max_validation_ms} 毫秒 "
                    f"(the document took more than {settings.max_validation_ms} ms to validate: simplify it)",
                    extensions={"code": "too_complex", "reason": VALIDATION_TIME, "limit_ms": settings.max_validation_ms},
                )

    return ValidationBudget


def limit_rules(settings: Settings) -> list[type[ValidationRule]]:
    """The rules, made once per schema (a validation cache keys on them)."""
    # the budget first: it then also times the rules after it at each node
    return [validation_budget(settings), query_limits(settings)]
