"""Review link tokens: 256 random bits in the URL path; only their SHA-256 is stored."""

from __future__ import annotations

import hashlib
import re
import secrets

# 32 bytes, URL-safe base 64 without padding: 43 characters.
TOKEN_BYTES = 32
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def well_formed(token: str) -> bool:
    return bool(TOKEN_PATTERN.match(token))
