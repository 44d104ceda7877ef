"""The npm clients (tests/graphql-ws-client: `graphql-ws` and `graphql-sse`, Relay and Apollo Client, run by
node), shared by tests/test_subscriptions.py, tests/test_real_clients.py and the server's stop in
tests/test_serve.py; and the app served over a real socket inside the test process, for them to call."""

from __future__ import annotations

import asyncio
import fcntl
import json
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette

from qingquan.app import create_app
from qingquan.settings import Settings, get_settings
from tests.conftest import REPO

CLIENT = REPO / "tests" / "graphql-ws-client"
EVENTS = """subscription ($after: String, $types: [EventType!]) {
  events(after: $after, types: $types) { type label subjectId cursor payload power { code } }
}"""


def install_clients() -> bool:
    """Whether node can run the clients, installed from their lock file the first time (`npm ci`)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        return False
    # the two legs of CI run side by side: one installs, the other waits for it
    with open(Path(tempfile.gettempdir()) / "qingquan-graphql-ws-client.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        wanted = json.loads((CLIENT / "package.json").read_text())["dependencies"]
        if not all((CLIENT / "node_modules" / name / "package.json").is_file() for name in wanted):
            subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=CLIENT, check=True, timeout=300)
    return True


def subscribe_both_ways(base: str) -> list[subprocess.Popen[bytes]]:
    """A public subscriber over WebSocket and one over SSE, to `qingquan serve` at `base`."""
    ws = base.replace("http://", "ws://") + "/graphql"
    return [
        subprocess.Popen(["node", str(CLIENT / "subscribe.mjs"), transport, url, "", EVENTS, "{}", "1", "60000"],
                         cwd=CLIENT, stdout=subprocess.PIPE)  # fmt: skip
        for transport, url in (("ws", ws), ("sse", base + "/graphql"))
    ]


def subscriptions_held(base: str) -> Any:
    return httpx.get(f"{base}/readyz", timeout=5).json().get("subscriptions")


class QuietServer(uvicorn.Server):
    """uvicorn in the test's event loop, leaving the test process's signal handlers alone."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def free_port() -> int:
    from tests.test_serve import free_port as port

    return port()


@asynccontextmanager
async def served(**changes: Any) -> AsyncIterator[tuple[str, Starlette]]:
    """The app (the settings with `changes`) on the session database over a real socket in this process — the
    tests write with the domain's functions on the same connections —: its base URL, and the app; stopped,
    with its subscriptions, at the end."""
    settings = Settings(**{**get_settings().model_dump(), "portal": False, **changes})
    app = create_app(settings, manage_db=False)
    port = free_port()
    server = QuietServer(uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "the server did not start"
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        await app.state.hub.close()
        server.should_exit = True
        await asyncio.wait_for(task, 10)
