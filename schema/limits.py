"""The node limit: how many objects of connections one request may ask for, at most.

Each connection field (one selecting `edges` or `nodes`) may return `first` items for every item of
the connections around it, so a query's worst case is the sum, over its connections, of the product
of the `first`s on the way down (a `first` given by a variable counts as the largest page; none, as
the default page). A query over the limit is refused before anything runs.
"""

from __future__ import annotations

from collections.abc import Mapping

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)
from strawberry.extensions import AddValidationRules

from qingquan.settings import Settings


def _selections(
    selection_set: SelectionSetNode | None,
    fragments: Mapping[str, FragmentDefinitionNode],
    seen: frozenset[str] = frozenset(),
) -> list[FieldNode]:
    """The fields of a selection set, fragments spread out (each fragment once on a path)."""
    fields: list[FieldNode] = []
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FieldNode):
            fields.append(selection)
        elif isinstance(selection, InlineFragmentNode):
            fields.extend(_selections(selection.selection_set, fragments, seen))
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                fields.extend(_selections(fragment.selection_set, fragments, seen | {selection.name.value}))
    return fields


def worst_case_nodes(
    selection_set: SelectionSetNode | None,
    fragments: Mapping[str, FragmentDefinitionNode],
    settings: Settings,
    factor: int = 1,
) -> int:
    total = 0
    for field in _selections(selection_set, fragments):
        children = _selections(field.selection_set, fragments)
        is_connection = any(child.name.value in ("edges", "nodes") for child in children)
        multiplier = 1
        if is_connection:
            first = next((a.value for a in (field.arguments or ()) if a.name.value == "first"), None)
            if isinstance(first, IntValueNode):
                multiplier = max(int(first.value), 0)
            elif first is None:
                multiplier = settings.default_page_size
            else:  # a variable: the largest page it could be
                multiplier = settings.max_page_size
            total += factor * multiplier
        total += worst_case_nodes(field.selection_set, fragments, settings, factor * multiplier)
    return total


def node_limit(settings: Settings) -> AddValidationRules:
    class NodeLimit(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            document = context.document
            fragments = {
                d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
            }
            for operation in document.definitions:
                if isinstance(operation, OperationDefinitionNode):
                    nodes = worst_case_nodes(operation.selection_set, fragments, settings)
                    if nodes > settings.max_nodes:
                        context.report_error(
                            GraphQLError(
                                f"这个查询最多可能返回 {nodes} 个对象，超过上限 {settings.max_nodes}；请减小 first "
                                f"(the query may return up to {nodes} nodes, more than the limit of {settings.max_nodes}: "
                                "ask for smaller pages)",
                                extensions={
                                    "code": "too_many_nodes",
                                    "nodes": nodes,
                                    "limit": settings.max_nodes,
                                },
                            )
                        )

    return AddValidationRules([NodeLimit])
