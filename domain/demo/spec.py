"""The vocabulary of the demo county's data: units, offices, powers and their legal bases."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.enums import (
    DisclosureScope,
    DisclosureTiming,
    ExerciseMode,
    Network,
    PowerCategory,
    PowerStatus,
    UnitKind,
)

REGION_CODE = "360723"
COUNTY_NAME = "大余县"

# Titles of the laws the demo draws on, exactly as the packaged library names them.
CONSTITUTION = "中华人民共和国宪法"
LOCAL_ORGANIC = "中华人民共和国地方各级人民代表大会和地方各级人民政府组织法"
LAND = "中华人民共和国土地管理法"
MINERAL = "中华人民共和国矿产资源法"
SURVEY = "中华人民共和国测绘法"
REAL_ESTATE = "中华人民共和国城市房地产管理法"
PLANNING = "中华人民共和国城乡规划法"
BUILDING = "中华人民共和国建筑法"
HIGHWAY = "中华人民共和国公路法"
ROAD_SAFETY = "中华人民共和国道路交通安全法"
WATER = "中华人民共和国水法"
FLOOD = "中华人民共和国防洪法"
SOIL = "中华人民共和国水土保持法"
FOREST = "中华人民共和国森林法"
WILDLIFE = "中华人民共和国野生动物保护法"
SOCIAL_AID = "中华人民共和国社会救助法"
CIVIL_CODE = "中华人民共和国民法典"
CHARITY = "中华人民共和国慈善法"
ELDERLY = "中华人民共和国老年人权益保障法"
DISABLED = "中华人民共和国残疾人保障法"
VETERANS = "中华人民共和国退役军人保障法"
VILLAGE = "中华人民共和国村民委员会组织法"
MILITARY = "中华人民共和国兵役法"
MEDIATION = "中华人民共和国人民调解法"
LABOR = "中华人民共和国劳动法"
LABOR_CONTRACT = "中华人民共和国劳动合同法"
SOCIAL_INSURANCE = "中华人民共和国社会保险法"
EMPLOYMENT = "中华人民共和国就业促进法"
LABOR_ARBITRATION = "中华人民共和国劳动争议调解仲裁法"
CIVIL_SERVANT = "中华人民共和国公务员法"
PROCUREMENT = "中华人民共和国政府采购法"
BIDDING = "中华人民共和国招标投标法"
PRICE = "中华人民共和国价格法"
BUDGET = "中华人民共和国预算法"
ACCOUNTING = "中华人民共和国会计法"
STATE_ASSETS = "中华人民共和国企业国有资产法"
ENERGY_SAVING = "中华人民共和国节约能源法"
AGRICULTURE_QUALITY = "中华人民共和国农产品质量安全法"
SEED = "中华人民共和国种子法"
ANIMAL_EPIDEMIC = "中华人民共和国动物防疫法"
LIVESTOCK = "中华人民共和国畜牧法"
AGRI_TECH = "中华人民共和国农业技术推广法"
LAND_CONTRACT_ARBITRATION = "中华人民共和国农村土地承包经营纠纷调解仲裁法"
COOPERATIVES = "中华人民共和国农民专业合作社法"
RURAL_REVITALIZATION = "中华人民共和国乡村振兴促进法"
EDUCATION = "中华人民共和国教育法"
COMPULSORY_EDUCATION = "中华人民共和国义务教育法"
TEACHERS = "中华人民共和国教师法"
PRIVATE_EDUCATION = "中华人民共和国民办教育促进法"
PHYSICIANS = "中华人民共和国医师法"
EPIDEMIC = "中华人民共和国传染病防治法"
FOOD_SAFETY = "中华人民共和国食品安全法"
MATERNAL = "中华人民共和国母婴保健法"
BLOOD = "中华人民共和国献血法"
WORK_SAFETY = "中华人民共和国安全生产法"
STATISTICS = "中华人民共和国统计法"
AUDIT = "中华人民共和国审计法"
TAX_ADMIN = "中华人民共和国税收征收管理法"
DEED_TAX = "中华人民共和国契税法"
FARMLAND_TAX = "中华人民共和国耕地占用税法"
METEOROLOGY = "中华人民共和国气象法"
TOBACCO = "中华人民共和国烟草专卖法"
ELECTRICITY = "中华人民共和国电力法"
EMERGENCY = "中华人民共和国突发事件应对法"
SECRECY = "中华人民共和国保守国家秘密法"
ARCHIVES = "中华人民共和国档案法"
PUBLIC_SANCTIONS = "中华人民共和国公职人员政务处分法"
SUPERVISION = "中华人民共和国监察法"
RECONSIDERATION = "中华人民共和国行政复议法"
LICENSING_LAW = "中华人民共和国行政许可法"
PENALTY_LAW = "中华人民共和国行政处罚法"
COERCION_LAW = "中华人民共和国行政强制法"
CULTURAL_RELICS = "中华人民共和国文物保护法"
INTANGIBLE_HERITAGE = "中华人民共和国非物质文化遗产法"
FIRE = "中华人民共和国消防法"
ENVIRONMENT_OLD = "中华人民共和国环境保护法"
ECO_CODE = "中华人民共和国生态环境法典"
POPULATION = "中华人民共和国人口与计划生育法"


@dataclass(frozen=True)
class Basis:
    """One legal basis: a law's title, the article number, and a phrase that must be in its text."""

    law: str
    article: int
    keyword: str
    note: str = ""


@dataclass(frozen=True)
class OfficeSpec:
    """科室 of a unit: its name and (position name, duty) pairs."""

    name: str
    positions: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class UnitSpec:
    key: str
    name: str
    kind: UnitKind
    serial: int
    head: str
    deputies: tuple[str, ...]
    offices: tuple[OfficeSpec, ...]
    parent: str | None = "县政府"


@dataclass(frozen=True)
class PowerSpec:
    unit: str
    name: str
    category: PowerCategory
    bases: tuple[Basis, ...]
    status: PowerStatus = PowerStatus.PUBLISHED
    mode: ExerciseMode = ExerciseMode.EXCLUSIVE
    office: int = 1
    days: int | None = None
    time_limit: str = ""
    fee_basis: str = ""
    fee_standard: str = ""
    scope: DisclosureScope = DisclosureScope.PUBLIC
    timing: DisclosureTiming = DisclosureTiming.LONG_TERM
    confidential: bool = False
    confidentiality_reason: str = ""
    confidentiality_basis: str = ""
    network: Network | None = None
    description: str = ""
    chart: bool = True
    extra: dict[str, str] = field(default_factory=dict)


def B(law: str, article: int, keyword: str, note: str = "") -> Basis:
    return Basis(law, article, keyword, note)


def P(unit: str, name: str, category: PowerCategory, *bases: Basis, **options: object) -> PowerSpec:
    return PowerSpec(unit, name, category, tuple(bases), **options)  # type: ignore[arg-type]


def O(name: str, *positions: str) -> OfficeSpec:  # noqa: E743
    """An office whose positions are given as `岗位名:职责`."""
    pairs = tuple((p.split(":", 1)[0], p.split(":", 1)[1] if ":" in p else "") for p in positions)
    return OfficeSpec(name, pairs)
