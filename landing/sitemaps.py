"""``/sitemap.xml`` and ``/robots.txt``: how search engines find every landing page.

The sitemap lists the landing page of every public dataset and every public publication with a
DOI, each with ``lastmod`` from the record, and the site pages staff edit (about, contact ...).
Up to :data:`PAGE_SIZE` URLs it is one ``urlset``; past that ``/sitemap.xml`` is a sitemap index
of pages ``/sitemaps/<section>-<n>.xml`` of at most :data:`PAGE_SIZE` URLs each (the protocol
allows 50,000; smaller pages are quicker to serve). Pages are streamed from ``values_list`` rows
in primary-key order, never whole models.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from catalogue.models import Dataset
from lib.xml_text import escape
from publishing.addresses import absolute_url, dataset_url, publication_url
from publishing.models import Publication
from sitepages.models import page_path
from sitepages.selectors import site_pages_listed

PAGE_SIZE = 10_000
_NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
_CHUNK = 2000


@dataclass(frozen=True)
class Section:
    name: str
    rows: Callable[[], QuerySet]  # values_list("key", "modified") ordered by id
    url: Callable[[str], str]


SECTIONS: dict[str, Section] = {
    s.name: s
    for s in (
        Section(
            "publications",
            lambda: (
                Publication.objects.public()
                .exclude(doi="")
                .order_by("id")
                .values_list("doi", "modified")
            ),
            publication_url,
        ),
        Section(
            "datasets",
            lambda: Dataset.objects.public().order_by("id").values_list("pid", "modified"),
            dataset_url,
        ),
        Section(
            "pages",
            lambda: site_pages_listed().order_by("id").values_list("slug", "modified"),
            lambda slug: absolute_url(page_path(slug)),
        ),
    )
}


def _lastmod(value: datetime | None) -> str:
    return value.replace(microsecond=0).isoformat() if value is not None else ""


def _url_entries(section: Section, start: int, stop: int) -> Iterator[str]:
    rows = section.rows()[start:stop]
    for key, modified in rows.iterator(chunk_size=_CHUNK):
        yield (
            f"<url><loc>{escape(section.url(key))}</loc>"
            f"<lastmod>{_lastmod(modified)}</lastmod></url>\n"
        )


def urlset(parts: list[tuple[Section, int, int]]) -> Iterator[str]:
    """A ``urlset`` document of the given (section, start, stop) slices, as chunks."""
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{_NAMESPACE}">\n'
    for section, start, stop in parts:
        yield from _url_entries(section, start, stop)
    yield "</urlset>\n"


def counts() -> dict[str, int]:
    return {name: section.rows().count() for name, section in SECTIONS.items()}


def page_count(count: int) -> int:
    return (count + PAGE_SIZE - 1) // PAGE_SIZE


def _page_lastmods(section: Section) -> list[datetime | None]:
    """The newest ``modified`` of each page of ``section``, in one pass over its rows."""
    sql, params = section.rows().values_list("id", "modified").query.sql_with_params()
    # ``sql`` is Django's own compiled query; its values stay in ``params``.
    query = (
        "SELECT (t.rn - 1) / %s AS page, MAX(t.modified) FROM ("  # noqa: S608
        "SELECT s.modified AS modified, ROW_NUMBER() OVER (ORDER BY s.id) AS rn "
        f"FROM ({sql}) s) t GROUP BY page ORDER BY page"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [PAGE_SIZE, *params])
        rows = cursor.fetchall()
    out: list[datetime | None] = []
    for _, value in rows:
        if isinstance(value, str):  # SQLite hands back text
            value = parse_datetime(value)
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        out.append(value)
    return out


def sitemap_index(section_counts: dict[str, int]) -> Iterator[str]:
    """A ``sitemapindex`` of the pages of every section, each with its newest ``lastmod``."""
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{_NAMESPACE}">\n'
    for name, count in section_counts.items():
        if not count:
            continue
        lastmods = _page_lastmods(SECTIONS[name])
        for number in range(1, page_count(count) + 1):
            newest = lastmods[number - 1] if number <= len(lastmods) else None
            loc = absolute_url(reverse("landing:sitemap_page", args=[name, number]))
            lastmod = f"<lastmod>{_lastmod(newest)}</lastmod>" if newest else ""
            yield f"<sitemap><loc>{escape(loc)}</loc>{lastmod}</sitemap>\n"
    yield "</sitemapindex>\n"


def sitemap(section_counts: dict[str, int]) -> Iterator[str]:
    """``/sitemap.xml``: every URL when they fit one page, else the index."""
    if sum(section_counts.values()) <= PAGE_SIZE:
        return urlset([(SECTIONS[name], 0, PAGE_SIZE) for name in section_counts])
    return sitemap_index(section_counts)


def sitemap_page(name: str, number: int) -> Iterator[str] | None:
    """One page of a section, or None when there is no such page."""
    section = SECTIONS.get(name)
    if section is None or number < 1:
        return None
    if number > max(page_count(section.rows().count()), 1):
        return None
    start = (number - 1) * PAGE_SIZE
    return urlset([(section, start, start + PAGE_SIZE)])


def robots_txt() -> str:
    return "\n".join(
        [
            "User-agent: *",
            "Allow: /",
            "Disallow: /admin/",
            "Disallow: /export/",
            "Disallow: /linkset/",
            # Pages of files (htmx) and the "download all" lists, which can be very large.
            "Disallow: /files/",
            "Disallow: /download/",
            "Disallow: /oai",
            # Catalogue tables with filters, sorting and file-list pages: endless variations.
            "Disallow: /*?",
            # Harvesting everything? The nightly bulk dump of all public metadata (DataCite JSON
            # Lines and XML) is one download instead of a crawl.
            "Allow: /dumps/",
            f"# Bulk metadata dumps (DataCite JSON Lines and XML): {absolute_url('/dumps/')}",
            "",
            f"Sitemap: {absolute_url(reverse('landing:sitemap'))}",
            "",
        ]
    )
