"""The index's definition: settings, mapping, version, and which field each facet reads.

Changing a field's type or analysis means a new ``INDEX_VERSION`` and a rebuild; a field only added
goes into :data:`ADDED_FIELDS`, put into an older live index in place (:mod:`.lifecycle`).
"""

from __future__ import annotations

from typing import Any

from catalogue.search.base import FACETS

INDEX_VERSION = "v3"
# OpenSearch's index.max_result_window: the deepest ``from + size`` it answers.
MAX_WINDOW = 10_000
# Fields added to the mapping since v2; put into an older live index in place (adding a field
# needs no reindex), so documents with them can be written before the next rebuild.
ADDED_FIELDS = ("source_folder", "thumbnail", "instrument_pid", "places")
# Subfields added since v3 to fields an older live index has: field -> subfield. Put in place like
# ADDED_FIELDS; documents written before hold nothing in them until ``search_index --rebuild``.
ADDED_SUBFIELDS = {"creators": "raw"}
# Properties added since v3 to nested fields an older live index has: field -> properties. Put in
# place like ADDED_FIELDS; answers read the database for documents written before.
ADDED_PROPERTIES = {"parameters": ("id", "number", "number_max")}

_RAW: dict[str, Any] = {"raw": {"type": "keyword", "ignore_above": 512}}
_LOWER: dict[str, Any] = {"lower": {"type": "keyword", "normalizer": "lower"}}
_ENGLISH: dict[str, Any] = {"type": "text", "analyzer": "english", "copy_to": "text"}
SETTINGS: dict[str, Any] = {
    "number_of_shards": 1,
    "number_of_replicas": 0,
    "max_result_window": MAX_WINDOW,
    "analysis": {
        "analyzer": {
            "prefix": {"tokenizer": "prefix", "filter": ["lowercase", "asciifolding"]},
            "folded": {"tokenizer": "standard", "filter": ["lowercase", "asciifolding"]},
        },
        "tokenizer": {
            "prefix": {
                "type": "edge_ngram",
                "min_gram": 2,
                "max_gram": 20,
                "token_chars": ["letter", "digit"],
            },
        },
        "normalizer": {"lower": {"type": "custom", "filter": ["lowercase"]}},
    },
}
MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "id": {"type": "long"},
        # Identifiers: exact, case-insensitive; "identifiers" gathers them for unquoted matches.
        "pid": {"type": "keyword", "fields": _LOWER, "copy_to": "identifiers"},
        "run_number": {"type": "keyword", "copy_to": "identifiers"},
        "dois": {"type": "keyword", "normalizer": "lower", "copy_to": "identifiers"},
        "proposal": {"type": "keyword", "fields": _LOWER, "copy_to": "identifiers"},
        "identifiers": {"type": "keyword", "normalizer": "lower"},
        # Text: English stemming, a keyword subfield for sorting and facets.
        "title": {
            **_ENGLISH,
            "fields": {
                **_RAW,
                "prefix": {"type": "text", "analyzer": "prefix", "search_analyzer": "folded"},
            },
        },
        "description": _ENGLISH,
        "keywords": {**_ENGLISH, "fields": _RAW},
        "techniques": {**_ENGLISH, "fields": _RAW},
        "technique_ids": {"type": "keyword", "normalizer": "lower"},
        "proposal_title": _ENGLISH,
        "principal_investigators": {"type": "text", "copy_to": "text"},
        # The creator facet aggregates and filters the names as written (``creators.raw``).
        "creators": {"type": "text", "copy_to": "text", "fields": _RAW},
        # Words of the instrument, facility, data format and source folder, searched as text.
        "places": {"type": "text", "analyzer": "folded", "copy_to": "text"},
        # Every word unstemmed, for prefix queries (dppg*) outside the title.
        "text": {"type": "text", "analyzer": "folded"},
        # Facets and sorts.
        "type": {"type": "keyword"},
        "instrument": {"type": "keyword", "fields": _LOWER},
        "instrument_pid": {"type": "keyword"},
        "facility": {"type": "keyword"},
        "license": {"type": "keyword"},
        "year": {"type": "keyword"},
        "data_location": {"type": "keyword"},
        "data_format": {"type": "keyword"},
        "size": {"type": "long"},
        "number_of_files": {"type": "long"},
        "start_time": {"type": "date"},
        "end_time": {"type": "date"},
        "creation_time": {"type": "date"},
        # Shown in the search page's rows, never searched: stored in _source only.
        "source_folder": {"type": "keyword", "index": False, "doc_values": False},
        "thumbnail": {"type": "object", "enabled": False},
        "parameters": {
            "type": "nested",
            "properties": {
                "key": {"type": "keyword"},
                "si_value": {"type": "double"},
                "si_value_max": {"type": "double"},
                "si_unit": {"type": "keyword"},
                "value": {"type": "keyword", "ignore_above": 256},
                "unit": {"type": "keyword"},
                "text": {
                    "type": "text",
                    "analyzer": "folded",
                    "fields": {
                        "raw": {"type": "keyword", "normalizer": "lower", "ignore_above": 256}
                    },
                },
                # Shown by the machine APIs' answers, never searched: stored in _source only.
                "id": {"type": "long", "index": False, "doc_values": False},
                "number": {"type": "double", "index": False, "doc_values": False},
                "number_max": {"type": "double", "index": False, "doc_values": False},
            },
        },
    },
}
# Facet (URL name) -> field aggregated and filtered.
FACET_FIELDS: dict[str, str] = {
    "type": "type",
    "instrument": "instrument",
    "technique": "techniques.raw",
    "creator": "creators.raw",
    "year": "year",
    "keyword": "keywords.raw",
    "license": "license",
    "proposal": "proposal",
    "location": "data_location",
}
assert set(FACET_FIELDS) == set(FACETS)
