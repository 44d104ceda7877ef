"""Webhooks against a real HTTP receiver (a Starlette app on uvicorn in a thread): deliveries queued
in the transaction of the change, signed with HMAC-SHA256, retried with backoff, and each webhook
hearing only of what its role (and unit) may see."""

from __future__ import annotations

import asyncio
import datetime
import json
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from ipaddress import ip_address
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse
from starlette.routing import Route
from tortoise.transactions import in_transaction

from domain import complaints
from domain.audit import record
from domain.catalog.models import DeliveryStatus, Webhook, WebhookDelivery
from domain.catalog.webhooks import WebhookData, announce_overdue, register_webhook
from domain.enums import PowerCategory, Role
from domain.errors import PermissionDenied, ValidationFailed
from domain.models import AuditEvent, Unit
from qingquan import webhooks as sending
from qingquan.settings import get_settings
from resolvers.ids import encode_id
from tests.conftest import run_cli
from tests.factories import ADMIN, PUBLIC, make_unit, power_name, staff_of, unique
from tests.helpers import gql_data, token_for
from tests.workflow_factories import published_power

pytestmark = pytest.mark.usefixtures("demo")  # the demo first: its powers keep the lowest ids
SECRET = "s3cret-for-the-tests-0123456789"


@dataclass
class Receiver:
    """Records every POST by path; a path in `failing` answers 500 that many times first."""

    port: int = 0
    received: dict[str, list[tuple[dict[str, str], bytes]]] = field(default_factory=dict)
    failing: dict[str, int] = field(default_factory=dict)
    slow: dict[str, float] = field(default_factory=dict)  # seconds a path takes to answer
    redirect: dict[str, str] = field(default_factory=dict)  # a path that answers 302 to this URL

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    def bodies(self, path: str) -> list[dict]:
        return [json.loads(body) for _, body in self.received.get(path, [])]


@pytest.fixture(scope="module", autouse=True)
def private_targets_allowed() -> Iterator[None]:
    """The receiver listens on 127.0.0.1: the operator's QINGQUAN_WEBHOOK_ALLOW_PRIVATE is on, for this
    process (its settings) and the commands it runs (their environment)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("QINGQUAN_WEBHOOK_ALLOW_PRIVATE", "true")
        patch.setattr(get_settings(), "webhook_allow_private", True)
        yield


@pytest.fixture(autouse=True)
async def only_this_tests_deliveries_due(database: str) -> None:
    """A round sends at most `BATCH` due deliveries, oldest first: those earlier tests and modules left pending
    (to receivers long gone) would fill it before this test's own. They are put off to a far date: nothing
    of theirs is asserted any more."""
    later = datetime.datetime(2999, 1, 1, tzinfo=datetime.UTC)
    await WebhookDelivery.filter(status=DeliveryStatus.PENDING).update(next_attempt_at=later)


#: What a failing receiver answers: nothing of it may reach lastError (an internal service's answer would).
INTERNAL_ANSWER = "password=hunter2 try later"


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    got = Receiver()

    async def hook(request: Request) -> PlainTextResponse | RedirectResponse:
        path = request.path_params["name"]
        got.received.setdefault(path, []).append((dict(request.headers), await request.body()))
        if path in got.slow:
            await asyncio.sleep(got.slow[path])
        if path in got.redirect:
            return RedirectResponse(got.redirect[path], status_code=302)
        if got.failing.get(path, 0) > 0:
            got.failing[path] -= 1
            return PlainTextResponse(INTERNAL_ANSWER, status_code=500)
        return PlainTextResponse("ok")

    with serving_in_thread(Starlette(routes=[Route("/{name}", hook, methods=["POST"])])) as got.port:
        yield got


@contextmanager
def serving_in_thread(app: Starlette, **config: Any) -> Iterator[int]:
    """`app` on uvicorn in a thread, on a free port of 127.0.0.1 (yielded) until the block ends."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", **config))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    try:
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(5)


async def hook_for(receiver: Receiver, role: Role, unit: Unit | None = None, *events: str) -> tuple[Webhook, str]:
    path = f"h{unique('')}"
    data = WebhookData(path, receiver.url(path), role, unit.code if unit else None, events, SECRET)
    return await register_webhook(ADMIN, data, allow_private=get_settings().webhook_allow_private), path


