"""Who a request comes from, for per-client limits: the address, and the group it counts in.

Behind a TLS-terminating proxy the visitor is the last ``X-Forwarded-For`` entry (what our own
proxy saw; earlier entries are whatever the client claimed). IPv6 clients are grouped by their
/64 (one home or one host usually owns a whole /64, and walking through it would otherwise dodge
any limit); IPv4 clients count one address each.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def remote_address(meta: Mapping[str, object], *, behind_proxy: bool) -> str:
    """The client's address from a WSGI environment (``request.META``); empty when unknown."""
    if behind_proxy:
        forwarded = str(meta.get("HTTP_X_FORWARDED_FOR", "") or "")
        if forwarded.strip():
            return forwarded.split(",")[-1].strip()
    return str(meta.get("REMOTE_ADDR", "") or "").strip()


def client_key(address: str) -> str:
    """The group ``address`` counts in: the address itself (IPv4), its /64 (IPv6), or the text
    as given when it is not an address (so a broken proxy header still counts somewhere)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64] or "unknown"
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """CIDR networks (``192.0.2.0/24``, ``2001:db8::/32``) or single addresses; ValueError names
    the first one that is neither."""
    networks: list[Network] = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError(f"not an IP network or address: {value!r}") from None
    return tuple(networks)


def in_networks(address: str, networks: tuple[Network, ...]) -> bool:
    """Whether ``address`` lies in one of ``networks`` (False for anything not an address)."""
    if not networks:
        return False
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        parsed = parsed.ipv4_mapped
    return any(parsed in network for network in networks)
