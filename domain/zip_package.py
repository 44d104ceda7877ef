"""An uploaded Office file (.docx, .xlsx) checked as a zip package before a library reads it.

python-docx and openpyxl trust their input: a damaged zip, a zip bomb or XML holding a DTD surface
as whatever exception happens to be raised deep inside them (KeyError, ParseError: undefined entity
…), or — worse — as text silently taken from an entity. Each problem is named here instead, as a
typed validation error on `file` whose message says what is wrong with the file (never an
exception's class), before any XML is parsed in full. The checks read only the zip's directory and
each XML part's prolog (a DOCTYPE comes before the root element), so they answer in milliseconds.

- the zip: it opens, is not encrypted (`kind.invalid_code`, e.g. not_docx)
- its size: no member expands more than MAX_MEMBER_RATIO times (a zip bomb), the whole not more
  than `kind.max_unpacked` bytes, not more than MAX_MEMBERS members (too_large)
- its XML: no part declares a DTD (<!DOCTYPE …>, entity declarations: "billion laughs", external
  entities): refused outright, as no Office document needs one (unsafe_xml)
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from domain.errors import FieldError, ValidationFailed

#: One member may expand this many times its compressed size (Apache POI's zip-bomb default):
#: Office's own parts stay near 30×, a bomb's are in the thousands …
MAX_MEMBER_RATIO = 100
#: … once it is past this size (a small member of repeated markup may compress beyond the ratio).
RATIO_GRACE_BYTES = 1 << 20
#: An Office document has dozens of parts; a zip of many thousands of members is not one.
MAX_MEMBERS = 5000
#: How much of a member is read at once.
CHUNK = 1 << 16
_DTD = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_CONTENT_TYPES = "[Content_Types].xml"


@dataclass(frozen=True)
class PackageKind:
    """What the upload should be: its extension for messages, the code of a file that is no such
    package, how much it may unpack to, and whether every member is read through for its checksum
    (python-docx does not check them; openpyxl's reads do, and a damaged member is then a typed error
    where the sheet is read)."""

    extension: str
    invalid_code: str
    max_unpacked: int
    read_through: bool = True

    def invalid(self, detail: str) -> ValidationFailed:
        return file_error(f"不是有效的 {self.extension} 文件：{detail}", self.invalid_code)


def file_error(message: str, code: str) -> ValidationFailed:
    return ValidationFailed([FieldError("file", message, code)])


def shown(name: str) -> str:
    """A member's name for a message: printable, and short (it is the uploader's text)."""
    text = "".join(ch if ch.isprintable() else "?" for ch in name)
    return text if len(text) <= 80 else text[:77] + "…"


def open_zip(data: bytes, kind: PackageKind) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise kind.invalid(f"压缩包已损坏或不完整 (not a valid {kind.extension}: the zip archive is damaged or truncated)") from None


def check_zip(data: bytes, kind: PackageKind) -> zipfile.ZipFile:
    """Refuse `data` unless it is a zip package a library can read safely (see the module); the
    opened archive for the caller to read on (and close)."""
    archive = open_zip(data, kind)
    try:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        _check_sizes(infos, kind)
        for info in infos:
            if info.flag_bits & 0x1:
                raise kind.invalid(f"压缩包中的 {shown(info.filename)} 已加密 (not a valid {kind.extension}: the zip is encrypted)")
            _check_xml(archive, info, kind)
    except BaseException:
        archive.close()
        raise
    return archive


def _check_sizes(infos: list[zipfile.ZipInfo], kind: PackageKind) -> None:
    """Sizes as the zip declares them: reading a member never yields more than its declared size
    (zipfile stops there and checks the CRC), so the declared sizes bound what is unpacked."""
    if len(infos) > MAX_MEMBERS:
        raise file_error(
            f"压缩包中的文件过多（{len(infos)} 个）(the {kind.extension} holds {len(infos)} files; an Office document has dozens)",
            "too_large",
        )
    for info in infos:
        if info.file_size > RATIO_GRACE_BYTES and info.file_size > MAX_MEMBER_RATIO * max(info.compress_size, 1):
            raise file_error(
                f"文件解压后过大：{shown(info.filename)} 由 {info.compress_size} 字节解压为 {info.file_size} 字节，"
                f"疑为压缩炸弹 (a zip bomb: {shown(info.filename)} expands {info.file_size // max(info.compress_size, 1)} times)",
                "too_large",
            )
    unpacked = sum(info.file_size for info in infos)
    if unpacked > kind.max_unpacked:
        raise file_error(
            f"文件解压后过大：{unpacked // (1 << 20)} MB，上限 {kind.max_unpacked // (1 << 20)} MB "
            f"(the {kind.extension} unpacks to {unpacked // (1 << 20)} MB, more than {kind.max_unpacked // (1 << 20)} MB)",
            "too_large",
        )


def member_chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, kind: PackageKind) -> Iterator[bytes]:
    """The member's bytes, a chunk at a time; a damaged member is a typed error."""
    try:
        with archive.open(info) as member:
            while chunk := member.read(CHUNK):
                yield chunk
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        raise kind.invalid(f"压缩包中的 {shown(info.filename)} 已损坏 (the zip member is damaged)") from None
    except NotImplementedError:
        raise kind.invalid(f"{shown(info.filename)} 的压缩方式不受支持 (unsupported zip compression)") from None
    except RuntimeError:  # zipfile: a member needing a password
        raise kind.invalid(f"压缩包中的 {shown(info.filename)} 已加密 (the zip is encrypted)") from None


def _is_xml_name(name: str) -> bool:
    return name == _CONTENT_TYPES or name.lower().endswith((".xml", ".rels", ".vml"))


def _looks_like_xml(head: bytes) -> bool:
    """A member whose name hides it: XML starts with `<` (after a byte-order mark, in UTF-8 or UTF-16)."""
    head = head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    return head.startswith((b"<", b"\xff\xfe", b"\xfe\xff", b"\x00<"))


def _check_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo, kind: PackageKind) -> None:
    """Refuse a part declaring a DTD. Only the prolog is parsed — a DOCTYPE comes before the root
    element — by a parser that neither loads nor expands anything."""
    chunks = member_chunks(archive, info, kind)
    first = next(chunks, b"")
    named_xml = _is_xml_name(info.filename)
    if named_xml or _looks_like_xml(first):
        _check_prolog(info.filename, first, chunks, named_xml, kind)
    if kind.read_through:
        for _ in chunks:  # the rest of the member: read through for its checksum
            pass
    chunks.close()


def _check_prolog(name: str, first: bytes, rest: Iterator[bytes], named_xml: bool, kind: PackageKind) -> None:
    parser = etree.XMLPullParser(events=("start",), resolve_entities=False, no_network=True, load_dtd=False)
    root = None
    try:
        for chunk in _chain(first, rest):
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
            raise _unsafe(name, kind) from None
        if named_xml:
            raise kind.invalid(f"{shown(name)} 不是有效的 XML (a part of the {kind.extension} is not well-formed XML)") from None
        return  # binary data that happens to start with `<`: not XML, and no library will parse it
    if root is not None:
        docinfo = root.getroottree().docinfo
        if docinfo.doctype or docinfo.internalDTD is not None:
            raise _unsafe(name, kind)


def _unsafe(name: str, kind: PackageKind) -> ValidationFailed:
    return file_error(
        f"该 {kind.extension} 文件的 {shown(name)} 含有 DTD（<!DOCTYPE>、实体声明），出于安全原因不予接受；"
        f"请在 Office 中另存为 {kind.extension} 后重新上传 "
        f"(the {kind.extension} contains a DTD / XML entity declarations, which are refused)",
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
