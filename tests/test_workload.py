"""Who handles what: per post (岗位) the powers and chart steps it holds, its steps under way and open alarms;
per unit the same rolled up; powers filtered by post — each as the public, another unit's staff, the unit's
staff and 监察局 may see them (a confidential power's step and alarm hidden alone); and for the demo county."""

from __future__ import annotations

import asyncio
import datetime

import httpx
import pytest

from docgen.filing import build_filing
from docgen.forms import FilingForm
from domain.access import PUBLIC
from domain.alarm_models import Alarm
from domain.alarms import raise_alarms
from domain.enums import AlarmLevel, PowerStatus, Role
from domain.errors import ValidationFailed
from domain.models import FlowStep, Position, Unit
from domain.workdays import today
from schema.relay import encode_id
from tests.alarm_factories import D, posted_power, posts, started
from tests.docx_checks import all_text, data_rows, open_docx
from tests.factories import make_unit, power_name, staff_of
from tests.helpers import count_queries, gql, gql_data, token_for

pytestmark = pytest.mark.usefixtures("database")
WORK = """powers { code } steps { step { name } power { code } } openStepCount openSteps { stepName } alarms { yellow red }"""
POSITION = f"""query ($id: ID!) {{ node(id: $id) {{ ... on Position {{ name workload {{ {WORK} }} }} }} }}"""
UNIT = f"""query ($code: String!) {{ unit(code: $code) {{ workload {{
  powers {{ code }} stepCount openStepCount alarms {{ yellow red total }} posts {{ position {{ name }} {WORK} }}
}} }} }}"""
BY_POST = """query ($post: ID!) { powers(filter: { positionId: $post }) { totalCount edges { node { code } } } }"""


@pytest.fixture(scope="module")
async def held(database: str) -> dict:
    """A unit whose 受理岗 holds a step of a public power and of a confidential one (each with a step under way
    past its limit); an office with posts of its own besides."""
    staff = await posts(await make_unit(name="承办测试局"))
    public = await posted_power(staff)
    secret = await posted_power(staff, name=power_name("涉密事项的核准"), confidential=True,
                                confidentiality_reason="涉及国家秘密", confidentiality_basis="《保守国家秘密法》第九条")  # fmt: skip
    office = await posts(await make_unit(staff.unit, name="审批科"))
    await started(public, D(2026, 11, 16))
    await started(secret, D(2026, 11, 16))
    await raise_alarms(D(2026, 11, 18))  # both 受理 steps RED
    return {"staff": staff, "public": public, "secret": secret, "office": office}


async def _post(client: httpx.AsyncClient, position: Position, token: str | None) -> dict:
    return (await gql_data(client, POSITION, {"id": encode_id("Position", position.id)}, token))["node"]["workload"]


async def test_a_post_holds_its_steps_and_sees_its_work_as_the_caller_may(client: httpx.AsyncClient, held: dict) -> None:
    staff, public, secret = held["staff"], held["public"], held["secret"]
    inspector = await _post(client, staff.clerk, await token_for(Role.INSPECTOR))
    assert [p["code"] for p in inspector["powers"]] == sorted([public.code, secret.code])
    assert [(s["step"]["name"], s["power"]["code"]) for s in inspector["steps"]] == [("受理", c) for c in sorted([public.code, secret.code])]
    assert (inspector["openStepCount"], inspector["alarms"]) == (2, {"yellow": 0, "red": 2})
    own = await _post(client, staff.clerk, await token_for(Role.UNIT_STAFF, staff.unit))
    assert own == inspector
    for token in (None, await token_for(Role.UNIT_STAFF, await make_unit())):
        outside = await _post(client, staff.clerk, token)
        assert [p["code"] for p in outside["powers"]] == [public.code]  # not the confidential one, nor its count
        assert [s["power"]["code"] for s in outside["steps"]] == [public.code]
        assert (outside["openStepCount"], outside["alarms"]) == (1, {"yellow": 0, "red": 0})  # the public record's step
    reviewer = await _post(client, staff.reviewer, None)
    assert [s["step"]["name"] for s in reviewer["steps"]] == ["审核"] and reviewer["openStepCount"] == 0


async def test_a_unit_rolls_up_its_posts_and_offices(client: httpx.AsyncClient, held: dict) -> None:
    staff, public, secret = held["staff"], held["public"], held["secret"]
    full = (await gql_data(client, UNIT, {"code": staff.unit.code}, await token_for(Role.INSPECTOR)))["unit"]["workload"]
    assert [p["code"] for p in full["powers"]] == sorted([public.code, secret.code])
    assert (full["stepCount"], full["openStepCount"], full["alarms"]) == (4, 2, {"yellow": 0, "red": 2, "total": 2})
    assert [p["position"]["name"] for p in full["posts"]] == ["受理岗", "审核岗", "受理岗", "审核岗"]  # the office's last
    assert [p["powers"] for p in full["posts"][2:]] == [[], []]
    public_view = (await gql_data(client, UNIT, {"code": staff.unit.code}))["unit"]["workload"]
    assert [p["code"] for p in public_view["powers"]] == [public.code]
    assert (public_view["stepCount"], public_view["openStepCount"], public_view["alarms"]["total"]) == (2, 1, 0)


