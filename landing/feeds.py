"""Atom feeds of what is new: public datasets, DOI publications, and any search.

``/feeds/datasets.atom`` lists the newest public datasets (by when they became public here),
``/feeds/publications.atom`` the newest public DOI publications (by registration), and
``/feeds/search.atom?<the search page's parameters>`` the datasets a search finds, newest
measurement first (the search page links it as "Subscribe to this search"). Entries link the
landing pages at ``PORTAL_BASE_URL``; nothing but public metadata is written (withdrawn records
leave the feeds). A search the feed cannot run answers 400 with the reason.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from catalogue.models import Dataset
from catalogue.search import DatasetQuery, QueryError, SearchUnavailable, dataset_search
from catalogue.search_params import SearchRequest
from catalogue.search_urls import search_url
from publishing.addresses import absolute_url, dataset_url, publication_url
from publishing.models import Publication

FEED_ITEMS = 50
_SUMMARY = 600


def _names(creators: Any) -> str:
    names = [str(c.get("name", "")) for c in creators or [] if isinstance(c, dict)]
    return "; ".join(n for n in names if n)


class _DatasetEntries(Feed):
    feed_type = Atom1Feed

    def item_title(self, item: Dataset) -> str:
        return item.title

    def item_description(self, item: Dataset) -> str:
        return item.description[:_SUMMARY]

    def item_link(self, item: Dataset) -> str:
        return dataset_url(item.pid)

    def item_guid(self, item: Dataset) -> str:
        return dataset_url(item.pid)

    def item_pubdate(self, item: Dataset) -> datetime:
        return item.created

    def item_updateddate(self, item: Dataset) -> datetime:
        return item.modified

    def item_author_name(self, item: Dataset) -> str:
        return _names(item.creators)

    def item_categories(self, item: Dataset) -> list[str]:
        return [str(k) for k in item.keywords or [] if isinstance(k, str)][:10]


class NewDatasets(_DatasetEntries):
    def title(self) -> str:
        return _("New public datasets")

    def subtitle(self) -> str:
        return _("The newest datasets made public in the catalogue.")

    def link(self) -> str:
        return absolute_url("/datasets/")

    def items(self) -> list[Dataset]:
        return list(Dataset.objects.public().order_by("-created", "-id")[:FEED_ITEMS])


class NewPublications(Feed):
    feed_type = Atom1Feed

    def title(self) -> str:
        return _("New DOI publications")

    def subtitle(self) -> str:
        return _("The newest public datasets with a DOI.")

    def link(self) -> str:
        return absolute_url("/publications/")

    def items(self) -> list[Publication]:
        return list(
            Publication.objects.public()
            .exclude(doi="")
            .order_by("-registered_at", "-created", "-id")[:FEED_ITEMS]
        )

    def item_title(self, item: Publication) -> str:
        return item.title

    def item_description(self, item: Publication) -> str:
        return item.abstract[:_SUMMARY]

    def item_link(self, item: Publication) -> str:
        return publication_url(item.doi)

    def item_guid(self, item: Publication) -> str:
        return f"https://doi.org/{item.doi}"

    def item_guid_is_permalink(self, item: Publication) -> bool:
        return True

    def item_pubdate(self, item: Publication) -> datetime:
        return item.registered_at or item.created

    def item_updateddate(self, item: Publication) -> datetime:
        return item.modified

    def item_author_name(self, item: Publication) -> str:
        return _names(item.creators)


class SearchFeed(_DatasetEntries):
    """The datasets a search finds (``obj`` is the parsed search), newest measurement first."""

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> DatasetQuery:
        query = SearchRequest.parse(request.GET).query
        return dataclasses.replace(
            query, sort="-start_time", page=1, per_page=FEED_ITEMS, facets=False
        )

    def title(self, obj: DatasetQuery) -> str:
        if obj.text:
            return _("Datasets matching “%(text)s”") % {"text": obj.text[:100]}
        return _("Datasets of a search")

    def link(self, obj: DatasetQuery) -> str:
        return absolute_url(search_url(dataclasses.replace(obj, sort="", per_page=25)))

    def subtitle(self, obj: DatasetQuery) -> str:
        return _("New datasets of this search in the catalogue.")

    def items(self, obj: DatasetQuery) -> list[Dataset]:
        ids = dataset_search(obj).ids
        found = Dataset.objects.public().in_bulk(ids)
        return [found[i] for i in ids if i in found]


new_datasets = NewDatasets()
new_publications = NewPublications()
_search_feed = SearchFeed()


@require_safe
def search_feed(request: HttpRequest) -> HttpResponse:
    try:
        return _search_feed(request)
    except QueryError as exc:
        return HttpResponseBadRequest(
            _("This search cannot run: %(reason)s") % {"reason": exc},
            content_type="text/plain; charset=utf-8",
        )
    except SearchUnavailable:
        response = HttpResponse(
            _("Search is not available at the moment."),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = "60"
        return response