async def deliveries(hook: Webhook) -> list[WebhookDelivery]:
    return await WebhookDelivery.filter(webhook_id=hook.id).order_by("id")


async def deliver(**kwargs) -> sending.Round:
    return await sending.deliver_due(**kwargs)


async def test_a_published_power_reaches_who_may_see_it_signed(receiver: Receiver) -> None:
    unit, other = await make_unit(), await make_unit()
    public, public_path = await hook_for(receiver, Role.PUBLIC, None, "power.published")
    own, own_path = await hook_for(receiver, Role.UNIT_STAFF, unit, "power.published")
    stranger, _ = await hook_for(receiver, Role.UNIT_STAFF, other, "power.published")
    shown = await published_power(unit, name=power_name("公开的许可"), category=PowerCategory.LICENSING)
    # in the unit's office: the unit's webhook hears of it too (and its public legal texts, which
    # tests/test_docgen_access.py compares article by article, stay apart from the office's)
    secret = await published_power(await make_unit(unit), name=power_name("涉密的检查"), category=PowerCategory.INSPECTION, confidential=True,
                                   confidentiality_reason="涉密", confidentiality_basis="《保守国家秘密法》第九条")  # fmt: skip
    # queued with the change itself, before anything was sent
    assert [d.subject for d in await deliveries(public)] == [f"power:{shown.id}"]
    assert [d.subject for d in await deliveries(own)] == [f"power:{shown.id}", f"power:{secret.id}"]
    assert [d.subject for d in await deliveries(stranger)] == [f"power:{shown.id}"]
    done = await deliver()
    assert done.delivered >= 4 and done.retried == 0
    (headers, body), = receiver.received[public_path]
    assert sending.verify(SECRET, headers["x-qingquan-signature"], body)
    assert not sending.verify("another-secret-0123456789", headers["x-qingquan-signature"], body)
    assert not sending.verify(SECRET, headers["x-qingquan-signature"], body.replace(b"}", b" }", 1))
    payload = json.loads(body)
    assert headers["x-qingquan-event"] == "power.published" == payload["event"]
    assert payload["power"]["code"] == shown.code and payload["delivery"] == int(headers["x-qingquan-delivery"])
    # the API's names (issue 25, item 6): global ids, camelCase, an enum's value and its label apart
    assert payload["version"] == 2 and payload["eventLabel"] == "职权公开运行"
    assert payload["power"]["id"] == encode_id("Power", shown.id) and payload["power"]["unit"]["id"] == encode_id("Unit", shown.unit_id)
    assert (payload["power"]["category"], payload["power"]["categoryLabel"]) == (shown.category.value, shown.category.label)
    assert (payload["power"]["exerciseMode"], payload["power"]["exerciseModeLabel"]) == (shown.exercise_mode.value, shown.exercise_mode.label)
    assert (payload["power"]["status"], payload["power"]["statusLabel"]) == ("PUBLISHED", "公开运行")
    assert secret.name not in json.dumps(receiver.bodies(public_path), ensure_ascii=False)
    assert {b["power"]["code"] for b in receiver.bodies(own_path)} == {shown.code, secret.code}
    assert all(d.status is DeliveryStatus.DELIVERED for d in await deliveries(public))


async def test_a_change_that_rolls_back_queues_nothing(receiver: Receiver) -> None:
    unit = await make_unit()
    hook, _ = await hook_for(receiver, Role.ADMIN)
    power = await published_power(unit, name=power_name("回滚测试"))
    before = len(await deliveries(hook))
    with pytest.raises(RuntimeError):
        async with in_transaction():
            await record(ADMIN, "power.publish", "power", power.id)
            raise RuntimeError("the change failed")
    assert len(await deliveries(hook)) == before


