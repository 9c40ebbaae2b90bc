"""FAIR Signposting (https://signposting.org/FAIR/) of a landing page.

Level 1: :func:`link_header` is the page's HTTP ``Link`` header: ``cite-as`` (the DOI, else the
Handle), ``describedby`` for each metadata export (with its media type), ``item`` for each file,
``author`` (ORCID iDs), ``license``, ``type`` (schema.org ``Dataset`` and ``AboutPage``) and
``linkset`` (both linkset formats). It stays small: with more than :data:`MAX_HEADER_AUTHORS`
authors or :data:`MAX_HEADER_ITEMS` files those links are left to the linkset (as Dataverse's
level-1 limits do). :func:`html_links` are the same links as ``<link>`` elements for the page's
head, without the files; neither carries ``profile`` (HTML has no such attribute).

Level 2: :func:`linkset_json` (``application/linkset+json``) and :func:`linkset_text`
(``application/linkset``, RFC 9264) hold every link with its profile, also ``describes`` from
each export and ``collection`` from each file back to the landing page. Files are listed up to
:data:`MAX_LINKSET_ITEMS`; a record with more has none (the "download all" lists name them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import reverse
from django.utils.encoding import iri_to_uri

from catalogue.models import DataFile
from landing import downloads
from landing.exports import EXPORTS, export_url
from landing.records import LandingRecord
from landing.schemaorg import media_type
from publishing.addresses import absolute_url
from publishing.formats import fields

MAX_HEADER_AUTHORS = 10
MAX_HEADER_ITEMS = 20
MAX_LINKSET_ITEMS = 1000
LINKSET_TYPES = {"json": "application/linkset+json", "text": "application/linkset"}
# Formats that describe the record (describedby), with their profile URI.
DESCRIBED_BY: dict[str, str] = {
    "datacite-xml": "http://datacite.org/schema/kernel-4",
    "datacite-json": "http://datacite.org/schema/kernel-4",
    "schema-org": "https://schema.org",
    "dublin-core": "http://purl.org/dc/elements/1.1/",
    "csl-json": "https://citationstyles.org/",
    "bibtex": "",
    "ris": "",
}
_BAD_URI = re.compile(r"[\s<>\"\\^`{|}]")


@dataclass(frozen=True, slots=True)
class Link:
    href: str
    rel: str
    type: str = ""
    profile: str = ""

    def header(self, anchor: str = "", *, profile: bool = True) -> str:
        out = f'<{self.href}>; rel="{self.rel}"'
        if self.type:
            out += f'; type="{self.type}"'
        if self.profile and profile:
            out += f'; profile="{self.profile}"'
        if anchor:
            out += f'; anchor="{anchor}"'
        return out


def clean_uri(value: str) -> str:
    """``value`` as an absolute http(s) URI fit for a Link header, or ""."""
    uri = iri_to_uri(value.strip())
    if not uri.startswith(("https://", "http://")) or _BAD_URI.search(uri):
        return ""
    return uri


def linkset_url(record: LandingRecord, fmt: str = "json") -> str:
    """The portal path of a linkset of ``record`` (``json`` or ``text``; "" without a DOI)."""
    if record.kind == "publication":
        if not record.doi:
            return ""
        return reverse("landing:linkset_publication", args=[fmt, record.doi])
    assert record.dataset is not None
    return reverse("landing:linkset_dataset", args=[fmt, record.dataset.pid])


def files(record: LandingRecord, limit: int) -> list[Link] | None:
    """``item`` links of every downloadable file of ``record``; None when there are more."""
    if not record.file_count or not downloads.downloads_enabled():
        return []
    if record.file_count > limit:
        return None
    by_id = {d.pk: d for d in record.datasets}
    rows = (
        DataFile.objects.filter(dataset_id__in=list(by_id))
        .order_by("dataset_id", "path", "id")
        .values_list("dataset_id", "path")
    )
    out = []
    # A plain LIMIT query: a server-side cursor (iterator) costs more round trips than it saves.
    for dataset_id, path in rows[: limit + 1]:
        if url := clean_uri(downloads.file_url(by_id[dataset_id], path)):
            out.append(Link(url, "item", media_type(path)))
    return out if len(out) <= limit else None


def _kind_links(record: LandingRecord) -> list[Link]:
    general, _ = fields.resource_type(record.metadata)
    kind = "https://schema.org/Collection" if general == "Collection" else None
    return [
        Link(kind or "https://schema.org/Dataset", "type"),
        Link("https://schema.org/AboutPage", "type"),
    ]


def links(record: LandingRecord, *, max_authors: int | None, max_items: int | None) -> list[Link]:
    """The signposting links of the landing page; None limits mean all."""
    # The PID resolves to this page: typed, so a FAIR assessor knows what citing it leads to.
    out = [Link(record.pid_url, "cite-as", "text/html")]
    for key, profile in DESCRIBED_BY.items():
        if url := export_url(record, key):
            out.append(Link(absolute_url(url), "describedby", EXPORTS[key].media_type, profile))
    authors = [c.orcid for c in fields.creators(record.metadata) if clean_uri(c.orcid)]
    if max_authors is None or len(authors) <= max_authors:
        out += [Link(orcid, "author") for orcid in dict.fromkeys(authors)]
    items = files(record, MAX_LINKSET_ITEMS if max_items is None else max_items)
    if items:
        out += items
    for licence in fields.licences(record.metadata):
        if url := clean_uri(licence.url):
            out.append(Link(url, "license"))
    out += _kind_links(record)
    return out


def _linkset_links(record: LandingRecord) -> list[Link]:
    return [
        Link(absolute_url(url), "linkset", media)
        for fmt, media in LINKSET_TYPES.items()
        if (url := linkset_url(record, fmt))
    ]


def link_header(record: LandingRecord) -> str:
    """The level-1 ``Link`` header value of the landing page."""
    chosen = links(record, max_authors=MAX_HEADER_AUTHORS, max_items=MAX_HEADER_ITEMS)
    # Without profiles, as the page's <link> elements (HTML has no profile attribute): the
    # same links both ways. The linksets carry the profiles.
    return ", ".join(link.header(profile=False) for link in [*chosen, *_linkset_links(record)])


def html_links(record: LandingRecord) -> list[Link]:
    """The level-1 links as the page's ``<link>`` elements repeat them (no file items)."""
    chosen = links(record, max_authors=MAX_HEADER_AUTHORS, max_items=0)
    return [*chosen, *_linkset_links(record)]


def _contexts(record: LandingRecord) -> Iterator[tuple[str, list[Link]]]:
    """(anchor, links) of every link context of the linkset, the landing page first."""
    every = links(record, max_authors=None, max_items=None)
    yield record.url, every
    landing = record.url
    for link in every:
        if link.rel == "describedby":
            yield link.href, [Link(landing, "describes")]
        elif link.rel == "item":
            yield link.href, [Link(landing, "collection", "text/html")]


def linkset_json(record: LandingRecord) -> str:
    linkset = []
    for anchor, context in _contexts(record):
        entry: dict[str, object] = {"anchor": anchor}
        for link in context:
            target = {"href": link.href}
            if link.type:
                target["type"] = link.type
            if link.profile:
                target["profile"] = link.profile
            entry.setdefault(link.rel, [])
            rel_targets = entry[link.rel]
            assert isinstance(rel_targets, list)
            rel_targets.append(target)
        linkset.append(entry)
    return json.dumps({"linkset": linkset}, ensure_ascii=False, indent=1) + "\n"


def linkset_text(record: LandingRecord) -> str:
    lines = [link.header(anchor) for anchor, context in _contexts(record) for link in context]
    return ",\n".join(lines) + "\n"
