"""通报 (issue 24, item 4): 县公开办 (a REVIEWER holding the OPENNESS_OFFICE seat) drafts a bulletin on the
programme's progress and results from the data — which units have reached which stage, the grades of the
latest inspections, overdue change notices, complaints and published 民意测验 — edits it, and publishes
it; the public reads published bulletins (the API, the portal, a Word 通报 in the 公文 layout).

What a bulletin shows follows the visibility rule, because it is public once published:
- the figures are drafted without any confidential power: progress and stages ignore them; change
  notices and complaints are counted only for powers the public sees (a complaint about the unit itself,
  naming no power, counts too); no power is named;
- no personal data: the draft names nobody, and a bulletin whose text holds the name of a complainant,
  a requester for information, an applicant of a record or a commenter is refused at publication
  (`personal_data`), nothing published.
Drafts are seen by oversight roles (reviewers, inspectors, admins) only; published ones by everyone.
"""

from __future__ import annotations

import asyncio
import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable

from tortoise.expressions import Q
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from domain import access
from domain.audit import record
from domain.change_notices import UNEXPLAINED
from domain.comment_models import PublicComment
from domain.complaints import WAITING as COMPLAINT_WAITING
from domain.enums import BulletinStatus, ComplaintStatus, Grade, PowerStatus, ProgrammeStage, ReviewSeat, Role
from domain.errors import (
    FieldError,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
    Validator,
)
from domain.inspections import GRADE_FLOORS
from domain.loop_models import Bulletin, Survey
from domain.models import FlowChart, OperationRecord, Power, Unit
from domain.operations import check_text
from domain.statistics import STAGES, UnitProgress
from domain.workdays import today
from domain.workflow_models import ChangeNotice, Complaint, InformationRequest, Inspection

TITLE_LIMIT = 200
NUMBER_LIMIT = 100
BODY_LIMIT = 20000
NOT_FOUND = "通报不存在或无权查看 (bulletin not found)"
ISSUER = "县清权确权工作领导小组办公室"


def require_openness_office(viewer: access.Viewer) -> None:
    """通报 are issued by 县公开办: a reviewer holding the OPENNESS_OFFICE seat."""
    if not (viewer.role == Role.REVIEWER and viewer.seat == ReviewSeat.OPENNESS_OFFICE):
        raise PermissionDenied("只有县公开办可以起草和发布通报 (only the openness office issues bulletins)")


def bulletin_q(viewer: access.Viewer) -> Q:
    """Published bulletins for everyone; drafts for oversight roles only."""
    return Q() if viewer.sees_all else Q(status=BulletinStatus.PUBLISHED)


# -- drafting from the data ------------------------------------------------------------------------


def _names(units: dict[int, str], ids: Iterable[int]) -> str:
    return "、".join(units[i] for i in sorted(set(ids), key=lambda i: units[i]))


async def _progress() -> dict[int, UnitProgress]:
    """Each unit's stage, counted over its powers that are not confidential (a bulletin never counts one)."""
    powers = Power.filter(confidential=False)
    found: dict[int, UnitProgress] = {}
    for row in await powers.annotate(n=Count("id")).group_by("unit_id", "status").values("unit_id", "status", "n"):
        found.setdefault(row["unit_id"], UnitProgress(row["unit_id"])).by_status[PowerStatus(row["status"])] += row["n"]
    charts = FlowChart.filter(power__confidential=False, power__status=PowerStatus.PUBLISHED)
    for row in await charts.annotate(n=Count("id")).group_by("power__unit_id").values("power__unit_id", "n"):
        if row["power__unit_id"] in found:
            found[row["power__unit_id"]].with_chart = row["n"]
    for unit_id in await Inspection.filter(unit_id__in=list(found)).exclude(grade=Grade.FAIL).values_list("unit_id", flat=True):
        found[unit_id].inspected = True
    return found


