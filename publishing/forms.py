"""The staff form of a portal publication, with DataCite's lists edited as checked JSON.

Each JSON field is shown pretty-printed with an example, and on saving it is parsed (a syntax error
names its line and column), tidied (a bare ORCID iD or ROR id becomes the full URL with its
scheme) and checked against DataCite kernel 4.7, each problem naming the entry and key to fix:
``creators[1].nameIdentifiers[0].nameIdentifier: '0000-0002-1825-0098' is not an ORCID iD``.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from publishing.doi_metadata import (
    MetadataInvalid,
    datacite_attributes,
    json_field_problems,
    orcid_ok,
    ror_ok,
)
from publishing.models import Publication
from publishing.services.drafts import EDITABLE_FIELDS
from publishing.services.registration import landing_url

EXAMPLES: dict[str, Any] = {
    "creators": [
        {
            "name": "Franklin, Rosalind",
            "nameType": "Personal",
            "givenName": "Rosalind",
            "familyName": "Franklin",
            "nameIdentifiers": [
                {"nameIdentifier": "0000-0002-1825-0097", "nameIdentifierScheme": "ORCID"}
            ],
            "affiliation": [
                {
                    "name": "Photon Science Facility",
                    "affiliationIdentifier": "01js2sh04",
                    "affiliationIdentifierScheme": "ROR",
                }
            ],
        }
    ],
    "contributors": [
        {
            "name": "Carberry, Josiah",
            "nameType": "Personal",
            "givenName": "Josiah",
            "familyName": "Carberry",
            "contributorType": "DataCollector",
            "nameIdentifiers": [
                {"nameIdentifier": "0000-0002-1825-0097", "nameIdentifierScheme": "ORCID"}
            ],
            "affiliation": [
                {
                    "name": "Brown University",
                    "affiliationIdentifier": "05gq02987",
                    "affiliationIdentifierScheme": "ROR",
                }
            ],
        }
    ],
    "other_titles": [{"title": "Daten der Strahlzeit 11012345", "titleType": "TranslatedTitle"}],
    "subjects": [{"subject": "X-ray reflectivity"}],
    "rights": [
        {
            "rights": "Creative Commons Attribution 4.0 International",
            "rightsUri": "https://creativecommons.org/licenses/by/4.0/",
            "rightsIdentifier": "CC-BY-4.0",
            "rightsIdentifierScheme": "SPDX",
        }
    ],
    "related_identifiers": [
        {
            "relatedIdentifier": "10.1107/S1600576722000000",
            "relatedIdentifierType": "DOI",
            "relationType": "IsSupplementTo",
        }
    ],
    "funding_references": [
        {
            "funderName": "European Research Council",
            "funderIdentifier": "https://ror.org/0472cxd90",
            "funderIdentifierType": "ROR",
            "awardNumber": "101000000",
        }
    ],
    "dates": [{"date": "2024-05-01/2024-05-03", "dateType": "Collected"}],
    "geo_locations": [
        {
            "geoLocationPlace": "Hamburg, Germany",
            "geoLocationPoint": {"pointLatitude": 53.5754, "pointLongitude": 9.8803},
        },
        {
            "geoLocationBox": {
                "westBoundLongitude": 9.7,
                "eastBoundLongitude": 10.3,
                "southBoundLatitude": 53.4,
                "northBoundLatitude": 53.7,
            }
        },
    ],
}

HELP = {
    "creators": "People (or organisations) credited, in citation order. ORCID iDs and ROR ids may "
    "be given bare; they are completed on saving.",
    "contributors": "Others who took part, each with a contributorType (ContactPerson, "
    "DataCollector, DataCurator, Editor, ..., Translator); the same keys as creators otherwise.",
    "other_titles": "Titles besides the main one: AlternativeTitle, Subtitle, TranslatedTitle, "
    "Other.",
    "subjects": "Keywords, optionally from a scheme (subjectScheme, valueUri).",
    "rights": "Licences; an SPDX id in rightsIdentifier helps machines.",
    "related_identifiers": "Papers, software, other datasets. The publication's own datasets are "
    "added as HasPart automatically. A relationType Other says what it is in "
    "relationTypeInformation.",
    "funding_references": "Funders and grants.",
    "dates": "ISO 8601 dates or ranges with a dateType (Collected, Created, Coverage, ...). The "
    "registration date is added as Issued automatically.",
    "geo_locations": "Where the data are about (optional): a geoLocationPlace, a geoLocationPoint "
    "(pointLatitude -90..90, pointLongitude -180..180) and/or a geoLocationBox (west, east, south, "
    "north; south not north of north), as numbers.",
}


def _tidy(field: str, value: Any) -> Any:
    """Complete bare ORCID iDs and ROR ids (and their schemes) in ``value``, in place."""
    people = ("creators", "contributors", "funding_references")
    if field not in people or not isinstance(value, list):
        return value
    for item in value:
        if not isinstance(item, dict):
            continue
        for ident in item.get("nameIdentifiers") or []:
            if not isinstance(ident, dict):
                continue
            raw = str(ident.get("nameIdentifier") or "").strip()
            scheme = str(ident.get("nameIdentifierScheme") or "")
            if scheme.upper() == "ORCID" and orcid_ok(raw) and not raw.startswith("http"):
                ident["nameIdentifier"] = f"https://orcid.org/{raw.upper()}"
            if scheme.upper() == "ORCID":
                ident["nameIdentifierScheme"] = "ORCID"
                ident.setdefault("schemeUri", "https://orcid.org")
        for affiliation in item.get("affiliation") or []:
            if not isinstance(affiliation, dict):
                continue
            raw = str(affiliation.get("affiliationIdentifier") or "").strip()
            scheme = str(affiliation.get("affiliationIdentifierScheme") or "")
            if scheme.upper() == "ROR":
                affiliation["affiliationIdentifierScheme"] = "ROR"
                affiliation.setdefault("schemeUri", "https://ror.org")
                if ror_ok(raw) and not raw.startswith("http"):
                    affiliation["affiliationIdentifier"] = f"https://ror.org/{raw.lower()}"
        raw = str(item.get("funderIdentifier") or "").strip()
        if item.get("funderIdentifierType") == "ROR" and ror_ok(raw) and not raw.startswith("http"):
            item["funderIdentifier"] = f"https://ror.org/{raw.lower()}"
    return value


class DataCiteListField(forms.JSONField):
    """A list of DataCite objects as indented JSON, checked against kernel 4.7 on cleaning."""

    def __init__(self, *, datacite_field: str, **kwargs: Any) -> None:
        self.datacite_field = datacite_field
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget",
            forms.Textarea(
                attrs={
                    "rows": 8,
                    "cols": 100,
                    "spellcheck": "false",
                    "class": "vLargeTextField datacite-json",
                }
            ),
        )
        super().__init__(**kwargs)
        example = json.dumps(EXAMPLES[datacite_field], indent=2, ensure_ascii=False)
        self.help_text = HELP[datacite_field]
        self.example = example

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, str):  # as typed, when the form comes back with errors
            return value
        return json.dumps(value if value is not None else [], indent=2, ensure_ascii=False)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            if not value.strip():
                return []
            try:
                return json.loads(value)
            except json.JSONDecodeError as exc:
                raise ValidationError(
                    f"This is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).",
                    code="invalid",
                ) from None
        return [] if value is None else value

    def bound_data(self, data: Any, initial: Any) -> Any:
        return data  # keep what was typed, even when it is not JSON

    def validate(self, value: Any) -> None:
        super().validate(value)
        if not isinstance(value, list):
            raise ValidationError("Expected a list: [ {...}, {...} ].", code="invalid")
        _tidy(self.datacite_field, value)
        problems = json_field_problems(self.datacite_field, value)
        if problems:
            raise ValidationError([str(p) for p in problems], code="datacite")


class PublicationForm(forms.ModelForm):
    creators = DataCiteListField(datacite_field="creators")
    contributors = DataCiteListField(datacite_field="contributors")
    other_titles = DataCiteListField(datacite_field="other_titles")
    subjects = DataCiteListField(datacite_field="subjects")
    rights = DataCiteListField(datacite_field="rights")
    related_identifiers = DataCiteListField(datacite_field="related_identifiers")
    funding_references = DataCiteListField(datacite_field="funding_references")
    dates = DataCiteListField(datacite_field="dates")
    geo_locations = DataCiteListField(datacite_field="geo_locations")

    class Meta:
        model = Publication
        fields = [*EDITABLE_FIELDS, "datasets"]
        widgets = {
            "title": forms.Textarea(attrs={"rows": 2, "cols": 100}),
            "abstract": forms.Textarea(attrs={"rows": 8, "cols": 100}),
        }
        help_texts = {
            "resource_type": "A DataCite resourceTypeGeneral (Dataset, Collection, Image, ...), "
            "or free text (then registered as Dataset with this text).",
            "publisher": "Leave empty for the facility.",
            "version": "The version of the data (1.0, 2, ...); empty when there is only one.",
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        instance = self.instance
        if instance.pk is None or not instance.is_managed or not instance.is_registered:
            return cleaned  # a draft may be incomplete; registering checks it all
        # A registered DOI is updated on saving: whatever DataCite would refuse stops here.
        candidate = copy.copy(instance)
        for name in EDITABLE_FIELDS:
            if name in cleaned:
                setattr(candidate, name, cleaned[name])
        try:
            datacite_attributes(candidate, doi=instance.doi, url=landing_url(instance.doi))
        except MetadataInvalid as exc:
            for field, messages in exc.by_field().items():
                target = field if field in self.fields and field not in self.errors else None
                for message in messages:
                    self.add_error(target, message)
        return cleaned
