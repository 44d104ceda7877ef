"""Strawberry types, inputs and enums; `build_schema()` assembles the GraphQL schema."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors, MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter

from domain.errors import DomainError
from qingquan.settings import Settings, get_settings
from schema.limits import node_limit


def should_mask(error: GraphQLError) -> bool:
    """Hide unexpected exceptions (logged with their traceback); keep query and domain errors."""
    original = error.original_error
    return original is not None and not isinstance(original, (DomainError, GraphQLError))


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    from schema.flow import FlowChart, FlowStep
    from schema.legal import LegalArticle, LegalDocument
    from schema.mutation import Mutation
    from schema.oversight import Complaint, Inspection, OperationStep
    from schema.power import Power
    from schema.query import Query
    from schema.records import DisclosureRecord, OperationRecord
    from schema.unit import Position, Unit

    settings = settings or get_settings()
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        types=[Unit, Position, Power, LegalDocument, LegalArticle, FlowChart, FlowStep, DisclosureRecord, OperationRecord,
               OperationStep, Complaint, Inspection],
        extensions=[
            lambda: QueryDepthLimiter(max_depth=settings.max_query_depth),
            lambda: MaxTokensLimiter(max_token_count=settings.max_query_tokens),
            lambda: MaxAliasesLimiter(max_alias_count=settings.max_aliases),
            lambda: node_limit(settings),
            lambda: MaskErrors(should_mask_error=should_mask, error_message="Internal server error (logged)"),
        ],
    )
