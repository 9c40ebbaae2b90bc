"""The endpoints of /api/v1/: public records only, read-only, cursor-paged lists.

The dataset list is the search page's search (same parameters, read by
:class:`catalogue.search_params.SearchRequest`, answered by the configured search backend through
:func:`catalogue.selectors.dataset_table_page`), paged by key (``DatasetQuery.keyset``) instead
of page numbers. Record reads count as COUNTER machine investigations (usage/).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from rest_framework.request import Request
from rest_framework.response import Response

from api import cursors, docs, problems, records
from api.base import ApiView
from api.cursors import Cursor
from catalogue.models import Dataset, Instrument, Proposal
from catalogue.search import DatasetQuery, QueryError
from catalogue.search_params import SearchRequest
from catalogue.selectors import dataset_by_pid, dataset_files_page, dataset_table_page
from catalogue.visibility import Visibility
from publishing.models import Publication
from publishing.selectors import publication_by_doi
from usage.recording import record_investigation

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
MAX_IDENTIFIER = 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def page_size(request: Request) -> int:
    raw = request.query_params.get("page_size", "")
    if not raw:
        return DEFAULT_PAGE_SIZE
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise problems.bad_request(
            _("page_size is a whole number from 1 to %(max)d.") % {"max": MAX_PAGE_SIZE},
            "page_size",
        )
    return int(raw)


def envelope(
    request: Request, count: int, results: list[Any], after: Cursor | None, before: Cursor | None
) -> dict[str, Any]:
    base = request.build_absolute_uri(request.path)
    params = request.query_params
    return {
        "count": count,
        "next": cursors.page_url(base, params, after) if after else None,
        "previous": cursors.page_url(base, params, before) if before else None,
        "results": results,
    }


def _identifier(value: str) -> str:
    """A PID or DOI as given; one no record can have is simply not found."""
    if not value or len(value) > MAX_IDENTIFIER or _CONTROL.search(value):
        return ""
    return value


def withdrawn(record: Dataset | Publication, what: str) -> problems.Problem:
    return problems.Problem(
        410,
        _("Withdrawn"),
        _("This %(what)s was withdrawn and is no longer available.") % {"what": what},
        reason=record.withdrawn_reason or None,
        withdrawn_at=record.withdrawn_at.isoformat() if record.withdrawn_at else None,
    )


class DatasetList(ApiView):
    @docs.dataset_list
    def get(self, request: Request) -> Response:
        search = SearchRequest.parse(request.query_params)
        if search.sort_error:
            raise problems.bad_request(search.sort_error, "sort")
        if search.notices:
            raise problems.bad_request(" ".join(search.notices))
        size = page_size(request)
        query = DatasetQuery(
            text=search.query.text,
            filters=search.query.filters,
            conditions=search.query.conditions,
            start_from=search.query.start_from,
            start_to=search.query.start_to,
            sort=search.query.sort,
            per_page=size,
            facets=False,
            keyset=True,
        )
        sort = query.effective_sort
        cursor = cursors.decode(request.query_params.get("cursor", ""), sort)
        if cursor is not None:
            query = replace(query, after=cursor.key, backwards=cursor.backwards)
        try:
            page, rows = dataset_table_page(query)
        except QueryError as exc:
            raise problems.bad_request(str(exc)) from exc
        ids = page.ids
        backwards = cursor is not None and cursor.backwards
        after = before = None
        if ids and (page.more if not backwards else True):
            after = Cursor(page.keys[ids[-1]], False, sort)
        if ids and ((cursor is not None and not backwards) or (backwards and page.more)):
            before = Cursor(page.keys[ids[0]], True, sort)
        results = [records.dataset_summary(row) for row in rows]
        return Response(envelope(request, page.total, results, after, before))


def _public_dataset(pid: str) -> Dataset:
    dataset = dataset_by_pid(_identifier(pid))
    if dataset is None:
        raise problems.not_found(_("dataset"))
    if dataset.is_withdrawn:
        raise withdrawn(dataset, _("dataset"))
    return dataset


class DatasetDetail(ApiView):
    @docs.dataset_detail
    def get(self, request: Request, pid: str) -> Response:
        return _detail(self, request, pid)


def _detail(view: ApiView, request: Request, pid: str) -> Response:
    dataset = _public_dataset(pid)
    view.last_modified = dataset.modified
    record_investigation(request._request, dataset_id=dataset.pk, machine=True)
    return Response(records.dataset_detail(dataset))


class DatasetFiles(ApiView):
    @docs.dataset_files
    def get(self, request: Request, pid: str) -> Response:
        # A PID may itself end in "/files": such a dataset's own record wins.
        if Dataset.objects.filter(pid=_identifier(f"{pid}/files")).exists():
            return _detail(self, request, f"{pid}/files")
        dataset = _public_dataset(pid)
        size = page_size(request)
        cursor = cursors.decode(request.query_params.get("cursor", ""), "path")
        key = _file_id(cursor)
        if cursor is not None and cursor.backwards:
            files = dataset_files_page(dataset, before=key, per_page=size)
        else:
            files = dataset_files_page(dataset, after=key, per_page=size)
        results = [
            records.file_entry(dataset, f.path, f.size, f.checksum, f.checksum_algorithm)
            for f in files.files
        ]
        after = Cursor((files.last_id,), False, "path") if files.has_next else None
        before = Cursor((files.first_id,), True, "path") if files.has_previous else None
        self.last_modified = dataset.modified
        return Response(envelope(request, files.total, results, after, before))


def _file_id(cursor: Cursor | None) -> int | None:
    if cursor is None:
        return None
    key = cursor.key
    if len(key) != 1 or not isinstance(key[0], int) or isinstance(key[0], bool):
        raise problems.bad_request(_("This cursor cannot be read."), "cursor")
    return key[0]  # a file no longer there starts the list again


def _by_id(
    request: Request, queryset: QuerySet[Any], sort: str, *, descending: bool
) -> tuple[list[Any], Cursor | None, Cursor | None]:
    """A page of ``queryset`` by id (keyset), its next and previous cursors."""
    size = page_size(request)
    cursor = cursors.decode(request.query_params.get("cursor", ""), sort)
    key = None
    if cursor is not None:
        key = cursor.key[0] if len(cursor.key) == 1 else None
        if not isinstance(key, int) or isinstance(key, bool):
            raise problems.bad_request(_("This cursor cannot be read."), "cursor")
    backwards = cursor is not None and cursor.backwards
    ahead = "lt" if descending != backwards else "gt"
    if key is not None:
        queryset = queryset.filter(**{f"id__{ahead}": key})
    order = "-id" if descending != backwards else "id"
    rows = list(queryset.order_by(order)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    after = before = None
    if rows and (more if not backwards else True):
        after = Cursor((rows[-1].pk,), False, sort)
    if rows and ((cursor is not None and not backwards) or (backwards and more)):
        before = Cursor((rows[0].pk,), True, sort)
    return rows, after, before


class PublicationList(ApiView):
    @docs.publication_list
    def get(self, request: Request) -> Response:
        queryset = Publication.objects.public().exclude(doi="")
        rows, after, before = _by_id(request, queryset, "-id", descending=True)
        results = [records.publication(p, full=False) for p in rows]
        return Response(envelope(request, queryset.count(), results, after, before))


class PublicationDetail(ApiView):
    @docs.publication_detail
    def get(self, request: Request, doi: str) -> Response:
        found = publication_by_doi(_identifier(doi))
        if found is None or not found.doi:
            raise problems.not_found(_("publication"))
        if found.is_withdrawn:
            raise withdrawn(found, _("publication"))
        self.last_modified = found.modified
        record_investigation(request._request, publication_id=found.pk, machine=True)
        return Response(records.publication(found, full=True))


_PUBLIC = Q(datasets__visibility=Visibility.PUBLIC)


class InstrumentList(ApiView):
    @docs.instrument_list
    def get(self, request: Request) -> Response:
        queryset = Instrument.objects.filter(
            id__in=Dataset.objects.public().values("instrument_id")
        ).annotate(public_datasets=Count("datasets", filter=_PUBLIC))
        rows, after, before = _by_id(request, queryset, "id", descending=False)
        results = [
            {**(records.instrument(i) or {}), "dataset_count": i.public_datasets} for i in rows
        ]
        return Response(envelope(request, queryset.count(), results, after, before))


class ProposalList(ApiView):
    @docs.proposal_list
    def get(self, request: Request) -> Response:
        queryset = Proposal.objects.filter(
            id__in=Dataset.objects.public().values("proposal_id")
        ).annotate(public_datasets=Count("datasets", filter=_PUBLIC))
        rows, after, before = _by_id(request, queryset, "id", descending=False)
        results = [
            {**(records.proposal(p) or {}), "dataset_count": p.public_datasets} for p in rows
        ]
        return Response(envelope(request, queryset.count(), results, after, before))
