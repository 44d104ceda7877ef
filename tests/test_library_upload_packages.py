"""Uploads that are zips but no readable Word document (issue 8, item 6): a DTD (entities, "billion
laughs", external entities, in any part and any encoding), a damaged zip, a zip bomb, a zip that is
no Word document, a .docx without its main part, broken XML. Each is a typed validation error on
`file` whose message names the problem — never an exception's class — and nothing is written.
Real .docx files (python-docx, then rewritten as an attacker would), real HTTP, real database."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable

import httpx
import pytest
from docx import Document

from domain.enums import Role
from domain.library.docx_package import check_package
from domain.models import StoredFile
from tests.factories import row_counts, unique
from tests.helpers import token_for

UPLOAD = """
mutation ($file: Upload!) {
  uploadLegalDocument(file: $file) {
    __typename
    ... on LegalDocument { id }
    ... on ValidationErrors { message errors { field message code } }
  }
}"""
EXCEPTION_NAME = re.compile(r"[A-Z][A-Za-z]*(Error|Exception)|KeyError|AttributeError")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOCUMENT = "word/document.xml"


def word_file() -> bytes:
    doc = Document()
    doc.add_paragraph(f"大余县测试通知{unique('')}")
    doc.add_paragraph("第一条 测试的内容。")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def rewritten(part: str, change: Callable[[bytes], bytes | None], extra: dict[str, bytes] | None = None) -> bytes:
    """A copy of a real .docx with one part changed (None: left out) and `extra` members added."""
    source = zipfile.ZipFile(io.BytesIO(word_file()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content: bytes | None = source.read(info.filename)
            if info.filename == part:
                content = change(content)
            if content is not None:
                target.writestr(info, content)
        for name, content in (extra or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def with_dtd(subset: str, *, use: str = "") -> Callable[[bytes], bytes]:
    """Put `<!DOCTYPE w:document [subset]>` after the XML declaration and `use` before the text."""

    def change(xml: bytes) -> bytes:
        xml = xml.replace(b"?>", f"?><!DOCTYPE w:document [{subset}]>".encode(), 1)
        return xml.replace("第一条".encode(), f"{use}第一条".encode(), 1)

    return change


LAUGHS = '<!ENTITY lol "lol">' + "".join(
    f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
)


def utf16_with_dtd(xml: bytes) -> bytes:
    text = xml.decode().replace("encoding='UTF-8'", "encoding='UTF-16'").replace("?>", '?><!DOCTYPE w:document [<!ENTITY x "y">]>', 1)
    return text.encode("utf-16")


def zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


WORKBOOK = zip_of({
    "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
    "_rels/.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    b'Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": b'<?xml version="1.0"?><workbook/>',
})  # fmt: skip
#: filename → (the upload, the error code, words its message must contain)
CASES: dict[str, tuple[Callable[[], bytes], str, tuple[str, ...]]] = {
    "entity.docx": (lambda: rewritten(DOCUMENT, with_dtd('<!ENTITY x "测试">', use="&x;")), "unsafe_xml", ("DTD",)),
    "laughs.docx": (lambda: rewritten(DOCUMENT, with_dtd(LAUGHS, use="&lol9;")), "unsafe_xml", ("DTD",)),
    "xxe.docx": (lambda: rewritten(DOCUMENT, with_dtd('<!ENTITY x SYSTEM "file:///etc/passwd">', use="&x;")), "unsafe_xml", ("DTD",)),
    "utf16.docx": (lambda: rewritten(DOCUMENT, utf16_with_dtd), "unsafe_xml", ("DTD",)),
    "types.docx": (lambda: rewritten("[Content_Types].xml", with_dtd("")), "unsafe_xml", ("[Content_Types].xml",)),
    "truncated.docx": (lambda: word_file()[:4000], "not_docx", ("zip",)),
    "bomb.docx": (lambda: rewritten(DOCUMENT, lambda x: x, {"customXml/pad.xml": b" " * (64 << 20)}), "too_large", ("zip bomb",)),
    "notes.docx": (lambda: zip_of({"notes.txt": "第一条 测试。".encode()}), "not_docx", ("not a Word document",)),
    "sheet.docx": (lambda: WORKBOOK, "not_docx", ("Excel",)),
    "headless.docx": (lambda: rewritten(DOCUMENT, lambda x: None), "not_docx", (DOCUMENT,)),
    "broken-xml.docx": (lambda: rewritten(DOCUMENT, lambda x: x[: len(x) // 2]), "not_docx", ("XML",)),
}


async def upload(client: httpx.AsyncClient, filename: str, data: bytes, token: str) -> dict:
    operations = {"query": UPLOAD, "variables": {"file": None}}
    response = await client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": (filename, data, DOCX)},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body["errors"]
    return body["data"]["uploadLegalDocument"]


@pytest.mark.parametrize("filename", list(CASES))
async def test_a_bad_package_is_named_not_an_exception(client: httpx.AsyncClient, filename: str) -> None:
    make, code, words = CASES[filename]
    token = await token_for(Role.ADMIN)
    before = (await row_counts(), await StoredFile.all().count())
    result = await upload(client, filename, make(), token)
    assert result["__typename"] == "ValidationErrors", result
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("file", code)]
    message = result["errors"][0]["message"]
    assert not EXCEPTION_NAME.search(message), message
    assert all(word in message for word in words), message
    assert (await row_counts(), await StoredFile.all().count()) == before


def test_word_documents_pass_the_package_checks() -> None:
    check_package(word_file(), 20 << 20)  # python-docx's own output, with its 30× styles parts
