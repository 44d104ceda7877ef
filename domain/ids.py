"""The spelling of a global id (`Type:pk` in unpadded urlsafe base64), for what leaves the API by other
ways than GraphQL — webhook payloads, subscription events — so that programs name objects as the API does
(resolvers/ids.py decodes and checks them)."""

from __future__ import annotations

import base64


def global_id(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")
