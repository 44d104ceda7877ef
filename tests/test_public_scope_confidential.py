"""A power disclosed to the public (向社会公开) yet confidential (涉密): the confidential clause of the
public rule on its own. Every confidential power of the demo county is also INTERNAL or LEADERSHIP, so
there the scope alone hides it; here only `confidential` does. Two such powers of one unit — one
published confidential, one published in public and later reclassified 涉密 through a revision — and a
plain public power beside them. The public and another unit's staff see the plain one alone on every
path (node and code lookups, versions, catalogueAsOf then and now, search hits, totals and facets,
Word filings, which they get in the public version); the unit's staff see all three.

The expected answers are written out from the ids made here, never asked of domain.access."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import httpx
import pytest

from docgen.forms import SPECS, FilingForm
from domain.catalog.models import WebhookDelivery
from domain.catalog.webhooks import WebhookData, register_webhook, remove_webhook
from domain.enums import DisclosureScope, PowerCategory, Role
from domain.models import Power, Unit
from domain.services.powers import update_power
from domain.workdays import today
from domain.workflow_models import PowerVersion
from resolvers.ids import encode_id
from search import SearchBackend
from search.indexer import drain
from tests.docx_checks import all_text, open_docx
from tests.factories import ADMIN, make_unit, power_name, unique
from tests.helpers import gql_data, token_for
from tests.test_search_graphql import POWERS as SEARCH_POWERS
from tests.workflow_factories import published_power, revise

pytestmark = pytest.mark.usefixtures("demo")

SECRECY = {"confidentiality_reason": "涉及国家秘密", "confidentiality_basis": "《中华人民共和国保守国家秘密法》第十三条"}


@dataclass
class Setting:
    marker: str = ""
    unit: Unit = None  # type: ignore[assignment]
    plain: Power = None  # type: ignore[assignment]  # published, PUBLIC, not confidential
    secret: Power = None  # type: ignore[assignment]  # published, PUBLIC, confidential
    reclassified: Power = None  # type: ignore[assignment]  # published public, then revised to confidential
    month_ago: datetime.date = None  # type: ignore[assignment]
    tokens: dict[str, str | None] = field(default_factory=dict)
    hooks: dict[str, int] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)  # "plain 1", "secret 1", "reclassified 1", "reclassified 2"

    @property
    def outsiders(self) -> dict[str, str | None]:
        return {k: v for k, v in self.tokens.items() if k in ("public", "other staff", "other lead")}

    def codes(self, who: str) -> set[str]:
        """What `who` sees of the unit, by hand: the plain power alone from outside, all three from inside."""
        if who in self.outsiders:
            return {self.plain.code}
        return {self.plain.code, self.secret.code, self.reclassified.code}


@pytest.fixture(scope="module")
async def s(demo: object) -> Setting:
    s = Setting(marker=unique(""))
    s.unit = await make_unit(name=f"测试保密局{s.marker}")
    other = await make_unit()
    for who, role, unit in (("public", Role.PUBLIC, None), ("other staff", Role.UNIT_STAFF, other), ("staff", Role.UNIT_STAFF, s.unit)):
        data = WebhookData(f"secret-{who}-{s.marker}", "http://127.0.0.1:9/never", role, unit.code if unit else None, HOOK_EVENTS)
        s.hooks[who] = (await register_webhook(ADMIN, data, allow_private=True)).id  # never sent
    s.plain = await published_power(
        s.unit, name=power_name(f"向社会公开的行政处罚{s.marker}"), category=PowerCategory.PENALTY
    )
    s.secret = await published_power(
        s.unit, name=power_name(f"向社会公开而涉密的行政检查{s.marker}"), category=PowerCategory.INSPECTION,
        disclosure_scope=DisclosureScope.PUBLIC, confidential=True, **SECRECY,
    )  # fmt: skip
    s.reclassified = await published_power(
        s.unit, name=power_name(f"先公开后定密的行政强制{s.marker}"), category=PowerCategory.COERCION
    )
    # all three in force for a month (a data change: the lifecycle stamps today)
    s.month_ago = today() - datetime.timedelta(days=30)
    ids = [s.plain.id, s.secret.id, s.reclassified.id]
    await PowerVersion.filter(power_id__in=ids).update(published_on=s.month_ago)
    # then reclassified 涉密 through the real revision path: version 1 was public, version 2 is not
    s.reclassified = await revise(
        s.reclassified, lambda draft: update_power(ADMIN, draft.id, {"confidential": True, **SECRECY}), "经定密，涉及国家秘密。"
    )
    assert s.reclassified.confidential and s.reclassified.disclosure_scope == DisclosureScope.PUBLIC
    for power in (s.plain, s.secret, s.reclassified):
        for v in await PowerVersion.filter(power_id=power.id):
            s.versions[f"{'plain' if power is s.plain else 'secret' if power is s.secret else 'reclassified'} {v.number}"] = v.id
    assert set(s.versions) == {"plain 1", "secret 1", "reclassified 1", "reclassified 2"}
    first = await PowerVersion.get(id=s.versions["reclassified 1"])
    assert first.public and first.superseded_on == today()  # public when published, the power now confidential
    s.tokens = {
        "public": None,
        "other staff": await token_for(Role.UNIT_STAFF, other),
        "other lead": await token_for(Role.UNIT_LEAD, other),
        "staff": await token_for(Role.UNIT_STAFF, s.unit),
    }
    yield s  # type: ignore[misc]
    for hook_id in s.hooks.values():  # nothing left for another test's sender to deliver
        await remove_webhook(ADMIN, hook_id)


HOOK_EVENTS = ("power.published", "power.revised")
NODE = """query ($id: ID!) { node(id: $id) { id ... on PowerVersion { code number } ... on Power { code } } }"""
BY_CODE = """query ($code: String!) { power(code: $code) { code versions { number } } }"""


async def test_node_and_code_lookups_of_the_powers_and_their_versions(client: httpx.AsyncClient, s: Setting) -> None:
    nodes = {f"power {p.code}": encode_id("Power", p.id) for p in (s.plain, s.secret, s.reclassified)}
    nodes |= {f"version {k}": encode_id("PowerVersion", pk) for k, pk in s.versions.items()}
    for who, token in s.tokens.items():
        found = set()
        for what, relay_id in nodes.items():
            if (await gql_data(client, NODE, {"id": relay_id}, token))["node"] is not None:
                found.add(what)
        if who in s.outsiders:
            assert found == {f"power {s.plain.code}", "version plain 1"}, who
        else:
            assert found == set(nodes), who
        for power in (s.plain, s.secret, s.reclassified):
            by_code = (await gql_data(client, BY_CODE, {"code": power.code}, token))["power"]
            assert (by_code is not None) is (power.code in s.codes(who)), (who, power.code)
        if who == "staff":
            by_code = (await gql_data(client, BY_CODE, {"code": s.reclassified.code}, token))["power"]
            assert by_code["versions"] == [{"number": 1}, {"number": 2}]


AS_OF = """query ($on: Date!, $unit: ID!) {
  catalogueAsOf(date: $on, unitId: $unit, first: 100) { totalCount nodes { code number } } }"""


async def test_catalogue_as_of_then_and_now(client: httpx.AsyncClient, s: Setting) -> None:
    """Yesterday the reclassified power was in force by its version 1, published in public: it is not
    the public's now (its power is confidential), neither its number nor its name."""
    yesterday = today() - datetime.timedelta(days=1)
    for who, token in s.tokens.items():
        for on, reclassified_number in ((yesterday, 1), (today(), 2)):
            variables = {"on": on.isoformat(), "unit": encode_id("Unit", s.unit.id)}
            as_of = (await gql_data(client, AS_OF, variables, token))["catalogueAsOf"]
            shown = {(n["code"], n["number"]) for n in as_of["nodes"]}
            if who in s.outsiders:
                assert shown == {(s.plain.code, 1)} and as_of["totalCount"] == 1, (who, on, as_of)
            else:
                expected = {(s.plain.code, 1), (s.secret.code, 1), (s.reclassified.code, reclassified_number)}
                assert shown == expected and as_of["totalCount"] == 3, (who, on, as_of)
        before = {"on": (s.month_ago - datetime.timedelta(days=1)).isoformat(), "unit": encode_id("Unit", s.unit.id)}
        assert (await gql_data(client, AS_OF, before, token))["catalogueAsOf"]["totalCount"] == 0


