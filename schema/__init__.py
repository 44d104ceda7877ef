"""Strawberry types, inputs and enums, by domain area in packages (schema/README.md maps them); `build_schema()`
assembles the GraphQL schema."""

from __future__ import annotations

import logging
import re
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import AddValidationRules, MaskErrors, MaxTokensLimiter
from strawberry.types.execution import ExecutionResult
from tortoise.exceptions import ValidationError as OrmValidationError

from domain.errors import DomainError
from qingquan import outage
from qingquan.settings import Settings, get_settings
from schema.compiled import CompiledQueries
from schema.document_cache import DocumentLRU, document_cache
from schema.error_codes import with_codes
from schema.execution import FastExecutionContext
from schema.limits import limit_rules

log = logging.getLogger("qingquan.graphql")
INTERNAL_ERROR = "Internal server error (logged)"
_TOO_LONG = re.compile(r"^(?:(\w+): )?Length of '.*' (\d+) > (\d+)$", re.S)


def should_mask(error: GraphQLError) -> bool:
    """Hide unexpected exceptions (logged with their traceback); keep query and domain errors."""
    original = error.original_error
    return original is not None and not isinstance(original, (DomainError, GraphQLError))


class ErrorPolicy(MaskErrors):
    """Mask unexpected exceptions; answer a value the database cannot hold as a typed error.

    An argument longer than its column (a code of 200 characters, say) is refused by tortoise when it
    builds the query: the caller asked for something that cannot exist, which is their mistake, not
    ours, and the message must not echo the value back.
    """

    def __init__(self) -> None:
        super().__init__(should_mask_error=should_mask, error_message=INTERNAL_ERROR)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if outage.database_unavailable(original):  # not a bug: the HTTP layer answers 503 (qingquan/outage.py)
            return GraphQLError(outage.MESSAGE, nodes=error.nodes, path=error.path, extensions={"code": outage.CODE})
        if isinstance(original, OrmValidationError) and (match := _TOO_LONG.match(str(original))):
            name, length, limit = match.groups()
            return GraphQLError(
                f"参数过长：{length} 个字符，最多 {limit} 个 (`{name or 'an argument'}` is {length} characters "
                f"long, more than the {limit} it can hold)",
                nodes=error.nodes,
                path=error.path,
                extensions={"code": "invalid", "reason": "too_long", "field": name, "limit": int(limit)},
            )
        return super().anonymise_error(error)


class QingquanSchema(strawberry.Schema):
    #: the plans of validated documents (schema/compiled.py); None: every request runs strawberry's execution
    compiled: CompiledQueries | None = None

    async def execute(self, query: str | None, *args: Any, **kwargs: Any) -> ExecutionResult:
        """Strawberry's execution, every error of the answer with a stable code and a Chinese message
        (schema/error_codes.py): validation and variable errors included. A validated document of the
        compiled subset is answered by its plan instead (schema/compiled.py), with the same `data`."""
        if self.compiled is not None and not args and kwargs.get("root_value") is None:
            data = await self.compiled.execute(
                self._schema, query, kwargs.get("operation_name"), kwargs.get("variable_values"), kwargs.get("context_value")
            )
            if data is not None:
                return ExecutionResult(data=data, errors=None)
        result = await super().execute(query, *args, **kwargs)
        result.errors = with_codes(result.errors, INTERNAL_ERROR)
        return result

    def process_errors(self, errors: list[GraphQLError], execution_context: object = None) -> None:
        """Log what went wrong on our side with its traceback; a caller's mistake in one line at most."""
        for error in errors:
            if outage.database_unavailable(error.original_error):
                log.warning("the database is unavailable in %s: %s", error.path, error.original_error)
            elif should_mask(error) and not isinstance(error.original_error, OrmValidationError):
                log.error("unexpected error in %s", error.path, exc_info=error.original_error)
            else:
                log.debug("refused: %s", error.message)


def build_schema(settings: Settings | None = None, documents: DocumentLRU | None = None) -> strawberry.Schema:
    """The schema; `documents` keeps its parsed and validated documents (the HTTP layer reads it too)."""
    from schema.admin.live import Subscription
    from schema.catalogue.flow import FlowChart, FlowStep
    from schema.catalogue.power import Power
    from schema.catalogue.unit import Position, Unit
    from schema.library.legal import LegalArticle, LegalDocument
    from schema.mutation import Mutation
    from schema.oversight.records import DisclosureRecord, OperationRecord
    from schema.oversight.supervision import Complaint, Inspection, OperationStep
    from schema.query import Query

    settings = settings or get_settings()
    rules = limit_rules(settings)
    documents = documents if documents is not None else DocumentLRU(settings.document_cache_size)
    cache = document_cache(documents)
    schema = QingquanSchema(
        execution_context_class=FastExecutionContext,
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Unit, Position, Power, LegalDocument, LegalArticle, FlowChart, FlowStep, DisclosureRecord, OperationRecord,
               OperationStep, Complaint, Inspection],
        extensions=[
            cache,
            lambda: MaxTokensLimiter(max_token_count=settings.max_query_tokens),
            lambda: AddValidationRules(rules),
            ErrorPolicy,
        ],
    )
    schema.compiled = CompiledQueries(documents, settings.compiled_queries)
    return schema
