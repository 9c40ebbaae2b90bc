"""Who a request comes from, for per-client limits."""

from __future__ import annotations

import pytest

from lib.client_address import client_key, in_networks, parse_networks, remote_address

PROXIES = parse_networks(["10.0.0.0/8", "127.0.0.1"])


def test_the_remote_address_is_the_client_without_a_proxy() -> None:
    meta = {"REMOTE_ADDR": "198.51.100.7", "HTTP_X_FORWARDED_FOR": "203.0.113.1"}

    assert remote_address(meta, behind_proxy=False, proxies=PROXIES) == "198.51.100.7"


def test_behind_a_proxy_the_last_forwarded_entry_is_the_client() -> None:
    meta = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.9"}

    assert remote_address(meta, behind_proxy=True, proxies=PROXIES) == "203.0.113.9"


def test_a_forwarded_header_from_outside_the_proxy_networks_is_ignored() -> None:
    # A client reaching the web server directly cannot choose the address it is counted by.
    meta = {"REMOTE_ADDR": "198.51.100.7", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}

    assert remote_address(meta, behind_proxy=True, proxies=PROXIES) == "198.51.100.7"


def test_a_chain_of_proxies_is_walked_back_to_the_first_address_outside_it() -> None:
    meta = {
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_X_FORWARDED_FOR": "192.0.2.1, 203.0.113.9,10.1.2.3 ,  ",
    }

    assert remote_address(meta, behind_proxy=True, proxies=PROXIES) == "203.0.113.9"


def test_a_visitor_inside_the_proxy_networks_is_the_leftmost_entry() -> None:
    meta = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "10.9.9.9, 10.1.2.3"}

    assert remote_address(meta, behind_proxy=True, proxies=PROXIES) == "10.9.9.9"
    assert remote_address({"REMOTE_ADDR": "10.0.0.2"}, behind_proxy=True, proxies=PROXIES) == (
        "10.0.0.2"
    )


def test_ipv6_clients_count_by_their_slash_64() -> None:
    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:bbbb::9")
    assert client_key("2001:db8:1:2::1") != client_key("2001:db8:1:3::1")
    assert client_key("::ffff:192.0.2.1") == "192.0.2.1"


def test_something_that_is_not_an_address_still_counts_somewhere() -> None:
    assert client_key("garbage") == "garbage"
    assert client_key("") == "unknown"


def test_networks_match_addresses_of_both_families() -> None:
    networks = parse_networks(["192.0.2.0/24", "2001:db8::/32", "198.51.100.5"])

    assert in_networks("192.0.2.200", networks)
    assert in_networks("2001:db8:ffff::1", networks)
    assert in_networks("198.51.100.5", networks)
    assert in_networks("::ffff:192.0.2.1", networks)
    assert not in_networks("198.51.100.6", networks)
    assert not in_networks("not-an-address", networks)


def test_a_bad_network_is_named() -> None:
    with pytest.raises(ValueError, match=r"'192\.0\.2\.0/33'"):
        parse_networks(["192.0.2.0/33"])
