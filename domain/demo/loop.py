"""The demo county's oversight that closes the loop (issue 24): the seven networks with their lead units and
the powers exercised in each, a 民意测验 closed with its summary published (and the inspection resting on
it), one still open with a few answers, and a published 通报 drafted from the county's data.

Idempotent: each part is added only where the county lacks it (a network without a lead, a power not yet
placed in the network it is exercised in, the demo's survey and bulletin by their title and number), so a
county seeded before keeps its data and gains these on `seed-demo`, and a second run writes nothing."""

from __future__ import annotations

import random
from datetime import date, timedelta

from tortoise.transactions import in_transaction

from domain import access, bulletins, inspections, surveys
from domain.codes import unit_code
from domain.demo.records import SEED
from domain.demo.spec import REGION_CODE
from domain.demo.units import ALL_UNITS
from domain.enums import BulletinStatus, InspectionKind, InspectionMethod, Network, ReviewSeat, Role
from domain.loop_models import Bulletin, NetworkPower, NetworkProfile, Survey, SurveyResponse
from domain.models import OperationRecord, Power, Unit

INSPECTOR = access.Viewer(role=Role.INSPECTOR, name="县监察局（演示）")
OPENNESS_OFFICE = access.Viewer(role=Role.REVIEWER, name="县公开办（演示）", seat=ReviewSeat.OPENNESS_OFFICE)

LEADS: dict[Network, tuple[str, str]] = {
    Network.ADMINISTRATIVE_LICENSING: ("行政服务中心", "行政审批事项进驻县行政服务中心，统一受理、限时办结"),
    Network.GOVERNMENT_PROCUREMENT: ("财政局", "政府采购预算、方式、公告、评审、合同备案全过程公开"),
    Network.CONSTRUCTION_BIDDING: ("发改委", "建设工程招标、投标、开标、评标、定标全过程监督"),
    Network.LAND_TRANSFER: ("国土资源局", "国有建设用地使用权招标拍卖挂牌出让"),
    Network.SPECIAL_FUNDS: ("财政局", "专项资金申报、审核、拨付、使用全过程监管"),
    Network.PROPERTY_RIGHTS_TRADING: ("国资局", "国有产权转让进场交易"),
    Network.CIVIL_SERVANT_RECRUITMENT: ("人劳社保局", "公务员考试录用计划、报名、考试、体检、考察、公示"),
}
SATISFACTION = ["满意", "基本满意", "不满意"]
QUESTIONS = [
    surveys.Question("您对窗口工作人员的服务态度是否满意？", SATISFACTION),
    surveys.Question("您对办事效率（是否在承诺时限内办结）是否满意？", SATISFACTION),
    surveys.Question("办事过程中是否遇到“吃拿卡要”或推诿扯皮？", ["没有遇到", "遇到过"]),
]
CLOSED = (date(2026, 11, 2), date(2026, 11, 20), date(2026, 11, 23))  # opens, closes, summary published
OPEN = (date(2026, 12, 1), date(2027, 2, 26))
BULLETIN_DAY = date(2026, 11, 30)


def _unit_codes() -> dict[str, str]:
    return {s.key: unit_code(REGION_CODE, s.serial) for s in ALL_UNITS}


async def _networks(units: dict[str, int]) -> bool:
    """Each network's lead where it has none, and the powers exercised in each not yet placed in it."""
    added = False
    async with in_transaction():
        profiles = {p.network: p for p in await NetworkProfile.all()}
        for network, (key, text) in LEADS.items():
            profile = profiles.get(network)
            if profile is None:
                await NetworkProfile.create(network=network, lead_unit_id=units.get(key), description=text)
                added = True
            elif profile.lead_unit_id is None and units.get(key) is not None:
                profile.lead_unit_id, profile.description = units[key], profile.description or text  # type: ignore[assignment]
                await profile.save()
                added = True
        pairs = await OperationRecord.filter(network__isnull=False).order_by("power_id", "network").distinct().values_list(
            "power_id", "network"
        )
        have = set(await NetworkPower.all().values_list("power_id", "network"))
        missing = sorted(set(pairs) - have)
        await NetworkPower.bulk_create([NetworkPower(power_id=p, network=n) for p, n in missing])
    return added or bool(missing)


