"""The demo county (domain.demo, `qingquan seed-demo`) on a real database: shape, grounding in the legal
library, codes, flow charts, records, atomicity, idempotency through the real CLI, determinism."""

from __future__ import annotations

import re
import sqlite3
from collections import Counter, defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import asyncpg
import pytest
from tortoise.transactions import in_transaction

from domain import db
from domain.access import unit_subtree_ids
from domain.codes import allocate_power_code, office_code, parse_power_code, power_code, unit_code
from domain.demo import ALL_POWERS, COUNTY_CODE, DemoDataError
from domain.demo.seed import ground, seed
from domain.demo.spec import ENVIRONMENT_OLD, HIGHWAY, LAND, REGION_CODE, B, P
from domain.demo.units import DEPARTMENTS, GOVERNMENT
from domain.enums import (
    CATEGORY_CODE_LETTERS,
    DisclosureChannel,
    DisclosureScope,
    DisclosureTiming,
    FlowStepKind,
    LegalStatus,
    Network,
    OperationStage,
    PowerCategory,
    PowerStatus,
    UnitKind,
)
from domain.errors import ValidationFailed
from domain.models import (
    AuditEvent,
    DisclosureRecord,
    FlowChart,
    FlowEdge,
    FlowStep,
    OperationRecord,
    Position,
    Power,
    PowerBasis,
    Unit,
)
from tests.conftest import PG_URL, run_cli, sqlite_path

pytestmark = pytest.mark.usefixtures("demo")
NOTE_KEYWORD = re.compile(r"“(.+?)”")


async def demo_unit_ids() -> list[int]:
    county = await Unit.get(code=COUNTY_CODE)
    return sorted(await unit_subtree_ids(county.id))


async def demo_powers() -> list[dict[str, Any]]:
    """The powers the demo seeded (by their codes; other tests may add powers to demo units)."""
    codes = [p["code"] for p in await Power.filter(unit_id__in=await demo_unit_ids()).values("code")]
    expected = set(await expected_codes())
    rows = await Power.filter(code__in=[c for c in codes if c in expected]).values(
        "id", "code", "name", "category", "status", "unit_id", "unit__code", "unit__short_name", "confidential",
        "confidentiality_reason", "confidentiality_basis", "disclosure_scope", "time_limit", "time_limit_days",
        "fee_basis", "fee_standard", "disclosure_form", "disclosure_deadline",
    )
    return rows


async def expected_codes() -> list[str]:
    """The codes of ALL_POWERS, in spec order, as the seeder numbers them."""
    keys = {u.short_name: u.code for u in await Unit.filter(parent__code=COUNTY_CODE)}
    keys["县政府"] = COUNTY_CODE
    serials: Counter[tuple[str, PowerCategory]] = Counter()
    codes = []
    for spec in ALL_POWERS:
        serials[(keys[spec.unit], spec.category)] += 1
        codes.append(power_code(keys[spec.unit], spec.category, serials[(keys[spec.unit], spec.category)]))
    return codes


# ---------------------------------------------------------------- organisation


async def test_county_townships_departments_offices_and_positions() -> None:
    county = await Unit.get(code=COUNTY_CODE)
    assert (county.name, county.kind, county.region_code) == ("大余县人民政府", UnitKind.COUNTY_GOVERNMENT, "360723")
    children = await Unit.filter(parent_id=county.id, code__startswith=REGION_CODE).exclude(kind=UnitKind.OFFICE).values(
        "id", "name", "kind", "short_name"
    )
    assert await Unit.filter(parent_id=county.id, kind=UnitKind.OFFICE).exists()  # the county government's own 科室
    kinds = Counter(c["kind"] for c in children)
    townships = sorted(c["short_name"] for c in children if c["kind"] == UnitKind.TOWNSHIP)
    assert townships == sorted(["南安镇", "新城镇", "樟斗镇", "池江镇", "青龙镇", "左拔镇", "黄龙镇", "吉村镇", "浮江乡", "内良乡", "河洞乡"])
    assert kinds[UnitKind.DEPARTMENT] >= 15
    assert kinds[UnitKind.VERTICAL] >= 1 and kinds[UnitKind.PUBLIC_UTILITY] >= 1 and kinds[UnitKind.INSTITUTION] >= 1
    named = {c["short_name"] for c in children}
    seed_named = {"政府办", "监察局", "财政局", "发改委", "人劳社保局", "法制办", "行政服务中心", "国土资源局", "规划建设局",
                  "城市管理局", "交通局", "水务局", "民政局", "扶贫办", "农业局", "国资局", "机关事务管理局"}
    assert seed_named <= named
    gov_positions = set(await Position.filter(unit_id=county.id).values_list("name", flat=True))
    assert "县长" in gov_positions and any(p.startswith("副县长") for p in gov_positions) and "县长助理" in gov_positions
    for child in children:  # every unit has 科室, and 岗位 with a responsible person
        offices = await Unit.filter(parent_id=child["id"]).values("id", "kind")
        assert offices and all(o["kind"] == UnitKind.OFFICE for o in offices), child["name"]
        holders = await Position.filter(unit_id__in=[child["id"], *(o["id"] for o in offices)]).values_list("holder", flat=True)
        assert len(holders) >= 4 and all(holders), child["name"]


