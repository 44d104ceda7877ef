"""A query reads only the columns it selects (issue 9): the loaders of a page of powers select what its
fields need, the answers are those of whole rows for every kind of caller, and anything the column map
does not know reads whole rows (resolvers/columns.py)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date

import httpx
import pytest
from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from domain import models as m
from domain.access import PUBLIC, sees_power
from domain.enums import DisclosureChannel, DisclosureScope, DisclosureTiming, PowerStatus, Role
from domain.tokens import viewer_for_token
from resolvers.columns import columns_for
from schema import build_schema
from schema.catalogue.unit import Unit
from schema.context import Context
from schema.node import of_row
from schema.relay import encode_id
from tests.helpers import count_queries, gql_data, token_for
from tests.test_query_count import PAGE

pytestmark = pytest.mark.usefixtures("demo")

WIDE = """
query Wide($first: Int!, $filter: PowerFilter) {
  %s
  powers(first: $first, filter: $filter) {
    totalCount
    nodes {
      id code name category exerciseMode status description createdAt updatedAt
      unit { id code name shortName kind regionCode updatedAt parent { name } children { code }
             positions { name holder duties unit { code } } }
      rules { disclosureScope disclosureForm disclosureTiming disclosureDeadline feeBasis feeStandard timeLimit timeLimitDays }
      confidentiality { confidential reason basis }
      bases { id ordinal note power { code }
        article { id ordinal number label kind chapterPath text
          document { id title subtitle level docType docNumber issuer field promulgationDate effectiveDate
                     repealDate versionDate status history source articleCount versions { id title versionDate } } } }
      flowChart { id title complaintChannel notes
        steps { id ordinal name kind condition timeLimit timeLimitDays supervision complaintChannel disclosureNote
                position { name } }
        edges { id label sourceStepId targetStepId } }
      disclosureRecords { id scope timing channel content disclosedOn operation { id stage } }
      operationRecords { id network subject stage scope handler decision decidedOn execution executedOn result
                         finishedOn applicant }
    }
  }
}
"""
PRUNED = WIDE % ""
WHOLE = WIDE % "viewer { role }"  # a root field the column map does not know: whole rows everywhere


def columns_in(statements: list[str]) -> set[str]:
    return set(re.findall(r'"(\w+)"', " ".join(statements)))


async def test_a_page_reads_only_the_columns_it_selects(client: httpx.AsyncClient) -> None:
    token = await token_for(Role.ADMIN)
    await gql_data(client, "{ viewer { role } }", token=token)  # the token's first use is written down
    with count_queries() as counter:
        data = await gql_data(client, PAGE, {"first": 50}, token)
    nodes = [e["node"] for e in data["powers"]["edges"]]
    assert any(n["operationRecords"] for n in nodes) and any(n["bases"] for n in nodes)
    read = columns_in(counter.statements)
    # selected somewhere in the page
    assert {"code", "name", "time_limit", "label", "text", "title", "level", "version_date", "network", "stage"} <= read
    # never asked for: a document's history and body, an applicant, a power's description and other rules,
    # a position's holder and duties, a step's supervision, a record's content
    for column in ("history", "body", "applicant", "subject", "description", "fee_basis", "holder", "duties",
                   "supervision", "chapter_path", "content", "complaint_channel"):  # fmt: skip
        assert column not in read, f"{column} read by {[s for s in counter.statements if column in s]}"
    assert "history" in columns_in(await statements_of(client, WHOLE, token))  # the same fields, whole rows


async def statements_of(client: httpx.AsyncClient, query: str, token: str | None) -> list[str]:
    with count_queries() as counter:
        await gql_data(client, query, {"first": 5}, token)
    return counter.statements


@pytest.fixture
async def disclosed_applicant() -> AsyncIterator[str]:
    """A public disclosure of an exercise whose applicant its content names (the demo has none): the
    content shows the name only to who may see personal data."""
    operation = (
        await m.OperationRecord.filter(
            power__unit__code="36072309", power__status=PowerStatus.PUBLISHED, scope=DisclosureScope.PUBLIC
        )
        .exclude(applicant="")
        .select_related("power")
        .first()
    )
    assert operation is not None and sees_power(PUBLIC, operation.power)
    record = await m.DisclosureRecord.create(
        power_id=operation.power_id, operation=operation, scope=DisclosureScope.PUBLIC,
        timing=DisclosureTiming.TIMELY, channel=DisclosureChannel.GOVERNMENT_WEBSITE, disclosed_on=date(2026, 11, 2),
        content=f"{operation.applicant}申请的事项已办结",
    )  # fmt: skip
    try:
        yield operation.applicant
    finally:
        await record.delete()


@pytest.mark.parametrize("who", ["public", "admin", "own staff", "other staff", "own lead"])
async def test_the_answer_is_that_of_whole_rows_for_every_caller(
    client: httpx.AsyncClient, disclosed_applicant: str, who: str
) -> None:
    """Every field of a page, pruned and read whole, as callers who see personal data and who do not."""
    own = await m.Unit.get(code="36072309")
    other = await m.Unit.get(code="36072302")
    token = {
        "public": None,
        "admin": await token_for(Role.ADMIN),
        "own staff": await token_for(Role.UNIT_STAFF, own),
        "other staff": await token_for(Role.UNIT_STAFF, other),
        "own lead": await token_for(Role.UNIT_LEAD, own),
    }[who]
    variables = {"first": 100, "filter": {"unitId": encode_id("Unit", own.id)}}  # records with applicants
    pruned = await gql_data(client, PRUNED, variables, token)
    whole = await gql_data(client, WHOLE, variables, token)
    assert pruned["powers"] == whole["powers"]
    nodes = pruned["powers"]["nodes"]
    assert any(n["operationRecords"] for n in nodes) and any(n["disclosureRecords"] for n in nodes)
    assert any(n["flowChart"] and n["flowChart"]["steps"] for n in nodes)
    applicants = {r["applicant"] for n in nodes for r in n["operationRecords"]}
    contents = " ".join(r["content"] for n in nodes for r in n["disclosureRecords"])
    if who in ("public", "other staff"):
        assert applicants <= {None}  # personal data stays hidden on the pruned path too
        assert disclosed_applicant not in contents and "申请的事项已办结" in contents
    else:
        assert applicants - {None}
        assert f"{disclosed_applicant}申请的事项已办结" in contents


@pytest.mark.parametrize("who", ["public", "admin", "own staff", "other staff"])
async def test_pruned_and_remembered_answers_are_graphql_cores_own(disclosed_applicant: str, who: str) -> None:
    """The page executed as we do (only the selected columns, a row met again completed once) and as
    graphql-core does (whole rows, every field resolved where it stands), for callers who see personal data
    and who do not."""
    own = await m.Unit.get(code="36072309")
    unit = {"public": None, "admin": None, "own staff": own, "other staff": await m.Unit.get(code="36072302")}[who]
    role = {"public": Role.PUBLIC, "admin": Role.ADMIN}.get(who, Role.UNIT_STAFF)
    viewer = PUBLIC if role is Role.PUBLIC else await viewer_for_token(await token_for(role, unit))
    fast, stock = build_schema(), build_schema()
    stock.execution_context_class = StrawberryGraphQLCoreExecutionContext
    for query, variables in [(PAGE, {"first": 50}), (PRUNED, {"first": 100, "filter": {"unitId": encode_id("Unit", own.id)}})]:
        ours = await fast.execute(query, variable_values=variables, context_value=Context(viewer=viewer))
        theirs = await stock.execute(query, variable_values=variables, context_value=Context(viewer=viewer))
        assert not ours.errors and not theirs.errors, (ours.errors, theirs.errors)
        assert ours.data == theirs.data


def operation(query: str) -> tuple[OperationDefinitionNode, dict[str, FragmentDefinitionNode]]:
    document = parse(query)
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    return operations[0], fragments


SCHEMA = build_schema()._schema


def columns(query: str) -> dict[type, tuple[str, ...] | None] | None:
    op, fragments = operation(query)
    return columns_for(SCHEMA, op, fragments)


def test_fragments_aliases_and_directives_count_every_field_they_may_select() -> None:
    found = columns(
        """query { powers(first: 1) { edges { node { ...P } } } }
        fragment P on Power { code @skip(if: true) title: name unit { ... on Unit { code } } rules { timeLimit }
                              operationRecords { stage } }"""
    )
    assert found == {
        m.Power: ("code", "id", "name", "time_limit", "unit_id"),
        m.Unit: ("code", "id"),
        m.OperationRecord: ("id", "stage"),
    }
    # a field that reads the whole record (personal data): that model whole, the others still pruned
    found = columns("{ powers { nodes { code operationRecords { applicant } } } }")
    assert found == {m.Power: ("code", "id", "unit_id"), m.OperationRecord: None}


@pytest.mark.parametrize(
    "query",
    [
        "mutation { deletePower(id: \"x\") { __typename } }",
        "{ __schema { types { name } } }",
        "{ node(id: \"x\") { id ... on Power { code } } }",
        "{ powers { nodes { flowChart { svg } } } }",  # an SVG drawn from the positions' rows
        "{ powers { nodes { code } } viewer { role } }",
    ],
)
def test_what_the_map_does_not_know_reads_whole_rows(query: str) -> None:
    assert columns(query) is None


def test_a_field_whose_column_was_not_read_fails_loudly() -> None:
    row = m.Unit.__new__(m.Unit)
    row.__dict__.update(id=7, code="36072301")  # as a loader leaves a row of two columns
    unit = of_row(Unit, row, id="VW5pdDo3", db_id=7)
    assert unit.code == "36072301"
    with pytest.raises(AttributeError):
        _ = unit.name