async def test_complaints_reach_the_unit_and_oversight_never_the_public(receiver: Receiver) -> None:
    unit, other = await make_unit(), await make_unit()
    hooks = {name: await hook_for(receiver, role, u, "complaint.filed", "complaint.overdue") for name, role, u in (
        ("public", Role.PUBLIC, None), ("own", Role.UNIT_STAFF, unit), ("stranger", Role.UNIT_LEAD, other),
        ("inspector", Role.INSPECTOR, None))}  # fmt: skip
    filed = await complaints.file_complaint(PUBLIC, complaints.ComplaintData(
        unit_id=unit.id, subject="办事拖延", content="刘建国反映窗口推诿", complainant_name="刘建国", complainant_phone="13800000000",
    ), on=datetime.date(2026, 10, 9))  # fmt: skip
    counts = {name: len(await deliveries(hook)) for name, (hook, _) in hooks.items()}
    assert counts == {"public": 0, "own": 1, "stranger": 0, "inspector": 1}
    await deliver()
    body = receiver.bodies(hooks["own"][1])[0]
    assert body["complaint"]["id"] == encode_id("Complaint", filed.id) and "刘建国" not in json.dumps(body, ensure_ascii=False)
    assert body["complaint"]["unit"]["id"] == encode_id("Unit", unit.id) and body["complaint"]["statusLabel"] == "已收到待受理"
    # long past its deadline: overdue, announced once
    assert await announce_overdue(datetime.date(2027, 6, 1)) >= 1
    assert await announce_overdue(datetime.date(2027, 6, 1)) == 0
    # this complaint's (an inspector also hears of other tests' complaints, overdue by 2027 too)
    overdue = {name: [(d.event, d.subject) for d in await deliveries(hook)].count(("complaint.overdue", f"complaint:{filed.id}"))
               for name, (hook, _) in hooks.items()}  # fmt: skip
    assert overdue == {"public": 0, "own": 1, "stranger": 0, "inspector": 1}


async def test_failures_are_retried_with_backoff_then_given_up(receiver: Receiver) -> None:
    unit = await make_unit()
    flaky, flaky_path = await hook_for(receiver, Role.ADMIN, None, "power.published")
    dead = await register_webhook(ADMIN, WebhookData("dead", "http://127.0.0.1:9/never", Role.ADMIN, None, ("power.published",), SECRET),
                                  allow_private=True)  # fmt: skip
    receiver.failing[flaky_path] = 2
    await published_power(unit, name=power_name("重试测试"))
    base = datetime.timedelta(seconds=10)
    now = datetime.datetime.now().astimezone()
    waits = []
    for _ in range(3):
        await deliver(now=now, base_delay=base)
        (delivery,) = await deliveries(flaky)
        if delivery.status is DeliveryStatus.DELIVERED:
            break
        waits.append(delivery.next_attempt_at - now)
        assert delivery.last_error == "HTTP 500 Internal Server Error"  # the code, never the receiver's answer
        tried = len(receiver.received[flaky_path])
        await deliver(now=now + base / 2, base_delay=base)  # not yet due: not sent before its time
        assert len(receiver.received[flaky_path]) == tried
        now = delivery.next_attempt_at
    assert [round(w.total_seconds()) for w in waits] == [10, 20]
    assert delivery.status is DeliveryStatus.DELIVERED and delivery.attempts == 3
    assert len(receiver.received[flaky_path]) == 3
    ids = {h["x-qingquan-delivery"] for h, _ in receiver.received[flaky_path]}
    assert ids == {str(delivery.id)}  # the same delivery id on every retry
    for _ in range(sending.MAX_ATTEMPTS + 2):
        (gone,) = await deliveries(dead)
        if gone.status is not DeliveryStatus.PENDING:
            break
        await deliver(now=max(now, gone.next_attempt_at), base_delay=base, request_seconds=2)
    assert gone.status is DeliveryStatus.FAILED and gone.attempts == sending.MAX_ATTEMPTS
    assert gone.last_error == "连接被拒绝 (connection refused)"


async def test_a_slow_receiver_delays_only_its_own_events(receiver: Receiver) -> None:
    unit = await make_unit()
    slow, slow_path = await hook_for(receiver, Role.UNIT_STAFF, unit, "power.published")
    fast, fast_path = await hook_for(receiver, Role.UNIT_STAFF, unit, "power.published")
    receiver.slow[slow_path] = 3.0
    powers = [await published_power(unit, name=power_name(f"慢接收方{n}")) for n in range(3)]
    started = time.monotonic()
    done = await deliver(request_seconds=0.5)
    took = time.monotonic() - started
    assert [b["power"]["code"] for b in receiver.bodies(fast_path)] == [p.code for p in powers]
    assert took < 2.0, f"the round took {took:.1f} s: receivers waited for each other"
    assert done.delivered >= 3 and done.retried >= 1  # other tests' webhooks may have had deliveries due too
    assert [d.status for d in await deliveries(fast)] == [DeliveryStatus.DELIVERED] * 3
    # the slow receiver got one try; its other events wait, in order, unclaimed and uncounted
    tries = [(d.attempts, d.status) for d in await deliveries(slow)]
    assert tries == [(1, DeliveryStatus.PENDING), (0, DeliveryStatus.PENDING), (0, DeliveryStatus.PENDING)]
    assert len(receiver.received[slow_path]) == 1


