"""Findings follow the visibility rule (issue 8, item 2): the pre-review check of a unit's power
names another unit's conflicting power only to a caller who may see that power. A hidden
unpublished power is mentioned without its name, code or unit; a hidden confidential power is not
mentioned at all (its existence and count never reach who may not see it). Real HTTP, real database."""

from __future__ import annotations

import json

import httpx

from domain.enums import PowerCategory, Role, RuleCode
from domain.models import Power, PowerBasis, Unit
from domain.services.bases import BasisData, create_basis
from schema.relay import encode_id
from tests.factories import ADMIN, first_article, make_document, make_power, make_unit, power_name, unique
from tests.helpers import gql_data, token_for
from tests.workflow_factories import published_power

CHECK = """
query ($powerId: ID) {
  preReviewCheck(powerId: $powerId) {
    findings { code severity message conflictingPower { code name } conflictingUnit { code name } }
  }
}
"""
SECRET = {"confidential": True, "confidentiality_reason": "涉及国家秘密", "confidentiality_basis": "《保守国家秘密法》第九条"}


async def cite_same(article_id: int, *powers: Power) -> None:
    for power in powers:
        await create_basis(ADMIN, BasisData(power_id=power.id, article_id=article_id))


async def claim(unit: Unit, **fields: object) -> Power:
    """A DRAFT power of `unit` whose name resembles no other (so only a shared basis links it)."""
    return await make_power(unit, name=power_name(f"对违反第{unique('')}号测试规定行为的行政处罚"), **fields)


async def check(client: httpx.AsyncClient, power: Power, token: str) -> list[dict]:
    data = await gql_data(client, CHECK, {"powerId": encode_id("Power", power.id)}, token)
    return [f for f in data["preReviewCheck"]["findings"] if f["code"] == RuleCode.UNCLEAR_RESPONSIBILITY.value]


def leaked(findings: list[dict], *hidden: Power | Unit) -> list[str]:
    """Names and codes of `hidden` found anywhere in the answer (messages, fields)."""
    text = json.dumps(findings, ensure_ascii=False)
    return [value for item in hidden for value in (item.name, item.code) if value in text]


async def test_a_hidden_draft_is_reported_without_its_name_code_or_unit(client: httpx.AsyncClient) -> None:
    mine_unit = await make_unit(name=f"测试本单位{unique('')}")
    other_unit = await make_unit(name=f"测试他单位{unique('')}")
    public = await published_power(await make_unit(name=f"测试公开单位{unique('')}"))
    article_id = (await PowerBasis.get(power_id=public.id)).article_id
    mine, draft = await claim(mine_unit), await claim(other_unit)
    await cite_same(article_id, mine, draft)

    staff = await check(client, mine, await token_for(Role.UNIT_STAFF, mine_unit))
    named = [f for f in staff if f["conflictingPower"]]
    anonymous = [f for f in staff if not f["conflictingPower"]]
    # the published power is public: named, with its unit
    assert [f["conflictingPower"]["code"] for f in named] == [public.code]
    assert public.name in named[0]["message"]
    # the draft of the other unit: one finding that says another unit claims the same power, nothing more
    assert len(anonymous) == 1 and anonymous[0]["conflictingUnit"] is None
    assert "另一单位" in anonymous[0]["message"] or "其他单位" in anonymous[0]["message"]
    assert leaked(staff, draft, other_unit) == []

    # a reviewer sees everything: both named, each with its unit
    reviewer = await check(client, mine, await token_for(Role.REVIEWER))
    assert sorted(f["conflictingPower"]["code"] for f in reviewer) == sorted([public.code, draft.code])
    assert any(draft.name in f["message"] for f in reviewer)


async def test_a_hidden_confidential_power_is_not_mentioned_at_all(client: httpx.AsyncClient) -> None:
    mine_unit, secret_unit = await make_unit(), await make_unit(name=f"测试涉密单位{unique('')}")
    article = await first_article(await make_document())
    mine, secret = await claim(mine_unit), await claim(secret_unit, **SECRET)
    await cite_same(article.id, mine, secret)

    staff = await check(client, mine, await token_for(Role.UNIT_LEAD, mine_unit))
    assert staff == [], staff  # not even an anonymous "another unit claims it": that would count it
    assert leaked(staff, secret, secret_unit) == []

    # who may see the confidential power (oversight, its own unit) is told, by name
    reviewer = await check(client, mine, await token_for(Role.REVIEWER))
    assert [f["conflictingPower"]["code"] for f in reviewer] == [secret.code]
    assert secret.name in reviewer[0]["message"]
    # and the secret unit's own staff learn of the other claim only as an anonymous one (mine is a draft)
    own = await check(client, secret, await token_for(Role.UNIT_STAFF, secret_unit))
    assert [f["conflictingPower"] for f in own] == [None] and leaked(own, mine, mine_unit) == []


async def test_several_hidden_claims_make_one_anonymous_finding(client: httpx.AsyncClient) -> None:
    """Two hidden drafts of two other units give one anonymous finding: the count is not told either."""
    mine_unit = await make_unit()
    article = await first_article(await make_document())
    mine = await claim(mine_unit, category=PowerCategory.PENALTY)
    drafts = [await claim(await make_unit()) for _ in range(2)]
    await cite_same(article.id, mine, *drafts)
    staff = await check(client, mine, await token_for(Role.UNIT_STAFF, mine_unit))
    anonymous = [f for f in staff if not f["conflictingPower"]]
    assert len(anonymous) == 1
    assert leaked(staff, *drafts) == []
