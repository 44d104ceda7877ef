"""The npm clients of the subscriptions (tests/graphql-ws-client: `graphql-ws` and `graphql-sse`, run by
node), shared by tests/test_subscriptions.py and the server's stop in tests/test_serve.py."""

from __future__ import annotations

import fcntl
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import httpx

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
        if not (CLIENT / "node_modules" / "graphql-sse").is_dir():
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