async def draft_text(on: datetime.date) -> str:
    """The body of a new bulletin, from the data as of `on` (see the module's rules on what it may show)."""
    units = dict(await Unit.all().values_list("id", "name"))
    public_power = access.power_q(access.PUBLIC, "power__")
    sections: list[str] = []

    progress = await _progress()
    by_stage: dict[ProgrammeStage, list[int]] = defaultdict(list)
    for unit_id, p in progress.items():
        by_stage[p.stage].append(unit_id)
    lines = [f"截至{on.year}年{on.month}月{on.day}日，全县共有{len(progress)}个单位开展清权确权工作。"]
    for stage in reversed(STAGES):
        if by_stage[stage]:
            lines.append(f"处于“{stage.label}”阶段的单位{len(by_stage[stage])}个：{_names(units, by_stage[stage])}。")
    sections.append("一、工作进展\n" + "".join(lines))

    latest: dict[int, Inspection] = {}
    for inspection in await Inspection.all().order_by("unit_id", "-inspected_on", "-id"):
        latest.setdefault(inspection.unit_id, inspection)
    grades: dict[Grade, list[int]] = defaultdict(list)
    for unit_id, inspection in latest.items():
        grades[inspection.grade].append(unit_id)
    if latest:
        text = "；".join(f"{g.label}：{_names(units, grades[g])}" for _, g in GRADE_FLOORS if grades[g])
        sections.append(f"二、检查考评\n已有{len(latest)}个单位接受检查考评，最近一次定级为{text}。")
    else:
        sections.append("二、检查考评\n尚未开展检查考评。")

    late = await (
        ChangeNotice.filter(public_power, status__in=UNEXPLAINED, due_on__lt=on)
        .annotate(n=Count("id")).group_by("power__unit_id").values("power__unit_id", "n")
    )  # fmt: skip
    if late:
        text = "、".join(f"{units[r['power__unit_id']]}{r['n']}项" for r in sorted(late, key=lambda r: units[r["power__unit_id"]]))
        sections.append(f"三、变更说明\n逾期未作变更说明的：{text}。请有关单位抓紧说明。")
    else:
        sections.append("三、变更说明\n已公开职权的变更均在规定时限内作出说明。")

    about_public = Q(power_id__isnull=True) | access.power_q(access.PUBLIC, "power__")
    complaints = await Complaint.filter(about_public).values_list("unit_id", "status", "due_on")
    status = Counter(s for _, s, _ in complaints)
    overdue = Counter(u for u, s, due in complaints if s in COMPLAINT_WAITING and due is not None and due < on)
    text = f"共受理群众投诉{len(complaints)}件，已答复{status[ComplaintStatus.ANSWERED]}件，不予受理{status[ComplaintStatus.REJECTED]}件"
    if overdue:
        text += "；逾期未办结的：" + "、".join(f"{units[u]}{n}件" for u, n in sorted(overdue.items(), key=lambda x: units[x[0]]))
    sections.append(f"四、投诉处理\n{text}。")

    surveys = await Survey.filter(summary_published_on__isnull=False, power_id__isnull=True).order_by("summary_published_on", "id")
    surveys += await Survey.filter(summary_published_on__isnull=False, power__confidential=False).filter(
        access.power_q(access.PUBLIC, "power__")
    ).order_by("summary_published_on", "id")  # fmt: skip
    if surveys:
        sections.append("五、民意测验\n" + "".join(f"《{s.title}》已公布测评结果。" for s in surveys))
    return "\n\n".join(sections)


async def draft_bulletin(viewer: access.Viewer, title: str, number: str = "", on: datetime.date | None = None) -> Bulletin:
    """起草通报: the body drafted from the data, to be edited before publication."""
    on = on or today()
    require_openness_office(viewer)
    v = Validator()
    title = check_text(v, "title", "通报标题", title, limit=TITLE_LIMIT)
    number = check_text(v, "number", "文号", number, required=False, limit=NUMBER_LIMIT)
    v.raise_if_any()
    body = await draft_text(on)
    async with in_transaction():
        bulletin = await Bulletin.create(title=title, number=number, body=body, drafted_on=on, drafted_by=viewer.name)
        await record(viewer, "bulletin.draft", "bulletin", bulletin.id)
    return bulletin


