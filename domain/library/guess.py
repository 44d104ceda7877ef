"""A county document (公文) read from its text: title, 文号, issuer, dates and articles, guessed from
the layout GB/T 9704 prescribes, for staff to correct:

    中共大余县委文件                  版头: issuer + 文件
    余发〔2007〕20号                  文号 (余发[2007]20号 is read too, and written 〔〕)
    关于……的实施意见                  title
    各乡镇党委、政府，县直各单位：    body: 第X条 articles, or numbered paragraphs
    ……
    中共大余县委                      落款: issuer(s)
    2007年11月20日                    成文日期 (二〇〇七年十一月二十日 too)
    抄送：……                          版记: dropped

Only the head of the document is searched for its 文号: the body cites other documents' numbers.

A law or regulation carries its history under the title instead of a 落款, in brackets, often over
several lines:

    中华人民共和国土地管理法
    （1986年6月25日第六届全国人民代表大会常务委员会第十六次会议通过　根据……第一次修正
    ……　根据2026年11月1日……《关于修改〈中华人民共和国土地管理法〉的决定》第四次修正）

Its version is its last adoption, amendment or revision (2026-11-01), not "本法自1999年1月1日起施行"
in its last article, which an amendment by decision leaves as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath

import cn2an

from domain.enums import ArticleKind, LegalLevel, LegalSource, LegalStatus
from domain.library.document import ParsedDocument
from domain.library.effective import version_effective_date
from domain.library.extract import ExtractedText
from domain.library.markdown import ARTICLE_RE, split_articles
from domain.library.normalize import clean_text

HEAD_LINES = 8
TAIL_LINES = 15
_OPEN, _CLOSE = "〔\\[［【(（", "〕\\]］】)）"
_DOC_NUMBER = re.compile(rf"([\u4e00-\u9fff]{{1,12}})\s*[{_OPEN}]\s*(\d{{4}})\s*[{_CLOSE}]\s*(第?)\s*(\d+)\s*号")
_BANNER = re.compile(r"^(.{2,40}?)\s*文件$")
_HEAD_MARK = re.compile(r"^(特急|加急|平急|特提|绝密|机密|秘密|签发人.*|份号.*|\d{6})$")
_YEAR = "[0-9〇零一二三四五六七八九○]{4}"
_DAY = "[0-9一二三四五六七八九十]{1,3}"
_DATE = re.compile(rf"({_YEAR})\s*年\s*({_DAY})\s*月\s*({_DAY})\s*日")
_STANDALONE_DATE = re.compile(rf"^[（(]?\s*{_DATE.pattern}\s*[)）]?$")
_EFFECTIVE = re.compile(rf"自\s*{_DATE.pattern}\s*起\s*(施行|执行|实施|生效)")
_EFFECTIVE_ON_ISSUE = re.compile(r"自\s*(印发|发布|公布|下发|颁布)\s*之日\s*起\s*(施行|执行|实施|生效)")
_TAIL_NOTE = re.compile(r"^(抄送|抄报|主题词|附注)|印发$|^[（(].{0,30}[)）]$")
_SENTENCE = re.compile(r"[。；，：！？,;:!?、]")
_TITLE_END = re.compile(r"(法|通知|通报|意见|办法|规定|方案|决定|细则|规则|规程|批复|报告|函|纪要|条例|制度|规范|标准|规划|计划|要点|公告|通告|决议|命令|指引|措施)$")
_POLICY_END = re.compile(r"(方案|规划|计划|要点|纪要)$")
#: A history in brackets under the title: at most this many lines and characters.
HISTORY_LINES, HISTORY_CHARS = 12, 2000
#: An event of a history that makes a version (施行 alone does not).
_VERSION_EVENT = re.compile(r"通过|修正|修订|公布|发布|批准|决定")
_DIGITS = str.maketrans("〇零○一二三四五六七八九", "000123456789")


@dataclass
class _Head:
    title: str = ""
    doc_number: str = ""
    issuer: str = ""
    history: str = ""
    end: int = 0


def normalize_doc_number(text: str) -> str:
    """The first 文号 in `text`, written as GB/T 9704 does (余发[2007]20号 → 余发〔2007〕20号); '' if none."""
    m = _DOC_NUMBER.search(text)
    return f"{m[1]}〔{m[2]}〕{m[3]}{m[4]}号" if m else ""


def parse_cn_date(text: str) -> date | None:
    """The first date in `text`: 2007年11月20日 or 二〇〇七年十一月二十日."""
    m = _DATE.search(text)
    return _date(m[1], m[2], m[3]) if m else None


def _date(year: str, month: str, day: str) -> date | None:
    try:
        y = int(year.translate(_DIGITS))
        mo, d = (int(p) if p.isdigit() else int(cn2an.cn2an(p, "smart")) for p in (month, day))
        return date(y, mo, d)
    except (ValueError, KeyError, TypeError):
        return None


def _starts_body(line: str) -> bool:
    return bool(ARTICLE_RE.match(line)) or (line.startswith("#") and not line.startswith("# "))


def _head(lines: list[str], title_hint: str) -> _Head:
    """版头, 文号 and title at the top of the document."""
    head = _Head()
    i = 0
    while i < min(len(lines), HEAD_LINES):
        line = lines[i]
        banner = _BANNER.match(line)
        if banner and not head.issuer and not _SENTENCE.search(line):
            head.issuer = clean_text(banner[1])
        elif _DOC_NUMBER.search(line) and len(line) <= 40 and not head.doc_number:
            head.doc_number = normalize_doc_number(line)
        elif not _HEAD_MARK.match(line):
            break
        i += 1
    if title_hint and title_hint in lines[i : i + 3]:
        i = lines.index(title_hint, i)
    if i < len(lines) and not _starts_body(lines[i]) and not lines[i].endswith(("：", ":")):
        title = lines[i].removeprefix("# ").strip()
        i += 1
        # a long title broken over two lines
        while (
            i < len(lines) and not _TITLE_END.search(title) and len(title) + len(lines[i]) <= 80
            and not _SENTENCE.search(lines[i]) and not _starts_body(lines[i]) and not lines[i].startswith(("（", "("))
        ):  # fmt: skip
            title += lines[i]
            i += 1
        head.title = title_hint or title
    if i < len(lines) and not head.doc_number and _DOC_NUMBER.fullmatch(lines[i]):
        head.doc_number = normalize_doc_number(lines[i])  # 文号 under the title
        i += 1
    while (end := _bracketed(lines, i)) is not None:
        head.history = "\n".join(filter(None, [head.history, *lines[i:end]]))  # （2007年…会议通过）
        i = end
    head.end = i
    return head


def _bracketed(lines: list[str], start: int) -> int | None:
    """Where a bracketed block of lines opening at `start` ends (exclusive); None if none opens there
    or it does not close within HISTORY_LINES lines and HISTORY_CHARS characters."""
    if start >= len(lines) or not lines[start].startswith(("（", "(")):
        return None
    size = 0
    for end in range(start, min(len(lines), start + HISTORY_LINES)):
        size += len(lines[end])
        if size > HISTORY_CHARS or (end > start and _starts_body(lines[end])):
            return None
        if lines[end].endswith(("）", ")")):
            return end + 1
    return None


def history_version_date(history: str) -> date | None:
    """The last adoption, amendment or revision a history names: each date's event runs to the next date."""
    found = list(_DATE.finditer(history))
    versions = [
        day for m, after in zip(found, [*found[1:], None], strict=False)
        if _VERSION_EVENT.search(history[m.end() : after.start() if after else len(history)])
        and (day := _date(m[1], m[2], m[3])) is not None
    ]  # fmt: skip
    return max(versions, default=None)


