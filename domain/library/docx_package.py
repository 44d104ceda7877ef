"""An uploaded .docx checked as a package before python-docx reads it.

python-docx trusts its input: a damaged zip, a zip bomb, a zip that is no Word document or XML
holding a DTD surface as whatever exception happens to be raised deep inside it (KeyError,
AttributeError, XMLSyntaxError …), or — worse — as a document silently missing the text behind an
entity. Each problem is named here instead, as a typed validation error on `file` whose message
says what is wrong with the file (never an exception's class), before any XML is parsed in full.

- the zip: it opens, is not encrypted, every member reads with its checksum (not_docx)
- its size: no member expands more than MAX_MEMBER_RATIO times (a zip bomb), the whole not more
  than MAX_EXPANSION times the upload limit, not more than MAX_MEMBERS members (too_large)
- its XML: no part declares a DTD (<!DOCTYPE …>, entity declarations: "billion laughs", external
  entities): refused outright, as no Word document needs one (unsafe_xml)
- a Word document: [Content_Types].xml, _rels/.rels naming the main part, the part itself, of the
  WordprocessingML type (not_docx)
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from lxml import etree

from domain.errors import FieldError, ValidationFailed

#: The whole package may expand this many times the upload limit (text XML compresses ~10×).
MAX_EXPANSION = 30
#: One member may expand this many times its compressed size (Apache POI's zip-bomb default):
#: Word's own parts stay near 30×, a bomb's are in the thousands …
MAX_MEMBER_RATIO = 100
#: … once it is past this size (a small member of repeated markup may compress beyond the ratio).
RATIO_GRACE_BYTES = 1 << 20
#: A Word document has dozens of parts; a zip of many thousands of members is not one.
MAX_MEMBERS = 5000
#: How much of a member is read at once while looking for its DOCTYPE.
CHUNK = 1 << 16
_DTD = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
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


def file_error(message: str, code: str) -> ValidationFailed:
    return ValidationFailed([FieldError("file", message, code)])


def _shown(name: str) -> str:
    """A member's name for a message: printable, and short (it is the uploader's text)."""
    text = "".join(ch if ch.isprintable() else "?" for ch in name)
    return text if len(text) <= 80 else text[:77] + "…"


def not_docx(detail: str) -> ValidationFailed:
    return file_error(f"不是有效的 .docx 文件：{detail}", "not_docx")


def check_package(data: bytes, max_bytes: int) -> None:
    """Refuse `data` unless it is a zip package python-docx can read safely (see the module)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise not_docx("压缩包已损坏或不完整 (not a valid .docx: the zip archive is damaged or truncated)") from None
    with archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        _check_sizes(infos, max_bytes)
        for info in infos:
            if info.flag_bits & 0x1:
                raise not_docx(f"压缩包中的 {_shown(info.filename)} 已加密 (not a valid .docx: the zip is encrypted)")
            _check_xml(archive, info)
        _check_word(archive, {info.filename for info in infos})


def _check_sizes(infos: list[zipfile.ZipInfo], max_bytes: int) -> None:
    """Sizes as the zip declares them: reading a member never yields more than its declared size
    (zipfile stops there and checks the CRC), so the declared sizes bound what is unpacked."""
    if len(infos) > MAX_MEMBERS:
        raise file_error(
            f"压缩包中的文件过多（{len(infos)} 个）(the .docx holds {len(infos)} files; a Word document has dozens)",
            "too_large",
        )
    for info in infos:
        if info.file_size > RATIO_GRACE_BYTES and info.file_size > MAX_MEMBER_RATIO * max(info.compress_size, 1):
            raise file_error(
                f"文件解压后过大：{_shown(info.filename)} 由 {info.compress_size} 字节解压为 {info.file_size} 字节，"
                f"疑为压缩炸弹 (a zip bomb: {_shown(info.filename)} expands {info.file_size // max(info.compress_size, 1)} times)",
                "too_large",
            )
    if sum(info.file_size for info in infos) > MAX_EXPANSION * max_bytes:
        raise file_error("文件解压后过大 (the .docx expands too much)", "too_large")


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The member's bytes, a chunk at a time; a damaged member is a typed error."""
    try:
        with archive.open(info) as member:
            while chunk := member.read(CHUNK):
                yield chunk
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        raise not_docx(f"压缩包中的 {_shown(info.filename)} 已损坏 (the zip member is damaged)") from None
    except NotImplementedError:
        raise not_docx(f"{_shown(info.filename)} 的压缩方式不受支持 (unsupported zip compression)") from None
    except RuntimeError:  # zipfile: a member needing a password
        raise not_docx(f"压缩包中的 {_shown(info.filename)} 已加密 (the zip is encrypted)") from None


