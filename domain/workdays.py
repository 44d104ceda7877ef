"""Chinese working days (工作日): statutory holidays and 调休 make-up days.

A year's days come, in this order, from a holiday table an admin loaded (HolidayYear), from the
chinese-calendar package, or, for a year neither knows yet, from weekends alone — and a date
computed on such a year is marked provisional instead of failing.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import chinese_calendar
from tortoise.transactions import in_transaction

from domain.access import Viewer, require_admin
from domain.audit import record
from domain.errors import Validator
from domain.workflow_models import ChangeNotice, HolidayDate, HolidayYear

#: Years the chinese-calendar package knows (it raises NotImplementedError outside them).
PACKAGE_YEARS = frozenset(day.year for day in (*chinese_calendar.holidays, *chinese_calendar.workdays))
_PACKAGE_HOLIDAYS = frozenset(chinese_calendar.holidays)
_PACKAGE_WORKDAYS = frozenset(chinese_calendar.workdays)  # 调休 make-up days
_PACKAGE_YEAR_COUNTS: dict[int, int] = {}  # working days of a whole year the package knows (and no table replaces)

#: 职权目录和流程图发生变更时，必须在20个工作日内向县公开办做出说明 (the plan, stage 3, 一盘).
NOTICE_WORKDAYS = 20


@dataclass(frozen=True)
class DueDate:
    day: datetime.date
    provisional: bool = False  # a year without a holiday table was counted on weekends alone


#: The longest time limit in working days a client may give anything (a step's or a power's 办理时限, a 公开时限,
#: a comment period): 1000 working days, about four years. The longest limits of the law the catalogue
#: cites are months (行政许可 20 + 10 working days, 行政复议 60 days, 政府信息公开 20 + 20 working days); a
#: larger number is a typing error, and an enormous one only an attempt on the server. Checked once, here.
MAX_LIMIT_WORKDAYS = 1000


def check_day_count(
    v: Validator, name: str, label: str, value: int | None, *, minimum: int = 0, maximum: int = MAX_LIMIT_WORKDAYS
) -> None:
    """A number of working days a client gives: from `minimum` to `maximum` (None: no limit, allowed)."""
    if isinstance(value, int) and not minimum <= value <= maximum:
        v.add(
            name,
            f"{label}应为 {minimum} 到 {maximum} 个工作日 ({name} must be {minimum}..{maximum} working days)",
            "out_of_range",
        )


_DAY = datetime.timedelta(days=1)


def _weekdays_through(day: datetime.date) -> int:
    """Mondays to Fridays from 0001-01-01 (a Monday) through `day`."""
    weeks, rest = divmod(day.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


def _weekday_after(day: datetime.date, n: int) -> datetime.date | None:
    """The `n`-th Monday to Friday after `day` (n ≥ 1); None when it lies past 9999-12-31."""
    if day.weekday() > 4:
        day -= datetime.timedelta(days=day.weekday() - 4)  # from a weekend, count from its Friday
    weeks, rest = divmod(n, 5)
    days = weeks * 7 + rest + (2 if day.weekday() + rest > 4 else 0)
    if days > (datetime.date.max - day).days:
        return None
    return day + datetime.timedelta(days=days)


@dataclass
class WorkCalendar:
    """Loaded holiday tables, by day; `is_workday` falls back to the package, then to weekends.

    Counting is arithmetic on weeks outside the years a table or the package knows, and walks days only
    within those years (a whole year's count is kept): its cost does not grow with the number of days."""

    loaded_years: frozenset[int] = frozenset()
    loaded_days: dict[datetime.date, bool] = field(default_factory=dict)
    _year_counts: dict[int, int] = field(default_factory=dict, init=False, repr=False, compare=False)  # loaded years

    @classmethod
    async def load(cls) -> WorkCalendar:
        years = await HolidayYear.all().values_list("year", flat=True)
        days = await HolidayDate.all().values_list("day", "workday")
        return cls(frozenset(years), dict(days))

    def knows(self, year: int) -> bool:
        return year in self.loaded_years or year in PACKAGE_YEARS

    def is_workday(self, day: datetime.date) -> bool:
        if day.year in self.loaded_years:
            return self.loaded_days.get(day, day.weekday() < 5)
        if day.year in PACKAGE_YEARS:  # chinese_calendar.is_workday's rule, without its range check (O(holidays))
            return day in _PACKAGE_WORKDAYS or (day.weekday() < 5 and day not in _PACKAGE_HOLIDAYS)
        return day.weekday() < 5

    @cached_property
    def _known_years(self) -> tuple[int, ...]:
        """The years whose working days are not weekdays alone, in order (a few dozen at most: 1990..2100)."""
        return tuple(sorted(self.loaded_years | PACKAGE_YEARS))

    def _walk(self, after: datetime.date, through: datetime.date) -> int:
        return sum(self.is_workday(after + datetime.timedelta(days=i)) for i in range(1, (through - after).days + 1))

    def _in_year(self, year: int, after: datetime.date, through: datetime.date) -> int:
        """Working days after `after` through `through`, both within `year` (or its eve); a whole year's
        count is kept."""
        if after == datetime.date(year - 1, 12, 31) and through == datetime.date(year, 12, 31):
            counts = self._year_counts if year in self.loaded_years else _PACKAGE_YEAR_COUNTS
            if year not in counts:
                counts[year] = self._walk(after, through)
            return counts[year]
        return self._walk(after, through)

    def add_workdays(self, start: datetime.date, count: int) -> DueDate | None:
        """The `count`-th working day after `start` (the day itself not counted); None when it lies past
        9999-12-31, the last day a date can be (a limit no client can set, but old rows might hold)."""
        if count <= 0:
            return DueDate(start)
        day, left = start, count
        for year in self._known_years:
            last = datetime.date(year, 12, 31)
            if last <= day:
                continue
            eve = datetime.date(year - 1, 12, 31)
            if day < eve:  # weekdays alone up to the year
                plain = _weekdays_through(eve) - _weekdays_through(day)
                if plain >= left:
                    return self._due(start, _weekday_after(day, left))
                day, left = eve, left - plain
            if day == eve and self._in_year(year, eve, last) < left:
                day, left = last, left - self._in_year(year, eve, last)  # the whole year
                continue
            while left and day < last:  # within the year: at most its days
                day += _DAY
                left -= self.is_workday(day)
            if not left:
                return self._due(start, day)
        return self._due(start, _weekday_after(day, left))

    def deadline(self, start: datetime.date, count: int) -> DueDate:
        """A statutory deadline: a fixed count of working days (at most MAX_LIMIT_WORKDAYS) from a date of
        this era, which always falls within the calendar."""
        due = self.add_workdays(start, count)
        assert due is not None, (start, count)  # 1000 working days from any day before 9990 are dates
        return due

    def _due(self, start: datetime.date, day: datetime.date | None) -> DueDate | None:
        if day is None:
            return None
        first = start.year + ((start.month, start.day) == (12, 31))
        # provisional when a year counted has no table: the years counted are few when all are known
        return DueDate(day, any(not self.knows(year) for year in range(first, day.year + 1)))

    def workdays_between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days after `start` up to and including `end` (0 when end ≤ start)."""
        if end <= start:
            return 0
        total = _weekdays_through(end) - _weekdays_through(start)
        for year in self._known_years:
            after, through = max(start, datetime.date(year - 1, 12, 31)), min(end, datetime.date(year, 12, 31))
            if after < through:  # the year's own count instead of its weekdays
                total += self._in_year(year, after, through) - (_weekdays_through(through) - _weekdays_through(after))
        return total


# -- loading a year's table ---------------------------------------------------------------------

_LINE = re.compile(
    r"^(?P<start>\d{4}-\d{2}-\d{2})(?:\s*(?:\.\.|~|至)\s*(?P<end>\d{4}-\d{2}-\d{2}))?"
    r"\s*[,，\s]\s*(?P<kind>holiday|workday|休|班)\s*(?:[,，\s]\s*(?P<name>.*))?$"
)


@dataclass(frozen=True)
class HolidayDay:
    day: datetime.date
    workday: bool
    name: str = ""


def parse_holiday_table(text: str) -> list[HolidayDay]:
    """Lines `2027-02-06..2027-02-12,holiday,春节` or `2027-02-14,workday,春节调休`; `#` comments.

    `休` and `班` may stand for holiday and workday; a range gives every day in it.
    """
    v = Validator()
    days: list[HolidayDay] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        match = _LINE.match(line)
        if match is None:
            v.add(
                f"line {number}",
                f"无法识别：{line} (expected `YYYY-MM-DD[..YYYY-MM-DD],holiday|workday,名称`)",
            )
            continue
        try:
            start = datetime.date.fromisoformat(match["start"])
            end = datetime.date.fromisoformat(match["end"]) if match["end"] else start
        except ValueError:
            v.add(f"line {number}", f"日期无效：{line} (not a valid date)")
            continue
        if end < start or (end - start).days > 31:
            v.add(f"line {number}", f"日期范围无效：{line} (a range runs forward, at most a month)")
            continue
        workday = match["kind"] in ("workday", "班")
        days += [
            HolidayDay(start + datetime.timedelta(days=i), workday, (match["name"] or "").strip())
            for i in range((end - start).days + 1)
        ]
    v.raise_if_any()
    return days


async def load_holiday_year(
    viewer: Viewer, year: int, days: Iterable[HolidayDay], source: str = ""
) -> HolidayYear:
    """Replace `year`'s holiday table (admins); provisional due dates falling in it are recomputed."""
    require_admin(viewer)
    days = list(days)
    v = Validator()
    v.check(1990 <= year <= 2100, "year", "年份无效 (year must be 1990..2100)")
    seen: set[datetime.date] = set()
    for i, d in enumerate(days):
        v.check(
            d.day.year == year,
            f"days.{i}.day",
            f"{d.day} 不在 {year} 年 (the day is not in {year})",
            "other_year",
        )
        v.check(d.day not in seen, f"days.{i}.day", f"{d.day} 重复 (the day is listed twice)", "duplicate")
        v.check(len(d.name) <= 50, f"days.{i}.name", "名称不能超过 50 个字符 (name is too long)", "too_long")
        seen.add(d.day)
    v.check(
        any(not d.workday for d in days), "days", "至少应有一个节假日 (list at least one holiday)", "required"
    )
    v.raise_if_any()
    async with in_transaction():
        table, created = await HolidayYear.get_or_create(year=year, defaults={"loaded_by": viewer.name})
        table.loaded_by, table.source = viewer.name, source[:300]
        await table.save()
        await HolidayDate.filter(holiday_year_id=table.id).delete()
        await HolidayDate.bulk_create(
            [HolidayDate(holiday_year=table, day=d.day, workday=d.workday, name=d.name) for d in days]
        )
        redated = await _redate_provisional_notices()
        from domain.complaints import redate_provisional  # here: domain.complaints imports this module

        complaints_redated = await redate_provisional(await WorkCalendar.load())
        from domain.information_requests import redate_provisional as redate_requests

        requests_redated = await redate_requests(await WorkCalendar.load())
        from domain.rectifications import redate_provisional as redate_rectifications

        rectifications_redated = await redate_rectifications(await WorkCalendar.load())
        await record(
            viewer,
            "holidays.load",
            "holiday_year",
            year,
            replaced=not created,
            holidays=sum(not d.workday for d in days),
            workdays=sum(d.workday for d in days),
            source=source,
            notices_redated=redated,
            complaints_redated=complaints_redated,
            information_requests_redated=requests_redated,
            rectifications_redated=rectifications_redated,
        )
    return table


async def _redate_provisional_notices() -> int:
    """Count again the due dates that were counted on weekends alone; they may now be final."""
    calendar = await WorkCalendar.load()
    changed = 0
    for notice in await ChangeNotice.filter(due_provisional=True):
        due = calendar.deadline(notice.opened_on, NOTICE_WORKDAYS)
        if (due.day, due.provisional) != (notice.due_on, notice.due_provisional):
            notice.due_on, notice.due_provisional = due.day, due.provisional
            await notice.save(update_fields=["due_on", "due_provisional", "updated_at"])
            changed += 1
    return changed


def read_holiday_file(path: Path) -> list[HolidayDay]:
    return parse_holiday_table(path.read_text(encoding="utf-8"))


def today() -> datetime.date:
    """Today in the county (Asia/Shanghai), whatever the server's zone."""
    return datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date()
