"""CSL-JSON: a :class:`~publishing.record.DataCiteRecord` as one item citeproc formats.

``genre`` is the DataCite general type, so every style prints "[Dataset]" and not the
facility's free-text resource type ("[Raw]"). That text has no place in CSL that the styles do
not print (``medium`` and ``note`` both end up in the reference), so it stays out; the DataCite
formats and schema.org keep it.

Editors and translators among the contributors are ``editor`` and ``translator``. CSL 1.0.2's
``curator``, ``producer`` and ``contributor`` would fit other DataCite roles, but CSL 1.0.1
processors (citeproc-py, behind the landing pages' citations) fail on them, so they stay out.
"""

from __future__ import annotations

import json
from typing import Any

from publishing.formats import fields
from publishing.record import DataCiteRecord

# DataCite contributorType → CSL 1.0.1 name variable.
CSL_ROLES = {"Editor": "editor", "Translator": "translator"}


def _csl_name(person: fields.Creator) -> dict[str, str]:
    if not person.personal:
        return {"literal": person.name}
    name = {"family": person.family}
    if person.given:
        name["given"] = person.given
    return name


def csl_item(record: DataCiteRecord) -> dict[str, Any]:
    """The record as one CSL-JSON item (what citeproc formats and reference managers import)."""
    authors = [_csl_name(creator) for creator in fields.creators(record)]
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
    for person in fields.contributors(record):
        if role := CSL_ROLES.get(person.role):
            item.setdefault(role, []).append(_csl_name(person))
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