async def _draft(bulletin_id: int) -> Bulletin:
    bulletin = await Bulletin.select_for_update().get_or_none(id=bulletin_id)
    if bulletin is None:
        raise NotFound(NOT_FOUND)
    if bulletin.status != BulletinStatus.DRAFT:
        raise IllegalTransition("通报已发布，不能修改 (a published bulletin is not changed)", "edit", bulletin.status.value)
    return bulletin


async def edit_bulletin(
    viewer: access.Viewer, bulletin_id: int, *, title: str | None = None, number: str | None = None, body: str | None = None
) -> Bulletin:
    """修改 a draft: its title, 文号 or text."""
    require_openness_office(viewer)
    v = Validator()
    changes: dict[str, str] = {}
    if title is not None:
        changes["title"] = check_text(v, "title", "通报标题", title, limit=TITLE_LIMIT)
    if number is not None:
        changes["number"] = check_text(v, "number", "文号", number, required=False, limit=NUMBER_LIMIT)
    if body is not None:
        changes["body"] = check_text(v, "body", "通报正文", body, limit=BODY_LIMIT)
    v.raise_if_any()
    async with in_transaction():
        bulletin = await _draft(bulletin_id)
        for name, value in changes.items():
            setattr(bulletin, name, value)
        await bulletin.save()
        await record(viewer, "bulletin.edit", "bulletin", bulletin.id, fields=sorted(changes))
    return bulletin


async def personal_names() -> set[str]:
    """Names of people whose data is personal (complainants, requesters, applicants, commenters)."""
    names: set[str] = set()
    for model, column in (
        (Complaint, "complainant_name"), (InformationRequest, "requester_name"),
        (OperationRecord, "applicant"), (PublicComment, "commenter_name"),
    ):  # fmt: skip
        # ordered by the name itself: PostgreSQL's DISTINCT refuses the models' own ordering (by id)
        found = model.exclude(**{column: ""}).order_by(column).distinct().values_list(column, flat=True)
        names.update(n.strip() for n in await found)
    return {n for n in names if len(n) >= 2}


def names_in(text: str, names: set[str], public_names: Iterable[str] = ()) -> list[str]:
    """Which of `names` occur in `text` outside the `public_names` it holds (units: 黄龙镇 is no person 黄龙):
    each length's substrings of the text in a set, so the cost is the text's length times the number of
    distinct name lengths, plus the names, never text × names."""
    for public in sorted((p for p in public_names if p and p in text), key=len, reverse=True):
        text = text.replace(public, "\n")
    found: list[str] = []
    by_length: dict[int, list[str]] = defaultdict(list)
    for name in names:
        by_length[len(name)].append(name)
    for length, group in by_length.items():
        if length > len(text):
            continue
        pieces = {text[i : i + length] for i in range(len(text) - length + 1)}
        found.extend(n for n in group if n in pieces)
    return sorted(found)


async def publish_bulletin(viewer: access.Viewer, bulletin_id: int, on: datetime.date | None = None) -> Bulletin:
    """发布: the bulletin becomes public, unless its text names a person whose data is personal."""
    on = on or today()
    require_openness_office(viewer)
    bulletin = await Bulletin.get_or_none(id=bulletin_id)
    if bulletin is None:
        raise NotFound(NOT_FOUND)
    units = await Unit.all().values_list("name", "short_name")
    public = {name for pair in units for name in pair if name}
    named = await asyncio.to_thread(names_in, f"{bulletin.title}\n{bulletin.body}", await personal_names(), public)
    if named:
        # the names are not repeated in the error: the caller sees only how many
        raise ValidationFailed([FieldError(
            "body", f"通报中含有{len(named)}处个人信息（投诉人、申请人等的姓名），请删除后再发布 "
            f"(the text names {len(named)} person(s) whose data is personal)", "personal_data",
        )])  # fmt: skip
    async with in_transaction():
        bulletin = await _draft(bulletin_id)
        bulletin.status, bulletin.published_on, bulletin.published_by = BulletinStatus.PUBLISHED, on, viewer.name
        await bulletin.save()
        await record(viewer, "bulletin.publish", "bulletin", bulletin.id, published_on=on.isoformat())
    return bulletin


def paragraphs(body: str) -> list[str]:
    """The text's paragraphs (lines), blank ones left out."""
    return [line.strip() for line in body.splitlines() if line.strip()]
