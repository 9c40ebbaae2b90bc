"""The OpenAPI description of each endpoint (drf-spectacular): parameters with examples,
answers with their shapes (api/schema.py) and the problem details of each error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema

from api import schema
from catalogue.search.base import FACETS, SORTS

_PROBLEM = "application/problem+json"
_JSON = "application/json"


def _problem(text: str) -> OpenApiResponse:
    return OpenApiResponse(
        response=schema.Problem,
        description=f"{text} (RFC 9457 problem details)",
        examples=[
            OpenApiExample(
                "problem",
                value={
                    "type": "about:blank",
                    "title": "Bad request",
                    "status": 400,
                    "detail": "page_size is a whole number from 1 to 1000.",
                    "instance": "/api/v1/datasets?page_size=0",
                    "parameter": "page_size",
                },
                response_only=True,
            )
        ],
    )


def _param(name: str, text: str, example: str, *, many: bool = False) -> OpenApiParameter:
    return OpenApiParameter(
        name,
        OpenApiTypes.STR,
        OpenApiParameter.QUERY,
        description=text,
        many=many,
        examples=[OpenApiExample(name, value=[example] if many else example)],
        explode=True if many else None,
    )


PAGE_SIZE = OpenApiParameter(
    "page_size",
    {"type": "integer", "minimum": 1, "maximum": 1000},
    OpenApiParameter.QUERY,
    description="Results per page, 1 to 1000 (default 100).",
    examples=[OpenApiExample("page_size", value=100)],
)
CURSOR = _param(
    "cursor",
    "Where the page starts: copy the `next` or `previous` link of a page; never made by hand.",
    "eyJrIjpbIjIwMjQtMDUtMDFUMTI6MDA6MDArMDA6MDAiLDQyXSwiYiI6ZmFsc2UsInMiOiItc3RhcnRfdGltZSJ9",
)
_FACET_EXAMPLES = {
    "type": "raw",
    "instrument": "P08",
    "technique": "x-ray reflectivity",
    "creator": "Lovelace, Ada",
    "year": "2024",
    "keyword": "lipid",
    "license": "CC-BY-4.0",
    "proposal": "11019634",
    "location": "disk",
}
DATASET_FILTERS = [
    _param(
        "q",
        'Search text in the search page\'s query language: words, "phrases", AND/OR/NOT, -word,'
        " prefix*, fields title: keyword: instrument: proposal: technique: doi: pid:.",
        "DPPG monolayer",
    ),
    *[
        _param(
            facet,
            f"{label}: repeatable; values of one filter combine with OR, filters with AND.",
            _FACET_EXAMPLES[facet],
            many=True,
        )
        for facet, label in FACETS.items()
    ],
    _param(
        "sm",
        "A scientific-metadata condition `key op value [unit]` (=, !=, <, <=, >, >=, between "
        "… and …, contains), units converted: repeatable, combined with AND.",
        "sample_temperature > 20 degC",
        many=True,
    ),
    _param(
        "start_from",
        "Start time from this day on (inclusive, UTC): YYYY-MM-DD, YYYY-MM or YYYY (a month's "
        "or year's first day).",
        "2024-01-01",
    ),
    _param(
        "start_to",
        "Start time up to this day (inclusive, UTC): YYYY-MM-DD, YYYY-MM or YYYY (a month's or "
        "year's last day).",
        "2024-06",
    ),
    OpenApiParameter(
        "sort",
        OpenApiTypes.STR,
        OpenApiParameter.QUERY,
        enum=list(SORTS),
        description="Order: relevance (default with q), -start_time (default without), ...",
        examples=[OpenApiExample("sort", value="-start_time")],
    ),
    PAGE_SIZE,
    CURSOR,
]
PID = OpenApiParameter(
    "pid",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="The dataset's PID; its '/' raw or as %2F.",
    examples=[OpenApiExample("pid", value="20.500.12269/7e562979-2cf9-4b99-8a24-efef7eefb988")],
)
DOI = OpenApiParameter(
    "doi",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="The DOI, any case; its '/' raw or as %2F.",
    examples=[OpenApiExample("doi", value="10.5072/desy-pd-0001")],
)
_LIST_ERRORS = {(400, _PROBLEM): _problem("A parameter cannot be used; `parameter` names it")}
_RECORD_ERRORS = {
    (404, _PROBLEM): _problem("No such record"),
    (410, _PROBLEM): _problem("Withdrawn, with the reason"),
}
Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def _list(
    name: str, summary: str, page: type, text: str, parameters: list[OpenApiParameter]
) -> Decorator:
    return extend_schema(
        operation_id=name,
        summary=summary,
        description=text,
        parameters=parameters,
        responses={(200, _JSON): page, **_LIST_ERRORS},
        tags=["records"],
    )


dataset_list = _list(
    "datasets_list",
    "Search the public datasets",
    schema.DatasetPage,
    "The search page's search: the same parameters, the same backend, the same results; pages "
    "by cursor (a walk through any number of results neither repeats nor skips one).",
    DATASET_FILTERS,
)
dataset_detail = extend_schema(
    operation_id="dataset_detail",
    summary="A public dataset",
    description="Everything its landing page shows that is public. Counts as a machine "
    "investigation (COUNTER).",
    parameters=[PID],
    responses={(200, _JSON): schema.DatasetSerializer, **_RECORD_ERRORS},
    tags=["records"],
)
dataset_files = extend_schema(
    operation_id="dataset_files",
    summary="A dataset's files",
    description="In path order, with sizes and checksums; cursor pages.",
    parameters=[PID, PAGE_SIZE, CURSOR],
    responses={(200, _JSON): schema.FilePage, **_LIST_ERRORS, **_RECORD_ERRORS},
    tags=["records"],
)
publication_list = _list(
    "publications_list",
    "The public DOI publications",
    schema.PublicationPage,
    "Newest first; cursor pages.",
    [PAGE_SIZE, CURSOR],
)
publication_detail = extend_schema(
    operation_id="publication_detail",
    summary="A DOI publication",
    description="Its DataCite metadata, datasets, links and usage. Counts as a machine "
    "investigation (COUNTER).",
    parameters=[DOI],
    responses={(200, _JSON): schema.PublicationDetail, **_RECORD_ERRORS},
    tags=["records"],
)
instrument_list = _list(
    "instruments_list",
    "Instruments with public datasets",
    schema.InstrumentPage,
    "Each with its public dataset count and a link to its datasets.",
    [PAGE_SIZE, CURSOR],
)
proposal_list = _list(
    "proposals_list",
    "Proposals with public datasets",
    schema.ProposalPage,
    "Each with its public dataset count and a link to its datasets.",
    [PAGE_SIZE, CURSOR],
)


def only_version_1(endpoints: list[tuple[str, str, str, Any]]) -> list[tuple[str, str, str, Any]]:
    """drf-spectacular's preprocessing hook: the schema describes /api/v1/ and nothing else
    (other apps' DRF views, if any, are not this API)."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]
