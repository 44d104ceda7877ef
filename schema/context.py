"""The per-request context: who is asking, and the loaders built for them."""

from __future__ import annotations

from dataclasses import dataclass, field

from strawberry.types import Info as _Info

from domain.access import PUBLIC, Viewer
from qingquan.settings import Settings, get_settings
from resolvers.loaders import Loaders


@dataclass
class Context:
    viewer: Viewer = PUBLIC
    settings: Settings = field(default_factory=get_settings)
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders.for_viewer(self.viewer)


Info = _Info[Context, None]
