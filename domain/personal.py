"""Personal data in records, redacted once for every path (DESIGN.md, "Who sees what").

Applicants (and the persons named beside them) are shown only to the unit concerned and to
oversight roles (access.sees_personal_data). Everyone else gets the person field as None and every
free text of the record with the known names masked: 刘建国 → 刘某 for a person, ××× for anything
else (a company, a name in Latin letters). The GraphQL fields and the Word filings (docgen) both
call operation_record_text / record_note, so the two renderings cannot drift apart; a disclosure
record's content is masked with the applicant of the exercise it discloses.

Only names the record knows can be masked: a name typed into free text for nobody's field is
beyond what a program can recognise reliably. Masking errs on the safe side: 王平 is masked inside
王平安 too, and a short name that might be a company's is masked whole (×××).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from domain import access
from domain.models import DisclosureRecord, OperationRecord

#: What a person's name becomes in a public text (姓 + 某, as published decisions write it).
PERSON_MASK = "某"
#: What any other name (a company, a name in Latin letters) becomes.
OTHER_MASK = "×××"
#: Printed in a public form's person column in place of a withheld name.
WITHHELD = "（不公开）"
#: Two-character surnames (复姓), so that 欧阳娜娜 becomes 欧阳某 and not 欧某.
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 钟离 端木 独孤 南宫 西门 "
    "万俟 闻人 澹台 公冶 宗政 濮阳 太叔 申屠 赫连 呼延 第五 百里 东郭 南门 羊舌 微生 梁丘 左丘 东门".split()
)
#: Labels written beside names in a person field (大余县某公司（法定代表人：王小明）): not names.
_LABELS = frozenset({"法定代表人", "负责人", "代理人", "委托代理人", "申请人", "当事人", "联系人", "经营者", "户主"})
#: What separates several names in one field.
_SEPARATORS = re.compile(r"[、，,；;/／|｜（）()\[\]【】:：\s\u3000]+")
#: A person's name in Chinese: 2 to 4 characters (a middle dot for transliterated names).
_PERSON = re.compile(r"[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]{1,6}·[\u4e00-\u9fff·]{1,10}")
#: Endings of organisations: a name ending so is not a person's, however short.
_ORGANISATION_ENDINGS = (
    "公司", "厂", "店", "社", "局", "站", "所", "部", "院", "校", "中心", "协会", "集团", "委员会", "村", "组",
    "场", "行", "馆", "园", "会", "处", "室", "队", "矿",
)  # fmt: skip
#: Between two characters of a name, free text may hold spaces (刘 建国): they still match.
_GAP = r"[\s\u3000]*"


#: Words joining names (刘建国和王小明): split on them when every piece can be a name (和丽 stays whole).
_JOINERS = re.compile(r"[和及与同跟]")
#: Endings that count people rather than name them (刘建国等3人, 王小明夫妇).
_COUNTING = re.compile(r"(等\d+人|等[一二两三四五六七八九十百]+人|等人|等|夫妇|夫妻|一家|全家)$")


def person_names(*fields: str) -> tuple[str, ...]:
    """The names person fields hold: 「刘建国、某公司（法定代表人：王小明）」 gives three."""
    found: dict[str, None] = {}
    for value in fields:
        for part in _SEPARATORS.split(value or ""):
            part = _COUNTING.sub("", part.strip())
            joined = [_COUNTING.sub("", p) for p in _JOINERS.split(part)]
            for name in joined if len(joined) > 1 and all(len(p) >= 2 for p in joined) else [part]:
                if len(name) >= 2 and name not in _LABELS:
                    found[name] = None
    return tuple(found)


def is_person(name: str) -> bool:
    return bool(_PERSON.fullmatch(name)) and not name.endswith(_ORGANISATION_ENDINGS)


def mask(name: str) -> str:
    """刘建国 → 刘某, 欧阳娜娜 → 欧阳某; a company or anything else → ×××."""
    if not is_person(name):
        return OTHER_MASK
    surname = name[:2] if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES else name[0]
    return surname + PERSON_MASK


def _pattern(name: str) -> str:
    return _GAP.join(re.escape(ch) for ch in name if not ch.isspace())


def mask_names(text: str, names: Iterable[str]) -> str:
    """`text` with every occurrence of `names` masked (the longest first, so that a longer name is
    never left half-masked by a shorter one inside it; Latin letters case-insensitively)."""
    ordered = sorted({n for n in names if n.strip()}, key=len, reverse=True)
    if not text or not ordered:
        return text
    masks = {name: mask(name) for name in ordered}
    pattern = re.compile("|".join(f"(?P<n{i}>{_pattern(name)})" for i, name in enumerate(ordered)), re.IGNORECASE)

    def replace(match: re.Match[str]) -> str:
        return masks[ordered[int(match.lastgroup[1:])]]  # type: ignore[index]

    return pattern.sub(replace, text)


@dataclass(frozen=True)
class OperationRecordText:
    """附7's personal fields and free texts of one record, as one viewer may read them."""

    applicant: str | None  # None: withheld
    subject: str
    decision: str
    execution: str
    result: str
    withheld: bool  # a name was withheld from this viewer

    @property
    def applicant_cell(self) -> str:
        """The 申请人 cell of a printed form: the name, nothing when there is none, else WITHHELD."""
        return self.applicant if self.applicant is not None else WITHHELD if self.withheld else ""


def operation_record_text(viewer: access.Viewer, unit_id: int, record: OperationRecord) -> OperationRecordText:
    """The record's applicant and free texts for `viewer`; `unit_id` is the unit holding its power."""
    if access.sees_personal_data(viewer, unit_id):
        return OperationRecordText(
            record.applicant, record.subject, record.decision, record.execution, record.result, withheld=False
        )
    names = person_names(record.applicant)
    return OperationRecordText(
        applicant=None,
        subject=mask_names(record.subject, names),
        decision=mask_names(record.decision, names),
        execution=mask_names(record.execution, names),
        result=mask_names(record.result, names),
        withheld=bool(record.applicant.strip()),
    )


def record_note(viewer: access.Viewer, unit_id: int, applicant: str, note: str) -> str:
    """A free text attached to a record (a step's note), as `viewer` may read it."""
    if access.sees_personal_data(viewer, unit_id):
        return note
    return mask_names(note, person_names(applicant))


def disclosed_applicant(record: DisclosureRecord) -> str:
    """The applicant of the exercise a disclosure names ("" for none): its content may name them.
    The operation must have been fetched with it (select_related), or this fails loudly rather than
    let a name through unmasked."""
    if record.operation_id is None:
        return ""
    operation = record.operation
    if not isinstance(operation, OperationRecord):
        raise TypeError("fetch a disclosure record with its operation (select_related('operation'))")
    return operation.applicant
