"""Restage requests without an account: ask, verify (double opt-in), stage, track, notify, erase.

The life of a request (:class:`~tape.models.RestageRequest`, one per dataset at a time; everyone
who asks while it is open joins it, so the storage gets one stage request however many wait):

1. :func:`restage_ask`: a visitor gives an e-mail address on a dataset that is on tape (wholly or
   partly). Limits: ``PORTAL_RESTAGE_EMAIL_LIMIT`` requests per address per day (counted by a keyed
   hash, never by the address). A verification e-mail carries a signed, single-use link valid for
   ``PORTAL_RESTAGE_VERIFY_HOURS``.
2. :func:`restage_verify`: the link is followed (a POST from its page: mail scanners that fetch
   links do not verify anything). The requester joins the dataset's open request, or one is
   opened and queued; if it is online already, the requester is told at once.
3. :func:`restage_submit` (task): archiveinfo again, only files not on disk are staged. A request
   larger than ``PORTAL_RESTAGE_APPROVAL_BYTES`` waits for staff approval (admin); one that would
   pass ``PORTAL_RESTAGE_DAILY_BYTES`` today waits for tomorrow. Then ``POST /stage`` with
   ``diskLifetime`` ``P<PORTAL_RESTAGE_DISK_DAYS>D``.
4. :func:`restage_poll` (periodic): ``GET /stage/{id}``; all files online: everyone waiting gets
   the download links and the date until which the files stay on disk. A failed file or a storage
   error is retried with exponential backoff (``PORTAL_RESTAGE_RETRIES``); then requesters and
   staff (``PORTAL_RESTAGE_STAFF_EMAIL``) are told.
5. Staff may approve, refuse (with a reason the requesters get) or cancel in the admin.

Every address is erased once its requester has been told the outcome.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.models import DataLocation, Dataset
from tape import mail, wlcg
from tape.locality import dataset_paths, datasets_locality_check
from tape.models import OPEN_STATES, Requester, RestageRequest, RestageState

logger = logging.getLogger(__name__)

_SALT = "tape.restage.verify"
MAX_BACKOFF = timedelta(hours=6)
RESTAGE_LOCATIONS = (DataLocation.TAPE, DataLocation.PARTIAL)


class RestageError(Exception):
    """A request that cannot be taken; the message is for the visitor."""


class RestageLimited(RestageError):
    """Too many requests from this address today."""


class TokenInvalid(RestageError):
    """A verification link that is forged, damaged, expired or already used."""


def email_hash(email: str) -> str:
    key = hashlib.sha256(f"{_SALT}:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()


def verification_token(requester: Requester) -> str:
    return signing.dumps([requester.pk, requester.nonce], salt=_SALT, compress=True)


def _client() -> wlcg.TapeClient:
    client = wlcg.client_from_settings(settings)
    if client is None:
        raise RestageError(_("Restaging is not available on this portal."))
    return client


# -- 1. asking ------------------------------------------------------------------------------------


@transaction.atomic
def restage_ask(*, dataset: Dataset, email: str, language: str = "") -> Requester:
    """Record an unverified request and send the verification e-mail."""
    if not settings.PORTAL_TAPE_REST_URL:
        raise RestageError(_("Restaging is not available on this portal."))
    joinable = RestageRequest.objects.joinable().filter(dataset=dataset).exists()
    if dataset.data_location not in RESTAGE_LOCATIONS and not joinable:
        raise RestageError(_("The files of this dataset are not on tape: nothing to restore."))
    hashed = email_hash(email)
    since = timezone.now() - timedelta(days=1)
    if (
        Requester.objects.filter(email_hash=hashed, created__gte=since).count()
        >= settings.PORTAL_RESTAGE_EMAIL_LIMIT
    ):
        raise RestageLimited(
            _("This address has made too many requests today. Please try again tomorrow.")
        )
    requester = Requester.objects.create(
        dataset=dataset,
        email=email.strip(),
        email_hash=hashed,
        nonce=secrets.token_hex(16),
        language=language[:16],
    )
    mail.verification(requester=requester, token=verification_token(requester))
    return requester


# -- 2. verifying ---------------------------------------------------------------------------------


def _requester_from(token: str) -> Requester:
    try:
        pk, nonce = signing.loads(
            token, salt=_SALT, max_age=timedelta(hours=settings.PORTAL_RESTAGE_VERIFY_HOURS)
        )
    except signing.SignatureExpired:
        raise TokenInvalid(_("This link has expired. Please ask for the data again.")) from None
    except (signing.BadSignature, ValueError, TypeError):
        raise TokenInvalid(
            _("This link is not valid. Please use the link from the e-mail exactly as it is.")
        ) from None
    requester = Requester.objects.select_for_update().filter(pk=pk).first()
    if requester is None or not hmac.compare_digest(requester.nonce, str(nonce)):
        raise TokenInvalid(
            _("This link is not valid. Please use the link from the e-mail exactly as it is.")
        )
    if requester.verified_at is not None:
        raise TokenInvalid(_("This link has been used already: your request is being handled."))
    if not requester.email:
        raise TokenInvalid(_("This link has expired. Please ask for the data again."))
    return requester


@transaction.atomic
def restage_verify(*, token: str) -> Requester:
    """Verify a requester (single use) and put them on the dataset's request."""
    requester = _requester_from(token)
    now = timezone.now()
    requester.verified_at = now
    dataset = Dataset.objects.select_for_update().get(pk=requester.dataset_id)
    request = RestageRequest.objects.joinable().filter(dataset=dataset).first()
    if request is None:
        request = RestageRequest.objects.create(dataset=dataset, state=RestageState.QUEUED)
        _submit_after_commit(request.pk)
    requester.request = request
    requester.save(update_fields=["verified_at", "request"])
    if request.state == RestageState.ONLINE:
        transaction.on_commit(lambda: requesters_notify(request_id=request.pk), robust=True)
    return requester


