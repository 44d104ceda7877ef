"""电子监察: alarms raised by the server, stored, listed for the unit and 监察局, sent as `case.alarm`.

A step of an exercise (its 办理时限, copied when it started) and a whole exercise — a case — (the power's
承诺时限 `time_limit_days`, counted from its 决策 date) each have a due day (operations.due_day, in working
days). On its due day a step or case still running gets a YELLOW alarm; once a working day has passed
after it, RED (the step's `overdue`: more working days taken than its limit). `raise_alarms` looks at
every running step and case (and those done recently) and writes what changed, one alarm per step or
case (a unique key): raised, escalated YELLOW → RED once, cleared when done (a YELLOW one also when its due
day moved later, and raised again once that is reached). A re-run with nothing changed writes nothing, and
reads in chunks, the event loop free between them (the server's requests go on). It runs once per
database (qingquan/supervision.py, under a lease); each change is audited, and the audit event queues
the `case.alarm` webhook deliveries in the same transaction (domain/catalog/webhooks.py).

A step or case found done already past its due day (entered afterwards) gets a RED alarm, cleared at once.
"""

from __future__ import annotations

import asyncio
import datetime
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field, replace

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.functions import Count
from tortoise.queryset import QuerySet
from tortoise.timezone import now as utc_now
from tortoise.transactions import in_transaction

from domain import access
from domain.alarm_models import Alarm
from domain.audit import record
from domain.case_models import ApplicationCase, CaseSuspension
from domain.cases import suspended_workdays
from domain.enums import AlarmKind, AlarmLevel, CaseStatus, OperationStage, Role
from domain.models import OperationRecord
from domain.operations import due_day
from domain.workdays import WorkCalendar
from domain.workflow_models import OperationStep

#: Who raises alarms, in the audit trail.
SYSTEM = access.Viewer(role=Role.ADMIN, name="system:电子监察")
#: Steps and cases done within this many days are looked at again (one done late and entered afterwards).
RECENT_DAYS = 31
#: Steps, cases or keys read per statement.
CHUNK = 1000


def alarm_level(calendar: WorkCalendar, due: datetime.date, on: datetime.date) -> AlarmLevel | None:
    """On `on`, something due on `due`: nothing before, YELLOW from the due day, RED once a working day
    has passed after it (a weekend after a Friday due day is still YELLOW)."""
    if on < due:
        return None
    return AlarmLevel.RED if calendar.workdays_between(due, on) > 0 else AlarmLevel.YELLOW


@dataclass(frozen=True)
class Timed:
    """A step or a case with a time limit: what its alarm needs."""

    key: str
    kind: AlarmKind
    operation_id: int
    step_id: int | None
    unit_id: int
    position_id: int | None
    start: datetime.date
    limit: int
    finished_on: datetime.date | None


@dataclass
class AlarmRound:
    raised: int = 0
    escalated: int = 0
    cleared: int = 0
    changed: list[int] = field(default_factory=list)  # the ids of the alarms written


def _ids(keys: Iterable[str], prefix: str) -> list[int]:
    return [int(k.split(":", 1)[1]) for k in keys if k.startswith(prefix)]


_STEP_COLUMNS = ("id", "operation_id", "operation__power__unit_id", "flow_step__position_id", "started_on", "time_limit_days", "finished_on")
_CASE_COLUMNS = ("id", "power__unit_id", "decided_on", "power__time_limit_days", "stage", "finished_on")


def _steps(rows: list[tuple]) -> list[Timed]:  # type: ignore[type-arg]
    return [
        Timed(f"step:{sid}", AlarmKind.STEP, op, sid, unit, position, start, limit, finished)
        for sid, op, unit, position, start, limit, finished in rows
    ]


def _cases(rows: list[tuple]) -> list[Timed]:  # type: ignore[type-arg]
    return [
        Timed(f"case:{op}", AlarmKind.CASE, op, None, unit, None, start, limit, finished if stage == OperationStage.RESULT else None)
        for op, unit, start, limit, stage, finished in rows
    ]


_APPLIED_COLUMNS = ("operation_id", "unit_id", "received_on", "chart", "closed_on")


def _applied(rows: list[tuple]) -> list[Timed]:  # type: ignore[type-arg]
    """Cases filed online or at the counter (网上审批): due from the day received, against the limit of the
    version they started under (their chart's), not the 决策 date the 附7 record gets when they close."""
    return [
        Timed(f"case:{op}", AlarmKind.CASE, op, None, unit, None, received, chart["time_limit_days"], closed)
        for op, unit, received, chart, closed in rows
        if isinstance(chart, dict) and chart.get("time_limit_days") is not None
    ]


