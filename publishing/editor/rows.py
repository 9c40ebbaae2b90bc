"""One plain form per DataCite list entry (a row), and the way between a row and DataCite JSON.

Each row form types its fields (an ORCID iD with its ISO 7064 check digit, a ROR id, a DOI, URL or
Handle of a related work, an SPDX licence id, an ISO 8601 date) and reports a mistake next to the
field. ``from_datacite`` turns a stored entry into a row's initial data; ``to_datacite`` turns a
cleaned row back into the entry. Keys a row does not show (a schemeUri, a language, a third
affiliation, an identifier of another scheme) ride along in a hidden ``extra`` field, so editing
never loses them.
"""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from publishing import kernel
from publishing.doi_metadata import iso_date_ok, orcid_ok, ror_ok
from publishing.spdx import licence_name, spdx_id

_DOI = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)?(10\.\d{4,9}/\S+)$", re.IGNORECASE)
_HANDLE = re.compile(r"^(?:https?://hdl\.handle\.net/|hdl:)?(\d+(?:\.\d+)*/\S+)$", re.IGNORECASE)
_FUNDREF = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/)?(10\.13039/\d+)$", re.IGNORECASE)


def _choices(definition: str, *, blank: str | None = None) -> list[tuple[str, str]]:
    values = sorted(kernel.controlled_list(definition))
    out = [(v, v) for v in values]
    return [("", blank), *out] if blank is not None else out


def _text(**kwargs: Any) -> forms.CharField:
    kwargs.setdefault("required", False)
    return forms.CharField(**kwargs)


class RowForm(forms.Form):
    """A DataCite list entry; subclasses say which list and how its keys map to fields."""

    datacite_field: ClassVar[str]
    # Keys of the DataCite entry this row shows; everything else goes to ``extra``.
    shown_keys: ClassVar[frozenset[str]] = frozenset()
    extra = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_extra(self) -> dict[str, Any]:
        raw = self.cleaned_data.get("extra") or ""
        if not raw:
            return {}
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            raise ValidationError(_("The hidden part of this row is damaged.")) from None
        return value if isinstance(value, dict) else {}

    @classmethod
    def from_datacite(cls, entry: dict[str, Any]) -> dict[str, Any]:
        hidden = {k: v for k, v in entry.items() if k not in cls.shown_keys}
        return {"extra": json.dumps(hidden, ensure_ascii=False) if hidden else ""}

    def to_datacite(self) -> dict[str, Any]:
        raise NotImplementedError

    def _with_extra(self, entry: dict[str, Any]) -> dict[str, Any]:
        extra = self.cleaned_data.get("extra") or {}
        return {**{k: v for k, v in extra.items() if k not in entry}, **entry}


# -- people ---------------------------------------------------------------------------------


