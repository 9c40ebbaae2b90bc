"""Who a request comes from, for per-client limits: the address, and the group it counts in.

Behind a TLS-terminating proxy the visitor is in ``X-Forwarded-For``, but only a request that
comes from one of the configured proxy networks is believed: anyone else who sends the header
(a client reaching the web server directly) would otherwise choose its own address and dodge
every per-client limit. Of a believed header, the entries are read from the right (each proxy
appends the address it saw) and the first one that is not itself a proxy is the client: entries
further left are whatever the client claimed. IPv6 clients are grouped by their
/64 (one home or one host usually owns a whole /64, and walking through it would otherwise dodge
any limit); IPv4 clients count one address each.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def remote_address(
    meta: Mapping[str, object], *, behind_proxy: bool, proxies: tuple[Network, ...]
) -> str:
    """The client's address from a WSGI environment (``request.META``); empty when unknown.

    ``X-Forwarded-For`` is read only when ``behind_proxy`` and the peer (``REMOTE_ADDR``) lies in
    ``proxies``; of its entries, the rightmost one not in ``proxies`` is the client."""
    peer = str(meta.get("REMOTE_ADDR", "") or "").strip()
    if not behind_proxy or not in_networks(peer, proxies):
        return peer
    forwarded = [
        entry.strip()
        for entry in str(meta.get("HTTP_X_FORWARDED_FOR", "") or "").split(",")
        if entry.strip()
    ]
    for entry in reversed(forwarded):
        if not in_networks(entry, proxies):
            return entry
    return forwarded[0] if forwarded else peer


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