async def test_only_admins_register_for_a_role_and_bad_input_is_refused(receiver: Receiver) -> None:
    unit = await make_unit()
    for viewer in (PUBLIC, await staff_of(unit)):
        with pytest.raises(PermissionDenied):
            await register_webhook(viewer, WebhookData("x", receiver.url("x"), Role.PUBLIC))
    with pytest.raises(ValidationFailed) as caught:
        await register_webhook(ADMIN, WebhookData("", "ftp://nowhere", Role.UNIT_STAFF, None, ("power.sold",), "short"))
    assert {e.field for e in caught.value.errors} == {"name", "url", "events", "unit", "secret"}


WEBHOOKS = """
{ webhooks { name url role unitCode events deliveries { event subject status attempts } } }
"""
REGISTER = """
mutation Register($input: RegisterWebhookInput!) {
  registerWebhook(input: $input) {
    __typename
    ... on RegisteredWebhook { secret webhook { id name role events } }
    ... on PermissionDeniedError { message }
    ... on ValidationErrors { errors { field code } }
  }
}
"""


async def test_graphql_registers_any_role_for_admins_and_lists(client: httpx.AsyncClient, receiver: Receiver) -> None:
    unit = await make_unit()
    variables = {"input": {"name": "财政系统", "url": receiver.url("fin"), "role": "UNIT_STAFF", "unitCode": unit.code,
                           "events": ["power.published"]}}  # fmt: skip
    # another unit's token may register webhooks only for itself (tests/test_token_webhooks.py)
    refused = await gql_data(client, REGISTER, variables, await token_for(Role.UNIT_STAFF, await make_unit()))
    assert refused["registerWebhook"]["errors"] == [{"field": "unit", "code": "forbidden"}]
    assert (await gql_data(client, REGISTER, variables))["registerWebhook"]["__typename"] == "PermissionDeniedError"
    admin = await token_for(Role.ADMIN)
    made = (await gql_data(client, REGISTER, variables, admin))["registerWebhook"]
    assert len(made["secret"]) >= 32 and made["webhook"]["role"] == "UNIT_STAFF"
    await published_power(unit, name=power_name("财政可见"))
    listed = {h["name"]: h for h in (await gql_data(client, WEBHOOKS, token=admin))["webhooks"]}
    assert listed["财政系统"]["deliveries"][0]["status"] == "PENDING" and listed["财政系统"]["unitCode"] == unit.code
    assert (await gql_data(client, WEBHOOKS, token=await token_for(Role.UNIT_STAFF, unit)))["webhooks"] == []
    assert (await gql_data(client, WEBHOOKS))["webhooks"] == []


async def test_cli_adds_a_webhook_and_delivers(database: str, receiver: Receiver) -> None:
    unit = await make_unit()
    path = f"cli{unique('')}"
    proc = run_cli("webhook", "add", "--name", "电子监察", "--url", receiver.url(path), "--role", "INSPECTOR",
                   "--event", "power.published", db_url=database)  # fmt: skip
    hook_id, secret = proc.stdout.strip().splitlines()[-1].split("\t")
    await published_power(unit, name=power_name("命令行投递"))
    proc = run_cli("webhook", "deliver", db_url=database)
    assert "delivered=" in proc.stderr
    (headers, body), = receiver.received[path]
    assert sending.verify(secret, headers["x-qingquan-signature"], body)
    (delivery,) = await WebhookDelivery.filter(webhook_id=int(hook_id))
    assert delivery.status is DeliveryStatus.DELIVERED and delivery.attempts == 1
    listing = run_cli("webhook", "list", db_url=database)
    assert "电子监察" in listing.stderr


