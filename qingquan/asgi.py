"""The app of one `qingquan serve` worker process (uvicorn imports it by name to start each worker).

The serve command has migrated the database before starting the workers, so they only open it.
"""

from __future__ import annotations

from starlette.applications import Starlette

from qingquan.app import create_app
from qingquan.settings import get_settings


def worker_app() -> Starlette:
    return create_app(get_settings(), migrate=False)