def _is_signer(line: str) -> bool:
    return len(line) <= 30 and not _SENTENCE.search(line) and not _starts_body(line) and not line[0].isdigit()


@dataclass
class _Tail:
    start: int  # where the signature block (or the 版记) begins
    signers: list[str]
    signed: date | None = None
    after: list[str] = field(default_factory=list)  # 附件 after the signature


def _tail(lines: list[str], start: int) -> _Tail:
    """The 落款 (issuers, 成文日期) near the end, the 版记 dropped, and what follows the signature."""
    end = len(lines)
    while end > start and _TAIL_NOTE.search(lines[end - 1]) and not _STANDALONE_DATE.match(lines[end - 1]):
        end -= 1
    dated = [i for i in range(max(start, end - TAIL_LINES), end) if _STANDALONE_DATE.match(lines[i])]
    if not dated:
        return _Tail(end, [])
    d = dated[-1]
    m = _STANDALONE_DATE.match(lines[d])
    assert m is not None
    j = d
    while j > start and d - j < 3 and _is_signer(lines[j - 1]):
        j -= 1
    after = [line for line in lines[d + 1 : end] if not _TAIL_NOTE.search(line)]
    return _Tail(j, lines[j:d], _date(m[1], m[2], m[3]), after)


def guess_document(text: ExtractedText, filename: str, today: date | None = None) -> ParsedDocument:
    """The document an uploaded file holds, with metadata guessed from its text (source UPLOAD)."""
    lines = text.lines
    head = _head(lines, text.title_hint)
    tail = _tail(lines, head.end)
    signed = tail.signed
    body_lines = lines[head.end : tail.start]
    articles, outside = split_articles(body_lines, rejoin=text.hard_wrapped)
    if tail.after and articles and articles[0].kind is ArticleKind.ARTICLE:
        outside = "\n".join(filter(None, [outside, *tail.after]))  # 附件: outside the articles
    elif tail.after:
        articles, outside = split_articles(body_lines + tail.after, rejoin=text.hard_wrapped)
    whole = "\n".join(body_lines)
    effective = _EFFECTIVE.search(whole)
    effective_date = _date(effective[1], effective[2], effective[3]) if effective else None
    if effective_date is None and _EFFECTIVE_ON_ISSUE.search(whole):
        effective_date = signed
    if effective_date and signed and effective_date < signed:
        effective_date = None  # the text contradicts its own date: leave it to staff
    title = clean_text(head.title) or PurePath(filename).stem
    amended = history_version_date(head.history)
    if amended is not None:  # a law's own history: its last amendment is the version
        effective_date = version_effective_date(title, amended, effective_date)
    today = today or date.today()
    not_yet = effective_date is not None and effective_date > today
    return ParsedDocument(
        title=title,
        level=LegalLevel.POLICY if _POLICY_END.search(title) else LegalLevel.NORMATIVE_DOCUMENT,
        source=LegalSource.UPLOAD,
        source_ref=filename,
        status=LegalStatus.NOT_YET_EFFECTIVE if not_yet else LegalStatus.IN_FORCE,
        doc_type=m[1] if (m := _TITLE_END.search(title)) else "",
        doc_number=head.doc_number,
        issuer="、".join(tail.signers) or head.issuer,  # 落款 names joint issuers; the 版头 may not
        promulgation_date=signed or amended,
        effective_date=effective_date,
        version_date=signed or amended or effective_date,
        history=head.history,
        body=outside,
        articles=articles,
    )