async def test_powers_are_filtered_by_post(client: httpx.AsyncClient, held: dict) -> None:
    staff, public, secret = held["staff"], held["public"], held["secret"]
    post = encode_id("Position", staff.reviewer.id)
    as_staff = (await gql_data(client, BY_POST, {"post": post}, await token_for(Role.UNIT_STAFF, staff.unit)))["powers"]
    assert (as_staff["totalCount"], {e["node"]["code"] for e in as_staff["edges"]}) == (2, {public.code, secret.code})
    as_public = (await gql_data(client, BY_POST, {"post": post}))["powers"]
    assert (as_public["totalCount"], [e["node"]["code"] for e in as_public["edges"]]) == (1, [public.code])
    office_post = encode_id("Position", held["office"].clerk.id)
    assert (await gql_data(client, BY_POST, {"post": office_post}))["powers"]["totalCount"] == 0
    body = await gql(client, BY_POST, {"post": encode_id("Unit", staff.unit.id)})
    assert body["errors"][0]["extensions"]["code"] == "invalid"


DEMO_UNIT = """query ($code: String!) { unit(code: $code) { positions { id name } workload {
  powers { code } stepCount posts { position { id name } powers { code } steps { step { name } power { code } } openStepCount alarms { red } }
} } }"""


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("role", [None, Role.INSPECTOR])
async def test_the_demo_countys_posts_answer_who_handles_what(client: httpx.AsyncClient, role: Role | None) -> None:
    """国土资源局 (36072308) of the demo county: each post's powers are the PUBLISHED powers (public ones for the
    public) whose chart steps name it, in a bounded number of statements."""
    token = await token_for(role) if role else None
    unit = await Unit.get(code="36072308")
    with count_queries() as counted:
        data = (await gql_data(client, DEMO_UNIT, {"code": unit.code}, token))["unit"]
    assert counted.count <= 20, counted.statements
    posts = {p["position"]["id"]: p for p in data["workload"]["posts"]}
    assert set(posts) >= {p["id"] for p in data["positions"]}
    expected: dict[str, set[str]] = {}
    units = [unit.id, *await Unit.filter(parent_id=unit.id).values_list("id", flat=True)]
    rows = FlowStep.filter(chart__power__unit_id__in=units, chart__power__status=PowerStatus.PUBLISHED, position_id__isnull=False)
    if role is None:
        rows = rows.filter(chart__power__confidential=False, chart__power__disclosure_scope="PUBLIC")
    for position_id, code in await rows.values_list("position_id", "chart__power__code"):
        expected.setdefault(encode_id("Position", position_id), set()).add(code)
    assert expected, "the demo county's charts name posts"
    assert {key: {p["code"] for p in post["powers"]} for key, post in posts.items() if post["powers"]} == expected
    assert {p["code"] for p in data["workload"]["powers"]} == set().union(*expected.values())


async def test_the_posts_filing_lists_each_post_as_the_caller_may_see_it(held: dict) -> None:
    staff, public, secret = held["staff"], held["public"], held["secret"]
    full = data_rows(open_docx(await build_filing(await staff_of(staff.unit), staff.unit.id, FilingForm.POSTS)).tables[0])
    assert [(r[1], r[2], r[3]) for r in full] == [("本单位", "受理岗", "张受理"), ("本单位", "审核岗", "李审核"),
                                                  ("审批科", "受理岗", "张受理"), ("审批科", "审核岗", "李审核")]  # fmt: skip
    clerk = full[0]
    assert public.code in clerk[5] and secret.code in clerk[5] and clerk[6].startswith("受理（1个工作日）：")
    assert (clerk[7], clerk[8]) == ("2", "黄牌0　红牌2")
    outside = open_docx(await build_filing(PUBLIC, staff.unit.id, FilingForm.POSTS))
    rows = data_rows(outside.tables[0])
    assert public.code in rows[0][5] and secret.code not in all_text(outside) and secret.name not in all_text(outside)
    assert (rows[0][7], rows[0][8]) == ("1", "—")  # the public record's step; no alarm for the public
    with pytest.raises(ValidationFailed):
        await build_filing(PUBLIC, staff.unit.id, FilingForm.POSTS, public.id)


async def test_the_server_raises_alarms_itself(database: str, held: dict) -> None:
    """`qingquan serve` runs 电子监察's rounds in its background (once per database: a lease): a step past its
    due day gets its alarm with nothing else started. (Last in the session: the round judges every step by today.)"""
    from qingquan.app import create_app
    from qingquan.settings import Settings

    op, step = await started(held["public"], today() - datetime.timedelta(days=14))
    app = create_app(Settings(database_url=database, search_indexer=False, webhook_sender=False, alarm_interval=0.1), manage_db=False)
    async with app.router.lifespan_context(app):
        for _ in range(600):  # up to 30 s: a server another test killed may hold the lease until it expires (10 s)
            if await Alarm.exists(key=f"step:{step.id}"):
                break
            await asyncio.sleep(0.05)
    alarm = await Alarm.get(key=f"step:{step.id}")
    assert (alarm.level, alarm.position_id, alarm.cleared_at) == (AlarmLevel.RED, held["staff"].clerk.id, None)