def _submit_after_commit(request_id: int) -> None:
    from tape.tasks import restage_submit_task

    transaction.on_commit(lambda: restage_submit_task.delay(request_id), robust=True)


# -- 3. submitting --------------------------------------------------------------------------------


def _staged_today(now: datetime, *, other_than: int) -> int:
    midnight = datetime.combine(now.date(), time(0), tzinfo=now.tzinfo)
    total = (
        RestageRequest.objects.filter(submitted_at__gte=midnight)
        .exclude(pk=other_than)
        .aggregate(n=Sum("bytes"))["n"]
    )
    return int(total or 0)


def restage_submit(*, request_id: int, client: wlcg.TapeClient | None = None) -> str:
    """Send a queued request to the storage system (or park it); its new state."""
    client = client or _client()
    with transaction.atomic():
        request = RestageRequest.objects.select_for_update().get(pk=request_id)
        now = timezone.now()
        if request.state != RestageState.QUEUED:
            return request.state
        if request.next_attempt_at and request.next_attempt_at > now:
            return request.state
        dataset = request.dataset
        sizes = dataset_paths(dataset)
        try:
            answers = client.archiveinfo(list(sizes)) if sizes else []
            online = {a.path for a in answers if a.locality is not None and a.locality.online}
            wanted = [p for p in sizes if p not in online]
            if not wanted:
                _online(request, now=now, until=None)
                return request.state
            request.paths, request.files = wanted, len(wanted)
            request.bytes = sum(sizes[p] for p in wanted)
            if request.bytes > settings.PORTAL_RESTAGE_APPROVAL_BYTES and not request.decided_by:
                request.state = RestageState.APPROVAL
                request.save()
                transaction.on_commit(lambda: mail.staff_approval(request=request), robust=True)
                return request.state
            budget = settings.PORTAL_RESTAGE_DAILY_BYTES
            if (
                not request.decided_by
                and _staged_today(now, other_than=request.pk) + request.bytes > budget
            ):
                tomorrow = datetime.combine(
                    now.date() + timedelta(days=1), time(0, 5), tzinfo=now.tzinfo
                )
                request.next_attempt_at = tomorrow
                request.last_error = _("The daily restore budget is used up; it starts tomorrow.")
                request.save()
                return request.state
            request.stage_id = client.stage(
                wanted, disk_lifetime=f"P{settings.PORTAL_RESTAGE_DISK_DAYS}D"
            )
        except wlcg.TapeFailure as exc:
            _retry(request, str(exc), now=now)
            return request.state
        request.state = RestageState.STAGING
        request.submitted_at, request.next_attempt_at, request.last_error = now, None, ""
        request.save()
        return request.state