async def _without_applied(chunk: list[Timed]) -> list[Timed]:
    """A record chunk less the 附7 records of applied cases (_applied times those)."""
    applied = set(await ApplicationCase.filter(operation_id__in=[t.operation_id for t in chunk]).values_list("operation_id", flat=True))
    return [t for t in chunk if t.operation_id not in applied]


async def stopped_clocks(chunk: list[Timed], calendar: WorkCalendar, on: datetime.date) -> list[Timed]:
    """补正 stops the clock: a step or case of an applied case is due later by the working days it stood
    suspended (between its start and the day it was done, or `on`)."""
    ops = sorted({t.operation_id for t in chunk})
    intervals: dict[int, list[tuple[datetime.date, datetime.date | None]]] = {}
    for op, suspended, resumed in await CaseSuspension.filter(case__operation_id__in=ops).order_by("id").values_list(
        "case__operation_id", "suspended_on", "resumed_on"
    ):
        intervals.setdefault(op, []).append((suspended, resumed))
    return [
        replace(t, limit=t.limit + suspended_workdays(calendar, intervals[t.operation_id], t.start, t.finished_on or on))
        if t.operation_id in intervals
        else t
        for t in chunk
    ]


async def _timed(on: datetime.date, open_keys: set[str], calendar: WorkCalendar) -> AsyncIterator[list[Timed]]:
    """Running steps and cases with a limit and those done since RECENT_DAYS, CHUNK at a time (by id: each
    chunk one indexed statement, the event loop free between them); then those with an open alarm not among
    them (done long ago while no round ran). Every chunk with its clocks stopped for 补正."""
    since = on - datetime.timedelta(days=RECENT_DAYS)
    seen: set[str] = set()
    steps = OperationStep.filter(Q(finished_on__isnull=True) | Q(finished_on__gte=since), time_limit_days__isnull=False)
    cases = OperationRecord.filter(
        Q(stage__in=[OperationStage.DECISION, OperationStage.EXECUTION]) | Q(finished_on__gte=since),
        power__time_limit_days__isnull=False, decided_on__isnull=False,
    )  # fmt: skip
    applied = ApplicationCase.filter(Q(status__in=[CaseStatus.OPEN, CaseStatus.SUSPENDED]) | Q(closed_on__gte=since))
    sources = ((steps, "id", _STEP_COLUMNS, _steps), (cases, "id", _CASE_COLUMNS, _cases), (applied, "operation_id", _APPLIED_COLUMNS, _applied))
    for query, key, columns, make in sources:
        last = 0
        while rows := await query.filter(**{f"{key}__gt": last}).order_by(key).limit(CHUNK).values_list(*columns):
            last = rows[-1][0]
            chunk = make(rows)
            if make is _cases:
                chunk = await _without_applied(chunk)
            seen.update(t.key for t in chunk)
            yield await stopped_clocks(chunk, calendar, on)
    left = sorted(open_keys - seen)
    for prefix, model, columns, make in (("step:", OperationStep, _STEP_COLUMNS, _steps), ("case:", OperationRecord, _CASE_COLUMNS, _cases)):
        ids = _ids(left, prefix)
        for i in range(0, len(ids), CHUNK):
            chunk = make(await model.filter(id__in=ids[i : i + CHUNK]).values_list(*columns))
            if make is _cases:  # an applied case closed long ago: timed from its receipt, as above
                chunk = await _without_applied(chunk)
                chunk += _applied(await ApplicationCase.filter(operation_id__in=ids[i : i + CHUNK]).values_list(*_APPLIED_COLUMNS))
            yield await stopped_clocks(chunk, calendar, on)


@dataclass
class Clock:
    """Due days and levels of one round, each worked out once per (start, limit) and (due, day): the subjects
    of a round share a few hundred dates, however many they are."""

    calendar: WorkCalendar
    on: datetime.date
    _dues: dict[tuple[datetime.date, int], datetime.date | None] = field(default_factory=dict)
    _levels: dict[tuple[datetime.date, datetime.date], AlarmLevel | None] = field(default_factory=dict)

    def level_of(self, t: Timed) -> tuple[AlarmLevel | None, datetime.date | None]:
        """The level `t` has reached today (or on the day it was done), and its due day."""
        day = t.finished_on or self.on
        if (day - t.start).days < t.limit:  # a due day is at least `limit` calendar days after the start
            return None, None
        if (t.start, t.limit) not in self._dues:
            due = due_day(self.calendar, t.start, t.limit)
            self._dues[t.start, t.limit] = due.day if due else None
        if (due_on := self._dues[t.start, t.limit]) is None:
            return None, None
        if (due_on, day) not in self._levels:
            self._levels[due_on, day] = alarm_level(self.calendar, due_on, day)
        return self._levels[due_on, day], due_on


