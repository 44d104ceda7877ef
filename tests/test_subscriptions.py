"""Live events (issue 25, item 4): subscriptions over graphql-transport-ws and GraphQL over SSE, heard with
the real clients (npm `graphql-ws` and `graphql-sse`, run by node) and a plain HTTP client, delivered
through the change feed, filtered by the subscriber's visibility as webhooks are: a confidential power's
event, a complaint, an overdue notice or complaint and an alarm of 电子监察 never reach the public nor another unit's staff. A limit per token, typed errors,
and a clean end when the server stops."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from domain.alarm_models import Alarm
from domain.alarms import raise_alarms
from domain.catalog import webhooks
from domain.change_notices import power_changed
from domain.complaints import ComplaintData, file_complaint
from domain.enums import PowerCategory, Role
from domain.models import AuditEvent
from qingquan.live import EventHub
from schema.relay import encode_id
from tests.alarm_factories import D, posted_power, posts, started
from tests.factories import ADMIN, PUBLIC, make_unit, power_name
from tests.helpers import token_for
from tests.live_clients import CLIENT, EVENTS, install_clients, served
from tests.workflow_factories import published_power

FILE_COMPLAINT = """mutation ($unit: ID!) { fileComplaint(input: { subject: "订阅测试投诉", content: "内容",
  unitId: $unit, complainantName: "刘订阅" }) { __typename } }"""


@pytest.fixture(scope="module")
def node_clients() -> Path:
    if not install_clients():
        pytest.skip("node and npm are needed for the graphql-ws and graphql-sse clients")
    return CLIENT


@dataclass
class Live:
    base: str
    hub: EventHub

    @property
    def ws(self) -> str:
        return self.base.replace("http://", "ws://") + "/graphql"


@pytest.fixture(scope="module")
async def live(database: str) -> AsyncIterator[Live]:
    """The app served over a real socket on the session database, at most 3 subscriptions per token or address."""
    async with served(max_subscriptions=3) as (base, app):
        yield Live(base, app.state.hub)


async def post(live: Live, query: str, variables: dict[str, Any] | None = None, token: str | None = None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.post(f"{live.base}/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
    return response.json()


async def node(transport: str, url: str, token: str | None, variables: dict[str, Any], want: int, seconds: float = 30) -> list[dict[str, Any]]:
    """Run the npm client until `want` results (or its end); its messages, one per line."""
    proc = await asyncio.create_subprocess_exec(
        "node", str(CLIENT / "subscribe.mjs"), transport, url, token or "", EVENTS, json.dumps(variables), str(want),
        str(int(seconds * 1000)), cwd=CLIENT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), seconds + 15)
    assert proc.returncode == 0, err.decode()
    return [json.loads(line) for line in out.decode().splitlines() if line.strip()]


def results(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m["next"] for m in messages if "next" in m]


async def subscribed(hub: EventHub, count: int, clients: list[asyncio.Task[Any]] | None = None) -> None:
    """Wait until the process holds `count` subscriptions (the clients run in other processes; `clients`:
    their runs, one of which says why when it ends first)."""
    deadline = time.monotonic() + 30
    while len(hub.subscribers) < count:
        ended = [t.result() for t in clients or () if t.done()]
        assert not ended, f"a client ended before every one subscribed: {ended}"
        assert time.monotonic() < deadline, f"{len(hub.subscribers)} of {count} subscriptions after 30 s"
        await asyncio.sleep(0.05)


async def test_events_reach_only_who_may_see_them(live: Live, node_clients: Path) -> None:
    unit, other = await make_unit(name="订阅局"), await make_unit(name="别的订阅局")
    staff, outsider, admin = (
        await token_for(Role.UNIT_STAFF, unit), await token_for(Role.UNIT_STAFF, other), await token_for(Role.ADMIN)
    )  # fmt: skip
    cursor = (await post(live, "{ eventCursor }"))["data"]["eventCursor"]
    after = {"after": cursor}
    sse = live.base + "/graphql"
    clients = [
        node("ws", live.ws, None, after, 1),  # the public
        node("sse", sse, None, after, 1),  # the public, over SSE
        node("ws", live.ws, outsider, after, 1),  # another unit's staff
        node("ws", live.ws, staff, after, 3),  # the unit's staff
        node("sse", sse, admin, {**after, "types": ["COMPLAINT_FILED"]}, 1),  # oversight, complaints only
    ]
    running = [asyncio.ensure_future(c) for c in clients]
    heard = asyncio.gather(*running)
    await subscribed(live.hub, len(clients), running)
    secret = await published_power(unit, name=power_name("涉密的订阅检查"), category=PowerCategory.INSPECTION, confidential=True,
                                   confidentiality_reason="涉密", confidentiality_basis="《保守国家秘密法》第九条")  # fmt: skip
    filed = await post(live, FILE_COMPLAINT, {"unit": encode_id("Unit", unit.id)}, admin)
    assert filed["data"]["fileComplaint"]["__typename"] == "ComplaintReceipt"
    shown = await published_power(unit, name=power_name("公开的订阅许可"), category=PowerCategory.LICENSING)
    public, public_sse, other_staff, own_staff, complaints = await asyncio.wait_for(heard, 60)

    shown_id, secret_id = encode_id("Power", shown.id), encode_id("Power", secret.id)
    for messages in (public, public_sse, other_staff):
        (event,) = [r["data"]["events"] for r in results(messages)]
        assert event["type"] == "POWER_PUBLISHED" and event["subjectId"] == shown_id, messages
        assert event["power"] == {"code": shown.code} and event["payload"]["power"]["id"] == shown_id
        text = json.dumps(messages, ensure_ascii=False)
        assert secret.code not in text and secret_id not in text and "涉密的订阅检查" not in text
        assert "订阅测试投诉" not in text and "COMPLAINT_FILED" not in text
    # the unit's own staff hear all three, in the order they happened, the payload as webhooks carry it
    events = [r["data"]["events"] for r in results(own_staff)]
    assert [(e["type"], e["subjectId"]) for e in events] == [
        ("POWER_PUBLISHED", secret_id), ("COMPLAINT_FILED", events[1]["subjectId"]), ("POWER_PUBLISHED", shown_id)
    ]  # fmt: skip
    assert events[0]["power"] == {"code": secret.code} and events[0]["label"] == "职权公开运行"
    payload = events[2]["payload"]
    assert payload["version"] == 2 and payload["event"] == "power.published"
    assert payload["power"]["category"] == "LICENSING" and payload["power"]["categoryLabel"] == "行政许可"
    assert payload["power"]["unit"]["id"] == encode_id("Unit", unit.id)
    # resuming after an event's cursor hears what followed it
    (complaint,) = [r["data"]["events"] for r in results(complaints)]
    assert complaint["type"] == "COMPLAINT_FILED" and complaint["subjectId"] == events[1]["subjectId"]
    assert "刘订阅" not in json.dumps(complaints, ensure_ascii=False)  # no personal data in events
    resumed = await node("sse", sse, staff, {"after": events[1]["cursor"]}, 1)
    assert [r["data"]["events"]["subjectId"] for r in results(resumed)] == [shown_id]


async def sse_stream(stack: AsyncExitStack, client: httpx.AsyncClient, live: Live, token: str | None,
                     variables: dict[str, Any] | None = None) -> AsyncIterator[str]:  # fmt: skip
    headers = {"Accept": "text/event-stream", **({"Authorization": f"Bearer {token}"} if token else {})}
    body = {"query": EVENTS, "variables": variables or {}}
    response = await stack.enter_async_context(client.stream("POST", f"{live.base}/graphql", json=body, headers=headers))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    return response.aiter_text()


async def read_events(chunks: AsyncIterator[str]) -> list[tuple[str, str]]:
    """The SSE events of a stream up to its `complete`: (event, data)."""
    text = ""
    async for chunk in chunks:
        text += chunk
        if "event: complete" in text:
            break
    found = []
    for block in text.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line and not line.startswith(":"))
        if "event" in fields:
            found.append((fields["event"], fields.get("data", "")))
    return found


async def test_a_token_holds_a_bounded_number_of_subscriptions(live: Live) -> None:
    token = await token_for(Role.ADMIN)
    async with AsyncExitStack() as stack, httpx.AsyncClient(timeout=30) as client:
        before = len(live.hub.subscribers)
        for _ in range(3):
            await sse_stream(stack, client, live, token)
        await subscribed(live.hub, before + 3)
        refused = await read_events(await sse_stream(stack, client, live, token))
        assert [name for name, _ in refused] == ["next", "complete"]
        error = json.loads(refused[0][1])["errors"][0]
        assert error["extensions"]["code"] == "too_many_subscriptions" and "订阅" in error["message"]
        # another token, and the public, have their own allowance
        await sse_stream(stack, client, live, await token_for(Role.ADMIN))
        await sse_stream(stack, client, live, None)
        await subscribed(live.hub, before + 5)
    # the streams closed by the client leave the process
    deadline = time.monotonic() + 10
    while len(live.hub.subscribers) > before:
        assert time.monotonic() < deadline, "subscriptions outlived their streams"
        await asyncio.sleep(0.05)


async def test_bad_cursors_and_tokens_are_typed_errors(live: Live, node_clients: Path) -> None:
    async with AsyncExitStack() as stack, httpx.AsyncClient(timeout=30) as client:
        for cursor in ("garbage", "ZTowOjI=", "x" * 500):
            found = await read_events(await sse_stream(stack, client, live, None, {"after": cursor}))
            error = json.loads(found[0][1])["errors"][0]
            assert error["extensions"]["fields"][0]["code"] == "invalid_cursor", error
    # a WebSocket with an unknown token is closed with 4403, nothing subscribed
    closed = await node("ws", live.ws, "qq_not_a_token", {}, 1, seconds=10)
    assert any(m.get("closed", {}).get("code") == 4403 for m in closed) or any("error" in m for m in closed), closed
    assert not results(closed)


async def test_alarms_reach_the_unit_live_and_no_one_else(live: Live, node_clients: Path) -> None:
    """电子监察: a step's alarm raised by the server reaches the unit's subscribers as `case.alarm` webhooks
    get it — a confidential power's too — and neither the public nor another unit's staff."""
    staff = await posts(await make_unit(name="订阅监察局"))
    shown = await posted_power(staff, name=power_name("订阅预警的行政许可"))
    secret = await posted_power(staff, name=power_name("涉密订阅预警的审批"), confidential=True,
                                confidentiality_reason="涉及国家秘密", confidentiality_basis="《保守国家秘密法》第九条")  # fmt: skip
    ops = [(await started(power, D(2026, 11, 23), applicant="周申请"))[0] for power in (shown, secret)]
    other = await make_unit(name="别的订阅监察局")
    # from the present on (`subscribed` waits until the server holds all three, before the alarms)
    alarms_or_sentinel = {"types": ["CASE_ALARM", "POWER_PUBLISHED"]}
    clients = [
        asyncio.ensure_future(node("ws", live.ws, None, alarms_or_sentinel, 2)),  # the public
        asyncio.ensure_future(node("sse", live.base + "/graphql", await token_for(Role.UNIT_STAFF, other), alarms_or_sentinel, 2)),
        asyncio.ensure_future(node("ws", live.ws, await token_for(Role.UNIT_STAFF, staff.unit), {"types": ["CASE_ALARM"]}, 2)),
    ]
    heard = asyncio.gather(*clients)
    await subscribed(live.hub, len(clients), clients)
    await raise_alarms(D(2026, 11, 24))  # 受理 (1 working day) is due the 24th: YELLOW
    sentinels = [
        encode_id("Power", (await published_power(other, name=power_name("订阅预警之后公开的许可"), category=PowerCategory.LICENSING)).id)
        for _ in range(2)
    ]
    public, outsider, own = await asyncio.wait_for(heard, 60)

    alarms = {a.operation_id: a for a in await Alarm.filter(operation_id__in=[op.id for op in ops])}
    assert len(alarms) == 2, alarms
    for messages in (public, outsider):  # the powers published after the alarms, and nothing of them (on PostgreSQL
        # the public power published just before subscribing may still come first: it was not final yet)
        ids = [r["data"]["events"]["subjectId"] for r in results(messages)]
        assert ids in (sentinels, [encode_id("Power", shown.id), sentinels[0]]), messages
        text = json.dumps(messages, ensure_ascii=False)
        assert "CASE_ALARM" not in text and secret.code not in text and "涉密订阅预警" not in text
    events = [r["data"]["events"] for r in results(own)]
    assert [e["subjectId"] for e in events] == [encode_id("Alarm", alarms[op.id].id) for op in ops], own
    assert [e["power"]["code"] for e in events] == [shown.code, secret.code]
    for event in events:
        assert event["type"] == "CASE_ALARM" and event["label"] == "电子监察预警（黄牌到期、红牌超期）"
        assert event["payload"]["event"] == "case.alarm" and event["payload"]["alarm"]["level"] == "YELLOW"
        assert event["payload"]["alarm"]["position"] == "受理岗" and "周申请" not in json.dumps(event, ensure_ascii=False)
    # exactly what the webhooks' rule sends: the same body as a `case.alarm` delivery would carry
    subject = await webhooks.audited_event(
        (await AuditEvent.filter(action="alarm.raise", entity_id=str(alarms[ops[1].id].id)).get()).id
    )
    assert subject is not None
    assert events[1]["payload"] == json.loads(json.dumps(webhooks.envelope(subject[0], subject[1], subject[2].at)))


async def test_overdue_notices_and_complaints_reach_the_unit_and_oversight_live(live: Live, node_clients: Path) -> None:
    """`change_notice.overdue` and `complaint.overdue`, announced once by the round that finds them past their
    due day (an audit event each, like an alarm), reach the unit's staff and an admin live, without the
    complainant — and neither the public nor another unit's staff."""
    day = D(2027, 6, 1)
    await webhooks.announce_overdue(day)  # what other tests left overdue by then is told first
    unit, other = await make_unit(name="逾期订阅局"), await make_unit(name="别的逾期订阅局")
    power = await published_power(unit, name=power_name("逾期未说明的订阅许可"))
    notice = await power_changed(ADMIN, power, "power.edit", on=D(2026, 10, 9))
    complaint = await file_complaint(PUBLIC, ComplaintData(
        unit_id=unit.id, subject="逾期订阅投诉", content="久拖不办", complainant_name="刘逾期", complainant_phone="13800000001",
    ), on=D(2026, 10, 9))  # fmt: skip
    assert notice is not None
    overdue = {"types": ["CHANGE_NOTICE_OVERDUE", "COMPLAINT_OVERDUE"]}
    clients = [
        asyncio.ensure_future(node("ws", live.ws, None, {"types": [*overdue["types"], "POWER_PUBLISHED"]}, 2)),  # the public
        asyncio.ensure_future(node("sse", live.base + "/graphql", await token_for(Role.UNIT_STAFF, other),
                                   {"types": [*overdue["types"], "POWER_PUBLISHED"]}, 2)),  # another unit's staff
        asyncio.ensure_future(node("ws", live.ws, await token_for(Role.UNIT_STAFF, unit), overdue, 2)),
        asyncio.ensure_future(node("sse", live.base + "/graphql", await token_for(Role.ADMIN), overdue, 2)),
    ]  # fmt: skip
    heard = asyncio.gather(*clients)
    await subscribed(live.hub, len(clients), clients)
    assert await webhooks.announce_overdue(day) == 2
    assert await webhooks.announce_overdue(day) == 0  # once
    sentinels = [
        encode_id("Power", (await published_power(other, name=power_name("逾期之后公开的许可"), category=PowerCategory.LICENSING)).id)
        for _ in range(2)
    ]
    public, outsider, own, admin = await asyncio.wait_for(heard, 60)

    for messages in (public, outsider):  # the powers published after, nothing overdue (on PostgreSQL the power
        # published just before subscribing may still come first: it was not final yet)
        ids = [r["data"]["events"]["subjectId"] for r in results(messages)]
        assert ids in (sentinels, [encode_id("Power", power.id), sentinels[0]]), messages
        text = json.dumps(messages, ensure_ascii=False)
        assert "OVERDUE" not in text and "逾期订阅投诉" not in text and "刘逾期" not in text
    for messages in (own, admin):
        events = [r["data"]["events"] for r in results(messages)]
        assert [(e["type"], e["subjectId"]) for e in events] == [
            ("CHANGE_NOTICE_OVERDUE", encode_id("ChangeNotice", notice.id)),
            ("COMPLAINT_OVERDUE", encode_id("Complaint", complaint.id)),
        ], messages
        assert events[0]["power"] == {"code": power.code} and events[1]["label"] == "投诉办理逾期"
        assert events[1]["payload"]["complaint"]["dueOn"] == complaint.due_on.isoformat()
        assert "刘逾期" not in json.dumps(messages, ensure_ascii=False) and "13800000001" not in json.dumps(messages)