def _retry(request: RestageRequest, error: str, *, now: datetime) -> None:
    """Try again later with exponential backoff, or give up after the configured retries."""
    request.attempts += 1
    request.last_error = error[:2000]
    request.stage_id = ""
    if request.attempts > settings.PORTAL_RESTAGE_RETRIES:
        request.state, request.finished_at = RestageState.FAILED, now
        request.save()
        logger.warning("restage %s failed for good: %s", request.pk, error)
        transaction.on_commit(lambda: _failed_notify(request.pk), robust=True)
        return
    request.state = RestageState.QUEUED
    request.next_attempt_at = now + min(timedelta(minutes=2**request.attempts), MAX_BACKOFF)
    request.save()


def _failed_notify(request_id: int) -> None:
    request = RestageRequest.objects.get(pk=request_id)
    mail.staff_failed(request=request)
    requesters_notify(request_id=request_id)


# -- 4. polling -----------------------------------------------------------------------------------


def _online(request: RestageRequest, *, now: datetime, until: datetime | None) -> None:
    request.state, request.online_at, request.online_until = RestageState.ONLINE, now, until
    request.last_error = ""
    request.save()
    dataset_id, request_id = request.dataset_id, request.pk
    transaction.on_commit(lambda: datasets_locality_check(dataset_ids=[dataset_id]), robust=True)
    transaction.on_commit(lambda: requesters_notify(request_id=request_id), robust=True)


def restage_poll(*, request_id: int, client: wlcg.TapeClient | None = None) -> str:
    """Ask the storage how a staging request goes; move it on; its state."""
    client = client or _client()
    with transaction.atomic():
        request = RestageRequest.objects.select_for_update().get(pk=request_id)
        now = timezone.now()
        if request.state != RestageState.STAGING:
            return request.state
        try:
            status = client.stage_status(request.stage_id)
        except wlcg.TapeRejected as exc:  # e.g. 404: the storage forgot it; stage again
            _retry(request, str(exc), now=now)
            return request.state
        except wlcg.TapeUnavailable as exc:
            request.last_error = str(exc)[:2000]
            request.save(update_fields=["last_error"])
            return request.state
        if status.failed:
            errors = "; ".join(f"{f.path}: {f.error or f.state}" for f in status.failed[:5])
            _retry(request, errors, now=now)
            return request.state
        if status.online:
            _online(request, now=now, until=now + timedelta(days=settings.PORTAL_RESTAGE_DISK_DAYS))
        return request.state


def restages_expire(*, now: datetime | None = None) -> int:
    """Online requests whose disk lifetime is over become expired (the locality is asked again)."""
    now = now or timezone.now()
    due = list(
        RestageRequest.objects.filter(state=RestageState.ONLINE, online_until__lt=now).values_list(
            "pk", "dataset_id"
        )
    )
    if not due:
        return 0
    RestageRequest.objects.filter(pk__in=[pk for pk, _ in due]).update(
        state=RestageState.EXPIRED, finished_at=now
    )
    datasets_locality_check(dataset_ids=[d for _, d in due])
    return len(due)


# -- notifying and erasing ------------------------------------------------------------------------


def requesters_notify(*, request_id: int) -> int:
    """Tell every verified requester not yet told the request's outcome; erase their address."""
    request = RestageRequest.objects.select_related("dataset").get(pk=request_id)
    if request.state in OPEN_STATES:
        return 0
    told = 0
    for requester in request.requesters.filter(verified_at__isnull=False, notified_at__isnull=True):
        if requester.email:
            try:
                mail.outcome(requester=requester, request=request)
            except OSError as exc:  # SMTP down: try again at the next poll
                logger.warning("could not e-mail requester %s: %s", requester.pk, exc)
                continue
        requester.notified_at = timezone.now()
        requester.email, requester.erased_at = "", requester.notified_at
        requester.save(update_fields=["notified_at", "email", "erased_at"])
        told += 1
    return told