async def test_the_server_sends_deliveries_itself(receiver: Receiver, database: str) -> None:
    """`qingquan serve` runs the sender in one of its processes: nothing else need be started. (One sender
    per database on a host: the app is given the test database's URL, which keys the sender's lock, so that
    CI's two legs, side by side, do not wait for each other's.)"""
    from qingquan.app import create_app
    from qingquan.settings import Settings

    unit = await make_unit()
    hook, path = await hook_for(receiver, Role.UNIT_STAFF, unit, "power.published")
    app = create_app(Settings(database_url=database, search_indexer=False, webhook_interval=0.1), manage_db=False)
    async with app.router.lifespan_context(app):
        power = await published_power(unit, name=power_name("服务器自己发送"))
        for _ in range(200):  # up to 10 s; a round every 0.1 s
            # until the sender has also recorded the delivery: the receiver has the body a moment before
            # that, and a sender stopped in between leaves it PENDING, to be sent again (at least once)
            if receiver.bodies(path) and [d.status for d in await deliveries(hook)] == [DeliveryStatus.DELIVERED]:
                break
            await asyncio.sleep(0.05)
    assert [b["power"]["code"] for b in receiver.bodies(path)] == [power.code]
    assert [d.status for d in await deliveries(hook)] == [DeliveryStatus.DELIVERED]
    # the lifespan ended: the sender stopped with it, and a new delivery waits for the next server
    later = await published_power(unit, name=power_name("服务器停了以后"))
    await asyncio.sleep(0.3)
    assert [d.status for d in await deliveries(hook)] == [DeliveryStatus.DELIVERED, DeliveryStatus.PENDING]
    assert [b["power"]["code"] for b in receiver.bodies(path)] == [power.code] and later.code


# -- targets: public addresses only --------------------------------------------------------------------

#: Loopback, private, link-local, multicast and reserved targets in the spellings a resolver takes.
PRIVATE_URLS = [
    "http://127.0.0.1:5432/", "http://0x7f000001/", "http://2130706433/", "http://0177.0.0.1/", "http://127.1/",
    "http://[::1]:5432/", "http://[::ffff:127.0.0.1]/", "http://[2002:7f00:1::]/", "http://localhost:5432/",
    "http://0.0.0.0:8000/", "http://10.0.0.5/", "http://192.168.1.1/", "http://100.64.0.1/",
    "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/", "http://224.0.1.1/", "http://[ff0e::1]/",
    "https://192.0.2.1/", "http://[64:ff9b::7f00:1]/",
]  # fmt: skip
REGISTER_URL = """
mutation Register($input: RegisterWebhookInput!) {
  registerWebhook(input: $input) { __typename ... on ValidationErrors { errors { field message code } } }
}"""


async def test_private_targets_are_refused_at_registration(client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "webhook_allow_private", False)
    before = (await Webhook.all().count(), await AuditEvent.filter(action="webhook.register").count())
    for url in PRIVATE_URLS:
        with pytest.raises(ValidationFailed) as caught:
            await register_webhook(ADMIN, WebhookData("内网", url, Role.ADMIN))
        assert [(e.field, e.code) for e in caught.value.errors] == [("url", "private_address")], url
        assert "不予登记" in caught.value.errors[0].message and "public addresses only" in caught.value.errors[0].message
    admin = await token_for(Role.ADMIN)
    for url in ("http://0x7f000001/", "http://[::1]:5432/"):
        body = await gql_data(client, REGISTER_URL, {"input": {"name": "内网", "url": url, "role": "ADMIN"}}, admin)
        (error,) = body["registerWebhook"]["errors"]
        assert body["registerWebhook"]["__typename"] == "ValidationErrors" and (error["field"], error["code"]) == ("url", "private_address")
    assert (await Webhook.all().count(), await AuditEvent.filter(action="webhook.register").count()) == before
    # a public address is taken (a literal: no resolver asked), and so is a private one the operator allows
    public = await register_webhook(ADMIN, WebhookData("公网", "https://8.8.8.8/hook", Role.ADMIN, secret=SECRET))
    allowed = await register_webhook(ADMIN, WebhookData("内网", "http://0x7f000001/", Role.ADMIN, secret=SECRET), allow_private=True)
    for hook in (public, allowed):
        await hook.delete()


