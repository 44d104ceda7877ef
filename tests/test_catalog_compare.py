"""对照: another place's catalogue kept as a reference (not our powers) and compared with a unit's —
only ours, only theirs, matched pairs that differ — through the domain, the CLI and GraphQL."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook

from domain import lifecycle
from domain.catalog.citations import link_citations, parse_citations
from domain.catalog.compare import compare
from domain.catalog.importer import RowFate, import_reference
from domain.catalog.meaning import NameEmbedding
from domain.catalog.models import ReferenceCatalog, ReferencePower
from domain.enums import PowerCategory, Role
from domain.errors import PermissionDenied
from domain.models import Power, Unit
from domain.services.bases import BasisData, create_basis
from resolvers.ids import encode_id
from search import embedding
from tests.catalog_sheets import (
    CIVIL_AFFAIRS_ITEMS,
    civil_affairs_district,
    handan,
    numbered_unit,
    upload_sheet,
)
from tests.conftest import run_cli
from tests.factories import ADMIN, PUBLIC, make_power, make_unit, power_name, row_counts, staff_of, unique
from tests.helpers import gql_data, token_for
from tests.workflow_factories import charted, decided, in_review

pytestmark = pytest.mark.usefixtures("demo")  # the demo first: its powers keep the lowest ids


async def cite(power: Power, text: str) -> None:
    for article in (await link_citations(parse_citations(text))).values():
        await create_basis(ADMIN, BasisData(power_id=power.id, article_id=article.id))


async def published(power: Power) -> Power:
    power = await in_review(await charted(power))
    await decided(power.id)  # each office's opinion, 县公开办's decision, the leading group's approval
    return await lifecycle.publish(ADMIN, power.id)


async def land_bureau() -> tuple[Unit, dict[str, Power]]:
    """Our 国土资源局: one power as 邯郸 lists it, one named and timed differently, one only we list,
    and a confidential one."""
    unit = await numbered_unit("测试国土资源局")
    same = await make_power(unit, name="建设项目临时用地审批", category=PowerCategory.LICENSING, code="",
                            time_limit="20个工作日", time_limit_days=20)  # fmt: skip
    await cite(same, "《中华人民共和国土地管理法》第五十七条")
    same = await published(same)
    mining = await make_power(unit, name="采矿权许可证审批", category=PowerCategory.LICENSING, code="", time_limit_days=30)
    await cite(mining, "《中华人民共和国矿产资源法》第三条")
    survey = await make_power(unit, name=power_name("土地调查"), category=PowerCategory.OTHER, code="")
    secret = await make_power(unit, name="涉密测绘成果管理", category=PowerCategory.OTHER, code="", confidential=True,
                              confidentiality_reason="涉密", confidentiality_basis="《测绘成果管理条例》")  # fmt: skip
    return unit, {"same": same, "mining": mining, "survey": survey, "secret": secret}


async def handan_reference(tmp_path: Path) -> str:
    place = f"邯郸市国土资源局{unique('')}"
    path = handan(tmp_path / "邯郸.xlsx")
    result = await import_reference(ADMIN, place, path.name, path.read_bytes())
    assert [r.fate for r in result.rows] == [RowFate.CREATED] * 3
    return place


async def test_a_reference_is_kept_apart_from_our_powers_and_replaced_on_reimport(tmp_path: Path) -> None:
    powers_before = await Power.all().count()
    place = await handan_reference(tmp_path)
    assert await Power.all().count() == powers_before
    catalog = await ReferenceCatalog.get(place=place)
    rows = await ReferencePower.filter(catalog_id=catalog.id).order_by("row")
    assert [(r.row, r.name, r.category) for r in rows] == [
        (5, "建设项目临时用地审批", PowerCategory.LICENSING),
        (6, "采矿许可证审批", PowerCategory.LICENSING),
        (8, "对非法占用土地的处罚", PowerCategory.PENALTY),
    ]
    assert rows[1].citations == [["矿产资源法", "第三条"], ["矿产资源法", "第十五条"]] and rows[1].time_limit_days == 40
    await handan_reference_again(tmp_path, place)
    assert await ReferencePower.filter(catalog__place=place).count() == 3


async def handan_reference_again(tmp_path: Path, place: str) -> None:
    path = handan(tmp_path / "again.xlsx")
    await import_reference(ADMIN, place, path.name, path.read_bytes())


async def test_only_admins_keep_references_and_a_dry_run_keeps_nothing(tmp_path: Path) -> None:
    path = handan(tmp_path / "邯郸.xlsx")
    unit = await make_unit()
    before = await ReferenceCatalog.all().count()
    for viewer in (PUBLIC, await staff_of(unit)):
        with pytest.raises(PermissionDenied):
            await import_reference(viewer, "大庆", path.name, path.read_bytes())
    result = await import_reference(ADMIN, "大庆", path.name, path.read_bytes(), dry_run=True)
    assert result.count(RowFate.CREATED) == 3
    assert await ReferenceCatalog.all().count() == before


async def test_compare_finds_pairs_differences_and_what_only_one_side_lists(tmp_path: Path) -> None:
    unit, ours = await land_bureau()
    place = await handan_reference(tmp_path)
    result = await compare(ADMIN, unit.code, place)
    pairs = {m.ours.code: m for m in result.matched}
    assert set(pairs) == {ours["same"].code, ours["mining"].code}
    assert pairs[ours["same"].code].differences == [] and pairs[ours["same"].code].shared_articles == 1
    assert pairs[ours["same"].code].confidence == 100  # the same name and a shared article: sure, not "相似度 110"
    mining = pairs[ours["mining"].code]
    assert mining.theirs.name == "采矿许可证审批" and mining.shared_articles == 1
    assert mining.differences == ["设定依据：我方 1 条，对方 2 条，共同 1 条", "办理时限：我方 30 个工作日，对方「四十日」"]
    assert {p.code for p in result.only_ours} == {ours["survey"].code, ours["secret"].code}
    assert [t.name for t in result.only_theirs] == ["对非法占用土地的处罚"]


async def test_the_public_compares_only_what_it_may_see(tmp_path: Path) -> None:
    unit, ours = await land_bureau()
    place = await handan_reference(tmp_path)
    result = await compare(PUBLIC, unit.code, place)
    assert [m.ours.code for m in result.matched] == [ours["same"].code]
    assert result.only_ours == []  # neither the draft nor the confidential power, not even counted
    assert {t.name for t in result.only_theirs} == {"采矿许可证审批", "对非法占用土地的处罚"}


COMPARE = """
query Compare($unit: ID!, $place: String!) {
  catalogComparison(unitId: $unit, place: $place) {
    __typename
    ... on CatalogComparison { place byMeaning onlyOurs { code name } onlyTheirs { row name } matched { ours { code } theirs { name } differences confidence } }
    ... on NotFoundError { message }
  }
  referenceCatalogs { place powerCount }
}
"""


async def test_compare_through_graphql_as_public_stranger_and_the_unit(client: httpx.AsyncClient, tmp_path: Path) -> None:
    unit, ours = await land_bureau()
    place = await handan_reference(tmp_path)
    other = await make_unit()
    variables = {"unit": encode_id("Unit", unit.id), "place": place}
    hidden = {ours[k].name for k in ("mining", "survey", "secret")}
    for token in (None, await token_for(Role.UNIT_STAFF, other)):
        data = await gql_data(client, COMPARE, variables, token)
        body = json.dumps(data, ensure_ascii=False)
        assert not any(name in body for name in hidden)
        assert [m["ours"]["code"] for m in data["catalogComparison"]["matched"]] == [ours["same"].code]
        assert [m["confidence"] for m in data["catalogComparison"]["matched"]] == [100]
        assert data["catalogComparison"]["byMeaning"] is embedding.available()
        assert {"place": place, "powerCount": 3} in data["referenceCatalogs"]
    own = (await gql_data(client, COMPARE, variables, await token_for(Role.UNIT_STAFF, unit)))["catalogComparison"]
    assert {p["name"] for p in own["onlyOurs"]} == {ours["survey"].name, ours["secret"].name}
    missing = await gql_data(client, COMPARE, {**variables, "place": "无此地"})
    assert missing["catalogComparison"]["__typename"] == "NotFoundError"


async def test_cli_reference_import_and_compare_to_xlsx(database: str, tmp_path: Path) -> None:
    unit, ours = await land_bureau()
    place = f"邯郸{unique('')}"
    sheet = handan(tmp_path / "邯郸.xlsx")
    before = await row_counts()
    run_cli("catalog", "import", str(sheet), "--reference", place, "--dry-run", db_url=database)
    assert await row_counts() == before and not await ReferenceCatalog.exists(place=place)
    proc = run_cli("catalog", "import", str(sheet), "--reference", place, db_url=database)
    assert "created=3" in proc.stderr
    out = tmp_path / "对照.xlsx"
    proc = run_cli("catalog", "compare", "--unit", unit.code, "--reference", place, "-o", str(out), db_url=database)
    assert "matched 2 (differing 1), only ours 2, only theirs 1" in proc.stderr
    printed = [int(n) for n in re.findall(r"置信度 (\d+)%", proc.stderr)]  # percentages, never "相似度 110"
    assert len(printed) == 2 and 100 in printed and all(55 <= n <= 100 for n in printed)
    book = load_workbook(out)
    assert book.sheetnames == ["仅我方", "仅对方", "匹配且有差异", "匹配一致"]
    differing = list(book["匹配且有差异"].iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[2]) for r in differing] == [(ours["mining"].code, "采矿许可证审批")]
    assert differing[0][3].endswith("%") and 0 <= int(differing[0][3][:-1]) <= 100
    ws = book["匹配且有差异"]
    assert ws.auto_filter.ref == "A2:F3" and ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$2"
    public = run_cli("catalog", "compare", "--unit", unit.code, "--reference", place, "--role", "PUBLIC", db_url=database)
    assert "only ours 0" in public.stderr and "涉密测绘成果管理" not in public.stderr + public.stdout


IMPORT_REFERENCE = """
mutation Reference($place: String!, $file: Upload!) {
  importReferenceCatalog(place: $place, file: $file) {
    __typename ... on CatalogImportReport { created refused rows { row fate name } } ... on PermissionDeniedError { message }
  }
}
"""


async def test_reference_upload_through_graphql_by_admins_only(client: httpx.AsyncClient, tmp_path: Path) -> None:
    path = handan(tmp_path / "邯郸.xlsx")
    sheet = (path.name, path.read_bytes())
    place = f"张家港{unique('')}"
    unit = await make_unit()
    for token in (None, await token_for(Role.UNIT_STAFF, unit)):
        refused = await upload_sheet(client, IMPORT_REFERENCE, {"place": place}, sheet, token)
        assert refused["importReferenceCatalog"]["__typename"] == "PermissionDeniedError"
    assert not await ReferenceCatalog.exists(place=place)
    done = (await upload_sheet(client, IMPORT_REFERENCE, {"place": place}, sheet, await token_for(Role.ADMIN)))["importReferenceCatalog"]
    assert done["created"] == 3 and [r["row"] for r in done["rows"]] == [5, 6, 8]
    # the names' vectors are kept with the list, where the model is installed
    names = embedding.for_names()
    assert (await ReferenceCatalog.get(place=place)).vector_model == (names[0] if names else "")
    assert await ReferencePower.filter(catalog__place=place).count() == 3


SERVICES = {name for name, kind, _ in CIVIL_AFFAIRS_ITEMS if kind == "公共服务"}
NAMES = NameEmbedding(*(embedding.for_names() or (embedding.MODEL, embedding.embed_queries)))
needs_model = pytest.mark.skipif(not embedding.available(), reason="the embedding model is not installed")


@pytest.fixture(scope="module")
async def civil_affairs(tmp_path_factory: pytest.TempPathFactory, demo) -> tuple[str, str]:
    """The demo county's 民政局 and a district's list of its 民政局, worded as that district words it."""
    place = f"某区民政局{unique('')}"
    path = civil_affairs_district(tmp_path_factory.mktemp("sheets") / "某区.xlsx")
    result = await import_reference(ADMIN, place, path.name, path.read_bytes(), embedding=NAMES if embedding.available() else None)
    assert [r.fate for r in result.rows] == [RowFate.CREATED] * len(CIVIL_AFFAIRS_ITEMS)
    return (await Unit.get(name="大余县民政局")).code, place


@needs_model
async def test_pairs_by_meaning_and_category(civil_affairs: tuple[str, str]) -> None:
    unit, place = civil_affairs
    result = await compare(ADMIN, unit, place, embedding=NAMES)
    assert result.by_meaning
    pairs = {m.ours.name: m for m in result.matched}
    # a registration and its service are not one item: the 行政确认 is paired, its 预约 is a 公共服务
    assert pairs["结婚登记"].theirs.name == "中国内地公民婚姻登记"
    assert pairs["离婚登记"].theirs.name == "内地居民离婚登记"
    # by meaning: half the characters in common, no shared basis
    assert (pairs["收养登记"].theirs.name, pairs["收养登记"].shared_articles) == ("中国公民收养子女登记", 0)
    assert pairs["养老机构监督检查"].theirs.name == "对养老机构的行政检查"
    assert pairs["特困人员供养"].theirs.name == "特困人员救助供养"
    assert not SERVICES & {m.theirs.name for m in result.matched}
    assert SERVICES <= {t.name for t in result.only_theirs}
    assert "村民委员会工作指导" in {p.name for p in result.only_ours}
    assert all(0 <= m.confidence <= 100 for m in result.matched)
    # surer of the same item named alike than of one named quite differently
    assert pairs["慈善组织公开募捐资格审核"].confidence > pairs["收养登记"].confidence >= 55


async def test_without_the_model_names_are_compared_by_their_characters(civil_affairs: tuple[str, str]) -> None:
    unit, place = civil_affairs
    result = await compare(ADMIN, unit, place)  # no embedding: as where the model is not installed
    assert not result.by_meaning
    pairs = {m.ours.name: m.theirs.name for m in result.matched}
    assert pairs["慈善组织公开募捐资格审核"] == "慈善组织公开募捐资格审批"
    # the closest string is a 公共服务: the category keeps it out even without the meaning
    assert pairs.get("结婚登记") != "结婚登记预约" and not SERVICES & set(pairs.values())
    assert all(0 <= m.confidence <= 100 for m in result.matched)


@needs_model
async def test_their_vectors_are_kept_from_the_import(civil_affairs: tuple[str, str], tmp_path: Path) -> None:
    unit, place = civil_affairs
    catalog = await ReferenceCatalog.get(place=place)
    rows = await ReferencePower.filter(catalog_id=catalog.id)
    assert catalog.vector_model == NAMES.model and all(len(r.name_vector or b"") == 4 * 384 for r in rows)
    # a list imported without them (or by another model) is embedded when compared, to the same pairs
    bare = f"某区民政局{unique('')}"
    path = civil_affairs_district(tmp_path / "某区.xlsx")
    await import_reference(ADMIN, bare, path.name, path.read_bytes())
    assert (await ReferenceCatalog.get(place=bare)).vector_model == ""
    kept, embedded = await compare(ADMIN, unit, place, embedding=NAMES), await compare(ADMIN, unit, bare, embedding=NAMES)
    assert [(m.ours.id, m.theirs.name, m.confidence) for m in kept.matched] == [
        (m.ours.id, m.theirs.name, m.confidence) for m in embedded.matched
    ]
