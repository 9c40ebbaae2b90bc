"""What is sent to DataCite for a publication, checked before any call.

The metadata itself comes from :mod:`publishing.metadata` (the one DataCite kernel-4 builder, also
behind OAI-PMH); this module adds the DOI and the landing page URL, validates the result against
the kernel 4.7 JSON schema (:mod:`publishing.kernel`: the ``datacite`` package's 4.5 schema with
the values added since) plus what a schema cannot say (ORCID check
digits, ROR ids, ISO 8601 dates), and reports each problem with the field a curator edits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from publishing import kernel

if TYPE_CHECKING:
    from publishing.models import Publication

# DataCite attribute → the Publication field staff edit to change it.
FIELD_OF_ATTRIBUTE = {
    "titles": "title",
    "creators": "creators",
    "contributors": "contributors",
    "publisher": "publisher",
    "publicationYear": "publication_year",
    "types": "resource_type",
    "subjects": "subjects",
    "rightsList": "rights",
    "relatedIdentifiers": "related_identifiers",
    "fundingReferences": "funding_references",
    "dates": "dates",
    "geoLocations": "geo_locations",
    "descriptions": "abstract",
}
# The JSON fields staff edit, and the DataCite attribute (a list) each one fills.
ATTRIBUTE_OF_JSON_FIELD = {
    "creators": "creators",
    "contributors": "contributors",
    "other_titles": "titles",
    "subjects": "subjects",
    "rights": "rightsList",
    "related_identifiers": "relatedIdentifiers",
    "funding_references": "fundingReferences",
    "dates": "dates",
    "geo_locations": "geoLocations",
}

GEO_PARTS = ("geoLocationPlace", "geoLocationPoint", "geoLocationBox", "geoLocationPolygon")
_ORCID = re.compile(r"^(?:https?://orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$", re.IGNORECASE)
_ROR = re.compile(r"^(?:https?://ror\.org/)?(0[a-hj-km-np-tv-z0-9]{6}\d{2})$", re.IGNORECASE)
_ISO_PART = (
    r"\d{4}(?:-\d{2}(?:-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?)?)?"
)
_ISO_DATE = re.compile(rf"^(?:{_ISO_PART}|{_ISO_PART}/(?:{_ISO_PART})?|/{_ISO_PART})$")


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One thing wrong: the field to fix (None: not one staff edit), where, and what."""

    field: str | None
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class MetadataInvalid(Exception):
    """The metadata would not be accepted by DataCite; ``problems`` say where and why."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems

    def by_field(self) -> dict[str | None, list[str]]:
        out: dict[str | None, list[str]] = {}
        for problem in self.problems:
            out.setdefault(problem.field, []).append(str(problem))
        return out


def orcid_ok(value: str) -> bool:
    """An ORCID iD (bare or as https://orcid.org/ URL) with a correct ISO 7064 check digit."""
    match = _ORCID.match(value.strip())
    if not match:
        return False
    digits = match.group(1).replace("-", "")
    total = 0
    for char in digits[:-1]:
        total = (total + int(char)) * 2
    check = (12 - total % 11) % 11
    return digits[-1].upper() == ("X" if check == 10 else str(check))


def ror_ok(value: str) -> bool:
    return bool(_ROR.match(value.strip()))


def iso_date_ok(value: str) -> bool:
    """An ISO 8601 date, date and time, or range of them, as DataCite dates take them."""
    return bool(_ISO_DATE.match(value.strip()))


def _path(parts: Iterable[Any]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _field_of(path: list[Any]) -> str | None:
    if not path:
        return None
    attribute = str(path[0])
    if attribute == "titles":
        return "title" if len(path) < 2 or path[1] == 0 else "other_titles"
    return FIELD_OF_ATTRIBUTE.get(attribute)


def _geo_problems(attributes: dict[str, Any]) -> list[FieldProblem]:
    """A geo location names something (place, point, box or polygon); a box's south edge is not
    north of its north edge. The schema checks each coordinate's range."""
    problems: list[FieldProblem] = []
    for i, item in enumerate(attributes.get("geoLocations") or []):
        if not isinstance(item, dict):
            continue
        if not any(item.get(key) for key in GEO_PARTS):
            problems.append(
                FieldProblem(
                    "geo_locations",
                    _path(["geoLocations", i]),
                    "a geo location needs a place, a point or a box",
                )
            )
        box = item.get("geoLocationBox")
        if not isinstance(box, dict):
            continue
        south, north = box.get("southBoundLatitude"), box.get("northBoundLatitude")
        if isinstance(south, int | float) and isinstance(north, int | float) and south > north:
            problems.append(
                FieldProblem(
                    "geo_locations",
                    _path(["geoLocations", i, "geoLocationBox", "southBoundLatitude"]),
                    f"the south edge ({south}) is north of the north edge ({north})",
                )
            )
    return problems


def _identifier_problems(attributes: dict[str, Any]) -> list[FieldProblem]:
    """ORCID, ROR, date and geo location checks, which the JSON schema leaves out."""
    problems: list[FieldProblem] = []
    for key in ("creators", "contributors"):
        for i, person in enumerate(attributes.get(key) or []):
            if not isinstance(person, dict):
                continue
            for j, ident in enumerate(person.get("nameIdentifiers") or []):
                if not isinstance(ident, dict):
                    continue
                scheme = str(ident.get("nameIdentifierScheme") or "").upper()
                value = str(ident.get("nameIdentifier") or "")
                if scheme == "ORCID" and not orcid_ok(value):
                    problems.append(
                        FieldProblem(
                            FIELD_OF_ATTRIBUTE.get(key),
                            _path([key, i, "nameIdentifiers", j, "nameIdentifier"]),
                            f"{value!r} is not an ORCID iD (https://orcid.org/0000-0002-1825-0097;"
                            " the last character is a check digit)",
                        )
                    )
            for j, affiliation in enumerate(person.get("affiliation") or []):
                if not isinstance(affiliation, dict):
                    continue
                scheme = str(affiliation.get("affiliationIdentifierScheme") or "").upper()
                value = str(affiliation.get("affiliationIdentifier") or "")
                if scheme == "ROR" and not ror_ok(value):
                    problems.append(
                        FieldProblem(
                            FIELD_OF_ATTRIBUTE.get(key),
                            _path([key, i, "affiliation", j, "affiliationIdentifier"]),
                            f"{value!r} is not a ROR id (https://ror.org/01js2sh04)",
                        )
                    )
    for i, date in enumerate(attributes.get("dates") or []):
        text = date.get("date") if isinstance(date, dict) else None
        if isinstance(text, str) and not _ISO_DATE.match(text.strip()):
            problems.append(
                FieldProblem(
                    "dates",
                    _path(["dates", i, "date"]),
                    f"{text!r} is not an ISO 8601 date or range "
                    "(2024-05-01, 2024-05, 2024-05-01/2024-05-03)",
                )
            )
    for i, funder in enumerate(attributes.get("fundingReferences") or []):
        if (
            isinstance(funder, dict)
            and str(funder.get("funderIdentifierType") or "") == "ROR"
            and not ror_ok(str(funder.get("funderIdentifier") or ""))
        ):
            problems.append(
                FieldProblem(
                    "funding_references",
                    _path(["fundingReferences", i, "funderIdentifier"]),
                    f"{funder.get('funderIdentifier')!r} is not a ROR id",
                )
            )
    return problems + _geo_problems(attributes)


def _schema_problems(validator: Any, doc: Any, base: list[Any]) -> list[FieldProblem]:
    problems = []
    for error in sorted(validator.iter_errors(doc), key=lambda e: [str(p) for p in e.path]):
        path = [*base, *error.absolute_path]
        message = error.message
        if error.validator == "required" and "'" in message:
            missing = message.split("'")[1]
            if not path:
                path = [missing]
                message = "is required"
            else:
                message = f"{missing!r} is required here"
        elif error.validator == "enum":
            allowed = ", ".join(str(v) for v in error.validator_value)
            message = f"{error.instance!r} is not one of: {allowed}"
        elif error.validator in ("additionalProperties", "unevaluatedProperties"):
            message = message.replace("Additional properties", "Unknown keys").replace(
                "Unevaluated properties", "Unknown keys"
            )
        problems.append(FieldProblem(_field_of(path), _path(path), message))
    return problems


def attributes_problems(attributes: dict[str, Any]) -> list[FieldProblem]:
    """Everything that stops DataCite from registering these attributes."""
    problems = _schema_problems(kernel.validator, attributes, [])
    if not attributes.get("url"):
        problems.append(FieldProblem(None, "url", "the landing page URL is missing"))
    return problems + _identifier_problems(attributes)


@cache
def _fragment_validator(attribute: str) -> Any:
    """A validator (the schema's own kind) for one attribute of the kernel 4.7 schema."""
    root = kernel.validator.schema
    schema = {"definitions": root["definitions"], **root["properties"][attribute]}
    schema.pop("minItems", None)  # an empty list is fine in a form; the record check says more
    return type(kernel.validator)(schema)


def json_field_problems(field: str, value: Any) -> list[FieldProblem]:
    """Problems with one JSON field's value (a list of DataCite objects), for the edit form."""
    attribute = ATTRIBUTE_OF_JSON_FIELD[field]
    problems = _schema_problems(_fragment_validator(attribute), value, [attribute])
    problems += _identifier_problems({attribute: value})
    return [FieldProblem(field, p.path, p.message) for p in problems]


def stored_problems(publication: Publication) -> list[FieldProblem]:
    """What is wrong with the fields as staff filled them in (before anything is built)."""
    problems = []
    if not publication.title.strip():
        problems.append(FieldProblem("title", "title", "a title is required"))
    if not publication.creators:
        problems.append(FieldProblem("creators", "creators", "at least one creator is required"))
    for field in ATTRIBUTE_OF_JSON_FIELD:
        value = getattr(publication, field)
        if not isinstance(value, list):
            problems.append(FieldProblem(field, field, "must be a list ([...])"))
        else:
            problems += json_field_problems(field, value)
    return problems


def datacite_attributes(publication: Publication, *, doi: str, url: str) -> dict[str, Any]:
    """The attributes DataCite gets for ``publication`` under ``doi``, resolving to ``url``.

    Raises :class:`MetadataInvalid` when a stored field is wrong (the builder would quietly leave
    such entries out) or DataCite would refuse the result.
    """
    from publishing import metadata

    attributes = dict(metadata.publication_metadata(publication))
    attributes["doi"] = doi
    attributes["url"] = url
    attributes.pop("event", None)
    problems = stored_problems(publication)
    seen = {str(p) for p in problems}
    problems += [p for p in attributes_problems(attributes) if str(p) not in seen]
    if problems:
        raise MetadataInvalid(problems)
    return attributes