def _is_xml_name(name: str) -> bool:
    return name == _CONTENT_TYPES or name.lower().endswith((".xml", ".rels", ".vml"))


def _looks_like_xml(head: bytes) -> bool:
    """A member whose name hides it: XML starts with `<` (after a byte-order mark, in UTF-8 or UTF-16)."""
    head = head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    return head.startswith((b"<", b"\xff\xfe", b"\xfe\xff", b"\x00<"))


def _check_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Refuse a part declaring a DTD. Only the prolog is parsed — a DOCTYPE comes before the root
    element — by a parser that neither loads nor expands anything."""
    chunks = _chunks(archive, info)
    first = next(chunks, b"")
    named_xml = _is_xml_name(info.filename)
    if not (named_xml or _looks_like_xml(first)):
        for _ in chunks:  # still read it through: its checksum is checked at the end
            pass
        return
    parser = etree.XMLPullParser(events=("start",), resolve_entities=False, no_network=True, load_dtd=False)
    root = None
    try:
        for chunk in _chain(first, chunks):
            parser.feed(chunk)
            root = next((element for _event, element in parser.read_events()), None)
            if root is not None:
                break
        else:
            parser.close()
    except etree.XMLSyntaxError:
        # libxml2 stops some DTDs before the root is reached ("billion laughs": its amplification
        # limit); the declaration is then still in the part's first bytes
        if _declares_dtd(first):
            raise _unsafe(info.filename) from None
        if named_xml:
            raise not_docx(f"{_shown(info.filename)} 不是有效的 XML (a part of the .docx is not well-formed XML)") from None
        return  # binary data that happens to start with `<`: not XML, and python-docx will not parse it
    if root is not None:
        docinfo = root.getroottree().docinfo
        if docinfo.doctype or docinfo.internalDTD is not None:
            raise _unsafe(info.filename)
    for _ in chunks:  # the rest of the member: read through for its checksum
        pass


def _unsafe(name: str) -> ValidationFailed:
    return file_error(
        f"该 .docx 的 {_shown(name)} 含有 DTD（<!DOCTYPE>、实体声明），出于安全原因不予接受；"
        "请在 Word 中另存为 .docx 后重新上传 (the .docx contains a DTD / XML entity declarations, which are refused)",
        "unsafe_xml",
    )


def _declares_dtd(head: bytes) -> bool:
    """<!DOCTYPE or <!ENTITY in the first bytes of a part, in UTF-16 or an ASCII-compatible encoding."""
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[:2] in (b"\x00<", b"<\x00")
    if utf16:
        encoding = "utf-16" if head.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-16-be" if head[0] == 0 else "utf-16-le"
        text = head[: len(head) // 2 * 2].decode(encoding, errors="ignore")
    else:
        text = head.decode("latin-1")  # the keywords are ASCII: any ASCII-compatible encoding shows them
    return bool(_DTD.search(text))


def _chain(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest


def _xml(archive: zipfile.ZipFile, name: str) -> etree._Element:
    """A small package part (content types, relationships), already checked for a DTD."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        return etree.fromstring(archive.read(name), parser)
    except etree.XMLSyntaxError:
        raise not_docx(f"{_shown(name)} 不是有效的 XML (a part of the .docx is not well-formed XML)") from None


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
        raise not_docx(f"缺少正文部件 {_shown(main)} (the .docx has no {_shown(main)})")
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
