"""领导班子内公开 (LEADERSHIP) powers, from the outside: a unit's staff (of it or of a unit above) do not
see their unit's LEADERSHIP power on any path — lists and totals, node and code lookups, published
versions and asOf, reviews, change notices and revisions, search hits and facets, pre-review findings,
dashboards, the catalogue export, Word filings and webhook events — while its leads and the oversight
roles do; staff cannot set LEADERSHIP on a power nor change such a power (refused as not found); other
units' staff and the public see nothing of it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from domain import operations, revisions
from domain.catalog.models import WebhookDelivery
from domain.catalog.webhooks import WebhookData, register_webhook, remove_webhook
from domain.enums import DisclosureScope, PowerCategory, Role
from domain.models import LegalArticle, Power, Unit
from domain.services.powers import update_power
from domain.workdays import today
from domain.workflow_models import ChangeNotice, PowerRevision, PowerVersion, Review
from resolvers.ids import encode_id
from search import SearchBackend
from search.indexer import drain
from tests.docx_checks import all_text, open_docx
from tests.factories import ADMIN, make_unit, power_name, staff_of, unique
from tests.helpers import gql_data, token_for
from tests.oversight_factories import D
from tests.test_search_graphql import POWERS as SEARCH_POWERS
from tests.workflow_factories import published_power, revise

pytestmark = pytest.mark.usefixtures("demo")  # the demo first: its powers keep the lowest ids


@dataclass
class Setting:
    """A department with an office; in the office a published LEADERSHIP power (revised once, so two
    versions and a change notice, and with a second revision open on a LEADERSHIP draft), a published
    INTERNAL power its staff do see, and an operation record of the LEADERSHIP power."""

    marker: str = ""
    department: Unit = None  # type: ignore[assignment]
    office: Unit = None  # type: ignore[assignment]
    secret: Power = None  # type: ignore[assignment]
    internal: Power = None  # type: ignore[assignment]
    draft: Power = None  # type: ignore[assignment]
    tokens: dict[str, str | None] = field(default_factory=dict)
    hooks: dict[str, int] = field(default_factory=dict)
    hidden_ids: dict[str, str] = field(default_factory=dict)  # Relay ids of what the staff must not find

    @property
    def staff_tokens(self) -> dict[str, str | None]:
        """Who must see nothing of the LEADERSHIP power."""
        return {k: v for k, v in self.tokens.items() if k in ("staff", "department staff", "other staff", "public")}

    @property
    def seeing_tokens(self) -> dict[str, str | None]:
        return {k: v for k, v in self.tokens.items() if k in ("lead", "department lead", "inspector", "admin")}


HOOK_EVENTS = ("power.published", "power.revised", "change_notice.opened")


@pytest.fixture(scope="module")
async def s(demo: object) -> Setting:
    s = Setting(marker=unique(""))
    s.department = await make_unit(name=f"测试局{s.marker}")
    s.office = await make_unit(s.department, name=f"测试科{s.marker}")
    other = await make_unit()
    for name, role, unit in (("staff", Role.UNIT_STAFF, s.office), ("lead", Role.UNIT_LEAD, s.office),
                             ("public", Role.PUBLIC, None)):  # fmt: skip
        hook = await register_webhook(
            ADMIN, WebhookData(f"scope-{name}-{s.marker}", "http://127.0.0.1:9/never", role, unit.code if unit else None, HOOK_EVENTS),
            allow_private=True,  # never sent: only what is queued for it counts here
        )
        s.hooks[name] = hook.id
    s.secret = await published_power(
        s.office, name=power_name(f"领导班子内公开的行政强制{s.marker}"), category=PowerCategory.COERCION,
        disclosure_scope=DisclosureScope.LEADERSHIP,
    )  # fmt: skip
    s.internal = await published_power(
        s.office, name=power_name(f"内部公开的行政检查{s.marker}"), category=PowerCategory.INSPECTION,
        disclosure_scope=DisclosureScope.INTERNAL,
    )  # fmt: skip
    s.secret = await revise(s.secret, lambda draft: update_power(ADMIN, draft.id, {"time_limit": "十个工作日"}))
    lead = await staff_of(s.office, Role.UNIT_LEAD)
    revision = await revisions.open_revision(lead, s.secret.id, "调整办理时限。")
    assert revision.draft_id is not None
    s.draft = await Power.get(id=revision.draft_id)
    record = await operations.create_operation(lead, operations.OperationData(
        power_id=s.secret.id, network=None, subject=f"内部事项{s.marker}", handler="张三", decision="予以受理",
        decided_on=D(2026, 10, 8), scope=DisclosureScope.INTERNAL,
    ))  # fmt: skip
    s.tokens = {
        "staff": await token_for(Role.UNIT_STAFF, s.office),
        "department staff": await token_for(Role.UNIT_STAFF, s.department),
        "other staff": await token_for(Role.UNIT_STAFF, other),
        "public": None,
        "lead": await token_for(Role.UNIT_LEAD, s.office),
        "department lead": await token_for(Role.UNIT_LEAD, s.department),
        "inspector": await token_for(Role.INSPECTOR),
        "admin": await token_for(Role.ADMIN),
    }
    s.hidden_ids = {
        "power": encode_id("Power", s.secret.id),
        "draft": encode_id("Power", s.draft.id),
        "operation record": encode_id("OperationRecord", record.id),
        **{f"version {v.number}": encode_id("PowerVersion", v.id) for v in await PowerVersion.filter(power_id=s.secret.id)},
        **{f"review {r.round}": encode_id("Review", r.id) for r in await Review.filter(power_id=s.secret.id)},
        **{f"notice {n.id}": encode_id("ChangeNotice", n.id) for n in await ChangeNotice.filter(power_id=s.secret.id)},
        **{f"revision {r.id}": encode_id("PowerRevision", r.id) for r in await PowerRevision.filter(power_id=s.secret.id)},
    }
    assert {"version 1", "version 2", "review 1"} <= set(s.hidden_ids)
    assert any(k.startswith("notice") for k in s.hidden_ids) and sum(k.startswith("revision") for k in s.hidden_ids) == 2
    yield s  # type: ignore[misc]
    for hook_id in s.hooks.values():  # nothing left for another test's sender to deliver
        await remove_webhook(ADMIN, hook_id)


def names_in(body: object, s: Setting) -> bool:
    """Whether a response names the LEADERSHIP power (its name or code, or its draft's)."""
    text = json.dumps(body, ensure_ascii=False)
    return any(x in text for x in (s.secret.name, s.secret.code, s.draft.code, f"内部事项{s.marker}"))


UNIT_POWERS = """query ($unit: ID!, $units: [ID!]!) { powers(first: 100, filter: {unitId: $unit}) { totalCount edges { node { code name } } }
  unitProgress(unitIds: $units) { total done withChart byStatus { status count } byCategory { category count } } }"""


async def test_lists_totals_and_dashboard_counts(client: httpx.AsyncClient, s: Setting) -> None:
    seen = {}
    for who, token in s.tokens.items():
        for unit, subtree in ((s.office, [s.office]), (s.department, [s.department, s.office])):
            units = [encode_id("Unit", u.id) for u in subtree]
            data = await gql_data(client, UNIT_POWERS, {"unit": encode_id("Unit", unit.id), "units": units}, token)
            codes = {e["node"]["code"] for e in data["powers"]["edges"]}
            assert data["powers"]["totalCount"] == len(codes)
            progress = data["unitProgress"]
            # the dashboard counts what the list shows (the list of a unit holds its offices')
            assert sum(p["total"] for p in progress) == len(codes), (who, progress)
            assert sum(c["count"] for p in progress for c in p["byCategory"]) == len(codes)
            seen[who, unit.code] = codes
            assert names_in(data, s) is (who in s.seeing_tokens), who
    assert seen["staff", s.office.code] == seen["department staff", s.department.code] == {s.internal.code}
    assert seen["other staff", s.office.code] == seen["public", s.office.code] == set()
    for who in s.seeing_tokens:
        assert {s.secret.code, s.internal.code} <= seen[who, s.office.code]


LOOKUPS = """query ($code: String!, $draft: String!) { power(code: $code) { code versions { number } }
  draft: power(code: $draft) { code } }"""
NODE = "query ($id: ID!) { node(id: $id) { id } }"


async def test_node_and_code_lookups(client: httpx.AsyncClient, s: Setting) -> None:
    for who, token in s.tokens.items():
        found = await gql_data(client, LOOKUPS, {"code": s.secret.code, "draft": s.draft.code}, token)
        sees = who in s.seeing_tokens
        assert (found["power"] is not None, found["draft"] is not None) == (sees, sees), who
        if sees:
            assert [v["number"] for v in found["power"]["versions"]] == [1, 2]
        for what, relay_id in s.hidden_ids.items():
            node = (await gql_data(client, NODE, {"id": relay_id}, token))["node"]
            assert (node is not None) is sees, (who, what)


HISTORY = """query ($unit: ID!, $on: Date!, $internal: String!) {
  catalogueAsOf(date: $on, unitId: $unit, first: 100) { totalCount nodes { code name number } }
  power(code: $internal) { code unit { powers(first: 100) { totalCount edges { node { code } } } } }
}"""
NOTICES = """query ($unit: ID!) { changeNotices(first: 100, filter: {unitId: $unit}) { totalCount edges { node { id } } } }"""


async def test_versions_as_of_and_change_notices(client: httpx.AsyncClient, s: Setting) -> None:
    variables = {"unit": encode_id("Unit", s.office.id), "on": today().isoformat(), "internal": s.internal.code}
    for who, token in s.tokens.items():
        body = await gql_data(client, HISTORY, variables, token)
        as_of = {n["code"] for n in body["catalogueAsOf"]["nodes"]}
        assert body["catalogueAsOf"]["totalCount"] == len(body["catalogueAsOf"]["nodes"])
        sees = who in s.seeing_tokens
        assert (s.secret.code in as_of) is sees, who
        assert names_in(body, s) is sees, who
        if who in ("staff", "department staff"):
            assert as_of == {s.internal.code}
            assert body["power"]["unit"]["powers"]["totalCount"] == 1
    for who in ("staff", "department staff", "lead", "department lead"):
        notices = (await gql_data(client, NOTICES, {"unit": encode_id("Unit", s.office.id)}, s.tokens[who]))["changeNotices"]
        assert notices["totalCount"] == len(notices["edges"])
        shown = {e["node"]["id"] for e in notices["edges"]}
        hidden = {v for k, v in s.hidden_ids.items() if k.startswith("notice")}
        assert (hidden <= shown) if who.endswith("lead") else not (hidden & shown), who


INTERNALS = """query ($code: String!) { power(code: $code) { reviews { id } changeNotices { id } revisions { id draft { code } }
  versions { number } operationRecords { subject } disclosureRecords { id } } }"""


async def test_reviews_notices_revisions_and_records_of_a_visible_power_stay_visible(client: httpx.AsyncClient, s: Setting) -> None:
    """The same fields on the INTERNAL power are shown to the staff (the rule hides the LEADERSHIP one only)."""
    data = await gql_data(client, INTERNALS, {"code": s.internal.code}, s.tokens["staff"])
    assert data["power"]["reviews"] and data["power"]["versions"] == [{"number": 1}]
    lead = await gql_data(client, INTERNALS, {"code": s.secret.code}, s.tokens["lead"])
    assert lead["power"]["reviews"] and len(lead["power"]["revisions"]) == 2 and lead["power"]["changeNotices"]
    assert [r["subject"] for r in lead["power"]["operationRecords"]] == [f"内部事项{s.marker}"]
    assert (await gql_data(client, INTERNALS, {"code": s.secret.code}, s.tokens["staff"]))["power"] is None


async def test_search_hits_and_facets(search_client: httpx.AsyncClient, search_backend: SearchBackend, s: Setting) -> None:
    await drain(search_backend)
    for who, token in s.tokens.items():
        data = (await gql_data(search_client, SEARCH_POWERS, {"q": s.marker}, token))["searchPowers"]
        codes = {e["node"]["power"]["code"] for e in data["edges"] if e["node"]["power"]}
        assert len(codes) == len(data["edges"]) == data["totalCount"], (who, data)  # no hit without its power
        assert sum(f["count"] for f in data["facets"]["categories"]) == data["totalCount"]
        assert (s.secret.code in codes) is (who in s.seeing_tokens), who
        if who in ("staff", "department staff"):
            assert codes == {s.internal.code}
            assert {f["category"] for f in data["facets"]["categories"]} == {"INSPECTION"}


PRE_REVIEW = """query ($unit: ID!) { preReviewCheck(unitId: $unit) { checkedCount findings { power { code } message } } }"""


async def test_pre_review_findings(client: httpx.AsyncClient, s: Setting) -> None:
    unit = encode_id("Unit", s.office.id)
    staff = (await gql_data(client, PRE_REVIEW, {"unit": unit}, s.tokens["staff"]))["preReviewCheck"]
    lead = (await gql_data(client, PRE_REVIEW, {"unit": unit}, s.tokens["lead"]))["preReviewCheck"]
    assert staff["checkedCount"] == 1 and lead["checkedCount"] == 3  # the LEADERSHIP power and its draft
    assert not names_in(staff, s)


EXPORT = """mutation ($unit: ID!) { exportCatalog(unitId: $unit, format: JSON) { __typename ... on DownloadLink { url } } }"""
FILING = """mutation ($unit: ID!, $form: FilingForm!, $power: ID) { generateFiling(unitId: $unit, form: $form, powerId: $power) {
  __typename ... on FilingLink { url } ... on NotFoundError { message } ... on PermissionDeniedError { message } } }"""


async def test_catalogue_export(client: httpx.AsyncClient, s: Setting) -> None:
    for who, token in s.tokens.items():
        link = (await gql_data(client, EXPORT, {"unit": encode_id("Unit", s.department.id)}, token))["exportCatalog"]
        response = await client.get(link["url"])
        assert response.status_code == 200
        codes = {p["code"] for p in response.json()["powers"]}
        assert (s.secret.code in codes) is (who in s.seeing_tokens), who
        assert (s.secret.name in response.text) is (who in s.seeing_tokens), who
        if who in ("staff", "department staff"):
            assert codes == {s.internal.code}


async def filing_text(client: httpx.AsyncClient, unit: Unit, form: str, token: str | None, power: str | None = None) -> str | None:
    done = (await gql_data(client, FILING, {"unit": encode_id("Unit", unit.id), "form": form, "power": power}, token))["generateFiling"]
    if done["__typename"] != "FilingLink":
        return None
    response = await client.get(done["url"])
    assert response.status_code == 200
    return all_text(open_docx(response.content))


@pytest.mark.parametrize("form", ["REGISTRATION", "CATALOG", "FLOW_CHARTS", "OPERATION_RECORDS", "COVER_NOTE"])
async def test_word_filings(client: httpx.AsyncClient, s: Setting, form: str) -> None:
    lead = await filing_text(client, s.office, form, s.tokens["lead"])
    staff = await filing_text(client, s.office, form, s.tokens["staff"])
    above = await filing_text(client, s.department, form, s.tokens["department staff"])
    assert lead is not None and staff is not None and above is not None
    if form == "COVER_NOTE":  # it names no power, it counts them: the staff's count leaves the LEADERSHIP ones out
        every = await Power.filter(unit_id=s.office.id).count()
        assert every == 3  # the LEADERSHIP power, its open revision's draft and the INTERNAL power
        assert f"共清理登记行政权力{every}项" in lead
        assert "共清理登记行政权力1项" in staff and "共清理登记行政权力1项" in above
    else:
        assert (s.secret.name if form != "OPERATION_RECORDS" else f"内部事项{s.marker}") in lead
    for text in (staff, above):
        assert s.secret.name not in text and s.secret.code not in text and f"内部事项{s.marker}" not in text
    if form in ("REGISTRATION", "CATALOG", "FLOW_CHARTS"):
        assert s.internal.name in staff  # the staff's filing is not just empty
    if form != "COVER_NOTE":  # the one power asked for by id: not found, as a power that does not exist
        one, missing = [
            (await gql_data(client, FILING, {"unit": encode_id("Unit", s.office.id), "form": form,
                                             "power": encode_id("Power", pk)}, s.tokens["staff"]))["generateFiling"]
            for pk in (s.secret.id, 10**8)
        ]  # fmt: skip
        assert one["__typename"] == "NotFoundError" and one == missing


async def test_webhook_events(s: Setting) -> None:
    subjects = {
        who: {d.subject for d in await WebhookDelivery.filter(webhook_id=hook_id)} for who, hook_id in s.hooks.items()
    }
    secret, internal = f"power:{s.secret.id}", f"power:{s.internal.id}"
    notices = {f"change_notice:{n.id}" for n in await ChangeNotice.filter(power_id=s.secret.id)}
    assert notices and {secret, internal} | notices <= subjects["lead"]
    assert internal in subjects["staff"] and secret not in subjects["staff"] and not notices & subjects["staff"]
    assert subjects["public"] == set()


# -- the write side -----------------------------------------------------------------------------------

POWER_RESULT = """__typename ... on Power { code rules { disclosureScope } } ... on NotFoundError { message }
  ... on PermissionDeniedError { message } ... on ValidationErrors { errors { field code message } }"""
CREATE = f"mutation ($input: CreatePowerInput!) {{ createPower(input: $input) {{ {POWER_RESULT} }} }}"
UPDATE = f"mutation ($id: ID!, $input: UpdatePowerInput!) {{ updatePower(id: $id, input: $input) {{ {POWER_RESULT} }} }}"
DELETE = """mutation ($id: ID!) { deletePower(id: $id) { __typename ... on NotFoundError { message } } }"""
BASIS = """mutation ($input: CreatePowerBasisInput!) { createPowerBasis(input: $input) { __typename ... on NotFoundError { message } } }"""
REVISE = """mutation ($id: ID!) { openPowerRevision(powerId: $id, input: {reason: "调整。"}) { __typename ... on NotFoundError { message } } }"""
DISCARD = """mutation ($id: ID!) { discardPowerRevision(id: $id) { __typename ... on NotFoundError { message } } }"""
CHART = """mutation ($input: CreateFlowChartInput!) { createFlowChart(input: $input) { __typename ... on NotFoundError { message } } }"""
RECORD = """mutation ($input: CreateOperationRecordInput!) { createOperationRecord(input: $input) {
  __typename ... on NotFoundError { message } } }"""


def new_power(unit: Unit, **fields: Any) -> dict[str, Any]:
    return {"unitId": encode_id("Unit", unit.id), "name": power_name("对违反测试规定行为的行政处罚"), "category": "PENALTY",
            **fields}  # fmt: skip


async def test_staff_cannot_set_leadership_the_lead_can(client: httpx.AsyncClient, s: Setting) -> None:
    refused = (await gql_data(client, CREATE, {"input": new_power(s.office, disclosureScope="LEADERSHIP")}, s.tokens["staff"]))
    errors = refused["createPower"]["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [("disclosureScope", "forbidden_scope")]
    assert "领导班子内公开" in errors[0]["message"] and "leads" in errors[0]["message"]
    draft = (await gql_data(client, CREATE, {"input": new_power(s.office)}, s.tokens["staff"]))["createPower"]
    assert draft["__typename"] == "Power"
    code = draft["code"]
    draft_id = encode_id("Power", (await Power.get(code=code)).id)
    narrowed = await gql_data(client, UPDATE, {"id": draft_id, "input": {"disclosureScope": "LEADERSHIP"}}, s.tokens["staff"])
    assert [(e["field"], e["code"]) for e in narrowed["updatePower"]["errors"]] == [("disclosureScope", "forbidden_scope")]
    internal = await gql_data(client, UPDATE, {"id": draft_id, "input": {"disclosureScope": "INTERNAL"}}, s.tokens["staff"])
    assert internal["updatePower"]["rules"]["disclosureScope"] == "INTERNAL"
    by_lead = await gql_data(client, UPDATE, {"id": draft_id, "input": {"disclosureScope": "LEADERSHIP"}}, s.tokens["lead"])
    assert by_lead["updatePower"]["rules"]["disclosureScope"] == "LEADERSHIP"
    # now the staff who registered it no longer see it: it is gone from their list, and not found
    assert (await gql_data(client, "query ($c: String!) { power(code: $c) { code } }", {"c": code}, s.tokens["staff"]))["power"] is None
    assert (await gql_data(client, DELETE, {"id": draft_id}, s.tokens["staff"]))["deletePower"]["__typename"] == "NotFoundError"
    made = await gql_data(client, CREATE, {"input": new_power(s.office, disclosureScope="LEADERSHIP")}, s.tokens["lead"])
    assert made["createPower"]["rules"]["disclosureScope"] == "LEADERSHIP"
    assert (await gql_data(client, DELETE, {"id": draft_id}, s.tokens["lead"]))["deletePower"]["__typename"] == "Deleted"


async def test_staff_cannot_touch_a_leadership_power_refused_as_not_found(client: httpx.AsyncClient, s: Setting) -> None:
    article_id = encode_id("LegalArticle", (await LegalArticle.all().order_by("id").first()).id)  # type: ignore[union-attr]
    draft = encode_id("Power", s.draft.id)
    revision = await PowerRevision.get(draft_id=s.draft.id)
    missing = encode_id("Power", 10**8)
    attempts = {
        "update the draft": (UPDATE, {"id": draft, "input": {"timeLimit": "五个工作日"}}, "updatePower"),
        "delete the draft": (DELETE, {"id": draft}, "deletePower"),
        "cite a basis": (BASIS, {"input": {"powerId": draft, "articleId": article_id}}, "createPowerBasis"),
        "draw a chart": (CHART, {"input": {"powerId": draft}}, "createFlowChart"),
        "open a revision": (REVISE, {"id": encode_id("Power", s.secret.id)}, "openPowerRevision"),
        "discard the revision": (DISCARD, {"id": encode_id("PowerRevision", revision.id)}, "discardPowerRevision"),
        "keep a record": (RECORD, {"input": {"powerId": encode_id("Power", s.secret.id), "subject": "事项", "handler": "李四",
                                             "decision": "受理", "decidedOn": "2026-10-09"}}, "createOperationRecord"),  # fmt: skip
    }
    as_missing = (await gql_data(client, UPDATE, {"id": missing, "input": {"timeLimit": "五个工作日"}}, s.tokens["staff"]))["updatePower"]
    for what, (query, variables, name) in attempts.items():
        for who in ("staff", "department staff", "other staff"):
            done = (await gql_data(client, query, variables, s.tokens[who]))[name]
            assert done["__typename"] == "NotFoundError", (what, who, done)
            assert not names_in(done, s)
        if what == "update the draft":
            assert done == as_missing  # word for word what a power that does not exist answers
    assert (await Power.get(id=s.draft.id)).time_limit == s.draft.time_limit  # nothing changed
    by_lead = await gql_data(client, UPDATE, {"id": draft, "input": {"timeLimit": "五个工作日"}}, s.tokens["lead"])
    assert by_lead["updatePower"]["__typename"] == "Power"
    above = await gql_data(client, UPDATE, {"id": draft, "input": {"timeLimit": "六个工作日"}}, s.tokens["department lead"])
    assert above["updatePower"]["__typename"] == "Power"


async def test_pieces_of_a_leadership_power_answer_as_missing(client: httpx.AsyncClient, s: Setting) -> None:
    """A flow step or basis of the LEADERSHIP power, reached by its own id: not found for the staff."""
    chart = await gql_data(client, "query ($c: String!) { power(code: $c) { flowChart { steps { id } } bases { id } } }",
                           {"c": s.secret.code}, s.tokens["lead"])  # fmt: skip
    step_id = chart["power"]["flowChart"]["steps"][0]["id"]
    basis_id = chart["power"]["bases"][0]["id"]
    update_step = """mutation ($id: ID!) { updateFlowStep(id: $id, input: {timeLimit: "一日"}) { __typename } }"""
    delete_basis = """mutation ($id: ID!) { deletePowerBasis(id: $id) { __typename } }"""
    for who in ("staff", "department staff"):
        assert (await gql_data(client, NODE, {"id": step_id}, s.tokens[who]))["node"] is None
        assert (await gql_data(client, update_step, {"id": step_id}, s.tokens[who]))["updateFlowStep"]["__typename"] == "NotFoundError"
        assert (await gql_data(client, delete_basis, {"id": basis_id}, s.tokens[who]))["deletePowerBasis"]["__typename"] == "NotFoundError"


async def test_demo_leadership_powers_are_hidden_from_their_staff(client: httpx.AsyncClient) -> None:
    """The demo county's LEADERSHIP powers: each unit's staff list all their unit's powers but these."""
    leadership = await Power.filter(disclosure_scope=DisclosureScope.LEADERSHIP).select_related("unit")
    assert len(leadership) >= 5
    for power in leadership:
        staff, lead = await token_for(Role.UNIT_STAFF, power.unit), await token_for(Role.UNIT_LEAD, power.unit)
        query = "query ($c: String!) { power(code: $c) { code } }"
        assert (await gql_data(client, query, {"c": power.code}, staff))["power"] is None
        assert (await gql_data(client, query, {"c": power.code}, lead))["power"] == {"code": power.code}


async def test_the_rule_is_read_back_by_the_staff_themselves(client: httpx.AsyncClient, s: Setting) -> None:
    """Nothing of the LEADERSHIP power in everything the staff can list of their office, in one response."""
    query = """query ($unit: ID!) { node(id: $unit) { ... on Unit { powers(first: 100) { totalCount edges { node {
      code name reviews { id } changeNotices { id } versions { number } revisions { id } operationRecords { subject } } } } } } }"""
    data = await gql_data(client, query, {"unit": encode_id("Unit", s.office.id)}, s.tokens["staff"])
    assert not names_in(data, s) and data["node"]["powers"]["totalCount"] == 1


VERSIONS = """query ($code: String!) { power(code: $code) { code rules { disclosureScope } versions { id number rules { disclosureScope } } } }"""


async def test_a_version_published_for_the_leadership_stays_theirs_after_the_power_widens(client: httpx.AsyncClient) -> None:
    """Its lead revises a LEADERSHIP power to INTERNAL: the staff now see the power and its new version,
    never the version published while it was the leadership's (as the public never reads a version
    that was not public when published)."""
    unit = await make_unit()
    power = await published_power(unit, name=power_name("先内部后扩大的行政检查"), disclosure_scope=DisclosureScope.LEADERSHIP)
    lead = await staff_of(unit, Role.UNIT_LEAD)
    widened = await revise(power, lambda draft: update_power(lead, draft.id, {"disclosure_scope": DisclosureScope.INTERNAL}))
    assert widened.disclosure_scope == DisclosureScope.INTERNAL
    first, second = await PowerVersion.filter(power_id=power.id).order_by("number")
    assert (first.scope, second.scope) == (DisclosureScope.LEADERSHIP, DisclosureScope.INTERNAL)
    staff, lead_token = await token_for(Role.UNIT_STAFF, unit), await token_for(Role.UNIT_LEAD, unit)
    seen = (await gql_data(client, VERSIONS, {"code": power.code}, staff))["power"]
    assert seen["rules"]["disclosureScope"] == "INTERNAL"
    assert [(v["number"], v["rules"]["disclosureScope"]) for v in seen["versions"]] == [(2, "INTERNAL")]
    assert (await gql_data(client, NODE, {"id": encode_id("PowerVersion", first.id)}, staff))["node"] is None
    assert (await gql_data(client, NODE, {"id": encode_id("PowerVersion", second.id)}, staff))["node"] is not None
    by_lead = (await gql_data(client, VERSIONS, {"code": power.code}, lead_token))["power"]
    assert [(v["number"], v["rules"]["disclosureScope"]) for v in by_lead["versions"]] == [(1, "LEADERSHIP"), (2, "INTERNAL")]
    # and the other way: narrowed to LEADERSHIP, every version of the power leaves the staff's view
    narrowed = await revise(widened, lambda draft: update_power(lead, draft.id, {"disclosure_scope": DisclosureScope.LEADERSHIP}))
    assert narrowed.disclosure_scope == DisclosureScope.LEADERSHIP
    assert (await gql_data(client, VERSIONS, {"code": power.code}, staff))["power"] is None
    for version in await PowerVersion.filter(power_id=power.id):
        assert (await gql_data(client, NODE, {"id": encode_id("PowerVersion", version.id)}, staff))["node"] is None
