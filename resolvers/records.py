"""Pages of operation records (附7) and of cases (办件), by keyset both ways (resolvers/keyset.py), newest
first; visibility from domain.access (records) and domain.cases (cases) as before."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from tortoise.expressions import Q

from domain import access
from domain import models as m
from domain.case_models import ApplicationCase
from resolvers.keyset import PageArgs, SortKey, keyset_page
from resolvers.pagination import Page

if TYPE_CHECKING:
    from qingquan.settings import Settings
    from resolvers.loaders import Loaders

#: newest decision first (records not yet decided: where the database sorts NULL), then the newest row
RECORDS_ORDER = SortKey("decided_on", date, descending=True, nullable=True)
#: newest receipt first, then the newest row
CASES_ORDER = SortKey("received_on", date, descending=True)


async def records_page(
    viewer: access.Viewer, settings: Settings, loaders: Loaders, *, args: PageArgs, where: Q
) -> tuple[Page[m.OperationRecord], dict[int, int]]:
    """A page of the records `viewer` may see among `where`'s, and the unit of each one's power (which
    decides who reads its personal data): the powers come from the viewer's loader, primed for the page."""
    page = await keyset_page(
        m.OperationRecord, access.record_q(viewer) & where, RECORDS_ORDER, args,
        default=settings.default_page_size, maximum=settings.max_page_size,
    )  # fmt: skip
    powers = await loaders.power_by_id.load_many(sorted({r.power_id for r in page.items}))  # type: ignore[attr-defined]
    units = {p.id: p.unit_id for p in powers if p is not None}  # a record one sees is of a power one sees
    return page, {r.id: units[r.power_id] for r in page.items}  # type: ignore[attr-defined]


async def cases_page(settings: Settings, *, args: PageArgs, where: Q) -> Page[ApplicationCase]:
    """A page of the cases `where` (domain.cases.cases_q: the viewer's) selects."""
    return await keyset_page(
        ApplicationCase, where, CASES_ORDER, args, default=settings.default_page_size, maximum=settings.max_page_size
    )