@dataclass(frozen=True)
class CaseTiming:
    limit: int  # the power's 承诺时限 in working days
    due: datetime.date
    workdays: int  # taken from 决策 to 办结 (or to `on` while running)

    @property
    def late(self) -> bool:
        return self.workdays > self.limit


def case_timing(
    calendar: WorkCalendar,
    record: OperationRecord,
    limit: int | None,
    on: datetime.date,
    applied: tuple[datetime.date, Iterable[tuple[datetime.date, datetime.date | None]]] | None = None,
) -> CaseTiming | None:
    """A case against its power's promised limit (None without a limit or a 决策 date): for the 附7 filing,
    which marks one closed later than promised. `applied`: a case filed online or at the counter, its day
    received (its clock starts then) and its 补正 suspensions (the clock stood still)."""
    start = applied[0] if applied else record.decided_on
    if limit is None or start is None:
        return None
    end = record.finished_on if record.stage == OperationStage.RESULT and record.finished_on else on
    stopped = suspended_workdays(calendar, applied[1], start, end) if applied else 0
    due = due_day(calendar, start, limit + stopped)
    if due is None:
        return None
    return CaseTiming(limit, due.day, calendar.workdays_between(start, end) - stopped)


Suspensions = list[tuple[datetime.date, datetime.date | None]]


async def applied_clocks(operation_ids: list[int]) -> dict[int, tuple[int | None, tuple[datetime.date, Suspensions]]]:
    """For the 附7 records among `operation_ids` that are applied cases: the limit of the version each started
    under, and its day received with its 补正 suspensions (case_timing's `applied`)."""
    cases = await ApplicationCase.filter(operation_id__in=operation_ids).values_list("id", "operation_id", "received_on", "chart")
    stops: dict[int, Suspensions] = {}
    for case_id, suspended, resumed in await CaseSuspension.filter(case_id__in=[c[0] for c in cases]).order_by("id").values_list(
        "case_id", "suspended_on", "resumed_on"
    ):
        stops.setdefault(case_id, []).append((suspended, resumed))
    return {
        op: ((chart or {}).get("time_limit_days"), (received, stops.get(case_id, [])))
        for case_id, op, received, chart in cases
    }


@dataclass(frozen=True)
class Seen:
    """What a round needs of an alarm already stored (the row itself is read only to change it)."""

    id: int
    level: AlarmLevel
    cleared: bool


async def _existing(keys: list[str]) -> dict[str, Seen]:
    found: dict[str, Seen] = {}
    for i in range(0, len(keys), CHUNK):
        for alarm_id, key, level, cleared_on in await Alarm.filter(key__in=keys[i : i + CHUNK]).values_list(
            "id", "key", "level", "cleared_on"
        ):
            found[key] = Seen(alarm_id, AlarmLevel(level), cleared_on is not None)
    return found


async def _write(action: str, alarm_id: int, changes: dict[str, object], only_if: dict[str, object]) -> bool:
    """Change an alarm (if it is still as read: another round may have been first) and audit it; the
    audit event queues the webhook deliveries in the same transaction."""
    async with in_transaction():
        if not await Alarm.filter(id=alarm_id, **only_if).update(**changes):
            return False
        await _audit(action, await Alarm.get(id=alarm_id))
    return True


async def _audit(action: str, alarm: Alarm) -> None:
    await record(SYSTEM, action, "alarm", alarm.id, kind=alarm.kind.value, level=alarm.level.value,
                 operation_id=alarm.operation_id, step_id=alarm.step_id, due_on=alarm.due_on.isoformat(),
                 cleared=alarm.cleared_at is not None)  # fmt: skip


async def _raise(t: Timed, level: AlarmLevel, due: datetime.date, on: datetime.date, at: datetime.datetime) -> Alarm | None:
    """A new alarm; one done already is cleared at once (raised on the day it went past due)."""
    done = t.finished_on
    try:
        async with in_transaction():
            alarm = await Alarm.create(
                key=t.key, kind=t.kind, level=level, operation_id=t.operation_id, step_id=t.step_id, unit_id=t.unit_id,
                position_id=t.position_id, limit_days=t.limit, due_on=due, raised_at=at, raised_on=on if done is None else done,
                cleared_at=at if done else None, cleared_on=done,
            )  # fmt: skip
            await _audit("alarm.raise", alarm)
    except IntegrityError:  # raised meanwhile by another round (the command beside the server)
        return None
    return alarm