# ---------------------------------------------------------------- powers


async def test_powers_cover_every_category_and_status() -> None:
    rows = await demo_powers()
    assert len(rows) == len(ALL_POWERS) >= 150
    categories = Counter(r["category"] for r in rows)
    statuses = Counter(r["status"] for r in rows)
    assert set(categories) == set(PowerCategory)
    assert set(statuses) == set(PowerStatus)
    assert statuses[PowerStatus.PUBLISHED] > len(rows) / 2
    published = [r for r in rows if r["status"] == PowerStatus.PUBLISHED]
    assert {DisclosureScope.LIMITED, DisclosureScope.INTERNAL} <= {r["disclosure_scope"] for r in published}
    confidential = [r for r in rows if r["confidential"]]
    assert sum(bool(r["confidentiality_basis"]) for r in confidential) >= 3
    assert all(r["confidentiality_reason"] for r in confidential)
    assert any(not r["confidentiality_basis"] for r in confidential)  # a finding for the review stage
    for r in rows:  # exercise rules filled
        assert r["disclosure_form"] and r["disclosure_deadline"] and r["time_limit"] and r["fee_basis"] and r["fee_standard"]
    assert sum(r["time_limit_days"] is not None for r in rows) > 0.9 * len(rows)
    assert any(r["fee_basis"] != "不收费" for r in rows if r["category"] == PowerCategory.LEVY)
    assert all("简称" not in r["name"] and len(r["name"]) >= 4 for r in rows)


async def test_every_basis_article_contains_its_keyword() -> None:
    rows = await demo_powers()
    by_code = {r["code"]: r for r in rows}
    bases = await PowerBasis.filter(power_id__in=[r["id"] for r in rows]).values(
        "power_id", "ordinal", "note", "article__text", "article__label", "article__number",
        "article__document__title", "article__document__level", "article__document__status",
    )
    per_power: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for b in sorted(bases, key=lambda b: (b["power_id"], b["ordinal"])):
        per_power[b["power_id"]].append(b)
        keyword = NOTE_KEYWORD.search(b["note"])
        assert keyword and keyword.group(1) in b["article__text"], b
    # the specs, re-checked from the database: same law, same article, keyword in its text, rank order
    from domain.enums import LegalLevel

    for spec, code in zip(ALL_POWERS, await expected_codes(), strict=True):
        power = by_code[code]
        got = per_power.get(power["id"], [])
        assert len(got) == len(spec.bases), code
        wanted = {(b.law, b.article, b.keyword) for b in spec.bases}
        assert {(g["article__document__title"], g["article__number"], NOTE_KEYWORD.search(g["note"]).group(1)) for g in got} == wanted
        for b in spec.bases:
            text = next(g["article__text"] for g in got if (g["article__document__title"], g["article__number"]) == (b.law, b.article))
            assert b.keyword in text, (code, b)
        ranks = [LegalLevel(g["article__document__level"]).rank for g in got]
        assert ranks == sorted(ranks), code
        assert [g["ordinal"] for g in got] == list(range(1, len(got) + 1))
        if spec.status not in (PowerStatus.ABOLISHED, PowerStatus.REMOVED):
            assert got and all(g["article__document__status"] == LegalStatus.IN_FORCE for g in got), code


