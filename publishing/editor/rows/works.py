"""Rows about the work: other titles, subjects, rights, dates, related works, funding.

Each one declares its fields and the DataCite keys they fill (``keys``); only what is not one
field to one key has code of its own: an SPDX licence completed to its name and address, a related
identifier brought to the form its type wants, a funder id written as its URL.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from publishing.doi_metadata import iso_date_ok
from publishing.editor.rows.base import RowForm, choices, ror_url, text
from publishing.spdx import licence_name, spdx_id

_DOI = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)?(10\.\d{4,9}/\S+)$", re.IGNORECASE)
_HANDLE = re.compile(r"^(?:https?://hdl\.handle\.net/|hdl:)?(\d+(?:\.\d+)*/\S+)$", re.IGNORECASE)
_FUNDREF = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/)?(10\.13039/\d+)$", re.IGNORECASE)


class TitleRow(RowForm):
    datacite_field = "other_titles"
    keys = {"title": "title", "title_type": "titleType"}
    title = forms.CharField(label=_("Title"), max_length=1000)
    title_type = forms.ChoiceField(label=_("Kind"), choices=choices("titleType", blank="—"))


class SubjectRow(RowForm):
    datacite_field = "subjects"
    keys = {"subject": "subject", "scheme": "subjectScheme", "value_uri": "valueUri"}
    subject = forms.CharField(label=_("Subject or keyword"), max_length=500)
    scheme = text(label=_("Scheme"), max_length=200, help_text=_("e.g. PaNET; empty: a keyword"))
    value_uri = forms.URLField(label=_("Term URI"), required=False, assume_scheme="https")


class RightsRow(RowForm):
    datacite_field = "rights"
    keys = {"rights": "rights", "rights_uri": "rightsUri"}
    other_keys = frozenset({"rightsIdentifier", "rightsIdentifierScheme", "schemeUri"})
    spdx = text(
        label=_("SPDX licence id"),
        max_length=100,
        help_text=_("e.g. CC-BY-4.0 or CC0-1.0; the list offers every SPDX licence."),
        widget=forms.TextInput(attrs={"list": "spdx-licences", "autocomplete": "off"}),
    )
    rights = text(
        label=_("Licence or rights statement"),
        max_length=1000,
        help_text=_("Empty with an SPDX id: the licence's name."),
    )
    rights_uri = forms.URLField(label=_("Its address"), required=False, assume_scheme="https")

    def clean_spdx(self) -> str:
        value = self.cleaned_data["spdx"].strip()
        if value and spdx_id(value) is None:
            raise ValidationError(
                _("%(value)s is not on the SPDX licence list."), params={"value": value}
            )
        return spdx_id(value) or ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        no_rights = not data.get("spdx") and not (data.get("rights") or "").strip()
        if no_rights and "spdx" not in self.errors:
            self.add_error("spdx", _("Choose a licence, or describe the rights."))
        return data

    @classmethod
    def from_datacite(cls, entry: dict[str, Any]) -> dict[str, Any]:
        row = super().from_datacite(entry)
        spdx = ""
        if str(entry.get("rightsIdentifierScheme") or "").upper() == "SPDX":
            spdx = str(entry.get("rightsIdentifier") or "")
        return {**row, "spdx": spdx}

    def to_datacite(self) -> dict[str, Any]:
        data = self.cleaned_data
        entry = self.mapped()
        if data["spdx"]:
            entry = {
                "rights": entry.get("rights") or licence_name(data["spdx"]),
                "rightsUri": entry.get("rightsUri")
                or f"https://spdx.org/licenses/{data['spdx']}.html",
                "rightsIdentifier": data["spdx"],
                "rightsIdentifierScheme": "SPDX",
                "schemeUri": "https://spdx.org/licenses/",
            }
        return self.with_extra(entry)


class DateRow(RowForm):
    datacite_field = "dates"
    keys = {"date": "date", "date_type": "dateType", "information": "dateInformation"}
    date = forms.CharField(
        label=_("Date or range"),
        max_length=100,
        help_text=_("ISO 8601: 2024-05-01, 2024-05 or 2024-05-01/2024-05-03"),
    )
    date_type = forms.ChoiceField(label=_("Kind"), choices=choices("dateType"), initial="Collected")
    information = text(label=_("Note"), max_length=500)

    def clean_date(self) -> str:
        value = self.cleaned_data["date"].strip()
        if not iso_date_ok(value):
            raise ValidationError(_("Not an ISO 8601 date or range (2024-05-01/2024-05-03)."))
        return value


def related_identifier_clean(kind: str, value: str) -> str:
    """``value`` in the form DataCite wants for identifier type ``kind``; ValidationError if not."""
    value = value.strip()
    if kind == "DOI":
        match = _DOI.match(value)
        if not match:
            raise ValidationError(_("Not a DOI: 10.1107/S1600576722000000 or its doi.org address."))
        return match.group(1).lower()
    if kind == "Handle":
        match = _HANDLE.match(value)
        if not match:
            raise ValidationError(_("Not a Handle: 21.T11148/abc or its hdl.handle.net address."))
        return match.group(1)
    if kind in ("URL", "w3id", "PURL"):
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            raise ValidationError(_("Not a web address (https://...).")) from None
    return value


class RelatedRow(RowForm):
    datacite_field = "related_identifiers"
    keys = {
        "identifier": "relatedIdentifier",
        "identifier_type": "relatedIdentifierType",
        "relation_type": "relationType",
        "resource_type": "resourceTypeGeneral",
        "relation_information": "relationTypeInformation",
    }
    relation_type = forms.ChoiceField(
        label=_("Relation"),
        choices=choices("relationType"),
        initial="IsSupplementTo",
        help_text=_("This publication … the related work (IsSupplementTo an article)."),
    )
    identifier_type = forms.ChoiceField(
        label=_("Identifier type"), choices=choices("relatedIdentifierType"), initial="DOI"
    )
    identifier = forms.CharField(label=_("Identifier"), max_length=1000)
    resource_type = forms.ChoiceField(
        label=_("What it is"),
        choices=choices("resourceTypeGeneral", blank="—"),
        required=False,
    )
    relation_information = text(label=_("Relation (for Other)"), max_length=500)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "identifier" in data and data.get("identifier_type"):
            try:
                data["identifier"] = related_identifier_clean(
                    data["identifier_type"], data["identifier"]
                )
            except ValidationError as exc:
                self.add_error("identifier", exc)
        if data.get("relation_type") == "Other" and not (data.get("relation_information") or ""):
            self.add_error("relation_information", _("Say what the relation is."))
        return data


class FundingRow(RowForm):
    datacite_field = "funding_references"
    keys = {
        "funder_name": "funderName",
        "funder_identifier": "funderIdentifier",
        "funder_identifier_type": "funderIdentifierType",
        "award_number": "awardNumber",
        "award_title": "awardTitle",
    }
    funder_name = forms.CharField(label=_("Funder"), max_length=500)
    funder_identifier_type = forms.ChoiceField(
        label=_("Funder id type"),
        choices=choices("funderIdentifierType", blank="—"),
        required=False,
        initial="ROR",
    )
    funder_identifier = text(
        label=_("Funder id"),
        max_length=200,
        help_text=_("ROR id, or Crossref Funder ID 10.13039/…"),
    )
    award_number = text(label=_("Grant number"), max_length=200)
    award_title = text(label=_("Grant title"), max_length=500)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, value = data.get("funder_identifier_type"), (data.get("funder_identifier") or "")
        value = value.strip()
        if value and not kind:
            self.add_error("funder_identifier_type", _("Say what kind of id this is."))
        elif kind == "ROR" and value:
            try:
                data["funder_identifier"] = ror_url(value, "0472cxd90")
            except ValidationError as exc:
                self.add_error("funder_identifier", exc)
        elif kind == "Crossref Funder ID" and value:
            match = _FUNDREF.match(value)
            if not match:
                self.add_error(
                    "funder_identifier", _("Not a Crossref Funder ID: 10.13039/501100000780.")
                )
            else:
                data["funder_identifier"] = f"https://doi.org/{match.group(1)}"
        return data

    @classmethod
    def from_datacite(cls, entry: dict[str, Any]) -> dict[str, Any]:
        row = super().from_datacite(entry)
        # Stored without a type: shown without one (not the new row's ROR).
        row["funder_identifier_type"] = entry.get("funderIdentifierType") or ""
        return {**row, "award_number": _award(entry.get("awardNumber"))}

    def to_datacite(self) -> dict[str, Any]:
        entry = self.mapped()
        if "funderIdentifier" not in entry:
            entry.pop("funderIdentifierType", None)
        return self.with_extra(entry)


def _award(value: Any) -> str:
    """DataCite JSON has the award number as a string, or as {"awardNumber", "awardUri"}."""
    if isinstance(value, dict):
        return str(value.get("awardNumber") or "")
    return str(value or "")
