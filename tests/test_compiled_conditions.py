"""Statements compiled once per condition (domain.rows, issue 9): a viewer's rule is part of the key.

The loaders of records and powers, and the powers page, read through a shared Rows whose `where` is the
viewer's visibility rule: its statements are compiled once per shape and per condition, by value. These
tests hold them to tortoise's own queries for every kind of caller, one after another in one process (a
statement compiled for one viewer must never serve another), and to tortoise's for conditions laid out
in ways a compiled statement cannot serve.
"""

from __future__ import annotations

from typing import Any

import pytest
from tortoise import connections
from tortoise.expressions import F, Q

from domain import access
from domain import models as m
from domain.access import CLI, PUBLIC, Viewer
from domain.db import dialect
from domain.enums import DisclosureScope, Role
from domain.rows import Rows, _sql, condition_key
from resolvers.loaders import Loaders


def _same(ours: list[Any], theirs: list[Any]) -> None:
    assert [o.pk for o in ours] == [t.pk for t in theirs]
    for o, t in zip(ours, theirs, strict=True):
        names = [n for n in t.__dict__ if not n.startswith("_")]
        assert [getattr(o, n) for n in names] == [getattr(t, n) for n in names], type(t)


async def _viewers() -> list[Viewer]:
    land = await m.Unit.get(code="36072308")
    other = await m.Unit.filter(parent_id=land.parent_id).exclude(id=land.id).order_by("code").first()
    assert other is not None
    return [
        PUBLIC,
        CLI,
        Viewer(role=Role.UNIT_STAFF, name="land", unit_id=land.id, unit_ids=frozenset({land.id})),
        Viewer(role=Role.UNIT_LEAD, name="land lead", unit_id=land.id, unit_ids=frozenset({land.id})),
        Viewer(role=Role.UNIT_STAFF, name="other", unit_id=other.id, unit_ids=frozenset({other.id})),
        Viewer(role=Role.INSPECTOR, name="inspector"),
    ]


def test_a_condition_is_kept_by_its_value_and_type() -> None:
    assert condition_key(Q(unit_id__in=[3, 4])) == condition_key(Q(unit_id__in=[3, 4]))
    assert condition_key(Q(unit_id__in=[3, 4])) != condition_key(Q(unit_id__in=[3, 5]))
    assert condition_key(Q(confidential=True)) != condition_key(Q(confidential=1))  # True == 1 in Python
    assert condition_key(Q(a=1) | Q(b=2)) != condition_key(Q(a=1) & Q(b=2))
    assert condition_key(~Q(a=1)) != condition_key(Q(a=1))
    assert condition_key(Q(scope=DisclosureScope.PUBLIC)) != condition_key(Q(scope=DisclosureScope.INTERNAL))
    assert condition_key(Q(id=F("unit_id"))) is None  # an expression: compiled every time
    assert condition_key(None) == ()


async def test_each_viewer_loads_what_tortoise_gives_it(demo: object) -> None:
    """Records, powers by id, pages and counts, for six kinds of caller in turn and then again (the
    second time from statements compiled the first): exactly tortoise's rows for that caller."""
    viewers = await _viewers()
    power_ids = sorted(await m.Power.all().values_list("id", flat=True))
    with_records = sorted(set(await m.OperationRecord.all().values_list("power_id", flat=True)))
    disclosed = sorted(set(await m.DisclosureRecord.all().values_list("power_id", flat=True)))
    assert len(with_records) > 5 and disclosed
    seen: dict[str, set[int]] = {}
    for _ in range(2):
        for viewer in viewers:
            loaders = Loaders(viewer)
            rule = access.record_q(viewer)
            for loader, model, order, keys in (
                (loaders.operation_records_by_power_id, m.OperationRecord, ("-id",), with_records),
                (loaders.disclosure_records_by_power_id, m.DisclosureRecord, ("-disclosed_on", "-id"), disclosed),
            ):
                for some in (keys[:3], keys, keys[2:9]):
                    loaded = await loader.load_fn(some)
                    expected = await model.filter(rule, power_id__in=some).order_by(*order)
                    for key, group in zip(some, loaded, strict=True):
                        _same(group, [r for r in expected if r.power_id == key])
                seen.setdefault(f"{model.__name__} {viewer.name}", set()).update(
                    r.id for group in await loader.load_fn(keys) for r in group
                )
            powers = await loaders.power_by_id.load_fn(power_ids[:40])
            expected_powers = {p.id: p for p in await m.Power.filter(access.power_q(viewer), id__in=power_ids[:40])}
            assert {p.id for p in powers if p is not None} == expected_powers.keys(), viewer.name
            for power in filter(None, powers):
                _same([power], [expected_powers[power.id]])
            rows = Rows(m.Power.all().order_by("code", "id"), shared=True, where=access.power_q(viewer))
            ordered = m.Power.filter(access.power_q(viewer)).order_by("code", "id")
            assert await rows.count() == await ordered.count(), viewer.name
            for offset, limit in ((0, 20), (20, 20), (5, 3)):
                _same(await rows.page(offset, limit), await ordered.offset(offset).limit(limit))
    # the kinds of caller really differ, so a statement served to the wrong one would have been caught
    assert seen["OperationRecord public"] < seen["OperationRecord land"] < seen["OperationRecord cli"]
    assert seen["OperationRecord land"] != seen["OperationRecord other"]
    assert seen["DisclosureRecord public"] <= seen["DisclosureRecord inspector"]


