"""DataCite Metadata Schema 4.7: its controlled lists and a JSON schema that accepts them.

The ``datacite`` package (1.4.1, the newest release) ships the JSON schema of kernel 4.5 only, so
its ``schema45`` validator refuses every value added since: resourceTypeGeneral ``Award``,
``Project`` (4.6), ``Poster``, ``Presentation`` (4.7); relatedIdentifierType ``CSTR``, ``RRID``
(4.6), ``RAiD``, ``SWHID`` (4.7); relationType ``IsTranslationOf``, ``HasTranslation`` (4.6),
``Other`` (4.7) with the new ``relationTypeInformation``; contributorType ``Translator`` and
dateType ``Coverage`` (4.6). :data:`validator` is that same 4.5 schema with those values added
to its lists and ``relationTypeInformation`` allowed on a related identifier, nothing else
changed; the tests check every list against the official kernel-4.7 XSD kept in
``oai/schemas/datacite/kernel-4.7``.
"""

from __future__ import annotations

import copy
import importlib.resources
import json
from typing import Any

from datacite import schema45

VERSION = "4.7"

# What kernels 4.6 and 4.7 added to the lists of 4.5, by JSON schema definition.
ADDED_SINCE_4_5: dict[str, tuple[str, ...]] = {
    "resourceTypeGeneral": ("Award", "Project", "Poster", "Presentation"),
    "relatedIdentifierType": ("CSTR", "RRID", "RAiD", "SWHID"),
    "relationType": ("IsTranslationOf", "HasTranslation", "Other"),
    "contributorType": ("Translator",),
    "dateType": ("Coverage",),
}


def _schema_4_7() -> dict[str, Any]:
    schema: dict[str, Any] = copy.deepcopy(
        json.loads(
            (importlib.resources.files("datacite") / "schemas/datacite-v4.5.json").read_text(
                "utf-8"
            )
        )
    )
    definitions = schema["definitions"]
    for name, values in ADDED_SINCE_4_5.items():
        enum = definitions[name]["enum"]
        enum.extend(value for value in values if value not in enum)
    definitions["relatedObject"]["properties"]["relationTypeInformation"] = {"type": "string"}
    return schema


SCHEMA: dict[str, Any] = _schema_4_7()
# A validator of the class the package uses (its JSON Schema draft), over the 4.7 lists.
validator: Any = type(schema45.validator)(SCHEMA)


def controlled_list(name: str) -> frozenset[str]:
    """A controlled list of kernel 4.7 (a JSON schema definition's ``enum``)."""
    return frozenset(SCHEMA["definitions"][name]["enum"])
