"""Where webhooks may be sent: to public addresses only, so that an admin's webhook cannot make the
server talk to itself, its database or the county's internal network (SSRF).

A host is checked as it is written — IP literals in every spelling the resolver takes (2130706433,
0x7f000001, 0177.0.0.1, 127.1, [::1], [::ffff:127.0.0.1]) — and as it resolves: at registration where a
name resolves, and again before each delivery, whose connection then goes to the address checked (a
name that resolves elsewhere between the check and the connection changes nothing). Addresses inside
IPv6 ones (IPv4-mapped, 6to4, Teredo) are checked too. The operator may allow private targets
(QINGQUAN_WEBHOOK_ALLOW_PRIVATE: tests, or receivers on the county's own network).
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from urllib.parse import urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

#: What a refused target leaves in a delivery's lastError (short: never what a receiver answered).
PRIVATE_REFUSED = "私有地址，拒绝发送 (private address refused)"
UNRESOLVED = "域名无法解析 (name not resolved)"
#: Seconds a name may take to resolve.
RESOLVE_SECONDS = 5.0
#: The legacy IPv4 spellings inet_aton takes (decimal, hex, octal, shortened): digits, x and dots.
_NUMERIC = re.compile(r"[0-9a-fx.]+")


class TargetRefused(Exception):
    """The target may not be sent to (its reason is short, for lastError)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def literal_address(host: str) -> Address | None:
    """The address `host` spells, if it is an IP literal in any spelling the resolver takes."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _NUMERIC.fullmatch(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def is_public(address: Address) -> bool:
    """A globally routable unicast address, and so is every IPv4 address inside it."""
    inner: list[Address] = [address]
    if isinstance(address, ipaddress.IPv6Address):
        inner += [a for a in (address.ipv4_mapped, address.sixtofour, *(address.teredo or ())) if a is not None]
    return all(
        a.is_global and not (a.is_multicast or a.is_reserved or a.is_unspecified or a.is_loopback or a.is_link_local)
        for a in inner
    )


async def resolve(host: str, port: int) -> list[Address]:
    """The addresses `host` stands for: itself if a literal, else what the resolver answers (off the loop)."""
    literal = literal_address(host)
    if literal is not None:
        return [literal]
    loop = asyncio.get_running_loop()
    try:
        found = await asyncio.wait_for(loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), RESOLVE_SECONDS)
    except (OSError, UnicodeError, TimeoutError):
        raise TargetRefused(UNRESOLVED) from None
    addresses = []
    for *_, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise TargetRefused(UNRESOLVED)
    return addresses


def host_and_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)


async def checked_addresses(url: str, *, allow_private: bool) -> list[Address]:
    """The addresses of `url`'s host, all of them public unless private ones are allowed."""
    addresses = await resolve(*host_and_port(url))
    if not allow_private and not all(is_public(a) for a in addresses):
        raise TargetRefused(PRIVATE_REFUSED)
    return addresses


async def registration_refusal(url: str, *, allow_private: bool) -> str | None:
    """Why `url` may not be registered, if it may not: a private address, as written or as its name
    resolves now (a name that does not resolve yet is checked before each delivery)."""
    try:
        await checked_addresses(url, allow_private=allow_private)
    except TargetRefused as exc:
        if exc.reason == PRIVATE_REFUSED:
            return (
                "回调地址指向内网、本机、链路本地或保留地址，不予登记 (the URL points to a private, loopback, "
                "link-local or reserved address: webhooks are sent to public addresses only)"
            )
    except ValueError:  # a port out of range, say
        return "回调地址无效 (the URL is not valid)"
    return None