class CreatorRow(RowForm):
    datacite_field = "creators"
    shown_keys = frozenset(
        {"name", "nameType", "givenName", "familyName", "nameIdentifiers", "affiliation"}
    )

    name_type = forms.ChoiceField(
        label=_("Type"),
        choices=[("Personal", _("Person")), ("Organizational", _("Organisation"))],
        initial="Personal",
    )
    given_name = _text(label=_("Given name"), max_length=200)
    family_name = _text(label=_("Family name"), max_length=200)
    name = _text(
        label=_("Organisation or full name"),
        max_length=300,
        help_text=_("For a person, leave empty: “Family, Given” is used."),
    )
    orcid = _text(
        label=_("ORCID iD"),
        max_length=60,
        help_text=_("0000-0002-1825-0097 or https://orcid.org/0000-0002-1825-0097"),
    )
    affiliation_name = _text(label=_("Affiliation"), max_length=300)
    affiliation_ror = _text(label=_("ROR id"), max_length=60, help_text=_("e.g. 01js2sh04"))
    affiliation2_name = _text(label=_("Second affiliation"), max_length=300)
    affiliation2_ror = _text(label=_("Its ROR id"), max_length=60)

    def clean_orcid(self) -> str:
        value = self.cleaned_data["orcid"].strip()
        if not value:
            return ""
        if not orcid_ok(value):
            raise ValidationError(
                _("Not an ORCID iD: 16 digits in four groups, the last one a check digit (X = 10).")
            )
        return "https://orcid.org/" + value.rsplit("/", 1)[-1].upper()

    def _ror(self, key: str) -> str:
        value = self.cleaned_data[key].strip()
        if not value:
            return ""
        if not ror_ok(value):
            raise ValidationError(_("Not a ROR id: nine characters such as 01js2sh04."))
        return "https://ror.org/" + value.rsplit("/", 1)[-1].lower()

    def clean_affiliation_ror(self) -> str:
        return self._ror("affiliation_ror")

    def clean_affiliation2_ror(self) -> str:
        return self._ror("affiliation2_ror")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        person = data.get("name_type") == "Personal"
        if person and not (data.get("family_name") or data.get("name")):
            self.add_error("family_name", _("A person needs at least a family name."))
        if not person and not data.get("name"):
            self.add_error("name", _("An organisation needs its name."))
        if not person and data.get("orcid"):
            self.add_error("orcid", _("An ORCID iD belongs to a person."))
        for prefix in ("affiliation", "affiliation2"):
            if data.get(f"{prefix}_ror") and not data.get(f"{prefix}_name"):
                self.add_error(f"{prefix}_name", _("Name the affiliation as well."))
        return data

    @classmethod
    def from_datacite(cls, entry: dict[str, Any]) -> dict[str, Any]:
        hidden = {k: v for k, v in entry.items() if k not in cls.shown_keys}
        idents = [i for i in entry.get("nameIdentifiers") or [] if isinstance(i, dict)]
        orcid = next(
            (
                str(i.get("nameIdentifier") or "")
                for i in idents
                if str(i.get("nameIdentifierScheme") or "").upper() == "ORCID"
            ),
            "",
        )
        others = [i for i in idents if str(i.get("nameIdentifierScheme") or "").upper() != "ORCID"]
        if others:
            hidden["nameIdentifiers"] = others
        affiliations = [a for a in entry.get("affiliation") or [] if isinstance(a, dict)]
        if len(affiliations) > 2:
            hidden["affiliation"] = affiliations[2:]
        row: dict[str, Any] = {
            "name_type": entry.get("nameType") or "Personal",
            "given_name": entry.get("givenName") or "",
            "family_name": entry.get("familyName") or "",
            "orcid": orcid,
            "extra": json.dumps(hidden, ensure_ascii=False) if hidden else "",
        }
        name = str(entry.get("name") or "")
        given, family = row["given_name"], row["family_name"]
        if row["name_type"] != "Personal" or name != (f"{family}, {given}" if given else family):
            row["name"] = name  # shown only where it is not "Family, Given" already
        for prefix, affiliation in zip(("affiliation", "affiliation2"), affiliations, strict=False):
            row[f"{prefix}_name"] = affiliation.get("name") or ""
            if str(affiliation.get("affiliationIdentifierScheme") or "").upper() == "ROR":
                row[f"{prefix}_ror"] = affiliation.get("affiliationIdentifier") or ""
        return row

    def to_datacite(self) -> dict[str, Any]:
        data = self.cleaned_data
        extra = data.get("extra") or {}
        entry: dict[str, Any] = {"nameType": data["name_type"]}
        if data["name_type"] == "Personal":
            given, family = data["given_name"].strip(), data["family_name"].strip()
            entry["name"] = data["name"].strip() or (f"{family}, {given}" if given else family)
            if family:
                entry["familyName"] = family
            if given:
                entry["givenName"] = given
        else:
            entry["name"] = data["name"].strip()
        idents = []
        if data["orcid"]:
            idents.append(
                {
                    "nameIdentifier": data["orcid"],
                    "nameIdentifierScheme": "ORCID",
                    "schemeUri": "https://orcid.org",
                }
            )
        idents += extra.get("nameIdentifiers") or []
        if idents:
            entry["nameIdentifiers"] = idents
        affiliations = []
        for prefix in ("affiliation", "affiliation2"):
            name = data[f"{prefix}_name"].strip()
            if not name:
                continue
            affiliation = {"name": name}
            if data[f"{prefix}_ror"]:
                affiliation.update(
                    affiliationIdentifier=data[f"{prefix}_ror"],
                    affiliationIdentifierScheme="ROR",
                    schemeUri="https://ror.org",
                )
            affiliations.append(affiliation)
        affiliations += extra.get("affiliation") or []
        if affiliations:
            entry["affiliation"] = affiliations
        return self._with_extra(entry)


# -- titles, subjects, rights, dates ---------------------------------------------------------


