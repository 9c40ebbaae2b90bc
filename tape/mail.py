"""The restage e-mails, written from templates in ``templates/tape/email/`` (subject on the first
line, then the body), sent through Django's mail (``EMAIL_*`` settings) in the requester's
language. Nothing here decides anything: :mod:`tape.restage` says what to send to whom."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from catalogue.models import DataFile
from lib.download_url import fill
from tape.models import Requester, RestageRequest, RestageState

# File links listed in the "online" e-mail; the rest are in the download lists.
MAX_FILE_LINKS = 20


def _absolute(path: str) -> str:
    return settings.PORTAL_BASE_URL + path


def _send(template: str, to: list[str], context: dict[str, Any], *, language: str = "") -> None:
    if not to:
        return
    with translation.override(language or settings.LANGUAGE_CODE):
        text = render_to_string(
            f"tape/email/{template}.txt", {"portal": settings.PORTAL_NAME, **context}
        )
    subject, _, body = text.strip().partition("\n")
    send_mail(subject.strip(), body.strip() + "\n", None, to, fail_silently=False)


def _dataset_context(request: RestageRequest | None, dataset_pid: str) -> dict[str, Any]:
    return {
        "pid": dataset_pid,
        "page": _absolute(reverse("landing:dataset", kwargs={"pid": dataset_pid})),
        "request": request,
    }


def verification(*, requester: Requester, token: str) -> None:
    dataset = requester.dataset
    context = _dataset_context(None, dataset.pid)
    context.update(
        title=dataset.title,
        link=_absolute(reverse("tape:verify", kwargs={"token": token})),
        hours=settings.PORTAL_RESTAGE_VERIFY_HOURS,
    )
    _send("verify", [requester.email], context, language=requester.language)


def _file_links(request: RestageRequest) -> list[str]:
    dataset = request.dataset
    if not settings.PORTAL_DOWNLOAD_URL:
        return []
    links = []
    for path in DataFile.objects.filter(dataset=dataset).values_list("path", flat=True)[
        :MAX_FILE_LINKS
    ]:
        url = fill(
            settings.PORTAL_DOWNLOAD_URL,
            path=path,
            source_folder=dataset.source_folder,
            pid=dataset.pid,
        )
        if url:
            links.append(url)
    return links


def outcome(*, requester: Requester, request: RestageRequest) -> None:
    """Online (with the links), failed, refused or cancelled: what happened to the request."""
    dataset = request.dataset
    context = _dataset_context(request, dataset.pid)
    context["title"] = dataset.title
    template = {
        RestageState.ONLINE: "online",
        RestageState.REFUSED: "refused",
        RestageState.CANCELLED: "cancelled",
    }.get(RestageState(request.state), "failed")
    if template == "online":
        context["files"] = _file_links(request)
        context["more_files"] = dataset.number_of_files > len(context["files"])
        context["lists"] = (
            [
                _absolute(
                    reverse("landing:dataset_download", kwargs={"fmt": fmt, "pid": dataset.pid})
                )
                for fmt in ("metalink", "aria2", "json")
            ]
            if settings.PORTAL_DOWNLOAD_URL
            else []
        )
    _send(template, [requester.email], context, language=requester.language)


def _staff() -> list[str]:
    return list(settings.PORTAL_RESTAGE_STAFF_EMAIL) or [admin[1] for admin in settings.ADMINS]


def _admin_link(request: RestageRequest) -> str:
    return _absolute(reverse("admin:tape_restagerequest_change", args=[request.pk]))


def staff_approval(*, request: RestageRequest) -> None:
    context = _dataset_context(request, request.dataset.pid)
    context["admin"] = _admin_link(request)
    _send("staff_approval", _staff(), context)


def staff_failed(*, request: RestageRequest) -> None:
    context = _dataset_context(request, request.dataset.pid)
    context["admin"] = _admin_link(request)
    _send("staff_failed", _staff(), context)