async def test_bases_come_from_the_laws_that_grant_the_power() -> None:
    rows = await demo_powers()
    laws: dict[int, set[str]] = defaultdict(set)
    for b in await PowerBasis.filter(power_id__in=[r["id"] for r in rows]).values("power_id", "article__document__title"):
        laws[b["power_id"]].add(b["article__document__title"])
    land = {LAND, "中华人民共和国城市房地产管理法", "中华人民共和国矿产资源法", "中华人民共和国测绘法"}
    for r in rows:
        cited = laws[r["id"]]
        if r["unit__short_name"] == "国土资源局":
            assert cited <= land, r["name"]
            if r["category"] == PowerCategory.PENALTY and "测绘" not in r["name"] and "转让以出让方式" not in r["name"]:
                assert LAND in cited, r["name"]
        if r["unit__short_name"] == "交通局" and r["category"] == PowerCategory.PENALTY:
            assert cited == {HIGHWAY}, r["name"]
        if r["unit__short_name"] == "民政局":
            assert cited & {"中华人民共和国社会救助法", "中华人民共和国民法典", "中华人民共和国慈善法",
                            "中华人民共和国老年人权益保障法", "中华人民共和国残疾人保障法", "中华人民共和国退役军人保障法",
                            "中华人民共和国村民委员会组织法"}, r["name"]
    marriage = next(r for r in rows if r["name"] == "结婚登记")
    assert "中华人民共和国民法典" in laws[marriage["id"]]
    # 宪法 before 法律: the county government's land approval starts from the constitution
    approval = next(r for r in rows if r["name"] == "建设用地使用权审批")
    first = await PowerBasis.filter(power_id=approval["id"]).order_by("ordinal").first().values("article__document__title")
    assert first["article__document__title"] == "中华人民共和国宪法"
    # 已失去法律效力的予以排除: the power on the repealed 环境保护法 is abolished, as is the one with no basis
    old = [r for r in rows if ENVIRONMENT_OLD in laws[r["id"]]]
    assert old and all(r["status"] == PowerStatus.ABOLISHED for r in old)
    assert any(r["status"] == PowerStatus.ABOLISHED and not laws[r["id"]] for r in rows)


async def test_codes_are_unique_well_formed_and_serial() -> None:
    rows = await demo_powers()
    assert [r["code"] for r in sorted(rows, key=lambda r: r["id"])] == await expected_codes()
    assert len({r["code"] for r in rows}) == len(rows)
    serials: dict[tuple[str, str], list[int]] = defaultdict(list)
    for r in rows:
        parsed = parse_power_code(r["code"])
        assert parsed is not None, r["code"]
        assert parsed.unit_code == r["unit__code"] and parsed.category == r["category"]
        assert r["code"] == f"{r['unit__code']}{CATEGORY_CODE_LETTERS[parsed.category]}-{parsed.serial:04d}"
        serials[(parsed.unit_code, parsed.category)].append(parsed.serial)
    assert all(sorted(s) == list(range(1, len(s) + 1)) for s in serials.values())
    penalty = await Power.get(code="36072308CF-0001")
    assert penalty.name == "对未经批准或者采取欺骗手段骗取批准非法占用土地的处罚"
    units = await Unit.filter(code__startswith=REGION_CODE, id__in=await demo_unit_ids()).values_list("code", flat=True)
    assert all(re.fullmatch(r"360723\d{2}(\d{2})?", c) for c in units)


async def test_code_generator() -> None:
    assert unit_code("360723", 8) == "36072308" and office_code("36072308", 2) == "3607230802"
    assert power_code("36072308", PowerCategory.LICENSING, 1) == "36072308XK-0001"
    assert parse_power_code("36072308ZZ-0001") is None and parse_power_code("3607230XK-0001") is None
    with pytest.raises(ValidationFailed):
        power_code("36072308", PowerCategory.LICENSING, 10000)
    taken = await Power.filter(code__startswith="36072308CF-").count()
    async with in_transaction() as conn:  # the seed moved the counters past its codes; take two, then give them back
        assert await allocate_power_code("36072308", PowerCategory.PENALTY) == f"36072308CF-{taken + 1:04d}"
        assert await allocate_power_code("36072399", PowerCategory.REWARD) == "36072399JL-0001"
        await conn.rollback()


