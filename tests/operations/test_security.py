"""Security headers on every answer, admin login throttling (django-axes), the admin hidden
from networks outside ADMIN_NETWORKS, and X-Forwarded-Proto believed from the proxies alone."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from lib.client_address import parse_networks

pytestmark = pytest.mark.django_db


def test_public_answers_carry_the_security_headers(client: Client, settings: Any) -> None:
    settings.SECURE_HSTS_SECONDS = 31_536_000

    answer = client.get("/robots.txt", secure=True)

    assert answer["Strict-Transport-Security"] == "max-age=31536000"
    csp = answer["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert answer["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert answer["X-Frame-Options"] == "DENY"


def _login(client: Client, password: str, ip: str = "198.51.100.3") -> int:
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": "curator", "password": password},
        REMOTE_ADDR=ip,
    ).status_code


def test_admin_logins_are_throttled(client: Client, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    User.objects.create_user("curator", password="the-right-password", is_staff=True)

    assert [_login(client, "wrong") for _ in range(2)] == [200, 200]  # the form again
    assert _login(client, "wrong") == 429  # the third failure locks the pair out
    assert _login(client, "the-right-password") == 429  # even with the right password
    assert _login(client, "the-right-password", ip="198.51.100.4") == 302  # another address


def test_the_admin_can_be_hidden_from_other_networks(client: Client, settings: Any) -> None:
    settings.ADMIN_NETWORKS = parse_networks(["10.20.0.0/16"])

    assert client.get("/admin/login/", REMOTE_ADDR="203.0.113.1").status_code == 404
    assert client.get("/admin/login/", REMOTE_ADDR="10.20.3.4").status_code == 200
    assert client.get("/robots.txt", REMOTE_ADDR="203.0.113.1").status_code == 200


TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
INLINE = [
    (
        re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)[^>]*>", re.I),
        "inline script",
    ),
    (re.compile(r"<style\b", re.I), "style element"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_no_template_has_inline_script_or_style() -> None:
    """The strict CSP would block them: every script and style comes from static/."""
    found = []
    for path in TEMPLATES.rglob("*.html"):
        if path.relative_to(TEMPLATES).parts[0] == "admin":
            continue  # the admin's own pages (their CSP is Django's admin's)
        text = re.sub(
            r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", "", path.read_text(), flags=re.S
        )
        found += [
            f"{path.relative_to(TEMPLATES)}: {what}"
            for pattern, what in INLINE
            if pattern.search(text)
        ]
    assert found == []


def test_only_the_proxies_can_say_a_request_came_over_https(client: Client, settings: Any) -> None:
    settings.BEHIND_PROXY = True
    settings.PROXY_NETWORKS = parse_networks(["10.0.0.0/8"])
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True

    through_proxy = client.get(
        "/robots.txt", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_PROTO="https"
    )
    direct = client.get("/robots.txt", REMOTE_ADDR="203.0.113.10", HTTP_X_FORWARDED_PROTO="https")

    assert through_proxy.status_code == 200
    assert direct.status_code == 301
    assert direct["Location"].startswith("https://")
