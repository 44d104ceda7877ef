"""Who gets which filing: `generateFiling` and its signed, expiring download link. A public caller
never finds a confidential (or otherwise non-public) power in any filing, and is refused 附6."""

from __future__ import annotations

import httpx
import pytest

from docgen.filing import build_filing
from docgen.forms import FilingForm
from domain import models as m
from domain.access import PUBLIC, power_q
from domain.enums import DisclosureScope, Role
from qingquan import filings
from qingquan.settings import get_settings
from resolvers.ids import encode_id
from tests.docx_checks import all_text, data_rows, open_docx
from tests.factories import staff_of
from tests.helpers import gql_data, token_for

pytestmark = pytest.mark.usefixtures("demo")

GENERATE = """
mutation Generate($unit: ID!, $form: FilingForm!, $power: ID) {
  generateFiling(unitId: $unit, form: $form, powerId: $power) {
    __typename
    ... on FilingLink { url filename form expiresAt }
    ... on PermissionDeniedError { message }
    ... on NotFoundError { message }
    ... on ValidationErrors { message }
  }
}
"""
#: 附6 and the 四个对应 table are not for the public at all (each is refused: tests of their own)
PUBLIC_FORMS = [f for f in FilingForm if f not in (FilingForm.CONFIDENTIAL, FilingForm.FUNCTIONS)]


async def generate(client: httpx.AsyncClient, unit: m.Unit, form: FilingForm, token: str | None = None, power: m.Power | None = None) -> dict:
    variables = {"unit": encode_id("Unit", unit.id), "form": form.value, "power": encode_id("Power", power.id) if power else None}
    return (await gql_data(client, GENERATE, variables, token))["generateFiling"]


async def units_with_confidential_powers() -> list[m.Unit]:
    ids = set(await m.Power.filter(confidential=True).values_list("unit_id", flat=True))
    return await m.Unit.filter(id__in=ids).order_by("code")


@pytest.mark.parametrize("form", PUBLIC_FORMS)
async def test_public_filings_hold_no_hidden_power(form: FilingForm) -> None:
    hidden = await m.Power.exclude(power_q(PUBLIC)).all()
    assert any(p.confidential for p in hidden)
    # other tests file copies of public powers (same name, another unit): such a name is no leak
    public_names = set(await m.Power.filter(power_q(PUBLIC)).values_list("name", flat=True))
    for unit in await units_with_confidential_powers():
        text = all_text(open_docx(await build_filing(PUBLIC, unit.id, form)))
        leaks = [p.code for p in hidden if p.code in text or (p.name in text and p.name not in public_names)]
        assert leaks == [], f"{form.value} of {unit.code} shows {leaks}"


async def test_public_cover_note_does_not_count_confidential_powers() -> None:
    unit = (await units_with_confidential_powers())[0]
    text = all_text(open_docx(await build_filing(PUBLIC, unit.id, FilingForm.COVER_NOTE)))
    assert "涉密" not in text  # neither the count nor the 附6 attachment
    assert "公开版" in text


async def test_confidential_list_is_refused_to_the_public(client: httpx.AsyncClient) -> None:
    unit = (await units_with_confidential_powers())[0]
    result = await generate(client, unit, FilingForm.CONFIDENTIAL)
    assert result["__typename"] == "PermissionDeniedError"


async def test_confidential_list_is_refused_to_staff_of_another_unit(client: httpx.AsyncClient) -> None:
    unit, other = (await units_with_confidential_powers())[:2]
    result = await generate(client, unit, FilingForm.CONFIDENTIAL, await token_for(Role.UNIT_STAFF, other))
    assert result["__typename"] == "PermissionDeniedError"


async def test_unit_staff_download_their_confidential_list(client: httpx.AsyncClient) -> None:
    unit = (await units_with_confidential_powers())[0]
    result = await generate(client, unit, FilingForm.CONFIDENTIAL, await token_for(Role.UNIT_LEAD, unit))
    assert result["__typename"] == "FilingLink" and result["filename"] == f"{unit.name}涉密不宜公开权力目录(附6).docx"
    response = await client.get(result["url"])  # the link itself is the credential
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument")
    codes = [r[1] for r in data_rows(open_docx(response.content).tables[0])]
    assert codes == sorted(await m.Power.filter(unit_id=unit.id, confidential=True).values_list("code", flat=True))