class TitleRow(RowForm):
    datacite_field = "other_titles"
    shown_keys = frozenset({"title", "titleType"})
    title = forms.CharField(label=_("Title"), max_length=1000)
    title_type = forms.ChoiceField(label=_("Kind"), choices=_choices("titleType", blank="—"))

    @classmethod
    def from_datacite(cls, entry: dict[str, Any]) -> dict[str, Any]:
        row = super().from_datacite(entry)
        return {**row, "title": entry.get("title") or "", "title_type": entry.get("titleType")}

    def to_datacite(self) -> dict[str, Any]:
        entry = {"title": self.cleaned_data["title"].strip()}
        if self.cleaned_data["title_type"]:
            entry["titleType"] = self.cleaned_data["title_type"]
        return self._with_extra(entry)


class SubjectRow(RowForm):
    datacite_field = "subjects"
    shown_keys = frozenset({"subject", "subjectScheme", "valueUri"})
    subject = forms.CharField(label=_("Subject or keyword"), max_length=500)
    scheme = _text(label=_("Scheme"), max_length=200, help_text=_("e.g. PaNET; empty: a keyword"))
    value_uri = forms.URLField(label=_("Term URI"), required=False, assume_scheme="https")

    @classmethod
    def from_datacite(cls, entry: dict[str, Any]) -> dict[str, Any]:
        row = super().from_datacite(entry)
        return {
            **row,
            "subject": entry.get("subject") or "",
            "scheme": entry.get("subjectScheme") or "",
            "value_uri": entry.get("valueUri") or "",
        }

    def to_datacite(self) -> dict[str, Any]:
        data = self.cleaned_data
        entry = {"subject": data["subject"].strip()}
        if data["scheme"].strip():
            entry["subjectScheme"] = data["scheme"].strip()
        if data["value_uri"]:
            entry["valueUri"] = data["value_uri"]
        return self._with_extra(entry)