def requesters_lapse(*, now: datetime | None = None) -> int:
    """Erase the addresses of requesters who never verified within the link's lifetime."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.PORTAL_RESTAGE_VERIFY_HOURS)
    return Requester.objects.filter(
        verified_at__isnull=True, created__lt=cutoff, erased_at__isnull=True
    ).update(email="", erased_at=now)


# -- 5. staff -------------------------------------------------------------------------------------


@transaction.atomic
def restage_approve(*, request: RestageRequest, by: str) -> bool:
    request = RestageRequest.objects.select_for_update().get(pk=request.pk)
    if request.state != RestageState.APPROVAL:
        return False
    request.state, request.decided_by, request.next_attempt_at = RestageState.QUEUED, by, None
    request.save()
    _submit_after_commit(request.pk)
    return True


@transaction.atomic
def restage_refuse(*, request: RestageRequest, by: str, reason: str) -> bool:
    return _close(request, RestageState.REFUSED, by=by, reason=reason)


@transaction.atomic
def restage_cancel(
    *, request: RestageRequest, by: str, reason: str, client: wlcg.TapeClient | None = None
) -> bool:
    return _close(request, RestageState.CANCELLED, by=by, reason=reason, client=client)


def _close(
    request: RestageRequest,
    state: str,
    *,
    by: str,
    reason: str,
    client: wlcg.TapeClient | None = None,
) -> bool:
    request = RestageRequest.objects.select_for_update().get(pk=request.pk)
    if request.state not in OPEN_STATES:
        return False
    if request.state == RestageState.STAGING and request.stage_id:
        try:
            (client or _client()).cancel(request.stage_id, request.paths)
        except wlcg.TapeFailure as exc:  # the storage may have finished or forgotten it
            logger.warning("cancel of stage %s failed: %s", request.stage_id, exc)
    request.state, request.decided_by, request.reason = state, by, reason.strip()
    request.finished_at = timezone.now()
    request.save()
    request_id = request.pk
    transaction.on_commit(lambda: requesters_notify(request_id=request_id), robust=True)
    return True


def restages_due(*, now: datetime | None = None) -> tuple[Sequence[int], Sequence[int]]:
    """(queued requests due for submission, staging requests to poll)."""
    now = now or timezone.now()
    queued = RestageRequest.objects.filter(state=RestageState.QUEUED).exclude(
        next_attempt_at__gt=now
    )
    staging = RestageRequest.objects.filter(state=RestageState.STAGING)
    return (
        list(queued.order_by("pk").values_list("pk", flat=True)),
        list(staging.order_by("pk").values_list("pk", flat=True)),
    )


def restages_work(
    *, client: wlcg.TapeClient | None = None, on_progress: Any = None
) -> dict[str, int]:
    """The periodic job: submit due requests, poll staging ones, expire, erase lapsed addresses."""
    client = client or _client()
    queued, staging = restages_due()
    counts = {"submitted": 0, "online": 0, "expired": 0, "lapsed": 0, "notified": 0}
    for request_id in queued:
        if restage_submit(request_id=request_id, client=client) == RestageState.STAGING:
            counts["submitted"] += 1
        if on_progress:
            on_progress(1)
    for request_id in staging:
        if restage_poll(request_id=request_id, client=client) == RestageState.ONLINE:
            counts["online"] += 1
        if on_progress:
            on_progress(1)
    counts["expired"] = restages_expire()
    counts["lapsed"] = requesters_lapse()
    # Outcomes whose e-mail could not be sent before (SMTP down) are sent now.
    pending = (
        Requester.objects.filter(verified_at__isnull=False, notified_at__isnull=True)
        .exclude(request__state__in=OPEN_STATES)
        .values_list("request_id", flat=True)
        .distinct()
    )
    for request_id in list(pending):
        counts["notified"] += requesters_notify(request_id=request_id)
    return counts
