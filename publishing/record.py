"""The one metadata record: DataCite JSON parsed once, at the edge, into frozen dataclasses.

:mod:`publishing.metadata` builds the DataCite JSON of a publication or a dataset (the dictionary
sent to DataCite, unchanged); :func:`parse` turns such a dictionary into a :class:`DataCiteRecord`
once, and every consumer (the output formats in :mod:`publishing.formats`, the landing pages,
OAI-PMH) reads it by attribute instead of re-checking dictionaries.

Parsing is lenient, like DataCite's own readers: an entry of the wrong shape is skipped, a missing
text is ``""``, every text is stripped and freed of the characters XML forbids. Values are kept as
they are otherwise (no controlled-list check: the builder already made them valid, and a format
that must refuse a value, e.g. DataCite XML's ``xml:lang``, checks it where it writes it).

The module is longer than the house's ~400 lines on purpose: two thirds of it are the field
declarations of DataCite's kernel, and the parser fills exactly those fields, so reading one next
to the other is how a change to the record stays whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from lib.xml_text import xml_text

_Entry = TypeVar("_Entry")

# DataCite relations that name another version of the same work.
VERSION_RELATIONS = frozenset(
    {"HasVersion", "IsVersionOf", "IsNewVersionOf", "IsPreviousVersionOf"}
)


@dataclass(frozen=True, slots=True)
class NameIdentifier:
    identifier: str
    scheme: str
    scheme_uri: str = ""


@dataclass(frozen=True, slots=True)
class Affiliation:
    name: str
    identifier: str = ""
    identifier_scheme: str = ""
    scheme_uri: str = ""


@dataclass(frozen=True, slots=True)
class Name:
    """A creator or contributor (``contributor_type`` only for contributors)."""

    name: str
    name_type: str = ""
    given: str = ""
    family: str = ""
    identifiers: tuple[NameIdentifier, ...] = ()
    affiliations: tuple[Affiliation, ...] = ()
    lang: str = ""
    contributor_type: str = ""


@dataclass(frozen=True, slots=True)
class Title:
    title: str
    title_type: str = ""
    lang: str = ""


@dataclass(frozen=True, slots=True)
class Publisher:
    name: str
    identifier: str = ""
    identifier_scheme: str = ""
    scheme_uri: str = ""
    lang: str = ""


@dataclass(frozen=True, slots=True)
class Types:
    general: str = ""  # resourceTypeGeneral
    specific: str = ""  # resourceType


@dataclass(frozen=True, slots=True)
class Subject:
    subject: str
    scheme: str = ""
    scheme_uri: str = ""
    value_uri: str = ""
    classification_code: str = ""
    lang: str = ""


@dataclass(frozen=True, slots=True)
class Date:
    date: str
    date_type: str
    information: str = ""


@dataclass(frozen=True, slots=True)
class AlternateIdentifier:
    identifier: str
    identifier_type: str = ""


@dataclass(frozen=True, slots=True)
class RelatedIdentifier:
    identifier: str
    identifier_type: str
    relation_type: str
    resource_type_general: str = ""
    related_metadata_scheme: str = ""
    scheme_uri: str = ""
    scheme_type: str = ""
    relation_type_information: str = ""  # kernel 4.7, with relationType "Other"


@dataclass(frozen=True, slots=True)
class Rights:
    rights: str = ""
    uri: str = ""
    identifier: str = ""
    identifier_scheme: str = ""
    scheme_uri: str = ""
    lang: str = ""


@dataclass(frozen=True, slots=True)
class Description:
    description: str
    description_type: str = ""
    lang: str = ""


@dataclass(frozen=True, slots=True)
class GeoPoint:
    longitude: str
    latitude: str


@dataclass(frozen=True, slots=True)
class GeoLocation:
    place: str = ""
    point: GeoPoint | None = None
    # west, east, south, north ("" where not given)
    box: tuple[str, str, str, str] | None = None
    polygon: tuple[GeoPoint, ...] | None = None
    in_polygon: tuple[GeoPoint, ...] = ()


@dataclass(frozen=True, slots=True)
class Funding:
    funder_name: str
    funder_identifier: str = ""
    funder_identifier_type: str = ""
    scheme_uri: str = ""
    award_number: str = ""
    award_uri: str = ""
    award_title: str = ""


@dataclass(frozen=True, slots=True)
class RelatedItem:
    item_type: str
    relation_type: str
    relation_type_information: str = ""  # kernel 4.7
    identifier: str = ""
    identifier_type: str = ""
    related_metadata_scheme: str = ""
    scheme_uri: str = ""
    scheme_type: str = ""
    creators: tuple[Name, ...] = ()
    titles: tuple[Title, ...] = ()
    publication_year: str = ""
    volume: str = ""
    issue: str = ""
    number: str = ""
    number_type: str = ""
    first_page: str = ""
    last_page: str = ""
    publisher: str = ""
    edition: str = ""
    contributors: tuple[Name, ...] = ()


@dataclass(frozen=True, slots=True)
class DataCiteRecord:
    """The DataCite kernel-4 metadata of one record (a publication or a dataset)."""

    doi: str = ""
    url: str = ""
    creators: tuple[Name, ...] = ()
    titles: tuple[Title, ...] = ()
    publisher: Publisher = Publisher("")
    publication_year: str = ""
    types: Types = Types()
    subjects: tuple[Subject, ...] = ()
    contributors: tuple[Name, ...] = ()
    dates: tuple[Date, ...] = ()
    language: str = ""
    alternate_identifiers: tuple[AlternateIdentifier, ...] = ()
    related_identifiers: tuple[RelatedIdentifier, ...] = ()
    sizes: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    version: str = ""
    rights: tuple[Rights, ...] = ()
    descriptions: tuple[Description, ...] = ()
    geo_locations: tuple[GeoLocation, ...] = ()
    funding: tuple[Funding, ...] = ()
    related_items: tuple[RelatedItem, ...] = ()
    # The DataCite JSON it was parsed from, as DataCite gets it: only the DataCite JSON format
    # writes it out (byte for byte what is registered); nothing else reads it.
    attributes: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def title(self) -> str:
        """The main title ("" when there is none)."""
        return self.titles[0].title if self.titles else ""

    @property
    def identifier(self) -> str:
        """What a citation names: the DOI, else the first alternate identifier (a dataset's PID)."""
        if self.doi:
            return self.doi
        return self.alternate_identifiers[0].identifier if self.alternate_identifiers else ""

    @property
    def pid(self) -> AlternateIdentifier | None:
        """The first alternate identifier (a dataset's PID), or None."""
        return self.alternate_identifiers[0] if self.alternate_identifiers else None


# -- parsing --------------------------------------------------------------------------------------


def _text(item: Mapping[str, Any], key: str) -> str:
    value = item.get(key)
    if value is None:
        return ""
    if value.__class__ is str:
        # Printable text holds none of the characters XML forbids (the common case, no regex).
        return value.strip() if value.isprintable() else xml_text(value).strip()
    return xml_text(value).strip() if isinstance(value, str | int | float) else ""


def _scalar(value: object) -> str:
    return "" if value is None else xml_text(value)


def mappings(value: Any) -> list[Mapping[str, Any]]:
    """The objects of a JSON list (none when ``value`` is no list; other entries skipped)."""
    if not value or not isinstance(value, list):
        return []
    # dict first: an isinstance check against the Mapping ABC costs several times more.
    return [item for item in value if item.__class__ is dict or isinstance(item, Mapping)]


def _items(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    return mappings(data.get(key))


def _strings(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key)
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _affiliations(value: Any) -> tuple[Affiliation, ...]:
    out = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, str) and item.strip():
            out.append(Affiliation(xml_text(item).strip()))
        elif isinstance(item, Mapping) and _text(item, "name"):
            out.append(
                Affiliation(
                    _text(item, "name"),
                    _text(item, "affiliationIdentifier"),
                    _text(item, "affiliationIdentifierScheme"),
                    _text(item, "schemeUri"),
                )
            )
    return tuple(out)


def _name(item: Mapping[str, Any]) -> Name:
    return Name(
        name=_text(item, "name"),
        name_type=_text(item, "nameType"),
        given=_text(item, "givenName"),
        family=_text(item, "familyName"),
        identifiers=tuple(
            n
            for n in (
                NameIdentifier(
                    _text(i, "nameIdentifier"),
                    _text(i, "nameIdentifierScheme"),
                    _text(i, "schemeUri"),
                )
                for i in _items(item, "nameIdentifiers")
            )
            if n.identifier and n.scheme
        ),
        affiliations=_affiliations(item.get("affiliation")),
        lang=_text(item, "lang"),
        contributor_type=_text(item, "contributorType"),
    )


def _names(data: Mapping[str, Any], key: str) -> tuple[Name, ...]:
    names = (_name(item) for item in _items(data, key))
    return tuple(n for n in names if n.name or n.family or n.given)


def _titles(data: Mapping[str, Any]) -> tuple[Title, ...]:
    return _kept(
        "title",
        (
            Title(_text(t, "title"), _text(t, "titleType"), _text(t, "lang"))
            for t in _items(data, "titles")
        ),
    )


def _kept(main: str, entries: Iterable[_Entry]) -> tuple[_Entry, ...]:
    """The ``entries`` whose ``main`` text is not empty."""
    return tuple(e for e in entries if getattr(e, main))


def _point(value: Any) -> GeoPoint | None:
    if not isinstance(value, Mapping):
        return None
    return GeoPoint(_scalar(value.get("pointLongitude")), _scalar(value.get("pointLatitude")))


def _geo_location(item: Mapping[str, Any]) -> GeoLocation:
    box = item.get("geoLocationBox")
    polygon = item.get("geoLocationPolygon")
    points: dict[str, list[GeoPoint]] = {"polygonPoint": [], "inPolygonPoint": []}
    for kind, found in points.items():
        for entry in polygon if isinstance(polygon, list) else []:
            if isinstance(entry, Mapping) and (point := _point(entry.get(kind))) is not None:
                found.append(point)
    return GeoLocation(
        place=_text(item, "geoLocationPlace"),
        point=_point(item.get("geoLocationPoint")),
        box=(
            _scalar(box.get("westBoundLongitude")),
            _scalar(box.get("eastBoundLongitude")),
            _scalar(box.get("southBoundLatitude")),
            _scalar(box.get("northBoundLatitude")),
        )
        if isinstance(box, Mapping)
        else None,
        polygon=tuple(points["polygonPoint"]) if isinstance(polygon, list) else None,
        in_polygon=tuple(points["inPolygonPoint"]),
    )


def _funding(item: Mapping[str, Any]) -> Funding:
    identifier = item.get("funderIdentifier")
    if isinstance(identifier, Mapping):  # the REST API's nested form
        item = {**item, **identifier}
    award = item.get("awardNumber")
    if isinstance(award, Mapping):  # {"awardNumber": ..., "awardURI": ...}
        item = {
            **item,
            "awardNumber": award.get("awardNumber"),
            "awardUri": award.get("awardURI") or award.get("awardUri") or "",
        }
    return Funding(
        funder_name=_text(item, "funderName"),
        funder_identifier=_text(item, "funderIdentifier"),
        funder_identifier_type=_text(item, "funderIdentifierType"),
        scheme_uri=_text(item, "schemeUri"),
        award_number=_text(item, "awardNumber"),
        award_uri=_text(item, "awardUri"),
        award_title=_text(item, "awardTitle"),
    )


def _related_item(item: Mapping[str, Any]) -> RelatedItem:
    identifier = item.get("relatedItemIdentifier")
    if not isinstance(identifier, Mapping):
        identifier = {}
    return RelatedItem(
        item_type=_text(item, "relatedItemType"),
        relation_type=_text(item, "relationType"),
        relation_type_information=_text(item, "relationTypeInformation"),
        identifier=_text(identifier, "relatedItemIdentifier"),
        identifier_type=_text(identifier, "relatedItemIdentifierType"),
        related_metadata_scheme=_text(item, "relatedMetadataScheme"),
        scheme_uri=_text(item, "schemeUri"),
        scheme_type=_text(item, "schemeType"),
        creators=_names(item, "creators"),
        titles=_titles(item),
        publication_year=_text(item, "publicationYear"),
        volume=_text(item, "volume"),
        issue=_text(item, "issue"),
        number=_text(item, "number"),
        number_type=_text(item, "numberType"),
        first_page=_text(item, "firstPage"),
        last_page=_text(item, "lastPage"),
        publisher=_text(item, "publisher"),
        edition=_text(item, "edition"),
        contributors=_names(item, "contributors"),
    )


def parse(data: Mapping[str, Any]) -> DataCiteRecord:
    """The typed record of a DataCite JSON dictionary (the ``attributes`` of DataCite's API)."""
    publisher = data.get("publisher")
    if not isinstance(publisher, Mapping):
        publisher = {"name": publisher} if isinstance(publisher, str) else {}
    types = data.get("types")
    if not isinstance(types, Mapping):
        types = {}
    return DataCiteRecord(
        doi=_text(data, "doi"),
        url=_text(data, "url"),
        creators=_names(data, "creators"),
        titles=_titles(data),
        publisher=Publisher(
            _text(publisher, "name"),
            _text(publisher, "publisherIdentifier"),
            _text(publisher, "publisherIdentifierScheme"),
            _text(publisher, "schemeUri"),
            _text(publisher, "lang"),
        ),
        publication_year=_text(data, "publicationYear"),
        types=Types(_text(types, "resourceTypeGeneral"), _text(types, "resourceType")),
        subjects=_kept(
            "subject",
            (
                Subject(
                    _text(s, "subject"),
                    _text(s, "subjectScheme"),
                    _text(s, "schemeUri"),
                    _text(s, "valueUri"),
                    _text(s, "classificationCode"),
                    _text(s, "lang"),
                )
                for s in _items(data, "subjects")
            ),
        ),
        contributors=_names(data, "contributors"),
        dates=_kept(
            "date",
            (
                Date(_text(d, "date"), _text(d, "dateType"), _text(d, "dateInformation"))
                for d in _items(data, "dates")
            ),
        ),
        language=_text(data, "language"),
        alternate_identifiers=_kept(
            "identifier",
            (
                AlternateIdentifier(
                    _text(a, "alternateIdentifier"), _text(a, "alternateIdentifierType")
                )
                for a in _items(data, "alternateIdentifiers")
            ),
        ),
        related_identifiers=_kept(
            "identifier",
            (
                RelatedIdentifier(
                    _text(r, "relatedIdentifier"),
                    _text(r, "relatedIdentifierType"),
                    _text(r, "relationType"),
                    _text(r, "resourceTypeGeneral"),
                    _text(r, "relatedMetadataScheme"),
                    _text(r, "schemeUri"),
                    _text(r, "schemeType"),
                    _text(r, "relationTypeInformation"),
                )
                for r in _items(data, "relatedIdentifiers")
            ),
        ),
        sizes=_strings(data, "sizes"),
        formats=_strings(data, "formats"),
        version=_text(data, "version"),
        rights=tuple(
            Rights(
                _text(r, "rights"),
                _text(r, "rightsUri"),
                _text(r, "rightsIdentifier"),
                _text(r, "rightsIdentifierScheme"),
                _text(r, "schemeUri"),
                _text(r, "lang"),
            )
            for r in _items(data, "rightsList")
        ),
        descriptions=_kept(
            "description",
            (
                Description(_text(d, "description"), _text(d, "descriptionType"), _text(d, "lang"))
                for d in _items(data, "descriptions")
            ),
        ),
        geo_locations=tuple(_geo_location(g) for g in _items(data, "geoLocations")),
        funding=tuple(
            f for f in (_funding(i) for i in _items(data, "fundingReferences")) if f.funder_name
        ),
        related_items=tuple(_related_item(i) for i in _items(data, "relatedItems")),
        attributes=data,
    )
