"""The generic document library: a county files its own documents (规范性文件 such as 余发[2007]20号,
policies) by uploading a .docx or text file — through GraphQL multipart requests or the CLI — and
powers cite them like any law. Real .docx files built with python-docx, real HTTP, real database."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from docx import Document

from domain.enums import Role, SearchEntity
from domain.library.extract import DOCX_TYPE
from domain.models import AuditEvent, Change, StoredFile
from schema.relay import encode_id, parse_id
from tests.conftest import REPO, run_cli
from tests.factories import make_power, make_unit, row_counts, unique
from tests.helpers import app_client, gql_data, token_for

#: The county's plan (清权确权方案), its first 13 lines: see tests/fixtures/README.md for where it comes from.
SEED = REPO / "tests" / "fixtures" / "qingquan_plan_excerpt.txt"
ERRORS = """
  __typename
  ... on ValidationErrors { message errors { field message code } }
  ... on PermissionDeniedError { message }
  ... on NotFoundError { message }
"""
UPLOAD = f"""
mutation Upload($file: Upload!, $input: UploadLegalDocumentInput) {{
  uploadLegalDocument(file: $file, input: $input) {{
    ... on LegalDocument {{
      id title docNumber issuer level status source promulgationDate effectiveDate versionDate articleCount
      articles(first: 50) {{ nodes {{ id label number kind chapterPath text }} }}
      files {{ filename contentType size sha256 url }}
      versions {{ id versionDate status }}
    }}
    {ERRORS}
  }}
}}
"""
UPDATE = f"""
mutation Update($id: ID!, $input: UpdateLegalDocumentInput!) {{
  updateLegalDocument(id: $id, input: $input) {{
    ... on LegalDocument {{ docNumber issuer level effectiveDate repealDate }}
    {ERRORS}
  }}
}}
"""
CITE = f"""
mutation Cite($input: CreatePowerBasisInput!) {{
  createPowerBasis(input: $input) {{
    ... on PowerBasis {{ article {{ label document {{ docNumber level source }} citedBy {{ code }} }} }}
    {ERRORS}
  }}
}}
"""
AFFECTED = """
query Affected($id: ID!) {
  node(id: $id) { ... on LegalDocument { status affectedPowers { change power { code } article { label } successor { text } } } }
}
"""


def notice(serial: str, articles: list[str], *, signed: str = "二〇〇七年十一月二十日") -> bytes:
    """A 余发[2007]20号-like notice: 版头, 文号, title, 主送, chapters with 第X条, a table, 落款, 版记."""
    doc = Document()
    doc.add_paragraph("中共大余县委文件")
    doc.add_paragraph("余发[2007]20号")
    doc.add_paragraph(f"关于深化政务公开推进清权确权工作的实施意见（{serial}）", style="Title")
    doc.add_paragraph("各乡镇党委、政府，县直各单位：")
    doc.add_paragraph("第一章 总则")
    for n, text in enumerate(articles, start=1):
        if n == len(articles):
            doc.add_paragraph("第二章 附则")
        doc.add_paragraph(f"第{'一二三四五六七八九十'[n - 1]}条　{text}")
        if n == 2:
            table = doc.add_table(rows=2, cols=2)
            for (row, col), value in {(0, 0): "事项", (0, 1): "时限", (1, 0): "行政许可", (1, 1): "二十个工作日"}.items():
                table.cell(row, col).text = value
    for line in ("中共大余县委", "大余县人民政府", signed, "抄送：市委办公室", "中共大余县委办公室 2007年11月21日印发"):
        doc.add_paragraph(line)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


ARTICLES = [
    "为了深化政务公开，依法清权确权，推进行政权力明晰化，制定本意见。",
    "各乡镇、各部门应当全面清理本单位行使的行政权力，编制职权目录。",
    "县公开办负责组织、指导和监督清权确权工作。",
    "本意见自2008年1月1日起施行。",
]


async def upload(
    client: httpx.AsyncClient, filename: str, data: bytes, token: str | None, input: dict[str, Any] | None = None,
    content_type: str = DOCX_TYPE,
) -> dict[str, Any]:
    """A GraphQL multipart request (https://github.com/jaydenseric/graphql-multipart-request-spec)."""
    operations = {"query": UPLOAD, "variables": {"file": None, "input": input}}
    response = await client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": (filename, data, content_type)},
        headers={"Authorization": f"Bearer {token}"} if token else {},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body["errors"]
    return body["data"]["uploadLegalDocument"]


async def test_upload_a_docx_notice_guesses_its_metadata_and_splits_its_articles(client: httpx.AsyncClient) -> None:
    serial = unique("试")
    data = notice(serial, ARTICLES)
    doc = await upload(client, "余发〔2007〕20号.docx", data, await token_for(Role.ADMIN))

    assert doc["__typename"] == "LegalDocument", doc
    assert doc["title"] == f"关于深化政务公开推进清权确权工作的实施意见（{serial}）"
    assert (doc["docNumber"], doc["issuer"], doc["level"], doc["source"], doc["status"]) == (
        "余发〔2007〕20号", "中共大余县委、大余县人民政府", "NORMATIVE_DOCUMENT", "UPLOAD", "IN_FORCE",
    )  # fmt: skip
    assert (doc["promulgationDate"], doc["effectiveDate"], doc["versionDate"]) == ("2007-11-20", "2008-01-01", "2007-11-20")
    nodes = doc["articles"]["nodes"]
    assert [(a["label"], a["number"], a["kind"], a["chapterPath"]) for a in nodes] == [
        ("第一条", 1, "ARTICLE", "第一章 总则"), ("第二条", 2, "ARTICLE", "第一章 总则"),
        ("第三条", 3, "ARTICLE", "第一章 总则"), ("第四条", 4, "ARTICLE", "第二章 附则"),
    ]  # fmt: skip
    assert nodes[1]["text"] == f"{ARTICLES[1]}\n事项 | 时限\n行政许可 | 二十个工作日"  # the table stays with its article
    assert nodes[3]["text"] == ARTICLES[3]  # the 落款 and 版记 are not part of the last article
    assert doc["articleCount"] == 4

    (file,) = doc["files"]
    assert (file["filename"], file["contentType"], file["size"]) == ("余发〔2007〕20号.docx", DOCX_TYPE, len(data))
    assert file["sha256"] == hashlib.sha256(data).hexdigest()
    download = await client.get(file["url"])  # public, like the document
    assert download.status_code == 200 and download.content == data
    assert download.headers["content-type"] == DOCX_TYPE
    assert "filename*=UTF-8''%E4%BD%99%E5%8F%91" in download.headers["content-disposition"]
    assert (await client.get(file["url"], headers={"If-None-Match": download.headers["etag"]})).status_code == 304

    # queued for the search index in the same transaction (its articles travel with it), and audited
    pk = parse_id(doc["id"])[1]  # type: ignore[index]
    assert await Change.filter(entity=SearchEntity.LEGAL_DOCUMENT, entity_id=pk).count() == 1
    event = await AuditEvent.get(entity_type="legal_document", entity_id=str(pk))
    assert (event.action, event.detail["sha256"], event.detail["doc_number"]) == (
        "legal_document.upload", file["sha256"], "余发〔2007〕20号",
    )  # fmt: skip


async def test_a_gb18030_text_file_becomes_numbered_paragraphs(client: httpx.AsyncClient) -> None:
    text = SEED.read_text(encoding="utf-8").replace("清权确权方案", f"第{unique('')}号清权确权方案", 1)
    doc = await upload(client, "方案.txt", text.encode("gb18030"), await token_for(Role.ADMIN), content_type="text/plain")
    assert doc["title"].endswith("号清权确权方案") and doc["level"] == "POLICY"
    # 余发[2007]20号 is cited in the body: it is not this document's number
    assert doc["docNumber"] == ""
    nodes = doc["articles"]["nodes"]
    assert {a["kind"] for a in nodes} == {"PARAGRAPH"} and nodes[0]["label"] == "第1段"
    assert any("（余发[2007]20号）精神" in a["text"] for a in nodes)  # full-width punctuation restored
    assert "一、指导思想" in [a["text"] for a in nodes]
    assert doc["files"][0]["contentType"] == "text/plain; charset=gb18030"


async def test_staff_correct_metadata_of_an_uploaded_document(client: httpx.AsyncClient) -> None:
    admin = await token_for(Role.ADMIN)
    doc = await upload(client, "notice.docx", notice(unique("试"), ARTICLES), admin)
    changes = {"docNumber": "余发〔2007〕21号", "issuer": "大余县人民政府", "level": "POLICY", "repealDate": "2020-12-31"}
    updated = (await gql_data(client, UPDATE, {"id": doc["id"], "input": changes}, admin))["updateLegalDocument"]
    assert updated == {"__typename": "LegalDocument", "docNumber": "余发〔2007〕21号", "issuer": "大余县人民政府", "level": "POLICY",
                       "effectiveDate": "2008-01-01", "repealDate": "2020-12-31"}  # fmt: skip
    unit = await make_unit()
    staff = await token_for(Role.UNIT_LEAD, unit)
    refused = (await gql_data(client, UPDATE, {"id": doc["id"], "input": {"issuer": "x"}}, staff))["updateLegalDocument"]
    assert refused["__typename"] == "PermissionDeniedError"


async def test_a_new_version_keeps_the_work_and_flags_the_powers_whose_articles_changed(
    client: httpx.AsyncClient,
) -> None:
    admin = await token_for(Role.ADMIN)
    serial = unique("试")
    first = await upload(client, "v1.docx", notice(serial, ARTICLES), admin)
    unit = await make_unit()
    power = await make_power(unit)
    cited = {}
    for label in ("第二条", "第四条"):
        article_id = next(a["id"] for a in first["articles"]["nodes"] if a["label"] == label)
        basis = {"powerId": encode_id("Power", power.id), "articleId": article_id, "note": f"余发〔2007〕20号{label}"}
        cited[label] = (await gql_data(client, CITE, {"input": basis}, admin))["createPowerBasis"]
    assert cited["第二条"]["article"]["document"] == {"docNumber": "余发〔2007〕20号", "level": "NORMATIVE_DOCUMENT", "source": "UPLOAD"}
    assert cited["第二条"]["article"]["citedBy"] == [{"code": power.code}]

    first_pk = parse_id(first["id"])[1]  # type: ignore[index]
    queued = await Change.filter(entity=SearchEntity.LEGAL_DOCUMENT, entity_id=first_pk).count()
    amended = [ARTICLES[0], "各乡镇、各部门应当每年清理本单位行使的行政权力，更新职权目录。", "本意见自2012年7月1日起施行。"]
    second = await upload(
        client, "v2.docx", notice(serial, amended, signed="二〇一二年六月一日"), admin,
        {"newVersionOf": first["id"], "title": first["title"]},
    )  # fmt: skip
    assert second["__typename"] == "LegalDocument", second
    assert second["versionDate"] == "2012-06-01"
    assert [(v["id"], v["status"]) for v in second["versions"]] == [(first["id"], "HISTORICAL"), (second["id"], "IN_FORCE")]

    affected = await gql_data(client, AFFECTED, {"id": first["id"]}, admin)
    assert affected["node"]["status"] == "HISTORICAL"
    rows = [(r["change"], r["article"]["label"], r["successor"]) for r in affected["node"]["affectedPowers"]]
    assert rows == [("CHANGED", "第二条", {"text": f"{amended[1]}\n事项 | 时限\n行政许可 | 二十个工作日"}), ("REMOVED", "第四条", None)]
    # the older version's status changed: it is queued for the index again
    assert await Change.filter(entity=SearchEntity.LEGAL_DOCUMENT, entity_id=first_pk).count() > queued


async def test_uploading_needs_an_admin(client: httpx.AsyncClient) -> None:
    unit = await make_unit()
    tokens = (None, await token_for(Role.UNIT_LEAD, unit), await token_for(Role.REVIEWER))  # audited: before counting
    before = await row_counts()
    for token in tokens:
        result = await upload(client, "notice.docx", notice(unique("试"), ARTICLES), token)
        assert result["__typename"] == "PermissionDeniedError", result
    assert await row_counts() == before


@pytest.fixture(scope="module")
async def small_limit_client(database: str) -> AsyncIterator[httpx.AsyncClient]:
    """The app with a 2 KB upload limit (`QINGQUAN_MAX_UPLOAD_BYTES`)."""
    async with app_client(max_upload_bytes=2048) as c:
        yield c


async def test_bad_files_are_typed_errors_and_change_nothing(small_limit_client: httpx.AsyncClient) -> None:
    admin = await token_for(Role.ADMIN)
    ok = f"大余县测试通知{unique('')}\n第一条 测试。".encode()
    filed = await upload(small_limit_client, "ok.txt", ok, admin, content_type="text/plain")
    assert filed["__typename"] == "LegalDocument"
    before = (await row_counts(), await StoredFile.all().count(), await Change.all().count())
    cases = {
        "empty.docx": (b"", "empty"),
        "fake.docx": ("第一条 这不是 Word 文件。".encode(), "not_docx"),
        "broken.docx": (b"PK\x03\x04" + b"\x00" * 64, "not_docx"),
        "old.doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "unsupported"),
        "scan.pdf": (b"%PDF-1.7\n%binary", "unsupported"),
        "big.txt": ("第一条 很长的文字。".encode() * 200, "too_large"),
        "latin1.txt": ("caf\xe9 \xff\xfe".encode("latin-1") * 3 + b"\x80", "unreadable"),
        "ok-again.txt": (ok, "duplicate"),
    }
    for filename, (data, code) in cases.items():
        result = await upload(small_limit_client, filename, data, admin, content_type="application/octet-stream")
        assert result["__typename"] == "ValidationErrors", (filename, result)
        assert [(e["field"], e["code"]) for e in result["errors"]] == [("file", code)], filename
    unknown = await upload(small_limit_client, "x.txt", "第一条 新的。".encode(), admin, {"newVersionOf": encode_id("LegalDocument", 10**9)}, "text/plain")
    assert [(e["field"], e["code"]) for e in unknown["errors"]] == [("newVersionOf", "not_found")]
    assert (await row_counts(), await StoredFile.all().count(), await Change.all().count()) == before


async def test_downloads_only_serve_files_of_documents(client: httpx.AsyncClient) -> None:
    orphan = await StoredFile.create(filename="x.txt", content_type="text/plain", size=1, sha256="0" * 64, data=b"x")
    assert (await client.get(f"/files/{orphan.id}")).status_code == 404
    assert (await client.get("/files/999999999")).status_code == 404


async def test_upload_from_the_cli(migrated_db_url: str, tmp_path) -> None:
    path = tmp_path / "余发〔2007〕20号.docx"
    path.write_bytes(notice("CLI", ARTICLES))
    done = run_cli("upload-document", str(path), "--issuer", "中共大余县委", "--level", "NORMATIVE_DOCUMENT", db_url=migrated_db_url)
    assert "余发〔2007〕20号" in done.stderr and "中共大余县委" in done.stderr
    again = run_cli("upload-document", str(path), db_url=migrated_db_url, check=False)
    assert again.returncode == 1 and "已上传" in again.stderr
    missing = run_cli("upload-document", str(tmp_path / "nope.docx"), db_url=migrated_db_url, check=False)
    assert missing.returncode == 1
