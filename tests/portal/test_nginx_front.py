"""nginx in front of the portal (``deploy/nginx/``; compose.yaml's ``proxy``): a real nginx runs
the deployment's configuration in front of the portal (a live server), as a balancer on
loopback would reach it. A flood from one address is refused by nginx with 429 and Retry-After
while everyone else is served; networks listed as unlimited and the probes are never refused;
the portal still sees each visitor (its own per-class limits count them apart), takes nginx's
request id, and nginx's access log keeps neither the visitor's address nor the query string.
Against an upstream that echoes its request headers: what nginx tells the portal, at the edge
and behind a balancer that ends TLS (no client can claim HTTPS or another address)."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from lib.client_address import parse_networks
from tests.servers.nginx import NginxServer, nginx_missing
from tests.servers.programs import require_service

FLOODER = "203.0.113.66"
VISITOR = "198.51.100.20"
HARVESTER = "192.0.2.7"
RATE, BURST = 2, 4


@pytest.fixture
def front(live_server: Any, settings: Any, redis_url: str) -> Iterator[NginxServer]:
    """nginx before the live server; the portal believes its X-Forwarded-For, nginx believes the
    test's (the test plays the facility's balancer on 127.0.0.1)."""
    missing = nginx_missing()
    if missing:
        require_service("nginx", missing)
    settings.BEHIND_PROXY = True
    settings.PROXY_NETWORKS = parse_networks(["127.0.0.1/32"])
    settings.RATE_LIMIT = True
    settings.RATE_LIMIT_REDIS_URL = redis_url
    settings.RATE_LIMIT_EXEMPT_NETWORKS = ()
    upstream = f"127.0.0.1:{live_server.thread.port}"
    with NginxServer(
        upstream=upstream,
        rate=RATE,
        burst=BURST,
        real_ip_from=("127.0.0.1/32",),
        unlimited=("192.0.2.0/24",),
    ) as proxy:
        yield proxy


def _get(proxy: NginxServer, path: str, visitor: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(proxy.url + path, headers={"X-Forwarded-For": visitor})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@pytest.mark.django_db(transaction=True)
def test_a_flood_from_one_address_is_refused_by_nginx_and_others_are_served(
    front: NginxServer,
) -> None:
    started = time.monotonic()
    flood = [_get(front, "/robots.txt", FLOODER) for _ in range(12)]
    elapsed = time.monotonic() - started
    served = [status for status, _, _ in flood].count(200)

    # One request, the burst, and what the rate let through while the flood was sent.
    assert 1 + BURST <= served <= 1 + BURST + int(elapsed * RATE) + 1
    refused = [(headers, body) for status, headers, body in flood if status == 429]
    assert len(refused) == len(flood) - served
    headers, body = refused[0]
    assert headers["Retry-After"] == "1"
    assert headers["Cache-Control"] == "no-store"
    assert headers["Content-Type"].startswith("text/plain")
    assert b"/dumps/" in body
    assert "X-Request-ID" not in headers  # refused before the portal saw it

    assert _get(front, "/robots.txt", VISITOR)[0] == 200
    assert [_get(front, "/robots.txt", HARVESTER)[0] for _ in range(12)] == [200] * 12
    assert [_get(front, "/healthz", FLOODER)[0] for _ in range(12)] == [200] * 12


@pytest.mark.django_db(transaction=True)
def test_the_portal_counts_each_visitor_behind_nginx_and_takes_its_request_id(
    front: NginxServer, settings: Any
) -> None:
    settings.RATE_LIMIT_SEARCH = 1

    first = _get(front, "/datasets/?q=beam", VISITOR)
    again = _get(front, "/datasets/?q=beam", VISITOR)
    other = _get(front, "/datasets/?q=beam", HARVESTER)

    assert (first[0], again[0], other[0]) == (200, 429, 200)
    assert again[1]["Content-Type"].startswith("text/html")  # the portal's refusal, not nginx's
    request_id = first[1]["X-Request-ID"]
    assert len(request_id) == 32  # nginx's $request_id, taken by the portal

    log = [json.loads(line) for line in front.access_log_path.read_text().splitlines()]
    entries = [line for line in log if line["request_id"] == request_id]
    assert [(entry["path"], entry["status"]) for entry in entries] == [("/datasets/", 200)]
    text = front.access_log_path.read_text()
    for private in (VISITOR, HARVESTER, "127.0.0.1", "beam"):  # addresses, the query string
        assert private not in text


class _Echo(BaseHTTPRequestHandler):
    """An upstream that answers with the headers nginx sent it, as JSON."""

    def do_GET(self) -> None:
        body = json.dumps(dict(self.headers.items())).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def echo() -> Iterator[str]:
    if missing := nginx_missing():
        require_service("nginx", missing)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _headers_sent_on(proxy: NginxServer, **headers: str) -> dict[str, str]:
    request = urllib.request.Request(proxy.url + "/datasets/", headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return dict(json.loads(response.read()))


def test_what_nginx_tells_the_portal(echo: str) -> None:
    claims = {"X-Forwarded-For": VISITOR, "X-Forwarded-Proto": "https", "X-Request-ID": "mine"}

    # nginx is the edge: the peer is the visitor, whatever it claims; the scheme is nginx's own.
    with NginxServer(upstream=echo) as edge:
        sent = _headers_sent_on(edge, **claims)
    assert sent["X-Forwarded-For"].rpartition(", ")[2] == "127.0.0.1"
    assert sent["X-Forwarded-Proto"] == "http"
    assert sent["X-Request-ID"] != "mine"
    assert len(sent["X-Request-ID"]) == 32

    # Behind a balancer that ends TLS (NGINX_FORWARDED_PROTO=https) and names the visitor.
    with NginxServer(
        upstream=echo, real_ip_from=("127.0.0.1/32",), forwarded_proto="https"
    ) as behind:
        sent = _headers_sent_on(behind, **{**claims, "X-Forwarded-Proto": "http"})
    assert sent["X-Forwarded-For"].rpartition(", ")[2] == VISITOR
    assert sent["X-Forwarded-Proto"] == "https"