# ---------------------------------------------------------------- flow charts


async def test_flow_charts_are_connected_from_start_to_end() -> None:
    rows = await demo_powers()
    ids = [r["id"] for r in rows]
    unit_of = {r["id"]: r["unit_id"] for r in rows}
    charts = await FlowChart.filter(power_id__in=ids).values("id", "power_id", "complaint_channel")
    assert len(charts) >= 0.8 * len(rows)
    steps = await FlowStep.filter(chart_id__in=[c["id"] for c in charts]).values(
        "id", "chart_id", "kind", "position_id", "time_limit", "supervision", "disclosure_note", "position__unit_id"
    )
    edges = await FlowEdge.filter(chart_id__in=[c["id"] for c in charts]).values(
        "chart_id", "source_id", "target_id", "label", "source__chart_id", "target__chart_id"
    )
    steps_of: dict[int, list[dict[str, Any]]] = defaultdict(list)
    edges_of: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for s in steps:
        steps_of[s["chart_id"]].append(s)
    for e in edges:
        edges_of[e["chart_id"]].append(e)
    subtree: dict[int, frozenset[int]] = {}
    for chart in charts:
        assert chart["complaint_channel"]
        cs, ce = steps_of[chart["id"]], edges_of[chart["id"]]
        kinds = Counter(s["kind"] for s in cs)
        assert kinds[FlowStepKind.START] == 1 and kinds[FlowStepKind.END] >= 1 and kinds[FlowStepKind.DECISION] >= 1
        assert all(e["source__chart_id"] == e["target__chart_id"] == chart["id"] and e["label"] for e in ce)
        out: dict[int, list[int]] = defaultdict(list)
        back: dict[int, list[int]] = defaultdict(list)
        for e in ce:
            out[e["source_id"]].append(e["target_id"])
            back[e["target_id"]].append(e["source_id"])
        start = next(s["id"] for s in cs if s["kind"] == FlowStepKind.START)
        ends = [s["id"] for s in cs if s["kind"] == FlowStepKind.END]
        assert _reach([start], out) == {s["id"] for s in cs}, chart  # every step reachable from START
        assert _reach(ends, back) == {s["id"] for s in cs}, chart  # END reachable from every step
        for s in cs:
            if s["kind"] == FlowStepKind.DECISION:
                assert len(out[s["id"]]) == 2
            if s["kind"] in (FlowStepKind.START, FlowStepKind.END):
                continue
            unit_id = unit_of[chart["power_id"]]
            if unit_id not in subtree:
                subtree[unit_id] = await unit_subtree_ids(unit_id)
            assert s["position_id"] and s["position__unit_id"] in subtree[unit_id], (chart, s)
        assert any(s["time_limit"] for s in cs) or not any(r["time_limit_days"] for r in rows if r["id"] == chart["power_id"])
        assert any(s["supervision"] for s in cs) and any(s["disclosure_note"] for s in cs)


def _reach(starts: list[int], graph: dict[int, list[int]]) -> set[int]:
    seen, queue = set(starts), deque(starts)
    while queue:
        for nxt in graph[queue.popleft()]:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


# ---------------------------------------------------------------- records


async def test_disclosure_and_operation_records() -> None:
    rows = await demo_powers()
    ids = [r["id"] for r in rows]
    published = {r["id"] for r in rows if r["status"] == PowerStatus.PUBLISHED}
    disclosures = await DisclosureRecord.filter(power_id__in=ids).values("power_id", "scope", "timing", "channel")
    assert {d["power_id"] for d in disclosures} == published
    assert {d["scope"] for d in disclosures} == set(DisclosureScope)
    assert {d["timing"] for d in disclosures} == set(DisclosureTiming)
    assert {d["channel"] for d in disclosures} == set(DisclosureChannel)
    operations = await OperationRecord.filter(power_id__in=ids).values(
        "power_id", "network", "stage", "scope", "handler", "decided_on", "executed_on", "finished_on", "result"
    )
    assert {o["network"] for o in operations} == set(Network)
    assert {o["stage"] for o in operations} == set(OperationStage)
    assert {o["scope"] for o in operations} - {DisclosureScope.PUBLIC}
    for o in operations:
        assert o["power_id"] in published and o["handler"] and o["decided_on"]
        if o["stage"] == OperationStage.RESULT:
            assert o["decided_on"] <= o["executed_on"] <= o["finished_on"] and o["result"]
        if o["stage"] == OperationStage.DECISION:
            assert o["executed_on"] is None and o["finished_on"] is None
    assert await AuditEvent.filter(action="demo.seed", entity_type="unit").exists()