async def _answers(survey: Survey, rng: random.Random, count: int, days: tuple[date, date]) -> None:
    """`count` answer sheets, mostly content, spread over the survey's days."""
    span = (days[1] - days[0]).days
    rows = []
    for _ in range(count):
        choices = [rng.choices(range(len(q.options)), weights=[6, 3, 1][: len(q.options)])[0] for q in QUESTIONS]
        rows.append(SurveyResponse(survey_id=survey.id, choices=choices, received_on=days[0] + timedelta(days=rng.randint(0, span))))
    await SurveyResponse.bulk_create(rows)
    await Survey.filter(id=survey.id).update(response_count=count)


CLOSED_TITLE = "2026年第四季度县行政服务中心群众满意度测评"
BULLETIN_NUMBER = "余清权办通报〔2026〕1号"
BULLETIN_TITLE = "关于全县清权确权工作进展情况的通报"


async def _surveys(units: dict[str, int]) -> None:
    rng = random.Random(SEED + 2)
    centre = units["行政服务中心"]
    closed = await surveys.open_survey(INSPECTOR, surveys.SurveyData(
        CLOSED_TITLE, QUESTIONS, CLOSED[0], CLOSED[1], unit_id=centre,
    ), CLOSED[0])  # fmt: skip
    await _answers(closed, rng, 60, CLOSED[:2])
    closed = await surveys.publish_summary(INSPECTOR, closed.id, on=CLOSED[2])
    await inspections.record_inspection(INSPECTOR, inspections.InspectionData(
        unit_id=centre, kind=InspectionKind.PERFORMANCE, inspected_on=CLOSED[2], method=InspectionMethod.SURVEY,
        survey_id=closed.id, score=88, findings="民意测验显示群众对窗口服务总体满意，少数群众反映个别事项办理时间偏长。",
        follow_up="对办理时间偏长的事项逐项梳理，压缩承诺时限。",
    ), CLOSED[2])  # fmt: skip
    land = units["国土资源局"]
    power = await Power.filter(access.power_q(access.PUBLIC), unit_id=land).order_by("code").first()
    if power is not None:
        opened = await surveys.open_survey(INSPECTOR, surveys.SurveyData(
            f"“{power.name}”办理情况民意测验", QUESTIONS[1:], OPEN[0], OPEN[1], power_id=power.id,
        ), OPEN[0])  # fmt: skip
        await _answers(opened, rng, 12, (OPEN[0], OPEN[0] + timedelta(days=5)))


async def _bulletin() -> None:
    bulletin = await bulletins.draft_bulletin(
        OPENNESS_OFFICE, BULLETIN_TITLE, BULLETIN_NUMBER, BULLETIN_DAY
    )
    await bulletins.edit_bulletin(
        OPENNESS_OFFICE, bulletin.id,
        body=bulletin.body + "\n\n六、下一步工作\n各单位要对照本通报查找差距，逾期未作变更说明和未办结投诉的单位要在十个工作日内整改到位。",
    )  # fmt: skip
    await bulletins.publish_bulletin(OPENNESS_OFFICE, bulletin.id, BULLETIN_DAY)


async def seed_loop() -> list[str]:
    """Add what the county does not have yet; the parts added."""
    codes = _unit_codes()
    ids = dict(await Unit.filter(code__in=list(codes.values())).values_list("code", "id"))
    units = {key: ids[code] for key, code in codes.items() if code in ids}
    added = []
    if await _networks(units):
        added.append("networks")
    if "行政服务中心" in units and "国土资源局" in units and not await Survey.exists(title=CLOSED_TITLE, unit_id=units["行政服务中心"]):
        await _surveys(units)
        added.append("surveys")
    if not await Bulletin.exists(number=BULLETIN_NUMBER, title=BULLETIN_TITLE, status=BulletinStatus.PUBLISHED):
        await _bulletin()
        added.append("bulletin")
    return added
