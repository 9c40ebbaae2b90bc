"""The browse pages: /instruments/, /proposals/ and /techniques/, each with its public datasets
counted and a link into the search filtered to it (the search page's facet values: an
instrument's short name, a proposal id, a technique's name). Only public datasets count; an
instrument, proposal or technique without any is not listed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from catalogue import page_cache
from catalogue.models import Instrument, Proposal, Technique
from catalogue.search import DatasetQuery
from catalogue.search_urls import search_url
from catalogue.visibility import Visibility
from lib.links import panet_url
from lib.whole_numbers import parse_whole_number

PROPOSALS_PER_PAGE = 100
_PUBLIC = Q(datasets__visibility=Visibility.PUBLIC)


def _search(facet: str, value: str) -> str:
    return search_url(DatasetQuery(filters=((facet, (value,)),)))


@dataclass(frozen=True)
class BrowseRow:
    name: str
    detail: str
    count: int
    search_url: str
    url: str = ""  # an outside page (PaNET) when there is one
    identifier: str = ""


def instruments() -> list[BrowseRow]:
    rows = (
        Instrument.objects.annotate(n=Count("datasets", filter=_PUBLIC))
        .filter(n__gt=0)
        .order_by("facility", "unique_name", "name")
    )
    return [
        BrowseRow(
            name=i.unique_name or i.name,
            detail=" · ".join(p for p in (i.name if i.unique_name else "", i.facility) if p),
            count=i.n,
            search_url=_search("instrument", i.unique_name or i.name),
        )
        for i in rows
    ]


def proposals() -> QuerySet[Proposal]:
    return (
        Proposal.objects.annotate(n=Count("datasets", filter=_PUBLIC))
        .filter(n__gt=0)
        .order_by("-start_time", "-proposal_id")
    )


def techniques() -> list[BrowseRow]:
    rows = (
        Technique.objects.annotate(n=Count("datasets", filter=_PUBLIC))
        .filter(n__gt=0)
        .order_by("-n", "name")
    )
    return [
        BrowseRow(
            name=t.name or t.pid,
            detail="",
            count=t.n,
            search_url=_search("technique", t.name or t.pid),
            url=panet_url(t.pid),
            identifier=t.pid,
        )
        for t in rows
    ]


def _cached(request: HttpRequest, page: str, build: Callable[[], HttpResponse]) -> HttpResponse:
    """The browse page from the page cache (its counts are a grouping of every public dataset,
    a few hundred milliseconds at 100,000), else built and kept until a dataset changes."""
    key = page_cache.browse_key(page) if page_cache.cacheable(request) else ""
    if key and (stored := page_cache.get(key)) is not None:
        return page_cache.respond(request, stored)
    response = build()
    if key and (stored := page_cache.store(key, response)) is not None:
        return page_cache.respond(request, stored)
    return page_cache.public(response)


@require_safe
def instrument_list(request: HttpRequest) -> HttpResponse:
    return _cached(
        request,
        "instruments",
        lambda: render(request, "catalogue/instruments.html", {"rows": instruments()}),
    )


@require_safe
def technique_list(request: HttpRequest) -> HttpResponse:
    return _cached(
        request,
        "techniques",
        lambda: render(request, "catalogue/techniques.html", {"rows": techniques()}),
    )


@require_safe
def proposal_list(request: HttpRequest) -> HttpResponse:
    return _cached(request, "proposals", lambda: _proposal_page(request))


def _proposal_page(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(proposals(), PROPOSALS_PER_PAGE)
    page = paginator.get_page(parse_whole_number(request.GET.get("page", ""), 1))
    rows = [
        BrowseRow(
            name=p.proposal_id,
            detail=p.title,
            count=p.n,  # type: ignore[attr-defined]  # annotated by proposals()
            search_url=_search("proposal", p.proposal_id),
            identifier=p.pi_name,
        )
        for p in page.object_list
    ]
    return render(request, "catalogue/proposals.html", {"rows": rows, "page": page})