# ---------------------------------------------------------------- failures


async def test_grounding_fails_loudly() -> None:
    bad = [
        P("国土资源局", "甲", PowerCategory.PENALTY, B(LAND, 77, "这句话不在条文里")),
        P("国土资源局", "乙", PowerCategory.PENALTY, B(LAND, 999, "非法占用土地")),
        P("国土资源局", "丙", PowerCategory.PENALTY, B("中华人民共和国不存在法", 1, "任何")),
        P("环保局", "丁", PowerCategory.COERCION, B(ENVIRONMENT_OLD, 25, "查封、扣押")),
        P("环保局", "戊", PowerCategory.COERCION),
    ]
    with pytest.raises(DemoDataError) as caught:
        await ground(bad)
    assert [e.code for e in caught.value.errors] == ["keyword", "missing_article", "missing_law", "not_in_force", "no_basis"]
    assert "第七十七条" in caught.value.errors[0].message
    grounded = await ground([replace(bad[3], status=PowerStatus.ABOLISHED), replace(bad[4], status=PowerStatus.ABOLISHED)])
    assert [len(g) for g in grounded] == [1, 0]


async def test_a_failed_seed_leaves_nothing() -> None:
    county = replace(GOVERNMENT, serial=99)
    dept = replace(DEPARTMENTS[0], serial=98)
    before = await Unit.all().count(), await Position.all().count(), await Power.all().count()
    with pytest.raises(DemoDataError):  # units and positions are written before the bad power is reached
        await seed([county, dept], [P("不存在的单位", "对未经批准非法占用土地的处罚", PowerCategory.PENALTY, B(LAND, 77, "非法占用土地"))])
    assert not await Unit.filter(code__in=["36072399", "36072398"]).exists()
    assert (await Unit.all().count(), await Position.all().count(), await Power.all().count()) == before


# ---------------------------------------------------------------- the real CLI


