"""An uploaded .docx checked as a package before python-docx reads it.

The zip checks every Office upload shares (a damaged or encrypted zip, a zip bomb, XML holding a
DTD) are domain/zip_package.py's; here, besides them, that the package is a Word document:
[Content_Types].xml, _rels/.rels naming the main part, the part itself, of the WordprocessingML
type (not_docx). Every member is read through, as python-docx does not check their checksums.
"""

from __future__ import annotations

import posixpath
import zipfile

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from lxml import etree

from domain.errors import ValidationFailed
from domain.zip_package import PackageKind, check_zip, file_error, shown

__all__ = ["check_package", "file_error", "not_docx"]

#: The whole package may expand this many times the upload limit (text XML compresses ~10×).
MAX_EXPANSION = 30
_CONTENT_TYPES = "[Content_Types].xml"
_PACKAGE_RELS = "_rels/.rels"
_PACKAGE_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_RELS_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
#: Main parts of other Office documents, to tell the uploader what they sent instead.
_OTHER_OFFICE = {
    CT.SML_SHEET_MAIN: "Excel 工作簿 (an Excel workbook)",
    CT.PML_PRESENTATION_MAIN: "PowerPoint 演示文稿 (a PowerPoint presentation)",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": "Word 模板 .dotx (a Word template)",
    "application/vnd.ms-word.document.macroEnabled.main+xml": "启用宏的 Word 文档 .docm (a macro-enabled document)",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml": "启用宏的 Word 模板 .dotm (a macro-enabled template)",
}


def _kind(max_bytes: int) -> PackageKind:
    return PackageKind(".docx", "not_docx", MAX_EXPANSION * max_bytes)


def not_docx(detail: str) -> ValidationFailed:
    return _kind(0).invalid(detail)


def check_package(data: bytes, max_bytes: int) -> None:
    """Refuse `data` unless it is a zip package python-docx can read safely (see the module)."""
    with check_zip(data, _kind(max_bytes)) as archive:
        _check_word(archive, {info.filename for info in archive.infolist() if not info.is_dir()})


def _xml(archive: zipfile.ZipFile, name: str) -> etree._Element:
    """A small package part (content types, relationships), already checked for a DTD."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        return etree.fromstring(archive.read(name), parser)
    except etree.XMLSyntaxError:
        raise not_docx(f"{shown(name)} 不是有效的 XML (a part of the .docx is not well-formed XML)") from None


def _check_word(archive: zipfile.ZipFile, names: set[str]) -> None:
    """A Word document: a package whose main part exists and is WordprocessingML."""
    if _CONTENT_TYPES not in names or _PACKAGE_RELS not in names:
        raise not_docx(
            "这是一个普通的 zip 压缩包，不是 Word 文档（缺少 [Content_Types].xml 或 _rels/.rels）"
            "(a zip file, but not a Word document package)"
        )
    targets = [
        rel.get("Target", "")
        for rel in _xml(archive, _PACKAGE_RELS).iter(f"{_RELS_NS}Relationship")
        if rel.get("Type") == RT.OFFICE_DOCUMENT and rel.get("TargetMode") != "External"
    ]
    if not targets:
        raise not_docx("压缩包中没有 Word 正文（_rels/.rels 未指明正文部件）(no main document part is named)")
    main = posixpath.normpath(targets[0].lstrip("/"))
    if main not in names:
        raise not_docx(f"缺少正文部件 {shown(main)} (the .docx has no {shown(main)})")
    content_type = _content_type(_xml(archive, _CONTENT_TYPES), main)
    if content_type != CT.WML_DOCUMENT_MAIN:
        what = _OTHER_OFFICE.get(content_type, "其他类型的文件 (another kind of file)")
        raise not_docx(f"这是{what}，不是 Word 文档 .docx (not a Word document)")


def _content_type(types: etree._Element, part: str) -> str:
    """[Content_Types].xml's type of `part`: its Override, else the Default of its extension."""
    for override in types.iter(f"{_PACKAGE_NS}Override"):
        if override.get("PartName", "").lstrip("/").lower() == part.lower():
            return override.get("ContentType", "")
    extension = posixpath.splitext(part)[1].lstrip(".").lower()
    for default in types.iter(f"{_PACKAGE_NS}Default"):
        if default.get("Extension", "").lower() == extension:
            return default.get("ContentType", "")
    return ""
