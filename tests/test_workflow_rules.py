"""The review rules and the pre-review check (审核前自查), for one power or a whole unit."""

from __future__ import annotations

import datetime
from typing import Any

import httpx

from domain.access import CLI
from domain.enums import ExerciseMode, LegalStatus, PowerCategory, Role, RuleCode, UnitKind
from domain.models import Power
from domain.rules import check_powers, normalize_name
from domain.services.bases import BasisData, create_basis
from schema.relay import encode_id
from tests.factories import ADMIN, first_article, make_document, make_power, make_unit, unique
from tests.helpers import gql, gql_data, token_for
from tests.workflow_factories import based_power, charted

CHECK = """
query ($powerId: ID, $unitId: ID) {
  preReviewCheck(powerId: $powerId, unitId: $unitId) {
    checkedCount blockingCount
    findings { code severity message power { code } articles { label } conflictingPower { code } conflictingUnit { code } }
  }
}
"""
TODAY = datetime.date(2026, 6, 1)


async def cite(power: Power, **document: Any) -> None:
    article = await first_article(await make_document(**document))
    await create_basis(ADMIN, BasisData(power_id=power.id, article_id=article.id))


async def codes_of(power: Power) -> dict[RuleCode, list[Any]]:
    found: dict[RuleCode, list[Any]] = {}
    for f in await check_powers([power], TODAY, CLI):  # a role that sees every power
        found.setdefault(f.code, []).append(f)
    return found


def test_names_compare_without_spacing_punctuation_or_width() -> None:
    assert normalize_name("对违反《道路 运输条例》行为的处罚。") == normalize_name("对违反道路运输条例行为的处罚")
    assert normalize_name("ＡＢＣ１２３") == "abc123"


async def test_a_power_without_bases_can_only_be_abolished(database: str) -> None:
    power = await make_power(await make_unit())
    assert RuleCode.NO_LEGAL_BASIS in await codes_of(power)


async def test_a_basis_no_longer_in_force_is_flagged(database: str) -> None:
    power = await based_power(await make_unit())
    await cite(power, status=LegalStatus.REPEALED)
    await cite(power, repeal_date=datetime.date(2026, 1, 1))
    await cite(power, status=LegalStatus.NOT_YET_EFFECTIVE, effective_date=datetime.date(2027, 1, 1))
    found = await codes_of(power)
    assert len(found[RuleCode.BASIS_NOT_IN_FORCE]) == 2
    assert len(found[RuleCode.BASIS_NOT_YET_EFFECTIVE]) == 1
    assert RuleCode.NO_LEGAL_BASIS not in found  # the first basis is still in force


async def test_only_repealed_bases_means_no_legal_basis(database: str) -> None:
    power = await make_power(await make_unit())
    await cite(power, status=LegalStatus.REPEALED)
    found = await codes_of(power)
    assert RuleCode.NO_LEGAL_BASIS in found and RuleCode.BASIS_NOT_IN_FORCE in found


async def test_confidential_without_secrecy_basis_is_flagged(database: str) -> None:
    unit = await make_unit()
    bare = await based_power(unit, confidential=True, confidentiality_reason="涉密")
    grounded = await based_power(unit, confidential=True, confidentiality_reason="涉密", confidentiality_basis="《保守国家秘密法》第九条")
    assert RuleCode.CONFIDENTIAL_WITHOUT_BASIS in await codes_of(bare)
    assert RuleCode.CONFIDENTIAL_WITHOUT_BASIS not in await codes_of(grounded)


async def test_the_same_power_claimed_by_two_units_is_flagged(database: str) -> None:
    tag = unique("")
    land, city = await make_unit(name="测试国土局"), await make_unit(name="测试城管局")
    mine = await based_power(land, name=f"对未经批准非法占用土地行为的行政处罚（规则{tag}）")
    near = await based_power(city, name=f"对未经批准非法占用土地的行为的行政处罚（规则{tag}）")
    found = await codes_of(mine)
    assert [f.other_power_id for f in found[RuleCode.UNCLEAR_RESPONSIBILITY]] == [near.id]


async def test_same_bases_in_two_units_are_flagged_but_shared_powers_are_not(database: str) -> None:
    a, b, c = await make_unit(), await make_unit(), await make_unit()
    article = await first_article(await make_document())
    first = await make_power(a, category=PowerCategory.INSPECTION)
    second = await make_power(b, category=PowerCategory.INSPECTION, name=f"对用人单位的监督检查（{unique('')}）")
    shared = await make_power(c, category=PowerCategory.INSPECTION, exercise_mode=ExerciseMode.SHARED)
    for power in (first, second, shared):
        await create_basis(ADMIN, BasisData(power_id=power.id, article_id=article.id))
    claims = (await codes_of(first))[RuleCode.UNCLEAR_RESPONSIBILITY]
    assert [f.other_power_id for f in claims] == [second.id]
    assert RuleCode.UNCLEAR_RESPONSIBILITY not in await codes_of(shared)


async def test_two_townships_may_hold_the_same_power(database: str) -> None:
    tag = unique("")
    east, west = await make_unit(kind=UnitKind.TOWNSHIP), await make_unit(kind=UnitKind.TOWNSHIP)
    office = await make_unit(east)  # an office of the township: same territory, same organisation
    name = f"对违反农村宅基地管理规定行为的处罚（乡镇{tag}）"
    power = await based_power(east, name=name)
    await based_power(west, name=name)
    await based_power(office, name=name)
    assert RuleCode.UNCLEAR_RESPONSIBILITY not in await codes_of(power)


async def test_pre_review_check_of_a_whole_unit(client: httpx.AsyncClient) -> None:
    unit = await make_unit()
    office = await make_unit(unit)
    ready = await charted(await based_power(unit))
    bare = await make_power(office)
    data = await gql_data(client, CHECK, {"unitId": encode_id("Unit", unit.id)}, await token_for(Role.UNIT_STAFF, unit))
    report = data["preReviewCheck"]
    assert report["checkedCount"] == 2 and report["blockingCount"] == 1
    found = [(f["code"], f["severity"], f["power"]["code"]) for f in report["findings"]]
    assert found == [("NO_LEGAL_BASIS", "BLOCKING", bare.code), ("NO_FLOW_CHART", "BLOCKS_PUBLICATION", bare.code)]
    assert ready.code not in {code for *_, code in found}


async def test_pre_review_check_of_a_power_names_the_basis(client: httpx.AsyncClient) -> None:
    power = await charted(await based_power(await make_unit()))
    await cite(power, status=LegalStatus.REPEALED)
    data = await gql_data(client, CHECK, {"powerId": encode_id("Power", power.id)}, await token_for(Role.REVIEWER))
    (finding,) = data["preReviewCheck"]["findings"]
    assert finding["code"] == "BASIS_NOT_IN_FORCE" and finding["severity"] == "WARNING"
    assert finding["articles"][0]["label"]


async def test_pre_review_check_is_not_for_the_public_or_other_units(client: httpx.AsyncClient) -> None:
    unit = await make_unit()
    variables = {"unitId": encode_id("Unit", unit.id)}
    for token in (None, await token_for(Role.UNIT_LEAD, await make_unit())):
        body = await gql(client, CHECK, variables, token)
        assert body["errors"][0]["extensions"]["code"] == "forbidden"
    both = await gql(client, CHECK, {**variables, "powerId": encode_id("Power", 1)}, await token_for(Role.ADMIN))
    assert both["errors"][0]["extensions"]["code"] == "invalid"
