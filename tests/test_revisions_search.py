"""On the demo county: search and its facets never show a revision before it is approved (the draft
is indexed for its unit through the outbox, as any write, and hidden from the public and other
units; approval puts the new version under the power's own id); every published power has its
chart and its first version."""

from __future__ import annotations

from collections import Counter

import httpx

from domain import revisions
from domain.enums import PowerStatus, Role
from domain.models import FlowStep, Power
from domain.rules import MIN_CHART_STEPS
from domain.services.powers import update_power
from domain.workflow_models import PowerVersion
from schema.relay import encode_id
from search import SearchBackend
from search.indexer import drain
from tests.factories import make_unit, staff_of, unique
from tests.helpers import gql_data, token_for
from tests.test_search_graphql import POWERS
from tests.workflow_factories import decided, in_review, published_power


async def hits(client: httpx.AsyncClient, query: str, token: str | None) -> tuple[list[str], int, int]:
    data = (await gql_data(client, POWERS, {"q": query}, token))["searchPowers"]
    facets = sum(f["count"] for f in data["facets"]["categories"])
    return [e["node"]["power"]["code"] for e in data["edges"]], data["totalCount"], facets


async def test_an_unapproved_revision_is_not_found_by_outsiders(
    search_client: httpx.AsyncClient, search_backend: SearchBackend
) -> None:
    marker = unique("")
    unit = await make_unit()
    power = await published_power(unit, name=f"对违反湿地保护规定行为的行政处罚（旧{marker}）")
    staff = await staff_of(unit)
    revision = await revisions.open_revision(staff, power.id, "更名")
    new_name = f"对破坏湿地资源行为的行政处罚（新{marker}）"
    await update_power(staff, revision.draft_id, {"name": new_name})  # type: ignore[arg-type]
    await drain(search_backend)
    outsiders = (None, await token_for(Role.UNIT_STAFF, await make_unit()))
    for token in outsiders:
        assert await hits(search_client, f"新{marker}", token) == ([], 0, 0)
        assert (await hits(search_client, f"旧{marker}", token))[0] == [power.code]
    own = await token_for(Role.UNIT_STAFF, unit)
    assert (await hits(search_client, f"新{marker}", own))[0] == [f"{power.code}.R1"]

    draft = await Power.get(id=revision.draft_id)  # type: ignore[arg-type]
    await in_review(draft)
    await decided(draft.id)
    await drain(search_backend)
    for token in outsiders:
        found = await gql_data(search_client, POWERS, {"q": f"新{marker}"}, token)
        assert [e["node"]["power"]["id"] for e in found["searchPowers"]["edges"]] == [encode_id("Power", power.id)]
        assert (await hits(search_client, f"旧{marker}", token))[1] == 0


async def test_every_published_demo_power_has_its_chart_and_first_version(demo: object) -> None:
    """每项权力都附一张流程图: the demo county publishes no power without a chart of two steps or more,
    and each published power's first version is on record (history, catalogueAsOf)."""
    published = await Power.filter(status=PowerStatus.PUBLISHED, code__startswith="360723").values_list("id", flat=True)
    assert published
    steps = Counter(await FlowStep.filter(chart__power_id__in=published).values_list("chart__power_id", flat=True))
    assert [p for p in published if steps[p] < MIN_CHART_STEPS] == []
    versioned = set(await PowerVersion.filter(power_id__in=published, number=1).values_list("power_id", flat=True))
    assert versioned == set(published)