async def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in id order (timestamps included)."""
    if PG_URL:
        conn = await asyncpg.connect(db.normalize_url(url).replace("postgres://", "postgresql://"))
        try:
            tables = [r[0] for r in await conn.fetch(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1")]
            return {t: [tuple(r) for r in await conn.fetch(f'SELECT * FROM "{t}" ORDER BY 1')] for t in tables}
        finally:
            await conn.close()
    path = sqlite_path(url)
    conn_ = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn_.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1")]
        return {t: conn_.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall() for t in tables}
    finally:
        conn_.close()


async def test_cli_seed_demo_is_idempotent_and_deterministic(new_database: Callable[..., Awaitable[str]]) -> None:
    url, other = await new_database(migrated=True), await new_database(migrated=True)
    first = run_cli("seed-demo", "--fingerprint", db_url=url)
    assert "seeded the demo county 36072300" in first.stdout
    assert "导入法律库" in first.stderr  # it imported the library on its own, with progress
    digest = first.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    before = await snapshot(url)
    assert len(before["power"]) == len(ALL_POWERS)
    # the seed itself, then the 民意测验, the inspection on it and the 通报 (issue 24), through the domain's actions
    loop = {"survey.open": 2, "survey.publish": 1, "inspection.create": 1, "bulletin.draft": 1, "bulletin.edit": 1, "bulletin.publish": 1}
    actions = Counter(next(v for v in row if v == "demo.seed" or v in loop) for row in before["audit_event"])
    assert actions == Counter({"demo.seed": 1, **loop})

    second = run_cli("seed-demo", "--fingerprint", db_url=url)
    assert "already seeded and verified; nothing written" in second.stdout
    assert second.stdout.strip().splitlines()[-1] == digest
    assert await snapshot(url) == before  # not one row changed, not even a timestamp

    again = run_cli("seed-demo", "--fingerprint", db_url=other)
    assert again.stdout.strip().splitlines()[-1] == digest  # same input, same county


async def test_the_demo_leading_group_holds_every_seat(demo: object) -> None:
    """附1 as data: a REVIEWER token for any seat can be issued on the demo (README's review workflow)."""
    from domain.demo.seed import LEADING_GROUP, seed_leading_group
    from domain.enums import GroupRole, ReviewSeat, Role
    from domain.tokens import create_token
    from domain.workflow_models import LeadingGroupMember

    members = await LeadingGroupMember.all()
    assert {m.seat for m in members} >= set(ReviewSeat)
    assert [m.group_role for m in members].count(GroupRole.LEADER) == 1
    assert {m.post for m in members} >= {post for _, post, _, _ in LEADING_GROUP}
    for seat in ReviewSeat:
        token, _ = await create_token(Role.REVIEWER, seat=seat)
        assert token.seat is seat
    assert await seed_leading_group() == 0  # a group with members is left as it is


async def test_the_demo_closes_the_loop(demo: object) -> None:
    """Issue 24 on the demo: the seven networks with their lead units and powers, a 民意测验 whose summary is
    published (and the inspection resting on it), one open with answers, and a published 通报 — as the public
    reads them."""
    import httpx

    from domain.demo.loop import BULLETIN_NUMBER
    from domain.enums import Role
    from domain.models import Unit
    from resolvers.ids import encode_id
    from tests.helpers import app_client, gql_data, token_for

    query = """query ($centre: ID!, $land: ID!) { networks { code leadUnit { name } powerCount recordCount }
      centre: surveys(first: 100, unitId: $centre) { nodes { title open summary responseCount } }
      land: surveys(first: 100, unitId: $land) { nodes { title open summary responseCount } }
      bulletins(first: 100) { nodes { number title status paragraphs } } }"""
    centre = await Unit.get(code=unit_code(REGION_CODE, 7))
    land = await Unit.get(code=unit_code(REGION_CODE, 8))
    variables = {"centre": encode_id("Unit", centre.id), "land": encode_id("Unit", land.id)}
    async with app_client() as client:
        assert isinstance(client, httpx.AsyncClient)
        data = await gql_data(client, query, variables)
        inspector = await token_for(Role.INSPECTOR)
        inspections = await gql_data(client, "{ inspections(first: 50) { nodes { method survey { title } } } }", None, inspector)
    assert len(data["networks"]) == 7 and all(n["leadUnit"] and n["powerCount"] and n["recordCount"] for n in data["networks"])
    assert next(n for n in data["networks"] if n["code"] == "LAND_TRANSFER")["leadUnit"] == {"name": "大余县国土资源局"}
    assert (centre.name, land.name) == ("大余县行政服务中心", "大余县国土资源局")
    closed = next(s for s in data["centre"]["nodes"] if s["title"] == "2026年第四季度县行政服务中心群众满意度测评")
    assert closed["summary"].startswith("本次民意测验共收回有效答卷60份") and closed["responseCount"] is None
    assert any(s["summary"] is None and s["title"].endswith("办理情况民意测验") for s in data["land"]["nodes"])  # open: no summary
    bulletin = next(b for b in data["bulletins"]["nodes"] if b["number"] == BULLETIN_NUMBER)
    assert bulletin["status"] == "PUBLISHED"
    assert bulletin["paragraphs"][0] == "一、工作进展" and "六、下一步工作" in bulletin["paragraphs"]
    assert {"method": "SURVEY", "survey": {"title": closed["title"]}} in inspections["inspections"]["nodes"]


async def test_the_seeded_tables_are_analyzed_for_postgresqls_planner(demo: object) -> None:
    """Seeding fills the tables in bulk, then gathers their statistics (`ANALYZE`, domain/db.py `analyze`): with
    none, PostgreSQL plans a page's loads blind (steps by chart: every step read and compared with every key,
    not the charts' steps by their index). `last_analyze` is set by an ANALYZE statement only, never by
    autovacuum's (`last_autoanalyze`)."""
    from tortoise import connections

    if db.dialect() != "postgres":
        pytest.skip("SQLite's planner keeps no statistics here")
    tables = ["power", "power_basis", "flow_chart", "flow_step", "flow_edge", "legal_article", "legal_document", "unit", "position"]
    rows = await connections.get("default").execute_query_dict(
        "SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL AND relname = ANY($1)", [tables]
    )
    assert sorted(r["relname"] for r in rows) == sorted(tables)
