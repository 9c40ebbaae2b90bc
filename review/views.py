"""The review link's pages: ``/review/<token>/`` and its exports.

Every answer, found or not, carries ``X-Robots-Tag: noindex, nofollow``, ``Cache-Control:
private, no-store`` and ``Referrer-Policy: no-referrer`` (a reviewer following a link out must
not hand the token on). A wrong, expired or revoked token and a cancelled review answer 404 (no
oracle: all look alike) and count against the visitor's guesses (:mod:`review.guesses`); the
token never reaches a log (``lib.log_redaction`` on every handler). Once the records were
released, a link redirects to the DOI's ordinary public page. Records the catalogue no longer
shows are left out with a note, and the review is checked soon after
(:mod:`review.withdrawals`: deleted ones close it as not released); while none is shown, the
link answers 410 saying so.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from review import guesses
from review.anonymise import anonymise
from review.catalogue import CatalogueNotReadable, LiveRecords, live_records
from review.models import ReviewLink
from review.pages import EXPORTS, citation, datacite_record, dataset_view
from review.selectors import link_by_token
from review.services import review_link_used
from review.tasks import review_check_soon

PRIVATE_HEADERS = {
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "no-referrer",
}


def _private(response: HttpResponse) -> HttpResponse:
    for name, value in PRIVATE_HEADERS.items():
        response[name] = value
    return response


def _refused(request: HttpRequest) -> HttpResponse:
    """404 for any token that opens nothing (and 429 past the guess limit)."""
    if guesses.blocked(request):
        response = render(
            request,
            "review/unavailable.html",
            {"message": _("Too many wrong review links from your address. Try again later.")},
            status=429,
        )
        response["Retry-After"] = str(guesses.retry_after())
        return _private(response)
    guesses.failed(request)
    message = _("This review link does not exist, has expired or was revoked.")
    return _private(render(request, "404.html", {"message": message}, status=404))


def _open(request: HttpRequest, token: str) -> ReviewLink | HttpResponse:
    if guesses.blocked(request):
        return _refused(request)
    link = link_by_token(token)
    if link is None:
        return _refused(request)
    if link.review.released:
        doi = link.review.publication.doi
        return _private(HttpResponseRedirect(reverse("landing:publication", args=[doi])))
    return link


def _records(link: ReviewLink) -> LiveRecords:
    pids = list(
        link.review.publication.reserved_datasets.order_by("pid").values_list("pid", flat=True)
    )
    records = live_records(pids)
    if records.missing:
        review_check_soon(review_id=link.review_id)
    return records


def _gone(request: HttpRequest) -> HttpResponse:
    """Every record of the review is missing from the catalogue (withdrawn, or for now)."""
    message = _(
        "The records of this review are no longer in the facility's catalogue. If they were "
        "withdrawn, the review is closed and its DOI will say that the data was not released."
    )
    return _private(render(request, "review/unavailable.html", {"message": message}, status=410))


def _unavailable(request: HttpRequest) -> HttpResponse:
    message = _("The internal catalogue cannot be reached just now. Try again in a few minutes.")
    response = render(request, "review/unavailable.html", {"message": message}, status=503)
    response["Retry-After"] = "120"
    return _private(response)


def _context(link: ReviewLink, records: LiveRecords, token: str) -> dict[str, Any]:
    review = link.review
    publication = review.publication
    originals = records.datasets
    datasets = originals
    scrubber = None
    if review.anonymous:
        datasets, scrubber = anonymise(datasets, hidden_keys=settings.PORTAL_REVIEW_ANONYMOUS_KEYS)
    downloads = settings.PORTAL_REVIEW_DOWNLOADS
    record = datacite_record(
        doi=publication.doi,
        url=f"https://doi.org/{publication.doi}",
        datasets=datasets,
        anonymous=review.anonymous,
        embargo_end=records.embargo_end,
    )
    return {
        "review": review,
        "doi": publication.doi,
        "record": record,
        "citation": citation(record),
        "embargo_end": records.embargo_end,
        "missing": len(records.missing),
        "datasets": [
            dataset_view(shown, original=original, downloads=downloads, scrubber=scrubber)
            for shown, original in zip(datasets, originals, strict=True)
        ],
        "downloads": downloads and bool(settings.PORTAL_DOWNLOAD_URL),
        "exports": [
            {"label": f.label, "url": reverse("review:export", args=[token, key])}
            for key, f in EXPORTS.items()
        ],
    }


@require_safe
def review_page(request: HttpRequest, token: str) -> HttpResponse:
    opened = _open(request, token)
    if isinstance(opened, HttpResponse):
        return opened
    try:
        records = _records(opened)
    except CatalogueNotReadable:
        return _unavailable(request)
    if not records.datasets:
        return _gone(request)
    review_link_used(link=opened)
    return _private(render(request, "review/review.html", _context(opened, records, token)))


@require_safe
def review_export(request: HttpRequest, token: str, key: str) -> HttpResponse:
    opened = _open(request, token)
    if isinstance(opened, HttpResponse):
        return opened
    fmt = EXPORTS.get(key)
    if fmt is None:
        message = _("There is no export format “%(key)s”.") % {"key": key[:50]}
        return _private(render(request, "404.html", {"message": message}, status=404))
    try:
        records = _records(opened)
    except CatalogueNotReadable:
        return _unavailable(request)
    if not records.datasets:
        return _gone(request)
    record = _context(opened, records, token)["record"]
    response = HttpResponse(fmt.render(record), content_type=f"{fmt.media_type}; charset=utf-8")
    name = opened.review.publication.doi.replace("/", "_")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt.extension}"'
    return _private(response)
