"""The client's address and scheme behind reverse proxies (settings.TRUSTED_PROXIES).

X-Forwarded-For and X-Forwarded-Proto say whatever their sender wrote. They are
believed only when the peer that connected to us (REMOTE_ADDR) is one of our proxies;
from anyone else they are removed before any other code sees the request. Behind a
trusted proxy, REMOTE_ADDR becomes the client's address, so everything that asks for
the address reads it from one place and gets the same answer: allauth's rate limits
(its TRUSTED_PROXY_COUNT stays 0: a count trusts whatever a client that reaches the
app directly puts in the header), our own throttle and the audit trail
(painapp.accounts.audit.client_ip). X-Forwarded-Proto is then read by Django's
SECURE_PROXY_SSL_HEADER, which settings set only when TRUSTED_PROXIES is.

gunicorn makes the same decision for the scheme from the same list
(--forwarded-allow-ips "$TRUSTED_PROXIES" in docker/web.sh).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class TrustedProxyMiddleware:
    """First in MIDDLEWARE: nothing may read the address or scheme before it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        apply_forwarded(request.META, _networks(tuple(settings.TRUSTED_PROXIES)))
        return self.get_response(request)


def apply_forwarded(meta: dict, trusted: Iterable[Network]) -> None:
    """From a trusted peer, put the client's address into REMOTE_ADDR; from anyone
    else, drop every X-Forwarded-* (and Forwarded) header."""
    trusted = list(trusted)
    peer = parse_address(meta.get("REMOTE_ADDR", ""))
    if peer is None or not _within(peer, trusted):
        for key in [k for k in meta if k.startswith("HTTP_X_FORWARDED_") or k == "HTTP_FORWARDED"]:
            del meta[key]
        return
    client = client_from_forwarded_for(meta.get("HTTP_X_FORWARDED_FOR", ""), trusted)
    if client is not None:
        meta["REMOTE_ADDR"] = str(client)


def client_from_forwarded_for(header: str, trusted: list[Network]) -> Address | None:
    """The client in `X-Forwarded-For: client, proxy1, proxy2` as sent by our last proxy.

    Each proxy appends the address it received the request from, so the list is read
    from the right: the first address that is not one of our proxies is the client.
    Anything to its left was written by the client itself and proves nothing. If every
    address is one of ours (a probe from inside), the leftmost is the client. An entry
    that is not an address stops the walk: we keep the peer's address instead.
    """
    hops = [hop.strip() for hop in header.split(",") if hop.strip()]
    address = None
    for hop in reversed(hops):
        address = parse_address(hop)
        if address is None:
            return None
        if not _within(address, trusted):
            return address
    return address


def parse_address(text: str) -> Address | None:
    """An IP address as proxies write it: `192.0.2.1`, `192.0.2.1:5678`, `2001:db8::1`,
    `[2001:db8::1]:443`; an IPv4 address mapped into IPv6 is the IPv4 one."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _within(address: Address, networks: list[Network]) -> bool:
    return any(address in network for network in networks)


@lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)
