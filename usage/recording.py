"""Recording a usage event in a request: a few microseconds, no database write.

Views call :func:`record_investigation` (a landing page, an export, a record read by a machine)
or :func:`record_request` (a file through the counting redirect). Each one:

1. counts GET only (HEAD, an htmx part of a page already counted, and errors are not usage);
2. drops robots and crawlers (the COUNTER robot list, :mod:`lib.user_agents`) and marks scripts
   and tools, or a machine route (OAI-PMH, the APIs), as machine access;
3. makes the visitor a salted hash of the signed-in user, else of the IP address and user agent,
   with the salt of the day (:func:`usage.services.usage_salt_of_day`, read once per process and
   day): the IP address is never stored anywhere;
4. hands the event to :mod:`usage.buffer` (Redis or this process), from where it is stored in
   batches.

``USAGE_COUNTING=false`` switches recording off.
"""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, date, datetime

from django.conf import settings
from django.http import HttpRequest

from lib.client_address import remote_address
from lib.user_agents import access_kind
from usage import buffer
from usage.models import AccessMethod, EventKind
from usage.services import usage_events_store, usage_salt_of_day

__all__ = ["record_investigation", "record_request"]

_salts: dict[date, str] = {}


def _salt(day: date) -> str:
    salt = _salts.get(day)
    if salt is None:
        salt = usage_salt_of_day(day=day)
        _salts.clear()
        _salts[day] = salt
    return salt


def _address(request: HttpRequest) -> str:
    # The same visitor the rate limits see (a forwarded address only from a configured proxy).
    return remote_address(
        request.META, behind_proxy=settings.BEHIND_PROXY, proxies=settings.PROXY_NETWORKS
    )


def _store(batch: list[buffer.RawEvent]) -> None:
    usage_events_store(events=batch)


buffer.flush_at_exit(_store)


def _record(
    request: HttpRequest,
    kind: str,
    *,
    dataset_id: int | None,
    publication_id: int | None,
    component: str,
    machine: bool,
) -> None:
    if not settings.USAGE_COUNTING or request.method != "GET":
        return
    agent = str(request.META.get("HTTP_USER_AGENT", ""))
    who = access_kind(agent)
    if who == "robot":
        return
    method = AccessMethod.MACHINE if machine or who == "machine" else AccessMethod.REGULAR
    now = time.time()
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        identity = f"user:{user.pk}"
    else:
        identity = f"{_address(request)}|{agent}"
    salt = _salt(datetime.fromtimestamp(now, UTC).date())
    visitor = hashlib.sha256(f"{salt}|{identity}".encode()).hexdigest()[:32]
    event: buffer.RawEvent = (
        now,
        kind,
        dataset_id,
        publication_id,
        str(method),
        visitor,
        component,
    )
    buffer.push(event, store=_store)


def record_investigation(
    request: HttpRequest,
    *,
    dataset_id: int | None = None,
    publication_id: int | None = None,
    machine: bool = False,
) -> None:
    """A landing page, export or record read of a dataset or a publication."""
    _record(
        request,
        EventKind.INVESTIGATION,
        dataset_id=dataset_id,
        publication_id=publication_id,
        component="",
        machine=machine,
    )


def record_request(
    request: HttpRequest,
    *,
    dataset_id: int | None = None,
    publication_id: int | None = None,
    part: str,
) -> None:
    """A download: a file of a dataset through the counting redirect (``part`` its path), or a
    "download all" list of a dataset or a publication (``part`` the list's format)."""
    _record(
        request,
        EventKind.REQUEST,
        dataset_id=dataset_id,
        publication_id=publication_id,
        component=hashlib.sha256(part.encode()).hexdigest()[:16],
        machine=False,
    )
