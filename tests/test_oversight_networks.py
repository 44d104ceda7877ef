"""七大网络 as things (issue 24, item 5): each network has a lead unit, its powers and its records; networks
are listed and counted, powers filtered by network, open data and the 附7 filing made per network — each
showing and counting only what the caller may see.

One unit with, in 土地出让网络: a public power, a confidential one, a LIMITED one and a draft; two exercises
of the public power in the network (one disclosed in public, one INTERNAL) and one outside any network.
The counts are measured before the fixture and after, so other modules' data does not matter; the expected
answers are written out by hand."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
import pytest

from domain.access import CLI
from domain.enums import DisclosureScope, Network, PowerCategory, Role
from domain.loop_models import NetworkProfile
from domain.models import AuditEvent, Power, Unit
from domain.networks import set_lead, set_power_networks
from resolvers.ids import encode_id
from tests.docx_checks import all_text, open_docx
from tests.factories import make_power, make_unit, power_name, unique
from tests.helpers import gql_data, token_for
from tests.oversight_factories import ERRORS, D, exercise
from tests.test_public_scope_confidential import SECRECY
from tests.workflow_factories import published_power

LAND = Network.LAND_TRANSFER
NETWORK = """query ($code: Network!) { network(code: $code) { code name powerCount recordCount leadUnit { code }
  powers(first: 100) { totalCount nodes { code } } records(first: 100) { totalCount nodes { subject } } } }"""
NETWORKS = "{ networks { code name powerCount } }"
FILTERED = """query ($unit: ID!) { powers(first: 50, filter: { unitId: $unit, network: LAND_TRANSFER }) {
  totalCount nodes { code } } }"""


@dataclass
class Setting:
    unit: Unit = None  # type: ignore[assignment]
    powers: dict[str, Power] = field(default_factory=dict)
    tokens: dict[str, str | None] = field(default_factory=dict)
    before: dict[str, tuple[int, int]] = field(default_factory=dict)  # who: (powerCount, recordCount) of LAND
    subjects: dict[str, str] = field(default_factory=dict)


def seen(who: str) -> set[str]:
    """What each caller sees of the unit's network powers, by hand."""
    if who in ("public", "other staff"):
        return {"public"}
    return {"public", "secret", "limited", "draft"}


async def _counts(client: httpx.AsyncClient, token: str | None) -> tuple[int, int]:
    data = (await gql_data(client, NETWORK, {"code": LAND.value}, token))["network"]
    return data["powerCount"], data["recordCount"]


@pytest.fixture(scope="module")
async def s(client: httpx.AsyncClient) -> Setting:
    s = Setting()
    marker = unique("")
    s.unit = await make_unit(name=f"测试自然资源局{marker}")
    other = await make_unit()
    s.tokens = {
        "public": None, "other staff": await token_for(Role.UNIT_STAFF, other),
        "staff": await token_for(Role.UNIT_STAFF, s.unit), "inspector": await token_for(Role.INSPECTOR),
    }  # fmt: skip
    for who, token in s.tokens.items():
        s.before[who] = await _counts(client, token)
    s.powers = {
        "public": await published_power(s.unit, name=power_name(f"国有建设用地使用权出让{marker}"), category=PowerCategory.OTHER),
        "secret": await published_power(s.unit, name=power_name(f"涉密的土地出让{marker}"), confidential=True, **SECRECY),
        "limited": await published_power(
            s.unit, name=power_name(f"依申请公开的土地出让{marker}"), disclosure_scope=DisclosureScope.LIMITED
        ),
        "draft": await make_power(s.unit, name=power_name(f"草稿的土地出让{marker}")),
    }
    for power in s.powers.values():
        await set_power_networks(CLI, power.id, [LAND])
    s.subjects = {"public": f"宗地{marker}挂牌出让", "internal": f"宗地{marker}内部审议", "none": f"宗地{marker}网外事项"}
    await exercise(s.powers["public"], D(2026, 11, 2), network=LAND, subject=s.subjects["public"])
    await exercise(s.powers["public"], D(2026, 11, 3), network=LAND, subject=s.subjects["internal"], scope=DisclosureScope.INTERNAL)
    await exercise(s.powers["public"], D(2026, 11, 4), network=None, subject=s.subjects["none"])
    previous = await NetworkProfile.get_or_none(network=LAND)
    await set_lead(CLI, LAND, s.unit.id, "国有土地使用权招标拍卖挂牌出让")
    yield s  # type: ignore[misc]
    await set_lead(CLI, LAND, previous.lead_unit_id if previous else None)  # the demo's lead, for other modules


async def test_the_network_counts_lists_and_filters_only_what_the_caller_sees(client: httpx.AsyncClient, s: Setting) -> None:
    codes = {name: p.code for name, p in s.powers.items()}
    for who, token in s.tokens.items():
        expected = {codes[name] for name in seen(who)}
        data = (await gql_data(client, NETWORK, {"code": LAND.value}, token))["network"]
        assert data["name"] == "土地出让网络" and data["leadUnit"] == {"code": s.unit.code}
        before_powers, before_records = s.before[who]
        assert data["powerCount"] - before_powers == len(expected), who
        records = 2 if who in ("staff", "inspector") else 1
        assert data["recordCount"] - before_records == records, who
        listed = {n["code"] for n in data["powers"]["nodes"]}
        assert listed & set(codes.values()) == expected, who
        assert data["powers"]["totalCount"] == data["powerCount"], who
        subjects = {n["subject"] for n in data["records"]["nodes"]}
        shown = {k for k, v in s.subjects.items() if v in subjects}
        assert shown == ({"public", "internal"} if records == 2 else {"public"}), who
        filtered = (await gql_data(client, FILTERED, {"unit": encode_id("Unit", s.unit.id)}, token))["powers"]
        assert {n["code"] for n in filtered["nodes"]} == expected and filtered["totalCount"] == len(expected), who
        listing = (await gql_data(client, NETWORKS, None, token))["networks"]
        assert [n["code"] for n in listing] == [n.value for n in Network]
        assert next(n for n in listing if n["code"] == LAND.value)["powerCount"] == data["powerCount"]