async def test_search_hits_totals_and_facets(
    search_client: httpx.AsyncClient, search_backend: SearchBackend, s: Setting
) -> None:
    await drain(search_backend)
    category = {s.plain.code: "PENALTY", s.secret.code: "INSPECTION", s.reclassified.code: "COERCION"}
    for who, token in s.tokens.items():
        data = (await gql_data(search_client, SEARCH_POWERS, {"q": s.marker, "first": 50}, token))["searchPowers"]
        codes = {e["node"]["power"]["code"] for e in data["edges"]}
        expected = s.codes(who)
        assert codes == expected, (who, data)
        assert data["totalCount"] == len(expected), (who, data)  # a hidden power is not counted either
        categories = {f["category"]: f["count"] for f in data["facets"]["categories"]}
        assert categories == {category[code]: 1 for code in expected}, (who, data)
        assert data["facets"]["units"] == [{"unit": {"id": encode_id("Unit", s.unit.id)}, "count": len(expected)}], who


FILING = """mutation ($unit: ID!, $form: FilingForm!) { generateFiling(unitId: $unit, form: $form) {
  __typename ... on FilingLink { url } ... on PermissionDeniedError { message } } }"""
PUBLIC_VERSION = "（公开版：仅含向社会公开的内容）"


async def filing_text(client: httpx.AsyncClient, unit: Unit, form: FilingForm, token: str | None) -> str | None:
    done = (await gql_data(client, FILING, {"unit": encode_id("Unit", unit.id), "form": form.value}, token))["generateFiling"]
    if done["__typename"] != "FilingLink":
        return None
    response = await client.get(done["url"])
    assert response.status_code == 200
    return all_text(open_docx(response.content))


