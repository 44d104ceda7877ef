"""公开记录 and 附7 权力动态运行情况登记 of the demo county, generated from fixed dates and a seeded
random.Random: same seed, same records."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from domain.enums import DisclosureChannel as Ch
from domain.enums import DisclosureScope as S
from domain.enums import DisclosureTiming as T
from domain.enums import Network as N
from domain.enums import OperationStage as Stage
from domain.enums import PowerCategory as C

SEED = 360723
#: The programme's calendar (the plan's stages, run in 2026): catalogue published, records until.
PUBLISHED_ON = date(2026, 10, 20)
RECORDS_UNTIL = date(2026, 11, 20)

SURNAMES = "刘陈李黄王张曾钟赖谢肖罗吴郭邱何朱廖蓝温叶胡邓杨彭徐卢林郑"
GIVEN = "建国华明伟平志勇军辉文强丽芳红英秀兰春生海林斌峰涛俊杰敏静燕萍德福荣"
FIRMS = ("章源", "南安", "梅关", "丫山", "金莲", "云山", "赣南", "西华", "牡丹亭", "章江")
TRADES = ("钨业", "建筑工程", "房地产开发", "农业开发", "物流", "食品", "商贸", "矿业", "旅游开发", "水电")


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def firm(rng: random.Random) -> str:
    return f"大余县{rng.choice(FIRMS)}{rng.choice(TRADES)}有限公司"


def workday(day: date) -> date:
    """The day itself, or the Monday after a weekend (the demo's records fall on working days)."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def default_network(category: C) -> N | None:
    return N.ADMINISTRATIVE_LICENSING if category is C.LICENSING else None


@dataclass(frozen=True)
class Disclosure:
    scope: S
    timing: T
    channel: Ch
    content: str
    disclosed_on: date


CATALOGUE_CHANNEL: dict[S, Ch] = {
    S.PUBLIC: Ch.GOVERNMENT_WEBSITE,
    S.LIMITED: Ch.SERVICE_HALL,
    S.INTERNAL: Ch.BULLETIN_BOARD,
    S.LEADERSHIP: Ch.BULLETIN_BOARD,
}
RESULT_CHANNELS: tuple[Ch, ...] = (Ch.SERVICE_HALL, Ch.ELECTRONIC_SCREEN, Ch.BULLETIN_BOARD, Ch.GOVERNMENT_WEBSITE)


def disclosures(rng: random.Random, name: str, category: C, scope: S, index: int) -> list[Disclosure]:
    """A published power's catalogue disclosure (long-term), and for most a timely result disclosure."""
    first = workday(PUBLISHED_ON + timedelta(days=index % 3))
    out = [Disclosure(scope, T.LONG_TERM, CATALOGUE_CHANNEL[scope], f"“{name}”职权目录、依据和运行流程图公开", first)]
    if scope is S.LEADERSHIP:
        return out
    if category is C.REWARD:
        channel = Ch.NEWS_MEDIA
    else:
        channel = RESULT_CHANNELS[index % len(RESULT_CHANNELS)]
    result_scope = scope if scope is not S.PUBLIC or index % 7 else S.LIMITED
    later = workday(first + timedelta(days=rng.randint(7, 25)))
    out.append(Disclosure(result_scope, T.TIMELY, channel, f"“{name}”办理结果公开", later))
    return out


@dataclass(frozen=True)
class Operation:
    network: N
    subject: str
    applicant: str
    stage: Stage
    scope: S
    decision: str
    decided_on: date
    execution: str
    executed_on: date | None
    result: str
    finished_on: date | None


SUBJECTS: dict[N, tuple[str, ...]] = {
    N.ADMINISTRATIVE_LICENSING: ("{applicant}申请{power}",),
    N.GOVERNMENT_PROCUREMENT: ("县直机关办公设备集中采购项目（DYCG2026-{n:03d}）", "县人民医院医疗设备采购项目（DYCG2026-{n:03d}）"),
    N.CONSTRUCTION_BIDDING: ("S323线大余段公路改造工程施工招标（DYZB2026-{n:03d}）", "南安镇污水管网建设工程施工招标（DYZB2026-{n:03d}）"),
    N.LAND_TRANSFER: ("南安镇东山片区国有建设用地使用权挂牌出让（DY2026-{n:02d}号）", "新城镇工业园区国有建设用地使用权招标出让（DY2026-{n:02d}号）"),
    N.SPECIAL_FUNDS: ("2026年第{q}季度{power}资金发放", "2026年{power}专项资金拨付（第{n}批）"),
    N.PROPERTY_RIGHTS_TRADING: ("大余县城市建设投资有限公司所持股权转让（DYCQ2026-{n:02d}）", "县属国有企业闲置厂房使用权转让（DYCQ2026-{n:02d}）"),
    N.CIVIL_SERVANT_RECRUITMENT: ("2026年度考试录用公务员大余县职位（{power}）",),
}
DECISION_TEXT: dict[N, str] = {
    N.ADMINISTRATIVE_LICENSING: "经审查，申请材料齐全、符合法定形式，予以受理并进入审查",
    N.GOVERNMENT_PROCUREMENT: "经局务会研究，确定采用公开招标方式采购，采购需求报县财政局备案",
    N.CONSTRUCTION_BIDDING: "招标方案经县发改委核准，在县公共资源交易中心公开招标",
    N.LAND_TRANSFER: "出让方案经县人民政府批准，起始价依据土地估价报告集体决策确定",
    N.SPECIAL_FUNDS: "资金分配方案经领导班子集体研究，报县财政局审核",
    N.PROPERTY_RIGHTS_TRADING: "转让方案经县国资局批准，转让价格以资产评估结果为依据",
    N.CIVIL_SERVANT_RECRUITMENT: "招考职位和资格条件经省级公务员主管部门审核，发布招考公告",
}
EXECUTION_TEXT: dict[N, str] = {
    N.ADMINISTRATIVE_LICENSING: "组织现场核查，法制审核员审核",
    N.GOVERNMENT_PROCUREMENT: "发布采购公告，组织开标、评标",
    N.CONSTRUCTION_BIDDING: "组织开标、评标，评标委员会从专家库随机抽取",
    N.LAND_TRANSFER: "发布挂牌出让公告，组织竞买报价",
    N.SPECIAL_FUNDS: "通过金融机构社会化发放，乡镇复核名单",
    N.PROPERTY_RIGHTS_TRADING: "在产权交易场所公开挂牌，征集受让方",
    N.CIVIL_SERVANT_RECRUITMENT: "组织笔试、面试、体检和考察",
}
RESULT_TEXT: dict[N, str] = {
    N.ADMINISTRATIVE_LICENSING: "准予许可，颁发证件，结果在政府网站公开",
    N.GOVERNMENT_PROCUREMENT: "确定中标供应商并公告，签订合同并报财政部门备案",
    N.CONSTRUCTION_BIDDING: "中标候选人公示三日无异议，发出中标通知书",
    N.LAND_TRANSFER: "竞得人签订出让合同，成交结果公示",
    N.SPECIAL_FUNDS: "资金足额发放到户，发放名单公示",
    N.PROPERTY_RIGHTS_TRADING: "成交并签订产权交易合同，结果公告",
    N.CIVIL_SERVANT_RECRUITMENT: "拟录用人员名单公示五个工作日，无异议，办理录用手续",
}
STAGES: tuple[Stage, ...] = (Stage.RESULT, Stage.RESULT, Stage.EXECUTION, Stage.DECISION)


def operations(rng: random.Random, network: N, power: str, scope: S, count: int, serial: int) -> list[Operation]:
    """`count` exercises of one power on one network, spread over the weeks after publication."""
    out: list[Operation] = []
    for i in range(count):
        applicant = firm(rng) if rng.random() < 0.6 else person(rng)
        template = SUBJECTS[network][(serial + i) % len(SUBJECTS[network])]
        subject = template.format(applicant=applicant, power=power, n=serial * 3 + i + 1, q=4)
        stage = STAGES[(serial + i) % len(STAGES)]
        decided = workday(PUBLISHED_ON + timedelta(days=rng.randint(1, 20)))
        executed = workday(decided + timedelta(days=rng.randint(2, 6)))
        finished = workday(executed + timedelta(days=rng.randint(2, 8)))
        if finished > RECORDS_UNTIL:
            finished = workday(RECORDS_UNTIL - timedelta(days=3))
            executed = min(executed, finished)
        record_scope = scope if scope is not S.PUBLIC or (serial + i) % 5 else S.INTERNAL
        out.append(
            Operation(
                network=network,
                subject=subject,
                applicant=applicant if network is N.ADMINISTRATIVE_LICENSING else "",
                stage=stage,
                scope=record_scope,
                decision=DECISION_TEXT[network],
                decided_on=decided,
                execution=EXECUTION_TEXT[network] if stage is not Stage.DECISION else "",
                executed_on=executed if stage is not Stage.DECISION else None,
                result=RESULT_TEXT[network] if stage is Stage.RESULT else "",
                finished_on=finished if stage is Stage.RESULT else None,
            )
        )
    return out
