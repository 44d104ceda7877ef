"""The per-request context: who is asking, and the loaders built for them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from strawberry.types import Info as _Info

from domain.access import PUBLIC, Viewer
from domain.workdays import WorkCalendar
from qingquan.ratelimit import RateLimiter
from qingquan.settings import Settings, get_settings
from resolvers.loaders import Loaders

if TYPE_CHECKING:
    from qingquan.live import EventHub


@dataclass
class Context:
    viewer: Viewer = PUBLIC
    settings: Settings = field(default_factory=get_settings)
    client_ip: str = ""
    complaint_limiter: RateLimiter | None = None  # the app's; the count itself is in the database
    hub: EventHub | None = None  # the app's subscribers (qingquan/live.py); None where none are served
    token: str | None = None  # the bearer token, checked again before each event of a subscription
    connection_params: dict[str, Any] | None = None  # a WebSocket's connection_init payload
    loaders: Loaders = field(init=False)
    _calendar: WorkCalendar | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders.for_viewer(self.viewer)

    def release(self) -> None:
        """The request is answered: let go of what it loaded (Loaders.release)."""
        self.loaders.release()

    async def calendar(self) -> WorkCalendar:
        """The working-day calendar, loaded once per request (due dates, step timing)."""
        if self._calendar is None:
            self._calendar = await WorkCalendar.load()
        return self._calendar


Info = _Info[Context, None]
