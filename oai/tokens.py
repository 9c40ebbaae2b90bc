"""Resumption tokens: stateless, signed, and valid for a week.

A token carries everything the next page needs — the list's arguments, the position after the
last record sent (its datestamp to the microsecond, its kind and id: keyset paging), how many
records were sent so far and the list's size — signed with the portal's ``SECRET_KEY``
(:mod:`django.core.signing`), so nothing is stored on the server and a harvester cannot forge
or alter one. Records added or changed during a harvest move to the end of the list (their
datestamp grows), so a record is never skipped; a changed one may be sent again, in its new
version, which is what the protocol asks for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core import signing

LIFETIME = timedelta(days=7)
_SALT = "oai.resumption-token.v1"


class BadToken(Exception):
    """The token is not one of ours, was altered, or has expired."""


@dataclass(frozen=True, slots=True)
class Position:
    """A place in the list, ordered by (datestamp, kind, id): the last record sent."""

    modified: datetime
    kind: int
    id: int


@dataclass(frozen=True, slots=True)
class Token:
    verb: str
    metadata_prefix: str
    set_spec: str | None
    from_: datetime | None
    until: datetime | None  # exclusive bound
    after: Position
    cursor: int  # records sent before the next page
    total: int  # the complete list's size when the harvest started
    issued: datetime

    @property
    def expires(self) -> datetime:
        return self.issued + LIFETIME


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def _parse(value: object) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadToken("not a date")
    return datetime.fromisoformat(value)


def encode(token: Token) -> str:
    payload = {
        "v": token.verb,
        "m": token.metadata_prefix,
        "s": token.set_spec,
        "f": _time(token.from_),
        "u": _time(token.until),
        "a": [_time(token.after.modified), token.after.kind, token.after.id],
        "c": token.cursor,
        "t": token.total,
    }
    return signing.dumps(payload, salt=_SALT, compress=True)


def decode(text: str, *, verb: str) -> Token:
    """The token ``text`` for a request of ``verb``; :class:`BadToken` if it is not valid."""
    try:
        payload = signing.loads(text, salt=_SALT, max_age=LIFETIME)
    except signing.SignatureExpired as exc:
        raise BadToken("expired") from exc
    except (signing.BadSignature, ValueError) as exc:
        raise BadToken("not a resumption token of this repository") from exc
    try:
        issued = _issued(text)
        modified, kind, record_id = payload["a"]
        token = Token(
            verb=payload["v"],
            metadata_prefix=payload["m"],
            set_spec=payload["s"],
            from_=_parse(payload["f"]),
            until=_parse(payload["u"]),
            after=Position(_parse(modified) or datetime.min, int(kind), int(record_id)),
            cursor=int(payload["c"]),
            total=int(payload["t"]),
            issued=issued,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise BadToken("malformed") from exc
    if token.verb != verb:
        raise BadToken(f"issued for {token.verb}")
    return token


def _issued(text: str) -> datetime:
    """When the token was signed (its timestamp part)."""
    timestamp = text.rsplit(":", 2)[1]
    return datetime.fromtimestamp(signing.b62_decode(timestamp), tz=UTC)