async def test_public_download_of_a_unit_catalogue(client: httpx.AsyncClient) -> None:
    unit = await m.Unit.get(code="36072308")
    result = await generate(client, unit, FilingForm.CATALOG)
    response = await client.get(result["url"])
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    codes = {r[1] for r in data_rows(open_docx(response.content).tables[0])}
    visible = set(await m.Power.filter(power_q(PUBLIC), unit_id=unit.id).values_list("code", flat=True))
    assert codes and codes <= visible


async def test_a_power_the_caller_may_not_see_is_not_found(client: httpx.AsyncClient) -> None:
    secret = await m.Power.filter(confidential=True).first()
    assert secret is not None
    unit = await m.Unit.get(id=secret.unit_id)
    result = await generate(client, unit, FilingForm.FLOW_CHARTS, power=secret)
    assert result["__typename"] == "NotFoundError"


async def test_a_forged_link_is_not_found(client: httpx.AsyncClient) -> None:
    unit = await m.Unit.get(code="36072308")
    url = (await generate(client, unit, FilingForm.CATALOG))["url"]
    body, _, mac = url.removeprefix("/filings/").partition(".")
    forged = body[:-2] + ("AA" if body[-2:] != "AA" else "BB")
    assert (await client.get(f"/filings/{forged}.{mac}")).status_code == 404
    assert (await client.get("/filings/not-a-token")).status_code == 404


async def test_an_expired_link_is_gone(client: httpx.AsyncClient) -> None:
    unit = await m.Unit.get(code="36072308")
    expired = get_settings().model_copy(update={"filing_link_seconds": -1})
    token, _ = filings.sign(expired, PUBLIC, unit.id, FilingForm.CATALOG, None)
    assert (await client.get(f"/filings/{token}")).status_code == 410


async def test_a_link_dies_with_the_token_that_made_it(client: httpx.AsyncClient) -> None:
    unit = (await units_with_confidential_powers())[0]
    token = await token_for(Role.UNIT_STAFF, unit)
    url = (await generate(client, unit, FilingForm.CONFIDENTIAL, token))["url"]
    api_token = await m.ApiToken.get(prefix=token[:10])
    await m.ApiToken.filter(id=api_token.id).update(revoked_at=api_token.created_at)
    assert (await client.get(url)).status_code == 410


async def test_covering_note_is_per_unit(client: httpx.AsyncClient) -> None:
    power = await m.Power.filter(code__startswith="36072308", confidential=False).first()
    assert power is not None
    unit = await m.Unit.get(id=power.unit_id)
    result = await generate(client, unit, FilingForm.COVER_NOTE, await token_for(Role.ADMIN), power)
    assert result["__typename"] == "ValidationErrors"


async def test_public_legal_texts_hold_no_article_cited_only_by_a_hidden_power() -> None:
    hidden = await m.Power.exclude(power_q(PUBLIC)).filter(confidential=True, code__startswith="360723")  # the demo's
    shown = await m.PowerBasis.filter(power_id__in=await m.Power.filter(power_q(PUBLIC)).values_list("id", flat=True)).select_related("article")
    shown_texts = {b.article.text for b in shown}
    secret = await m.PowerBasis.filter(power_id__in=[p.id for p in hidden]).select_related("power", "article")
    secret = [b for b in secret if b.article.text not in shown_texts]
    assert secret, "the demo has a confidential power citing an article no public power cites"
    for basis in secret:
        public = all_text(open_docx(await build_filing(PUBLIC, basis.power.unit_id, FilingForm.LEGAL_TEXTS)))
        assert basis.article.text.strip()[:40] not in public
        assert basis.power.code not in public and basis.power.name not in public
        unit = await m.Unit.get(id=basis.power.unit_id)
        # the unit sees it: its staff, or for a power disclosed to the leadership only (领导班子内公开) its lead
        role = Role.UNIT_LEAD if basis.power.disclosure_scope == DisclosureScope.LEADERSHIP else Role.UNIT_STAFF
        staff = all_text(open_docx(await build_filing(await staff_of(unit, role), unit.id, FilingForm.LEGAL_TEXTS)))
        assert basis.article.text.strip()[:40] in staff and basis.power.code in staff
        if role == Role.UNIT_LEAD:  # and not to its staff
            own_staff = all_text(open_docx(await build_filing(await staff_of(unit), unit.id, FilingForm.LEGAL_TEXTS)))
            assert basis.power.code not in own_staff
