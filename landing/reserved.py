"""A DOI reserved for records still under embargo (a review, ``publishing.services.reservations``):
its holding page, or its tombstone when the records were not released."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from publishing.models import Publication


def reserved_page(request: HttpRequest, reserved: Publication) -> HttpResponse:
    """A DOI reserved for records under embargo: a holding page that shows nothing of them (the
    DOI, the embargo's end, the publisher, whom to ask), or a tombstone when they were not
    released. In every format: machines get the page too, there is no metadata to give."""
    context = {
        "doi": reserved.doi,
        "doi_url": f"https://doi.org/{reserved.doi}",
        "embargo_until": reserved.embargo_until,
        "publisher": reserved.publisher,
        "contact": settings.PORTAL_DATA_CONTACT,
        "withdrawn": reserved.is_withdrawn,
        "reason": reserved.withdrawn_reason,
    }
    status = 410 if reserved.is_withdrawn else 200
    response = render(request, "landing/reserved.html", context, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response