SET_LEAD = f"""mutation ($unit: ID) {{ setNetworkLead(network: LAND_TRANSFER, leadUnitId: $unit) {{
  ... on NetworkProfile {{ leadUnit {{ code }} }} {ERRORS} }} }}"""
SET_NETWORKS = f"""mutation ($power: ID!, $networks: [Network!]!) {{ setPowerNetworks(powerId: $power, networks: $networks) {{
  ... on Power {{ code }} {ERRORS} }} }}"""


async def test_only_an_admin_names_the_lead_unit(client: httpx.AsyncClient, s: Setting) -> None:
    other = await make_unit()
    audited = await AuditEvent.filter(action="network.lead").count()
    for token in (None, s.tokens["staff"], s.tokens["inspector"], await token_for(Role.UNIT_LEAD, s.unit)):
        body = (await gql_data(client, SET_LEAD, {"unit": encode_id("Unit", other.id)}, token))["setNetworkLead"]
        assert body["__typename"] == "PermissionDeniedError"
    admin = await token_for(Role.ADMIN)
    body = (await gql_data(client, SET_LEAD, {"unit": encode_id("Unit", 2**31 - 1)}, admin))["setNetworkLead"]
    assert body["errors"] == [{"field": "leadUnitId", "code": "not_found"}]
    data = (await gql_data(client, NETWORK, {"code": LAND.value}))["network"]
    assert data["leadUnit"] == {"code": s.unit.code}  # nothing written by the refusals
    assert await AuditEvent.filter(action="network.lead").count() == audited


async def test_a_units_staff_place_its_own_powers_in_networks_nobody_else(client: httpx.AsyncClient, s: Setting) -> None:
    power = s.powers["public"]
    pid = encode_id("Power", power.id)
    for token in (None, s.tokens["other staff"]):
        body = (await gql_data(client, SET_NETWORKS, {"power": pid, "networks": ["SPECIAL_FUNDS"]}, token))["setPowerNetworks"]
        assert body["__typename"] == "PermissionDeniedError"
    hidden = encode_id("Power", s.powers["secret"].id)  # a power another unit does not see: as if it did not exist
    body = (await gql_data(client, SET_NETWORKS, {"power": hidden, "networks": []}, s.tokens["other staff"]))["setPowerNetworks"]
    assert body["__typename"] == "NotFoundError"
    staff = s.tokens["staff"]
    body = (await gql_data(client, SET_NETWORKS, {"power": pid, "networks": ["LAND_TRANSFER", "SPECIAL_FUNDS", "LAND_TRANSFER"]}, staff))
    assert body["setPowerNetworks"] == {"__typename": "Power", "code": power.code}
    special = """{ powers(first: 50, filter: { network: SPECIAL_FUNDS }) { nodes { code } } }"""
    assert power.code in {n["code"] for n in (await gql_data(client, special))["powers"]["nodes"]}
    await gql_data(client, SET_NETWORKS, {"power": pid, "networks": ["LAND_TRANSFER"]}, staff)
    assert power.code not in {n["code"] for n in (await gql_data(client, special))["powers"]["nodes"]}


async def test_open_data_per_network_is_the_public_catalogue_of_its_powers(client: httpx.AsyncClient, s: Setting) -> None:
    response = await client.get(f"/open-data/networks/{LAND.value}/catalog.json", headers={"Authorization": f"Bearer {s.tokens['staff']}"})
    assert response.status_code == 200 and response.headers["etag"]
    codes = {row["code"] for row in response.json()["powers"]}
    assert s.powers["public"].code in codes
    assert not codes & {s.powers[n].code for n in ("secret", "limited", "draft")}
    assert "土地出让网络" in response.json()["title"]
    csv = await client.get(f"/open-data/networks/{LAND.value}/catalog.csv")
    assert csv.status_code == 200 and s.powers["public"].code in csv.text and s.powers["secret"].code not in csv.text
    assert (await client.get("/open-data/networks/NO_SUCH/catalog.json")).status_code == 404


FILING = """mutation ($unit: ID!, $form: FilingForm!, $network: Network) {
  generateFiling(unitId: $unit, form: $form, network: $network) { __typename ... on FilingLink { url filename }
  ... on ValidationErrors { errors { field code } } } }"""


async def test_the_operation_records_filing_per_network(client: httpx.AsyncClient, s: Setting) -> None:
    unit = encode_id("Unit", s.unit.id)
    texts = {}
    for who in ("public", "staff"):
        done = (await gql_data(client, FILING, {"unit": unit, "form": "OPERATION_RECORDS", "network": LAND.value}, s.tokens[who]))
        link = done["generateFiling"]
        assert link["filename"] == f"{s.unit.name}土地出让网络权力动态运行情况登记表(附7).docx"
        response = await client.get(link["url"])
        assert response.status_code == 200
        texts[who] = all_text(open_docx(response.content))
    assert s.subjects["public"] in texts["public"] and s.subjects["internal"] not in texts["public"]
    assert s.subjects["public"] in texts["staff"] and s.subjects["internal"] in texts["staff"]
    assert s.subjects["none"] not in texts["staff"] and "土地出让网络：共登记权力运行记录2条" in texts["staff"]
    refused = await gql_data(client, FILING, {"unit": unit, "form": "CATALOG", "network": LAND.value})
    assert refused["generateFiling"] == {"__typename": "ValidationErrors", "errors": [{"field": "network", "code": "invalid"}]}
