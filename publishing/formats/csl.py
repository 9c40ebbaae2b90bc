"""CSL-JSON: a :class:`~publishing.record.DataCiteRecord` as one item citeproc formats.

``genre`` is the DataCite general type, so every style prints "[Dataset]" and not the
facility's free-text resource type ("[Raw]"). That text has no place in CSL that the styles do
not print (``medium`` and ``note`` both end up in the reference), so it stays out; the DataCite
formats and schema.org keep it.
"""

from __future__ import annotations

import json
from typing import Any

from publishing.formats import fields
from publishing.record import DataCiteRecord


def csl_item(record: DataCiteRecord) -> dict[str, Any]:
    """The record as one CSL-JSON item (what citeproc formats and reference managers import)."""
    authors: list[dict[str, str]] = []
    for creator in fields.creators(record):
        if creator.personal:
            author = {"family": creator.family}
            if creator.given:
                author["given"] = creator.given
        else:
            author = {"literal": creator.name}
        authors.append(author)
    general, _ = fields.resource_type(record)
    item: dict[str, Any] = {
        "id": record.identifier,
        "type": "dataset",
        "title": fields.title(record),
        "author": authors,
        "publisher": fields.publisher(record),
        "URL": fields.pid_url(record),
    }
    if parts := fields.issued(record):
        item["issued"] = {"date-parts": [list(parts)]}
    if record.doi:
        item["DOI"] = record.doi
    item["genre"] = general
    if abstract := fields.abstract(record):
        item["abstract"] = abstract
    if keywords := fields.keywords(record):
        item["keyword"] = ", ".join(keywords)
    if version := fields.version(record):
        item["version"] = version
    if language := fields.language(record):
        item["language"] = language
    if licences := fields.licences(record):
        item["license"] = licences[0].url or licences[0].name
    return item


def csl_json(record: DataCiteRecord) -> str:
    """A CSL-JSON document: an array holding the record's item."""
    return json.dumps([csl_item(record)], ensure_ascii=False, indent=2) + "\n"
