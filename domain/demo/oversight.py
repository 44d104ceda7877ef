"""The demo county's oversight that closes the loop (issue 24): 三定 functions of three departments, each with
one gap for 四个对应 to find (a function no power carries, a power carrying no function), an inspection of
国土资源局 with an open 整改 (past its deadline: the overdue list shows it) and a replied one of 财政局
awaiting 县公开办, and one 责任追究 record. Fixed data: the same county every time."""

from __future__ import annotations

from datetime import date

from tortoise.backends.base.client import BaseDBAsyncClient

from domain.codes import unit_code
from domain.demo.spec import REGION_CODE
from domain.demo.units import ALL_UNITS
from domain.enums import Grade, InspectionKind, RectificationStatus, Sanction
from domain.models import Power, Unit
from domain.oversight_models import Accountability, PowerFunction, Rectification, UnitFunction
from domain.workdays import WorkCalendar
from domain.workflow_models import Inspection

#: per department: its 三定 functions, each with the words of the powers that carry it out (a power
#: carries out every function one of whose words its name holds). The last function of each is carried
#: by no power; one power of each holds none of the words.
FUNCTIONS: dict[str, tuple[str, tuple[tuple[str, tuple[str, ...]], ...]]] = {
    "国土资源局": ("大余县国土资源局主要职责内设机构和人员编制规定（示例）", (
        ("负责建设用地的审核报批和供地管理，承担土地使用权划拨、转让的审批", ("用地", "荒山", "划拨", "闲置")),
        ("负责耕地保护和土地开发整理复垦，征收耕地开垦费和土地复垦费", ("耕地", "复垦", "保护和开发土地资源")),
        ("负责查处土地、矿产和测绘违法案件，实施监督检查", ("非法", "违法行为监督检查", "拒不交出", "违反规定转让", "矿产资源", "测绘单位")),
        ("负责地籍管理，承担土地调查、等级评定和土地登记", ("登记", "等级评定", "土地调查")),
        ("负责国有土地使用权的出让和收回", ("出让", "收回国有土地")),
        ("负责地质环境保护和地质灾害防治", ()),
    )),
    "财政局": ("大余县财政局主要职责内设机构和人员编制规定（示例）", (
        ("负责政府采购的监督管理，处理政府采购投诉", ("采购", "供应商")),
        ("负责会计管理和会计监督", ("会计",)),
        ("负责财政预算的编制和执行，审查乡镇预算", ("预算",)),
        ("负责行政事业单位国有资产管理", ()),
    )),
    "人劳社保局": ("大余县人事劳动和社会保障局主要职责内设机构和人员编制规定（示例）", (
        ("负责劳动保障监察，查处用人单位违法行为", ("劳动保障监察", "用人单位", "职业中介")),
        ("负责社会保险登记、征缴和待遇管理", ("社会保险",)),
        ("负责促进就业和失业保险", ("就业", "失业", "公益性岗位")),
        ("负责公务员的录用、考核和奖励", ("公务员",)),
        ("负责专业技术人员管理和职称评审", ()),
    )),
}
INSPECTED_ON = date(2026, 11, 16)


async def seed_oversight(conn: BaseDBAsyncClient | None = None) -> int:
    """Functions, their powers, the inspections and 整改 above, unless the county has functions already;
    how many functions it added."""
    codes = {s.key: unit_code(REGION_CODE, s.serial) for s in ALL_UNITS if s.key in FUNCTIONS}
    units = dict(await Unit.filter(code__in=list(codes.values())).using_db(conn).values_list("code", "id"))
    if not units or await UnitFunction.filter(unit_id__in=list(units.values())).using_db(conn).exists():
        return 0
    added = 0
    for key, (source, functions) in FUNCTIONS.items():
        unit_id = units.get(codes[key])
        if unit_id is None:  # a county seeded from fewer units (tests)
            continue
        offices = await Unit.filter(parent_id=unit_id).using_db(conn).values_list("id", flat=True)
        powers = await Power.filter(unit_id__in=[unit_id, *offices]).using_db(conn).order_by("code").values_list("id", "name")
        links = []
        for ordinal, (title, words) in enumerate(functions, start=1):
            function = await UnitFunction.create(unit_id=unit_id, ordinal=ordinal, title=title, source=source, using_db=conn)
            links += [PowerFunction(power_id=pid, function_id=function.id) for pid, name in powers if any(w in name for w in words)]
            added += 1
        await PowerFunction.bulk_create(links, using_db=conn)
    await _rectifications(conn, {key: units[code] for key, code in codes.items() if code in units})
    return added


async def _rectifications(conn: BaseDBAsyncClient | None, units: dict[str, int]) -> None:
    calendar = await WorkCalendar.load()
    land, finance = units.get("国土资源局"), units.get("财政局")
    if land is not None:
        inspection = await Inspection.create(
            unit_id=land, kind=InspectionKind.ACCEPTANCE, inspected_on=INSPECTED_ON, score=78, grade=Grade.PASS,
            findings="两项行政处罚职权的流程图缺少监督制约环节；公开栏未载明投诉举报电话。",
            follow_up="补齐监督制约环节，更新公开栏，十个工作日内书面报告整改情况。", inspector="县监察局检查组", using_db=conn,
        )  # fmt: skip
        issued = date(2026, 11, 17)
        due = calendar.deadline(issued, 10)
        await Rectification.create(
            inspection_id=inspection.id, unit_id=land, finding="两项行政处罚职权的流程图缺少监督制约环节",
            requirement="补充流程图中的监督制约环节和投诉举报途径，更新公开栏并书面报告整改情况。", workdays=10,
            issued_on=issued, issued_by="县监察局检查组", due_on=due.day, due_provisional=due.provisional, using_db=conn,
        )  # fmt: skip
    if finance is not None:
        inspection = await Inspection.create(
            unit_id=finance, kind=InspectionKind.SPECIAL, inspected_on=INSPECTED_ON, score=84, grade=Grade.GOOD,
            findings="政府采购合同备案信息未在规定时限内公开。", follow_up="建立合同备案即时公开制度。",
            inspector="县公开办", using_db=conn,
        )  # fmt: skip
        issued = date(2026, 11, 18)
        due = calendar.deadline(issued, 15)
        replied = await Rectification.create(
            inspection_id=inspection.id, unit_id=finance, finding="政府采购合同备案信息未在规定时限内公开",
            requirement="建立政府采购合同备案后七个工作日内公开的制度，补公开已备案合同。", workdays=15, issued_on=issued,
            issued_by="县公开办", due_on=due.day, due_provisional=due.provisional, status=RectificationStatus.REPLIED,
            round=1, reply="已制定《政府采购合同备案公开办法》，补公开合同12份，见县政府网站政府采购专栏。",
            replied_on=date(2026, 12, 1), replied_by="财政局政府采购管理办公室", using_db=conn,
        )  # fmt: skip
        await Accountability.create(
            unit_id=finance, inspection_id=inspection.id, rectification_id=replied.id, person="经办人（示例）",
            post="政府采购管理办公室科员", violation="政府采购合同备案后逾期未公开，累计12份。", sanction=Sanction.CIRCULATED_CRITICISM,
            basis="《大余县清权确权工作实施方案》检查验收和责任追究的规定", decided_on=date(2026, 11, 25),
            recorded_by="县监察局", using_db=conn,
        )  # fmt: skip