class RightsRow(RowForm):
    datacite_field = "rights"
    shown_keys = frozenset(
        {"rights", "rightsUri", "rightsIdentifier", "rightsIdentifierScheme", "schemeUri"}
    )
    spdx = _text(
        label=_("SPDX licence id"),
        max_length=100,
        help_text=_("e.g. CC-BY-4.0 or CC0-1.0; the list offers every SPDX licence."),
        widget=forms.TextInput(attrs={"list": "spdx-licences", "autocomplete": "off"}),
    )
    rights = _text(
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
        return {
            **row,
            "spdx": spdx,
            "rights": entry.get("rights") or "",
            "rights_uri": entry.get("rightsUri") or "",
        }

    def to_datacite(self) -> dict[str, Any]:
        data = self.cleaned_data
        entry: dict[str, Any] = {}
        if data["spdx"]:
            entry = {
                "rights": data["rights"].strip() or licence_name(data["spdx"]),
                "rightsUri": data["rights_uri"] or f"https://spdx.org/licenses/{data['spdx']}.html",
                "rightsIdentifier": data["spdx"],
                "rightsIdentifierScheme": "SPDX",
                "schemeUri": "https://spdx.org/licenses/",
            }
        else:
            entry = {"rights": data["rights"].strip()}
            if data["rights_uri"]:
                entry["rightsUri"] = data["rights_uri"]
        return self._with_extra(entry)


class DateRow(RowForm):
    datacite_field = "dates"
    shown_keys = frozenset({"date", "dateType", "dateInformation"})
    date = forms.CharField(
        label=_("Date or range"),
        max_length=100,
        help_text=_("ISO 8601: 2024-05-01, 2024-05 or 2024-05-01/2024-05-03"),
    )
    date_type = forms.ChoiceField(
        label=_("Kind"), choices=_choices("dateType"), initial="Collected"
    )
    information = _text(label=_("Note"), max_length=500)

    def clean_date(self) -> str:
        value = self.cleaned_data["date"].strip()
        if not iso_date_ok(value):
            raise ValidationError(_("Not an ISO 8601 date or range (2024-05-01/2024-05-03)."))
        return value

    @classmethod
    def from_datacite(cls, entry: dict[str, Any]) -> dict[str, Any]:
        row = super().from_datacite(entry)
        return {
            **row,
            "date": entry.get("date") or "",
            "date_type": entry.get("dateType") or "Collected",
            "information": entry.get("dateInformation") or "",
        }

    def to_datacite(self) -> dict[str, Any]:
        data = self.cleaned_data
        entry = {"date": data["date"], "dateType": data["date_type"]}
        if data["information"].strip():
            entry["dateInformation"] = data["information"].strip()
        return self._with_extra(entry)


# -- related works and funding -----------------------------------------------------------------


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
    shown_keys = frozenset(
        {
            "relatedIdentifier",
            "relatedIdentifierType",
            "relationType",
            "resourceTypeGeneral",
            "relationTypeInformation",
        }
    )
    relation_type = forms.ChoiceField(
        label=_("Relation"),
        choices=_choices("relationType"),
        initial="IsSupplementTo",
        help_text=_("This publication … the related work (IsSupplementTo an article)."),
    )
    identifier_type = forms.ChoiceField(
        label=_("Identifier type"), choices=_choices("relatedIdentifierType"), initial="DOI"
    )
    identifier = forms.CharField(label=_("Identifier"), max_length=1000)
    resource_type = forms.ChoiceField(
        label=_("What it is"),
        choices=_choices("resourceTypeGeneral", blank="—"),
        required=False,
    )
    relation_information = _text(label=_("Relation (for Other)"), max_length=500)

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

    @classmethod
    def from_datacite(cls, entry: dict[str, Any]) -> dict[str, Any]:
        row = super().from_datacite(entry)
        return {
            **row,
            "relation_type": entry.get("relationType") or "",
            "identifier_type": entry.get("relatedIdentifierType") or "",
            "identifier": entry.get("relatedIdentifier") or "",
            "resource_type": entry.get("resourceTypeGeneral") or "",
            "relation_information": entry.get("relationTypeInformation") or "",
        }

    def to_datacite(self) -> dict[str, Any]:
        data = self.cleaned_data
        entry = {
            "relatedIdentifier": data["identifier"],
            "relatedIdentifierType": data["identifier_type"],
            "relationType": data["relation_type"],
        }
        if data["resource_type"]:
            entry["resourceTypeGeneral"] = data["resource_type"]
        if data["relation_information"].strip():
            entry["relationTypeInformation"] = data["relation_information"].strip()
        return self._with_extra(entry)


class FundingRow(RowForm):
    datacite_field = "funding_references"
    shown_keys = frozenset(
        {"funderName", "funderIdentifier", "funderIdentifierType", "awardNumber", "awardTitle"}
    )
    funder_name = forms.CharField(label=_("Funder"), max_length=500)
    funder_identifier_type = forms.ChoiceField(
        label=_("Funder id type"),
        choices=_choices("funderIdentifierType", blank="—"),
        required=False,
        initial="ROR",
    )
    funder_identifier = _text(
        label=_("Funder id"),
        max_length=200,
        help_text=_("ROR id, or Crossref Funder ID 10.13039/…"),
    )
    award_number = _text(label=_("Grant number"), max_length=200)
    award_title = _text(label=_("Grant title"), max_length=500)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, value = data.get("funder_identifier_type"), (data.get("funder_identifier") or "")
        value = value.strip()
        if value and not kind:
            self.add_error("funder_identifier_type", _("Say what kind of id this is."))
        elif kind == "ROR" and value:
            if not ror_ok(value):
                self.add_error(
                    "funder_identifier", _("Not a ROR id: nine characters such as 0472cxd90.")
                )
            else:
                data["funder_identifier"] = "https://ror.org/" + value.rsplit("/", 1)[-1].lower()
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
        return {
            **row,
            "funder_name": entry.get("funderName") or "",
            "funder_identifier_type": entry.get("funderIdentifierType") or "",
            "funder_identifier": entry.get("funderIdentifier") or "",
            "award_number": _award(entry.get("awardNumber")),
            "award_title": entry.get("awardTitle") or "",
        }

    def to_datacite(self) -> dict[str, Any]:
        data = self.cleaned_data
        entry: dict[str, Any] = {"funderName": data["funder_name"].strip()}
        if data["funder_identifier"].strip():
            entry["funderIdentifier"] = data["funder_identifier"].strip()
            entry["funderIdentifierType"] = data["funder_identifier_type"]
        if data["award_number"].strip():
            entry["awardNumber"] = data["award_number"].strip()
        if data["award_title"].strip():
            entry["awardTitle"] = data["award_title"].strip()
        return self._with_extra(entry)


def _award(value: Any) -> str:
    """DataCite JSON has the award number as a string, or as {"awardNumber", "awardUri"}."""
    if isinstance(value, dict):
        return str(value.get("awardNumber") or "")
    return str(value or "")


ROW_FORMS: dict[str, type[RowForm]] = {
    row.datacite_field: row
    for row in (CreatorRow, TitleRow, SubjectRow, RightsRow, DateRow, RelatedRow, FundingRow)
}