async def raise_alarms(on: datetime.date, at: datetime.datetime | None = None) -> AlarmRound:
    """One round of 电子监察 as of the county's day `on`: raise, escalate and clear what changed."""
    at = at or utc_now()
    done = AlarmRound()
    open_keys = set(await Alarm.filter(cleared_at__isnull=True).values_list("key", flat=True))
    clock = Clock(await WorkCalendar.load(), on)
    async for chunk in _timed(on, open_keys, clock.calendar):
        existing = await _existing([t.key for t in chunk])
        for t in chunk:
            await _round_one(t, existing.get(t.key), clock, at, done)
        await asyncio.sleep(0)  # the server's requests go on between chunks
    return done


async def _round_one(t: Timed, alarm: Seen | None, clock: Clock, at: datetime.datetime, done: AlarmRound) -> None:
    """What changed for one step or case, written."""
    on, finished = clock.on, t.finished_on is not None
    if alarm is not None and (alarm.cleared if finished else alarm.level is AlarmLevel.RED and not alarm.cleared):
        return  # nothing can change: a RED alarm stays until the step or case is done, a cleared one once it is
    level, due = clock.level_of(t)
    if alarm is None:
        if level is AlarmLevel.RED or (level is AlarmLevel.YELLOW and not finished):
            assert due is not None
            made = await _raise(t, level, due, on, at)
            if made is not None:
                done.raised += 1
                done.changed.append(made.id)
        return
    if level is AlarmLevel.RED and alarm.level is AlarmLevel.YELLOW and (
        await _write("alarm.escalate", alarm.id, {"level": AlarmLevel.RED, "escalated_at": at}, {"level": AlarmLevel.YELLOW})
    ):
        done.escalated += 1
        done.changed.append(alarm.id)
    if not alarm.cleared and (finished or level is None):
        # done, or (a YELLOW one) its due day moved later, a holiday table loaded: nothing to warn of now
        if await _write("alarm.clear", alarm.id, {"cleared_at": at, "cleared_on": t.finished_on or on}, {"cleared_at__isnull": True}):
            done.cleared += 1
            done.changed.append(alarm.id)
    elif alarm.cleared and not finished and level is not None:
        # cleared when its due day moved later, and reached again
        again = {"cleared_at": None, "cleared_on": None, "raised_at": at, "raised_on": on, "due_on": due}
        if await _write("alarm.reopen", alarm.id, again, {"cleared_at__isnull": False}):
            done.raised += 1
            done.changed.append(alarm.id)


# -- reading -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlarmFilter:
    unit_ids: frozenset[int] | None = None  # a unit and its offices
    position_id: int | None = None
    level: AlarmLevel | None = None
    kind: AlarmKind | None = None
    open: bool | None = None  # True: not cleared; False: cleared; None: both


def alarms_q(viewer: access.Viewer, f: AlarmFilter | None = None) -> Q:
    """The alarms `viewer` may see (access.alarm_q), narrowed by `f`."""
    f = f or AlarmFilter()
    q = access.alarm_q(viewer)
    if f.unit_ids is not None:
        q &= Q(unit_id__in=sorted(f.unit_ids))
    if f.position_id is not None:
        q &= Q(position_id=f.position_id)
    if f.level is not None:
        q &= Q(level=f.level)
    if f.kind is not None:
        q &= Q(kind=f.kind)
    if f.open is not None:
        q &= Q(cleared_at__isnull=f.open)
    return q


def alarms(viewer: access.Viewer, f: AlarmFilter | None = None) -> QuerySet[Alarm]:
    return Alarm.filter(alarms_q(viewer, f))


@dataclass
class AlarmCounts:
    """Alarms by level, per unit and per post (a case's alarm has no post)."""

    by_unit: dict[int, Counter[AlarmLevel]] = field(default_factory=dict)
    by_position: dict[tuple[int, int], Counter[AlarmLevel]] = field(default_factory=dict)  # (unit, post)

    @property
    def total(self) -> Counter[AlarmLevel]:
        return sum(self.by_unit.values(), Counter())


async def alarm_counts(viewer: access.Viewer, f: AlarmFilter | None = None) -> AlarmCounts:
    """For the dashboard: what `viewer` may see of the alarms, counted in two grouped statements."""
    q = alarms(viewer, f)
    counts = AlarmCounts()
    for row in await q.annotate(n=Count("id")).group_by("unit_id", "level").values("unit_id", "level", "n"):
        counts.by_unit.setdefault(row["unit_id"], Counter())[AlarmLevel(row["level"])] += row["n"]
    rows = await q.filter(position_id__isnull=False).annotate(n=Count("id")).group_by("unit_id", "position_id", "level").values(
        "unit_id", "position_id", "level", "n"
    )
    for row in rows:
        counts.by_position.setdefault((row["unit_id"], row["position_id"]), Counter())[AlarmLevel(row["level"])] += row["n"]
    return counts
