"""A revision's approval settles, on the power's change notice, only the changes the revision explains:
its own entry, and a new version of a law once the revision moves the power off the older version.
Any other pending change (a law's new version the revision does not deal with) stays open for the
unit to explain, with its due date."""

from __future__ import annotations

from typing import Any

import httpx

from domain import lifecycle
from domain.enums import Role
from domain.models import LegalArticle, Power
from domain.services.bases import BasisData, create_basis
from schema.relay import encode_id
from tests.factories import ADMIN, unique
from tests.helpers import token_for
from tests.test_library_upload import upload
from tests.test_revisions import UPDATE, Unit, call, opened
from tests.test_revisions_law import REPOINT, law
from tests.workflow_factories import based_power, charted, decided, in_review

NOTICES = """query ($id: ID!) { node(id: $id) { ... on Power {
  name changeNotices { id status dueOn explanation changes { action } }
} } }"""


async def power_on(unit: Any, article: LegalArticle) -> int:
    """A published power of `unit` resting on `article` and on the article of another law in force."""
    power = await based_power(unit)
    await create_basis(ADMIN, BasisData(power_id=power.id, article_id=article.id))
    await in_review(await charted(power))
    await decided(power.id)
    return (await lifecycle.publish(ADMIN, power.id)).id


async def notices(client: httpx.AsyncClient, token: str, power_id: int) -> list[dict[str, Any]]:
    return (await call(client, NOTICES, token, id=encode_id("Power", power_id)))["changeNotices"]


async def test_approving_a_revision_leaves_unrelated_changes_on_the_notice_open(client: httpx.AsyncClient) -> None:
    admin = await token_for(Role.ADMIN)
    title = f"县变更说明测试办法{unique('')}"
    v1 = await upload(client, "v1.txt", law(title, "县主管部门负责许可。", "违反本办法的，处五百元罚款。"), admin,
                      {"versionDate": "2020-01-01"}, "text/plain")  # fmt: skip
    old = {a.label: a for a in await LegalArticle.filter(document__title=title)}
    who = await Unit.make()
    power_id = await power_on(who.unit, old["第二条"])
    v2 = await upload(client, "v2.txt", law(title, "县主管部门负责许可。", "违反本办法的，处一千元罚款。"), admin,
                      {"versionDate": "2024-01-01", "newVersionOf": v1["id"]}, "text/plain")  # fmt: skip
    (pending,) = await notices(client, who.staff, power_id)
    assert pending["status"] == "OPEN" and [c["action"] for c in pending["changes"]] == ["law.new_version"]

    # a revision about something else (the fee standard) is approved: the law's change is not its to explain
    revision = await opened(client, who, await Power.get(id=power_id), reason="补充收费标准。")
    await call(client, UPDATE, who.staff, id=revision["draft"]["id"], input={"feeStandard": "不收费"})
    assert (await who.through_review(client, revision["draft"]["id"], "RETAIN"))["status"] == "PUBLISHED"
    after = {n["id"]: n for n in await notices(client, who.staff, power_id)}
    assert after[pending["id"]] == pending  # still open, same due date, nothing explained for it
    (settled,) = [n for i, n in after.items() if i != pending["id"]]
    assert settled["status"] == "ACCEPTED" and settled["explanation"] == "补充收费标准。"
    assert [c["action"] for c in settled["changes"]] == ["revision.publish"]

    # re-pointing the bases to the new version explains the law's change: the notice is settled by it
    repointed = await call(client, REPOINT, who.staff, doc=v2["id"])
    (item,) = repointed["powers"]
    assert item["repointed"] == 1, item
    assert (await who.through_review(client, item["revision"]["draft"]["id"], "RETAIN"))["status"] == "PUBLISHED"
    final = {n["id"]: n for n in await notices(client, who.staff, power_id)}
    assert len(final) == 2 and final[settled["id"]] == settled
    assert final[pending["id"]]["status"] == "ACCEPTED"
    assert [c["action"] for c in final[pending["id"]]["changes"]] == ["law.new_version", "revision.publish"]
    assert final[pending["id"]]["explanation"].startswith(f"《{title}》已修订")
