"""依申请公开 of a LIMITED power (issue 24, item 6): anyone may learn that a published power disclosed
一定范围或依申请公开 exists — its name, code, unit and category, marked 依申请公开 — and request its content;
nothing else of it reaches the public or another unit: not its rules, bases, notes or chart, not as a Power
by any path (node, code, lists and totals, search hits and facets, open data, Word filings).

One unit holds, each alone: a public power (the control), a published LIMITED one (rules, a basis note and a
chart, all marked), a published LIMITED confidential one, a LIMITED draft and a published INTERNAL one. Only
the second is on request. The expected answers are written out from the ids made here."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
import pytest

from docgen.forms import FilingForm
from domain.enums import DisclosureScope, PowerCategory, Role
from domain.models import Power, PowerBasis, Unit
from domain.workflow_models import InformationRequest
from resolvers.ids import encode_id
from search import SearchBackend
from search.indexer import drain
from tests.docx_checks import all_text, open_docx
from tests.factories import make_power, make_unit, power_name, unique
from tests.helpers import caller, gql_data, token_for
from tests.test_public_scope_confidential import SECRECY
from tests.test_search_graphql import POWERS as SEARCH_POWERS
from tests.workflow_factories import published_power

pytestmark = pytest.mark.usefixtures("demo")



@dataclass
class Setting:
    marker: str = ""
    unit: Unit = None  # type: ignore[assignment]
    powers: dict[str, Power] = field(default_factory=dict)
    tokens: dict[str, str | None] = field(default_factory=dict)

    @property
    def hidden_texts(self) -> list[str]:
        """What of the LIMITED power never reaches outsiders: its rules, basis note and chart."""
        return [f"收费标准{self.marker}", f"依据说明{self.marker}", f"办理时限{self.marker}"]


OUTSIDERS = ("public", "other staff")


@pytest.fixture(scope="module")
async def s(demo: object) -> Setting:
    s = Setting(marker=unique(""))
    s.unit = await make_unit(name=f"测试审计局{s.marker}")
    rules = {"fee_standard": f"收费标准{s.marker}", "time_limit": f"办理时限{s.marker}"}
    s.powers = {
        "plain": await published_power(s.unit, name=power_name(f"公开的审计事项{s.marker}"), category=PowerCategory.INSPECTION),
        "limited": await published_power(
            s.unit, name=power_name(f"依申请公开的审计事项{s.marker}"), category=PowerCategory.CONFIRMATION,
            disclosure_scope=DisclosureScope.LIMITED, **rules,
        ),
        "limited secret": await published_power(
            s.unit, name=power_name(f"涉密的依申请公开事项{s.marker}"), disclosure_scope=DisclosureScope.LIMITED,
            confidential=True, **SECRECY,
        ),
        "limited draft": await make_power(s.unit, name=power_name(f"草稿的依申请公开事项{s.marker}"), disclosure_scope=DisclosureScope.LIMITED),
        "internal": await published_power(
            s.unit, name=power_name(f"内部公开的审计事项{s.marker}"), disclosure_scope=DisclosureScope.INTERNAL
        ),
    }  # fmt: skip
    await PowerBasis.filter(power_id=s.powers["limited"].id).update(note=f"依据说明{s.marker}")
    s.tokens = {
        "public": None, "other staff": await token_for(Role.UNIT_STAFF, await make_unit()),
        "staff": await token_for(Role.UNIT_STAFF, s.unit), "inspector": await token_for(Role.INSPECTOR),
    }  # fmt: skip
    return s


ON_REQUEST = """query ($unit: ID!) { powersOnRequest(first: 50, unitId: $unit) { totalCount
  nodes { id code name category disclosureScope disclosure unit { code } } } }"""
NODE = "query ($id: ID!) { node(id: $id) { id ... on PowerOnRequest { name } ... on Power { name } } }"
POWERS = "query ($unit: ID!) { powers(first: 50, filter: { unitId: $unit }) { totalCount nodes { code } } }"
BY_CODE = "query ($code: String!) { power(code: $code) { code } }"


async def test_everyone_sees_that_the_limited_power_exists_by_name_alone(client: httpx.AsyncClient, s: Setting) -> None:
    limited = s.powers["limited"]
    for who, token in s.tokens.items():
        listed = (await gql_data(client, ON_REQUEST, {"unit": encode_id("Unit", s.unit.id)}, token))["powersOnRequest"]
        assert listed["totalCount"] == 1, who
        assert listed["nodes"] == [{
            "id": encode_id("PowerOnRequest", limited.id), "code": limited.code, "name": limited.name,
            "category": "CONFIRMATION", "disclosureScope": "LIMITED", "disclosure": "依申请公开", "unit": {"code": s.unit.code},
        }], who  # fmt: skip
        for name, power in s.powers.items():
            node = (await gql_data(client, NODE, {"id": encode_id("PowerOnRequest", power.id)}, token))["node"]
            assert (node is not None) is (name == "limited"), (who, name)


async def test_as_a_power_it_stays_hidden_from_outsiders_on_every_lookup(client: httpx.AsyncClient, s: Setting) -> None:
    for who, token in s.tokens.items():
        outside = who in OUTSIDERS
        listed = (await gql_data(client, POWERS, {"unit": encode_id("Unit", s.unit.id)}, token))["powers"]
        codes = {n["code"] for n in listed["nodes"]}
        expected = {"plain"} if outside else set(s.powers) - ({"limited secret"} if who == "other staff" else set())
        if who == "staff":
            expected = set(s.powers)
        assert codes == {s.powers[n].code for n in expected} and listed["totalCount"] == len(expected), who
        for name, power in s.powers.items():
            node = (await gql_data(client, NODE, {"id": encode_id("Power", power.id)}, token))["node"]
            by_code = (await gql_data(client, BY_CODE, {"code": power.code}, token))["power"]
            assert (node is not None) is (by_code is not None) is (name in expected), (who, name)


async def test_search_hits_totals_and_facets(search_client: httpx.AsyncClient, search_backend: SearchBackend, s: Setting) -> None:
    await drain(search_backend)
    for who in OUTSIDERS:
        data = (await gql_data(search_client, SEARCH_POWERS, {"q": s.marker, "first": 50}, s.tokens[who]))["searchPowers"]
        assert {e["node"]["power"]["code"] for e in data["edges"]} == {s.powers["plain"].code}, who
        assert data["totalCount"] == 1 and data["facets"]["categories"] == [{"category": "INSPECTION", "count": 1}], who


async def test_open_data_and_word_filings_hold_none_of_it(client: httpx.AsyncClient, s: Setting) -> None:
    limited = s.powers["limited"]
    body = (await client.get(f"/open-data/units/{s.unit.code}/catalog.json")).text
    assert s.powers["plain"].code in body and limited.code not in body and limited.name not in body
    filing = """mutation ($unit: ID!, $form: FilingForm!) { generateFiling(unitId: $unit, form: $form) {
      __typename ... on FilingLink { url } } }"""
    for who in OUTSIDERS:
        for form in (FilingForm.REGISTRATION, FilingForm.CATALOG, FilingForm.FLOW_CHARTS, FilingForm.LEGAL_TEXTS, FilingForm.COVER_NOTE):
            done = (await gql_data(client, filing, {"unit": encode_id("Unit", s.unit.id), "form": form.value}, s.tokens[who]))
            text = all_text(open_docx((await client.get(done["generateFiling"]["url"])).content))
            for hidden in (limited.name, limited.code, *s.hidden_texts):
                assert hidden not in text, (who, form, hidden)


FILE = """mutation ($input: FileInformationRequestInput!) { fileInformationRequest(input: $input) {
  __typename ... on InformationRequestReceipt { id: requestId receiptCode } ... on ValidationErrors { errors { field code } } } }"""
REQUEST = "query ($id: ID!) { node(id: $id) { ... on InformationRequest { subject power { code rules { feeStandard } } } } }"


async def test_anyone_requests_its_content_and_only_the_unit_sees_which_power(client: httpx.AsyncClient, s: Setting) -> None:
    from tests.test_complaint_rate_limit import limited_app, new_host

    def values(power_id: str) -> dict[str, object]:
        return {"subject": "请公开该事项的办理依据和收费标准", "requesterName": "申请人甲", "requesterContact": "13800000000", "powerId": power_id}

    before = await InformationRequest.all().count()
    app = limited_app()
    for name in ("limited secret", "limited draft", "internal"):
        async with caller(app, new_host()) as anon:
            refused = (await gql_data(anon, FILE, {"input": values(encode_id("PowerOnRequest", s.powers[name].id))}))
        assert refused["fileInformationRequest"]["errors"] == [{"field": "powerId", "code": "not_found"}], name
    assert await InformationRequest.all().count() == before
    async with caller(app, new_host()) as anon:
        receipt = (await gql_data(anon, FILE, {"input": values(encode_id("PowerOnRequest", s.powers["limited"].id))}))
    request_id = receipt["fileInformationRequest"]["id"]
    seen = (await gql_data(client, REQUEST, {"id": request_id}, s.tokens["staff"]))["node"]
    assert seen["power"] == {"code": s.powers["limited"].code, "rules": {"feeStandard": f"收费标准{s.marker}"}}
    assert (await gql_data(client, REQUEST, {"id": request_id}, s.tokens["other staff"]))["node"] is None
