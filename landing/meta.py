"""The landing page's ``<head>`` metadata: Highwire Press ``citation_*`` tags (Google Scholar,
Zotero), OpenGraph (link previews, the first thumbnail as image), a description and the
canonical link.

:func:`head_meta` gives (attribute, key, content) triples: ``("name", "citation_title", ...)``
and ``("property", "og:title", ...)`` are ``<meta {attribute}="{key}" content="{content}">``;
``("rel", "canonical", url)`` is ``<link rel="canonical" href="{url}">``. :func:`head_html`
writes them all, escaped, for the template.
"""

from __future__ import annotations

from urllib.parse import urljoin

from django.conf import settings
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from catalogue.models import Thumbnail
from landing import signposting
from landing.records import LandingRecord
from landing.schemaorg import description
from publishing.addresses import absolute_url
from publishing.formats import fields

MAX_AUTHORS = 100
MAX_DESCRIPTION = 300


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return (cut[: cut.rfind(" ")] if " " in cut else cut).rstrip(" ,.;:") + "…"


def image_url(record: LandingRecord) -> str:
    """The absolute URL of the record's first thumbnail (for link previews), or ""."""
    ids = [d.pk for d in record.datasets]
    if not ids:
        return ""
    thumbnail = (
        Thumbnail.objects.filter(dataset_id__in=ids).exclude(image="").order_by("id").first()
    )
    return urljoin(absolute_url("/"), thumbnail.image.url) if thumbnail is not None else ""


def head_meta(record: LandingRecord) -> list[tuple[str, str, str]]:
    title = fields.title(record.metadata)
    summary = _short(description(record), MAX_DESCRIPTION)
    out: list[tuple[str, str, str]] = [
        ("rel", "canonical", record.url),
        ("name", "description", summary),
        ("name", "citation_title", title),
    ]
    for creator in fields.creators(record.metadata)[:MAX_AUTHORS]:
        name = f"{creator.family}, {creator.given}" if creator.personal else creator.name
        out.append(("name", "citation_author", name.strip(", ")))
        if creator.orcid:
            out.append(("name", "citation_author_orcid", creator.orcid))
        for affiliation in creator.affiliations[:3]:
            out.append(("name", "citation_author_institution", affiliation.name))
    if parts := fields.issued(record.metadata):
        out.append(("name", "citation_publication_date", "/".join(f"{p:02d}" for p in parts)))
    if record.doi:
        out.append(("name", "citation_doi", record.doi))
    out.append(("name", "citation_publisher", fields.publisher(record.metadata)))
    if keywords := fields.keywords(record.metadata):
        out.append(("name", "citation_keywords", "; ".join(keywords)))
    out.append(("name", "citation_abstract_html_url", record.url))
    out.append(("name", "citation_public_url", record.url))
    out += [
        ("property", "og:type", "website"),
        ("property", "og:site_name", settings.PORTAL_NAME),
        ("property", "og:title", title),
        ("property", "og:description", summary),
        ("property", "og:url", record.url),
        ("property", "og:image", image_url(record)),
    ]
    return [(attribute, key, content) for attribute, key, content in out if content]


def head_html(record: LandingRecord) -> SafeString:
    """The ``<link>`` and ``<meta>`` elements of :func:`head_meta`, one per line, and the FAIR
    Signposting links (as in the ``Link`` header, without the files)."""
    triples = head_meta(record)
    signposts = format_html_join(
        "\n",
        '<link rel="{}" href="{}"{}>',
        (
            (link.rel, link.href, format_html(' type="{}"', link.type) if link.type else "")
            for link in signposting.html_links(record)
        ),
    )
    links = format_html_join(
        "\n",
        '<link rel="{}" href="{}">',
        ((key, content) for attribute, key, content in triples if attribute == "rel"),
    )
    metas = format_html_join(
        "\n",
        '<meta {}="{}" content="{}">',
        (triple for triple in triples if triple[0] != "rel"),
    )
    return format_html("{}\n{}\n{}", links, signposts, metas)