async def test_conditions_a_compiled_statement_cannot_serve_are_built_by_tortoise(demo: object) -> None:
    """A condition whose parameters include the stand-ins for the keys, an expression, or keys that are
    not integers: the answer is tortoise's all the same."""
    ids = sorted(await m.Unit.all().values_list("id", flat=True))
    for where in (
        Q(id__in=[-1, -2, -3, *ids[:30]]) | Q(parent_id__in=[-2]),  # stand-ins skip these values
        Q(id=F("id")),  # an expression
        Q(),
    ):
        rows = Rows(m.Unit.all().order_by("id"), shared=True, where=where)
        for some in (ids[:5], ids[10:40], ids[:5]):
            _same(await rows.where_in("id", some), await m.Unit.filter(where, id__in=some).order_by("id"))
        assert await rows.count() == await m.Unit.filter(where).count()
    codes = sorted(await m.Unit.all().limit(6).values_list("code", flat=True))
    rows = Rows(m.Unit.all().order_by("id"), shared=True, where=Q(short_name__not="no such name"))
    _same(await rows.where_in("code", codes), await m.Unit.filter(code__in=codes).order_by("id"))


async def test_a_shared_rows_with_a_condition_still_refuses_a_queryset_of_its_own(demo: object) -> None:
    for queryset in (m.Power.filter(confidential=False), m.Power.all().limit(5)):
        rows = Rows(queryset, shared=True, where=Q(confidential=False))
        with pytest.raises(TypeError, match="same for every request"):
            await rows.where_in("id", [1, 2])
        with pytest.raises(TypeError, match="same for every request"):
            await rows.count()
        with pytest.raises(TypeError, match="same for every request"):
            await rows.page(0, 5)


async def test_a_page_sends_its_limit_and_offset_in_its_sql_on_postgresql(demo: object) -> None:
    """The first page's LIMIT is written into its statement (domain.rows._literal_page), which then has
    no parameter of it (a later offset keeps both as parameters: a statement per offset would churn the caches): with LIMIT a parameter, PostgreSQL planned the page anew at every execution (a
    generic plan for any number of rows never wins over one for 20), 0.9-1.5 ms of its CPU a page on a
    province's 28,700 powers (bench/RESULTS.md, session 13, h2). Its rows stay tortoise's own."""
    if dialect() != "postgres":
        pytest.skip("PostgreSQL's plan cache")
    fields = ("code", "id", "time_limit")
    rows = Rows(m.Power.all().order_by("code", "id"), fields, shared=True, where=access.power_q(PUBLIC))
    ordered = m.Power.filter(access.power_q(PUBLIC)).order_by("code", "id")
    for offset, limit in ((0, 20), (20, 20), (0, 20)):
        page = await rows.page(offset, limit)
        assert [p.id for p in page] == [p.id for p in await ordered.offset(offset).limit(limit)]
        assert len(page) == limit
        _, statement = rows._statement(("page", offset, limit), lambda db: None)
        assert statement is not None
        _, own = _sql(ordered.values(*fields), connections.get("default"))
        if offset == 0:
            assert statement.sql.endswith(" LIMIT 20"), statement.sql
            assert list(statement.params) == own  # the condition's, and no other
        else:  # a later offset stays a parameter: one statement for every offset a client may ask for
            assert statement.sql.endswith(f" LIMIT ${len(own) + 1} OFFSET ${len(own) + 2}"), statement.sql
            assert list(statement.params) == [*own, 20, 20]
