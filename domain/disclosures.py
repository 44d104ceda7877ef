"""公开记录: the unit's staff record each disclosure (scope, timing, channel, content, date), and
overdue detection for powers to be disclosed after each exercise (公开时限 TIMELY).

The plan: 每项重要权力行使后要根据规定的公开范围、时限要求及时公开，不得无故拖延，不得遗漏. An exercise
of a TIMELY power is disclosed in time when a TIMELY disclosure of the power dated from its finish
(finished_on) up to its disclosure deadline names that exercise — or names none, as a batch
publication of results (办理结果公示) covers every exercise finished before it. The deadline is
the power's 公开时限 when it states working days (事项办结后七个工作日内公开 → 7), else
DEFAULT_DISCLOSURE_WORKDAYS.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from domain import access
from domain.audit import record
from domain.enums import DisclosureChannel, DisclosureScope, DisclosureTiming
from domain.errors import Validator
from domain.models import DisclosureRecord, OperationRecord
from domain.operations import check_not_future, require_exercisable
from domain.services.common import clean_fields, snapshot, visible_power
from domain.workdays import DueDate, WorkCalendar, today

#: 《政府信息公开条例》第二十六条: 属于主动公开范围的政府信息，应当自该政府信息形成或者变更之日起
#: 20个工作日内及时公开 — the deadline of a power whose 公开时限 names no number of working days.
DEFAULT_DISCLOSURE_WORKDAYS = 20

_DIGITS = dict(zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
_WORKDAYS = re.compile(r"([0-9]+|[零〇一二两三四五六七八九十]+)\s*个?\s*工作日")


def _number(text: str) -> int | None:
    """12 or 十二 (up to 九十九) as an int."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return _DIGITS.get(text) if len(text) == 1 else None
    tens, _, units = text.partition("十")
    if len(tens) > 1 or len(units) > 1:
        return None
    return (_DIGITS.get(tens, 0) if tens else 1) * 10 + (_DIGITS.get(units, 0) if units else 0)


def disclosure_workdays(deadline_text: str) -> int:
    """The working days a power's 公开时限 allows after an exercise (DEFAULT_DISCLOSURE_WORKDAYS if none)."""
    match = _WORKDAYS.search(deadline_text or "")
    days = _number(match.group(1)) if match else None
    return days if days else DEFAULT_DISCLOSURE_WORKDAYS


@dataclass
class DisclosureData:
    power_id: int
    scope: DisclosureScope
    timing: DisclosureTiming
    channel: DisclosureChannel
    content: str
    disclosed_on: datetime.date
    operation_id: int | None = None  # the exercise disclosed; none for the catalogue or a batch


async def record_disclosure(
    viewer: access.Viewer, data: DisclosureData, on: datetime.date | None = None
) -> DisclosureRecord:
    """登记一次公开 of a published power, by its unit's staff."""
    on = on or today()
    async with in_transaction():
        power = await visible_power(viewer, data.power_id)
        access.require_record_keeper(viewer, power.unit_id)
        v = Validator()
        values = {
            "scope": data.scope, "timing": data.timing, "channel": data.channel, "content": data.content,
            "disclosed_on": data.disclosed_on,
        }  # fmt: skip
        cleaned = clean_fields(v, DisclosureRecord, values, allowed=values, required=("content",))
        check_not_future(v, "disclosed_on", data.disclosed_on, on)
        access.check_record_scope(v, viewer, cleaned.get("scope"))
        if data.operation_id is not None:
            named = await OperationRecord.exists(id=data.operation_id, power_id=power.id)
            v.check(named, "operation_id", "不是该职权的运行记录 (not an operation of this power)", "not_found")
        v.raise_if_any()
        require_exercisable(power)
        rec = await DisclosureRecord.create(power_id=power.id, operation_id=data.operation_id, **cleaned)
        await record(
            viewer, "disclosure.create", "disclosure_record", rec.id, power_id=power.id,
            operation_id=data.operation_id, **snapshot(rec, ("scope", "timing", "channel", "disclosed_on")),
        )  # fmt: skip
    return rec


@dataclass(frozen=True)
class OverdueDisclosure:
    operation: OperationRecord  # with its power
    workdays: int  # the deadline in working days after the finish
    due: DueDate
    disclosed_on: datetime.date | None  # a late disclosure, if one came after the deadline


async def overdue_disclosures(
    viewer: access.Viewer, unit_id: int, on: datetime.date | None = None
) -> list[OverdueDisclosure]:
    """Exercises of a unit's (and its offices') TIMELY powers not disclosed within their deadline,
    the deadline past: the oldest deadline first."""
    on = on or today()
    access.require_unit_oversight(viewer, unit_id)
    units = sorted(await access.unit_subtree_ids(unit_id))
    operations = (
        await OperationRecord.filter(
            access.record_q(viewer),  # a LEADERSHIP exercise is listed to the unit's leads, not its staff
            power__unit_id__in=units,
            power__disclosure_timing=DisclosureTiming.TIMELY,
            finished_on__lt=on,
        )
        .select_related("power")
        .order_by("finished_on", "id")
    )
    if not operations:
        return []
    disclosures: dict[int, list[tuple[int | None, datetime.date]]] = defaultdict(list)
    rows = await DisclosureRecord.filter(
        power_id__in=sorted({op.power_id for op in operations}), timing=DisclosureTiming.TIMELY
    ).values_list("power_id", "operation_id", "disclosed_on")
    for power_id, operation_id, disclosed_on in rows:
        disclosures[power_id].append((operation_id, disclosed_on))
    calendar = await WorkCalendar.load()
    overdue: list[OverdueDisclosure] = []
    for op in operations:
        assert op.finished_on is not None
        days = disclosure_workdays(op.power.disclosure_deadline)
        due = calendar.add_workdays(op.finished_on, days)
        if due is None or due.day >= on:  # (None: past the calendar's last day, as only an old row could say)
            continue
        covering = sorted(
            day for named, day in disclosures[op.power_id] if named in (None, op.id) and day >= op.finished_on
        )
        if covering and covering[0] <= due.day:
            continue
        overdue.append(OverdueDisclosure(op, days, due, covering[0] if covering else None))
    return sorted(overdue, key=lambda o: (o.due.day, o.operation.id))