@pytest.mark.parametrize("form", [f for f in FilingForm if f not in (FilingForm.CONFIDENTIAL, FilingForm.FUNCTIONS)])
async def test_another_units_staff_get_the_public_filing(client: httpx.AsyncClient, s: Setting, form: FilingForm) -> None:
    """Another unit's staff get, word for word, the public version of the unit's filing: no 附6 listed,
    counts of the public part only, marked as the public version."""
    public = await filing_text(client, s.unit, form, None)
    assert public is not None and PUBLIC_VERSION in public
    for who in ("other staff", "other lead"):
        assert await filing_text(client, s.unit, form, s.tokens[who]) == public, who
    for power in (s.secret, s.reclassified):
        assert power.name not in public and power.code not in public
    own = await filing_text(client, s.unit, form, s.tokens["staff"])
    assert own is not None and PUBLIC_VERSION not in own
    if form is FilingForm.COVER_NOTE:
        assert SPECS[FilingForm.CONFIDENTIAL].title not in public and "涉密" not in public
        assert "向社会公开的行政权力1项" in public, public
        assert "共清理登记行政权力3项" in own and "涉密不宜公开的权力2项" in own and SPECS[FilingForm.CONFIDENTIAL].title in own
    if form is FilingForm.REGISTRATION:
        assert s.secret.code in own and s.reclassified.code in own and s.plain.code in public


async def test_webhook_events(s: Setting) -> None:
    """Who hears of what, read from the deliveries made: outside the unit, the plain power's publication
    and the reclassified one's while it was public, never the confidential power nor the revision that
    made the other one confidential."""
    heard = {
        who: {(d.event, d.subject) for d in await WebhookDelivery.filter(webhook_id=hook_id)} for who, hook_id in s.hooks.items()
    }
    plain, secret, reclassified = (f"power:{p.id}" for p in (s.plain, s.secret, s.reclassified))
    outside = {("power.published", plain), ("power.published", reclassified)}
    assert heard["public"] == heard["other staff"] == outside
    assert heard["staff"] == outside | {("power.published", secret), ("power.revised", reclassified)}


VERSIONS = """query ($code: String!) { power(code: $code) { versions { number } } }"""


async def test_a_version_published_while_confidential_stays_hidden_once_declassified(client: httpx.AsyncClient) -> None:
    """The other way: a power published 涉密 (PUBLIC scope) and declassified by a revision. Its version 2
    is the public's; its version 1, not public when published, stays the unit's, even though the power
    is public now."""
    unit = await make_unit()
    power = await published_power(unit, name=power_name("先涉密后解密的行政检查"), confidential=True, **SECRECY)
    month_ago = today() - datetime.timedelta(days=30)
    await PowerVersion.filter(power_id=power.id).update(published_on=month_ago)
    open_again = {"confidential": False, "confidentiality_reason": "", "confidentiality_basis": ""}
    power = await revise(power, lambda draft: update_power(ADMIN, draft.id, open_again), "经解密，予以公开。")
    assert not power.confidential
    first, second = await PowerVersion.filter(power_id=power.id).order_by("number")
    unit_id = encode_id("Unit", unit.id)
    yesterday = {"on": (today() - datetime.timedelta(days=1)).isoformat(), "unit": unit_id}
    now = {"on": today().isoformat(), "unit": unit_id}
    outsiders = (None, await token_for(Role.UNIT_STAFF, await make_unit()))
    for token in (*outsiders, await token_for(Role.UNIT_STAFF, unit)):
        inside = token not in outsiders
        versions = (await gql_data(client, VERSIONS, {"code": power.code}, token))["power"]["versions"]
        assert versions == ([{"number": 1}, {"number": 2}] if inside else [{"number": 2}])
        assert ((await gql_data(client, NODE, {"id": encode_id("PowerVersion", first.id)}, token))["node"] is not None) is inside
        assert (await gql_data(client, NODE, {"id": encode_id("PowerVersion", second.id)}, token))["node"] is not None
        then = (await gql_data(client, AS_OF, yesterday, token))["catalogueAsOf"]
        assert [(n["code"], n["number"]) for n in then["nodes"]] == ([(power.code, 1)] if inside else [])
        assert then["totalCount"] == (1 if inside else 0)
        today_ = (await gql_data(client, AS_OF, now, token))["catalogueAsOf"]
        assert [(n["code"], n["number"]) for n in today_["nodes"]] == [(power.code, 2)]
