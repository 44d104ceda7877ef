"""A revised law reaches the powers resting on it from every path: an upload of a new version (or a
new version entered by hand) opens the same change notices as an import, and repointPowerBases
moves the bases of a unit's (or the county's) published powers to the new version's articles, on
revisions that go through review like any change."""

from __future__ import annotations

from typing import Any

import httpx

from domain import lifecycle
from domain.enums import LegalStatus, Role
from domain.models import LegalArticle, LegalDocument, PowerBasis
from domain.services.bases import BasisData, create_basis
from domain.workflow_models import ChangeNotice
from schema.relay import encode_id, parse_id
from tests.factories import ADMIN, make_power, make_unit, unique
from tests.helpers import gql_data, token_for
from tests.test_library_upload import upload
from tests.test_revisions import Unit, call
from tests.workflow_factories import charted, decided, in_review

REPOINT = """mutation ($doc: ID!, $unit: ID) { repointPowerBases(documentId: $doc, unitId: $unit) {
  __typename
  ... on RepointedBases { powers { power { code } repointed unmatched revision { id status draft { id bases { article { id label } } } }
                                   error { __typename ... on IllegalTransitionError { action } } } }
  ... on PermissionDeniedError { message }
} }"""
CREATE_DOCUMENT = """mutation ($input: CreateLegalDocumentInput!) { createLegalDocument(input: $input) {
  __typename ... on LegalDocument { id } ... on ValidationErrors { errors { field code } } } }"""


def law(title: str, *texts: str) -> bytes:
    return "\n".join([title, *(f"第{n}条 {t}" for n, t in zip("一二三", texts, strict=False))]).encode()


async def power_on(unit: Any, article: LegalArticle) -> int:
    """A published power of `unit` resting on `article` alone."""
    power = await make_power(unit)
    await create_basis(ADMIN, BasisData(power_id=power.id, article_id=article.id))
    await in_review(await charted(power))
    await decided(power.id)
    await lifecycle.publish(ADMIN, power.id)
    return power.id


async def test_an_uploaded_new_version_opens_notices_and_the_bases_are_repointed_for_review(client: httpx.AsyncClient) -> None:
    admin = await token_for(Role.ADMIN)
    title = f"县测试管理办法{unique('')}"
    v1 = await upload(client, "v1.txt", law(title, "县主管部门负责许可。", "违反本办法的，处五百元罚款。", "本办法自公布之日起施行。"),
                      admin, {"versionDate": "2020-01-01"}, "text/plain")  # fmt: skip
    old = {a.label: a for a in await LegalArticle.filter(document__title=title)}
    who = await Unit.make()
    on_changed, on_same, on_gone = (
        await power_on(who.unit, old["第二条"]), await power_on(who.unit, old["第一条"]), await power_on(who.unit, old["第三条"]),
    )  # fmt: skip
    elsewhere = await power_on(await make_unit(), old["第二条"])

    v2 = await upload(client, "v2.txt", law(title, "县主管部门负责许可。", "违反本办法的，处一千元罚款。"), admin,
                      {"versionDate": "2024-01-01", "newVersionOf": v1["id"]}, "text/plain")  # fmt: skip
    assert v2["__typename"] == "LegalDocument", v2
    noticed = {n.power_id: n for n in await ChangeNotice.filter(power_id__in=[on_changed, on_same, on_gone, elsewhere])}
    assert set(noticed) == {on_changed, on_gone, elsewhere}  # the changed and the vanished article, as an import does
    assert noticed[on_changed].changes[0]["action"] == "law.new_version"
    parsed = parse_id(v1["id"])
    assert parsed is not None and (await LegalDocument.get(id=parsed[1])).status == LegalStatus.HISTORICAL

    denied = await call(client, REPOINT, who.stranger, doc=v2["id"], unit=encode_id("Unit", who.unit.id))
    assert denied["__typename"] == "PermissionDeniedError"
    result = await call(client, REPOINT, who.staff, doc=v2["id"])
    by_code = {p["power"]["code"]: p for p in result["powers"]}
    assert len(by_code) == 3  # the unit's own; another unit's power is its own staff's to re-point
    new = {a.label: a.id for a in await LegalArticle.filter(document__title=title, document__version_date="2024-01-01")}
    changed = next(p for p in result["powers"] if p["revision"]["draft"]["bases"][0]["article"]["label"] == "第二条" and p["repointed"])
    assert changed["revision"]["draft"]["bases"][0]["article"]["id"] == encode_id("LegalArticle", new["第二条"])
    gone = next(p for p in result["powers"] if p["unmatched"])
    assert gone["unmatched"] == ["第三条"] and gone["repointed"] == 0
    # the published powers still rest on v1 until the revisions are approved
    assert await PowerBasis.filter(power_id=on_changed, article_id=old["第二条"].id).exists()

    await who.through_review(client, changed["revision"]["draft"]["id"], "RETAIN")
    assert await PowerBasis.filter(power_id=on_changed, article_id=new["第二条"]).exists()
    busy = await call(client, REPOINT, who.staff, doc=v2["id"])
    assert [p["error"] for p in busy["powers"] if p["error"]] == []  # the others' open drafts are reused
    assert sorted(p["repointed"] for p in busy["powers"]) == [0, 0]


async def test_a_new_version_entered_by_hand_opens_notices(client: httpx.AsyncClient) -> None:
    admin = await token_for(Role.ADMIN)
    title = f"县手工录入办法{unique('')}"
    first = {"title": title, "level": "NORMATIVE_DOCUMENT", "versionDate": "2019-01-01",
             "articles": [{"number": 1, "text": "原规定。"}]}  # fmt: skip
    created = await call(client, CREATE_DOCUMENT, admin, input=first)
    assert created["__typename"] == "LegalDocument", created
    article = await LegalArticle.get(document__title=title)
    power_id = await power_on(await make_unit(), article)
    second = {**first, "versionDate": "2025-01-01", "articles": [{"number": 1, "text": "修改后的规定。"}]}
    assert (await call(client, CREATE_DOCUMENT, admin, input=second))["__typename"] == "LegalDocument"
    (notice,) = await ChangeNotice.filter(power_id=power_id)
    assert notice.changes[0]["detail"]["change"] == "CHANGED"


async def test_reviewers_and_the_public_cannot_repoint(client: httpx.AsyncClient) -> None:
    document = encode_id("LegalDocument", (await LegalDocument.first()).id)  # type: ignore[union-attr]
    for token in (None, await token_for(Role.REVIEWER)):
        body = await gql_data(client, REPOINT, {"doc": document}, token)
        assert body["repointPowerBases"]["__typename"] == "PermissionDeniedError"
