"""What the API says about each record: plain dicts of public fields, made in a fixed number of
queries per page whatever its size, rendered by orjson.

A dataset in a list is its summary (what the search page's row shows, taken from the search
index's hits when it brings them, as the search page does); ``datasets/<pid>`` has everything the
landing page shows that is public. Nothing here reads a field the catalogue keeps private: the
portal never stores one (see catalogue/models.py), and free text that may hold an e-mail address
(proposal titles and principal investigators) is masked as on the landing page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse

from catalogue.models import Dataset, Instrument, Proposal, ScientificParameter, Technique
from catalogue.selectors import dataset_thumbnails
from catalogue.templatetags.portal_format import mask_emails
from catalogue.visibility import Visibility
from publishing.addresses import absolute_url, dataset_url, publication_url
from publishing.models import Publication
from usage.selectors import UsageSummary, dataset_usage, publication_usage

# The landing pages' exports (landing/exports.py; a test keeps the two lists equal).
EXPORTS = (
    "bibtex",
    "ris",
    "csl-json",
    "datacite-xml",
    "datacite-json",
    "dublin-core",
    "schema-org",
)
# The "download all" lists (landing/downloads.py), offered with PORTAL_DOWNLOAD_URL.
DOWNLOAD_LISTS = ("metalink", "aria2", "json")
_SAFE = "!$&'()*+,;=/~:@"
PANET = "http://purl.org/pan-science/PaNET/"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def api_url(path: str) -> str:
    return absolute_url(f"/api/v1/{path}")


def dataset_api_url(pid: str) -> str:
    return api_url(f"datasets/{quote(pid, safe=_SAFE)}")


def _media_url(name: str | None) -> str | None:
    return absolute_url(f"{settings.MEDIA_URL}{quote(name)}") if name else None


def dataset_summary(row: dict[str, Any]) -> dict[str, Any]:
    """A list entry from a table row (:func:`catalogue.selectors.dataset_table_rows`)."""
    pid = row["pid"]
    quoted = quote(pid, safe=_SAFE)
    start = row["start_time"]
    thumbnail = row["thumbnail_image"]
    return {
        "pid": pid,
        "title": row["title"],
        "type": row["type"],
        "start_time": start.isoformat() if start else None,
        "size": row["size"],
        "run_number": row["run_number"] or None,
        "source_folder": row["source_folder"] or None,
        "proposal": row["proposal__proposal_id"],
        "thumbnail": _media_url(thumbnail) if thumbnail else None,
        "url": f"{settings.PORTAL_BASE_URL}/api/v1/datasets/{quoted}",
        "landing_page": f"{settings.PORTAL_BASE_URL}/datasets/{quoted}",
    }


def usage(summary: UsageSummary) -> dict[str, Any]:
    return {
        "views": summary.views,
        "unique_views": summary.unique_views,
        "downloads": summary.downloads,
        "unique_downloads": summary.unique_downloads,
        "machine_views": summary.machine.total_investigations,
        "since": summary.since.isoformat() if summary.since else None,
    }


def _exports(kind: str, identifier: str) -> dict[str, str]:
    name = "landing:export_dataset" if kind == "datasets" else "landing:export_publication"
    return {
        key: absolute_url(reverse(name, kwargs={"key": key, "identifier": identifier}))
        for key in EXPORTS
    }


def _downloads(kind: str, identifier: str) -> dict[str, str]:
    if not settings.PORTAL_DOWNLOAD_URL:
        return {}
    name = "landing:dataset_download" if kind == "datasets" else "landing:publication_download"
    field = "pid" if kind == "datasets" else "doi"
    return {
        fmt: absolute_url(reverse(name, kwargs={"fmt": fmt, field: identifier}))
        for fmt in DOWNLOAD_LISTS
    }


def instrument(item: Instrument | None) -> dict[str, Any] | None:
    if item is None:
        return None
    return {
        "pid": item.pid,
        "name": item.name,
        "unique_name": item.unique_name or None,
        "facility": item.facility or None,
        "datasets": _search_url("instrument", item.unique_name or item.name),
    }


def proposal(item: Proposal | None) -> dict[str, Any] | None:
    if item is None:
        return None
    return {
        "proposal_id": item.proposal_id,
        "title": mask_emails(item.title) or None,
        "principal_investigator": mask_emails(item.pi_name) or None,
        "type": item.type or None,
        "start_time": _iso(item.start_time),
        "end_time": _iso(item.end_time),
        "datasets": _search_url("proposal", item.proposal_id),
    }


def _search_url(facet: str, value: str) -> str:
    return api_url(f"datasets?{urlencode({facet: value})}")


def technique(item: Technique) -> dict[str, Any]:
    pid = item.pid
    panet = f"PaNET{pid[5:]}" if pid.lower().startswith("panet") and pid[5:].isdigit() else None
    return {
        "pid": item.pid,
        "name": item.name,
        "panet_id": panet,
        "panet_url": f"{PANET}{panet}" if panet else None,
    }


def parameter(item: ScientificParameter) -> dict[str, Any]:
    return {
        "key": item.key_path,
        "value": item.original_value,
        "unit": item.unit or None,
        "number": item.number,
        "number_max": item.number_max,
        "si_value": item.si_value,
        "si_value_max": item.si_value_max,
        "si_unit": item.si_unit or None,
        "text": item.text_value or None,
    }


def _containing(dataset: Dataset) -> tuple[str | None, list[dict[str, Any]]]:
    """The DOI of a public publication of just ``dataset`` (as the landing page names it), and
    every public publication holding it."""
    rows = (
        Publication.objects.public()
        .filter(
            pk__in=Publication.datasets.through.objects.filter(dataset=dataset).values(
                "publication_id"
            )
        )
        .exclude(doi="")
        .annotate(n=Count("datasets", filter=Q(datasets__visibility=Visibility.PUBLIC)))
        .order_by("registered_at", "id")
        .values_list("doi", "title", "n")
    )
    own = None
    out = []
    for doi, title, n in rows:
        if n == 1 and own is None:
            own = doi
        out.append(
            {
                "doi": doi,
                "title": title,
                "url": api_url(f"publications/{quote(doi, safe=_SAFE)}"),
                "landing_page": publication_url(doi),
            }
        )
    return own, out


def dataset_detail(dataset: Dataset) -> dict[str, Any]:
    """Everything public about ``dataset``: a handful of queries."""
    pid = dataset.pid
    doi, publications = _containing(dataset)
    parameters = dataset.parameters.order_by("key_path", "id")
    return {
        "pid": pid,
        "doi": doi,
        "title": dataset.title,
        "description": dataset.description or None,
        "type": dataset.type,
        "keywords": [str(k) for k in dataset.keywords or []],
        "license": dataset.license or None,
        "creators": [
            {"name": str(c.get("name", "")), "orcid": c.get("orcid") or None}
            for c in dataset.creators or []
            if isinstance(c, dict)
        ],
        "principal_investigators": [
            mask_emails(p) for p in dataset.principal_investigators or [] if isinstance(p, str)
        ],
        "creation_time": _iso(dataset.creation_time),
        "start_time": _iso(dataset.start_time),
        "end_time": _iso(dataset.end_time),
        "embargo_end": _iso(dataset.embargo_end),
        "size": dataset.size,
        "number_of_files": dataset.number_of_files,
        "files_status": dataset.files_status,
        "run_number": dataset.run_number or None,
        "source_folder": dataset.source_folder or None,
        "data_format": dataset.data_format or None,
        "data_location": dataset.data_location,
        "instrument": instrument(dataset.instrument),
        "proposal": proposal(dataset.proposal),
        "techniques": [technique(t) for t in dataset.techniques.order_by("name", "id")],
        "scientific_metadata": dataset.scientific_metadata,
        "parameters": [parameter(p) for p in parameters],
        "thumbnails": [
            {"url": _media_url(t.image.name), "caption": t.caption or None}
            for t in dataset_thumbnails(dataset)
        ],
        "publications": publications,
        "usage": usage(dataset_usage(dataset.pk)),
        "modified": _iso(dataset.modified),
        "links": {
            "self": dataset_api_url(pid),
            "landing_page": dataset_url(pid),
            "files": f"{dataset_api_url(pid)}/files",
            "exports": _exports("datasets", pid),
            "download_lists": _downloads("datasets", pid),
        },
    }


def publication(item: Publication, *, full: bool) -> dict[str, Any]:
    """A publication with its DataCite fields; ``full`` adds its datasets and usage."""
    doi = item.doi
    out: dict[str, Any] = {
        "doi": doi,
        "title": item.title,
        "creators": item.creators,
        "contributors": item.contributors,
        "publisher": item.publisher or None,
        "publication_year": item.publication_year,
        "resource_type": item.resource_type or None,
        "abstract": item.abstract or None,
        "subjects": item.subjects,
        "rights": item.rights,
        "related_identifiers": item.related_identifiers,
        "funding_references": item.funding_references,
        "dates": item.dates,
        "geo_locations": item.geo_locations,
        "url": api_url(f"publications/{quote(doi, safe=_SAFE)}"),
        "landing_page": publication_url(doi),
        "modified": _iso(item.modified),
    }
    if full:
        pids = item.datasets.public().order_by("pid").values_list("pid", flat=True)
        out["datasets"] = [{"pid": p, "url": dataset_api_url(p)} for p in pids]
        out["usage"] = usage(publication_usage(item.pk))
        out["links"] = {
            "self": out["url"],
            "landing_page": out["landing_page"],
            "exports": _exports("doi", doi),
            "download_lists": _downloads("doi", doi),
        }
    return out


def file_entry(dataset: Dataset, path: str, size: int, checksum: str, algorithm: str) -> dict:
    download = None
    if settings.PORTAL_DOWNLOAD_URL:
        base = reverse("landing:file_download", kwargs={"pid": dataset.pid})
        download = absolute_url(f"{base}?{urlencode({'path': path})}")
    return {
        "path": path,
        "size": size,
        "checksum": checksum or None,
        "checksum_algorithm": algorithm or None,
        "download": download,
    }
