"""A version stored as 尚未生效 comes into force on its effective date by the server's daily round: the
work's version in force until then stays so (and becomes historical that day), the change feed and the
audit trail learn it, and the repeals its clauses declare are filed in the same round (both engines)."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest

from domain.enums import LegalStatus, SearchEntity
from domain.library.commencement import file_due_commencements
from domain.library.markdown import import_markdown_folder
from domain.library.mcp import import_packaged_library
from domain.library.repeals import LAW_REPEALED, file_due_repeals
from domain.models import AuditEvent, LegalDocument
from domain.workflow_models import ChangeNotice
from tests.factories import unique
from tests.test_library_repeals import _cited_by_a_published_power, _law, _laws_db, _server_round

pytestmark = pytest.mark.usefixtures("database")

DAY = date(2099, 1, 1)


class Versions:
    """A law X in force, and a work W whose version of 2020 is in force and whose version of 2098 is stored
    尚未生效 until DAY, when it repeals X (「本法自2099年1月1日起施行。《X》同时废止。」)."""

    def __init__(self, tmp_path: Path) -> None:
        tag = unique("C")
        self.repealed_title = f"测试{tag}渔业管理条例"
        self.title = f"中华人民共和国测试{tag}渔业法"
        self.repealed = _law(tmp_path / "repealed", self.repealed_title, date(2010, 1, 1), [
            "为了管理渔业，制定本条例。", "违反本条例的，处五百元以下罚款。", "本条例自2010年3月1日起施行。",
        ])  # fmt: skip
        self.db = _laws_db(tmp_path / "laws.db", [
            (self.title, date(2020, 1, 1), "现行有效", ["为了发展渔业，制定本法。", "本法自2020年1月1日起施行。"]),
            (self.title, date(2098, 12, 1), "尚未生效", [
                "为了发展渔业，制定本法。", f"本法自2099年1月1日起施行。《{self.repealed_title}》同时废止。",
            ]),
        ], effective={(self.title, date(2098, 12, 1)): DAY})  # fmt: skip

    async def import_(self) -> None:
        assert (await import_markdown_folder(self.repealed)).ok
        assert (await import_packaged_library(self.db)).ok

    async def documents(self) -> tuple[LegalDocument, LegalDocument, LegalDocument]:
        older, newer = await LegalDocument.filter(title=self.title).order_by("version_date")
        return older, newer, await LegalDocument.get(title=self.repealed_title)


async def _audits(action: str, document: LegalDocument) -> int:
    return await AuditEvent.filter(action=action, entity_id=str(document.id)).count()


async def test_until_its_day_the_older_version_stays_in_force_and_its_repeals_wait(tmp_path: Path) -> None:
    versions = Versions(tmp_path)
    await versions.import_()
    older, newer, repealed = await versions.documents()
    assert (newer.status, newer.effective_date) == (LegalStatus.NOT_YET_EFFECTIVE, DAY)
    assert older.status is LegalStatus.IN_FORCE, "a version not yet in force leaves the one in force"
    assert repealed.status is LegalStatus.IN_FORCE
    assert await file_due_commencements(date(2098, 12, 31)) == []
    # the repeal rounds alone never file it: its repealer is stored 尚未生效 (what this round was added for)
    assert repealed.id not in [r.repealed.id for r in await file_due_repeals(DAY)]
    assert (await LegalDocument.get(id=newer.id)).status is LegalStatus.NOT_YET_EFFECTIVE


async def test_the_server_files_a_version_in_force_on_its_day_and_then_its_repeals(
    tmp_path: Path, database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The leader's round with the county's clock moved to DAY (not waited for): the new version in force,
    the older one historical, the repealed law repealed on DAY with its power's change notice, one audit
    event each, the change feed's rows seen by a reader; the next round finds nothing left."""
    versions = Versions(tmp_path)
    await versions.import_()
    older, newer, repealed = await versions.documents()
    power = await _cited_by_a_published_power(repealed)
    seen = await _server_round(database, DAY, repealed.id, monkeypatch)
    older, newer, repealed = await versions.documents()
    assert [older.status, newer.status] == [LegalStatus.HISTORICAL, LegalStatus.IN_FORCE]
    assert (repealed.status, repealed.repeal_date) == (LegalStatus.REPEALED, DAY)
    notice = await ChangeNotice.get(power_id=power.id)
    assert [(c["action"], c["detail"]["repealed_by"]) for c in notice.changes] == [(LAW_REPEALED, newer.id)]
    in_force = await AuditEvent.get(action="legal_document.in_force", entity_id=str(newer.id))
    assert in_force.detail["effective_date"] == DAY.isoformat()
    assert await _audits("legal_document.repeal", repealed) == 1
    opened = await AuditEvent.get(action="change_notice.open", entity_id=str(notice.id))
    wanted = {(SearchEntity.LEGAL_DOCUMENT, d.id) for d in (older, newer, repealed)} | {
        (SearchEntity.POWER, power.id), (SearchEntity.EVENT, opened.id)
    }
    assert wanted <= seen
    # the next rounds find nothing left to do
    assert await file_due_commencements(date(2099, 1, 2)) == []
    assert repealed.id not in [r.repealed.id for r in await file_due_repeals(date(2099, 1, 2))]
    assert await _audits("legal_document.in_force", newer) == 1
    assert await _audits("legal_document.repeal", repealed) == 1
    assert len((await ChangeNotice.get(power_id=power.id)).changes) == 1


async def test_two_rounds_at_once_file_a_version_in_force_once(tmp_path: Path) -> None:
    """Two leaders for a moment read the same version as due: one files it (and its repeal), the other
    finds it filed."""
    versions = Versions(tmp_path)
    await versions.import_()
    _, newer, repealed = await versions.documents()
    power = await _cited_by_a_published_power(repealed)
    rounds = await asyncio.gather(file_due_commencements(DAY), file_due_commencements(DAY))
    mine = [[(d.id, [r.repealed.id for r in repeals]) for d, repeals in one if d.id == newer.id] for one in rounds]
    assert sorted(mine) == [[], [(newer.id, [repealed.id])]]
    assert await _audits("legal_document.in_force", newer) == 1
    assert await _audits("legal_document.repeal", repealed) == 1
    assert len((await ChangeNotice.get(power_id=power.id)).changes) == 1