async def test_the_command_refuses_a_private_target(database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QINGQUAN_WEBHOOK_ALLOW_PRIVATE", "false")
    before = await Webhook.all().count()
    refused = run_cli("webhook", "add", "--name", "内网", "--url", "http://[::ffff:127.0.0.1]:5432/", "--role", "ADMIN",
                      db_url=database, check=False)  # fmt: skip
    assert refused.returncode == 1 and "url:" in refused.stderr and "public addresses only" in refused.stderr
    assert await Webhook.all().count() == before


async def test_a_private_target_is_refused_at_sending(receiver: Receiver) -> None:
    """A webhook registered when private targets were allowed (or whose name now resolves to one) is not
    sent to: the target is checked before every delivery."""
    unit = await make_unit()
    hook, path = await hook_for(receiver, Role.UNIT_STAFF, unit, "power.published")
    await published_power(unit, name=power_name("发送时检查"))
    await deliver(allow_private=False)
    (delivery,) = await deliveries(hook)
    assert path not in receiver.received
    assert (delivery.status, delivery.attempts, delivery.response_status) == (DeliveryStatus.PENDING, 1, None)
    assert delivery.last_error == "私有地址，拒绝发送 (private address refused)"
    # the operator allows private targets: the next try goes out
    await deliver(now=delivery.next_attempt_at)
    assert len(receiver.received[path]) == 1
    assert (await deliveries(hook))[0].status is DeliveryStatus.DELIVERED


async def test_a_name_is_sent_to_at_the_address_checked(receiver: Receiver) -> None:
    """The connection goes to an address the check resolved (localhost may answer ::1 first: the next one is
    tried); the receiver still sees the name it was registered with."""
    unit = await make_unit()
    path = f"n{unique('')}"
    data = WebhookData(path, f"http://localhost:{receiver.port}/{path}", Role.UNIT_STAFF, unit.code, ("power.published",), SECRET)
    hook = await register_webhook(ADMIN, data, allow_private=True)
    await published_power(unit, name=power_name("按名称发送"))
    await deliver()
    (headers, _), = receiver.received[path]
    assert headers["host"] == f"localhost:{receiver.port}"
    assert [d.status for d in await deliveries(hook)] == [DeliveryStatus.DELIVERED]


async def test_redirects_are_not_followed(receiver: Receiver) -> None:
    unit = await make_unit()
    hook, path = await hook_for(receiver, Role.UNIT_STAFF, unit, "power.published")
    receiver.redirect[path] = receiver.url(f"{path}-inside")
    await published_power(unit, name=power_name("重定向"))
    await deliver()
    (delivery,) = await deliveries(hook)
    assert f"{path}-inside" not in receiver.received and len(receiver.received[path]) == 1
    assert (delivery.status, delivery.response_status, delivery.last_error) == (DeliveryStatus.PENDING, 302, "HTTP 302 Found")


def certificates(where: Path, name: str) -> tuple[Path, Path, Path]:
    """A CA of its own and a server certificate for `name` it signed (openssl): the CA, certificate, key."""
    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=where, check=True, capture_output=True)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=test ca", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", f"/CN={name}")
    (where / "ext").write_text(f"subjectAltName=DNS:{name}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem",
            "-days", "2", "-extfile", "ext")  # fmt: skip
    return where / "ca.pem", where / "server.pem", where / "server.key"


async def test_tls_to_the_address_checked_is_verified_for_the_name(tmp_path: Path) -> None:
    """Sent to the address checked, an https delivery still presents the name (SNI) and checks the
    receiver's certificate against it: pinning the address does not weaken TLS."""
    ca, cert, key = certificates(tmp_path, "receiver.test")

    async def hook(request: Request) -> PlainTextResponse:
        return PlainTextResponse(request.headers["host"])

    app = Starlette(routes=[Route("/hook", hook, methods=["POST"])])
    loopback = [ip_address("127.0.0.1")]
    with serving_in_thread(app, ssl_certfile=str(cert), ssl_keyfile=str(key)) as port:
        trusting = ssl.create_default_context(cafile=str(ca))
        # a client per name, as the sender has one per webhook: a kept-alive connection to the address,
        # verified for one name, would otherwise carry another name's request unverified
        async with httpx.AsyncClient(verify=trusting, trust_env=False) as c:
            answer = await sending.post_pinned(c, f"https://receiver.test:{port}/hook", loopback, b"{}", {})
            assert (answer.status_code, answer.text) == (200, f"receiver.test:{port}")
        async with httpx.AsyncClient(verify=trusting, trust_env=False) as c:
            with pytest.raises(httpx.ConnectError) as caught:
                await sending.post_pinned(c, f"https://impostor.test:{port}/hook", loopback, b"{}", {})
    assert sending.reason(caught.value) == "证书校验失败 (certificate verify failed)"
