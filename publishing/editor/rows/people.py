"""People and organisations: creators and contributors, one person row for both.

A person row types the name (personal: given and family names; organisational: one name), an
ORCID iD (its ISO 7064 check digit checked) and up to two affiliations with their ROR ids; more
name identifiers and affiliations ride along in ``extra``. A contributor is the same row with a
DataCite 4.7 ``contributorType`` first.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from publishing.contributor_roles import ROLE_LABELS
from publishing.editor.rows.base import RowForm, orcid_url, ror_url, text

AFFILIATIONS = ("affiliation", "affiliation2")


def _orcid_of(identifiers: list[dict[str, Any]]) -> str:
    return next(
        (
            str(i.get("nameIdentifier") or "")
            for i in identifiers
            if str(i.get("nameIdentifierScheme") or "").upper() == "ORCID"
        ),
        "",
    )


class PersonRow(RowForm):
    """A creator or contributor (see the module's docstring)."""

    other_keys = frozenset(
        {"name", "nameType", "givenName", "familyName", "nameIdentifiers", "affiliation"}
    )

    name_type = forms.ChoiceField(
        label=_("Type"),
        choices=[("Personal", _("Person")), ("Organizational", _("Organisation"))],
        initial="Personal",
    )
    given_name = text(label=_("Given name"), max_length=200)
    family_name = text(label=_("Family name"), max_length=200)
    name = text(
        label=_("Organisation or full name"),
        max_length=300,
        help_text=_("For a person, leave empty: “Family, Given” is used."),
    )
    orcid = text(
        label=_("ORCID iD"),
        max_length=60,
        help_text=_("0000-0002-1825-0097 or https://orcid.org/0000-0002-1825-0097"),
    )
    affiliation_name = text(label=_("Affiliation"), max_length=300)
    affiliation_ror = text(label=_("ROR id"), max_length=60, help_text=_("e.g. 01js2sh04"))
    affiliation2_name = text(label=_("Second affiliation"), max_length=300)
    affiliation2_ror = text(label=_("Its ROR id"), max_length=60)

    def clean_orcid(self) -> str:
        return orcid_url(self.cleaned_data["orcid"])

    def clean_affiliation_ror(self) -> str:
        return ror_url(self.cleaned_data["affiliation_ror"])

    def clean_affiliation2_ror(self) -> str:
        return ror_url(self.cleaned_data["affiliation2_ror"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        person = data.get("name_type") == "Personal"
        if person and not (data.get("family_name") or data.get("name")):
            self.add_error("family_name", _("A person needs at least a family name."))
        if not person and not data.get("name"):
            self.add_error("name", _("An organisation needs its name."))
        if not person and data.get("orcid"):
            self.add_error("orcid", _("An ORCID iD belongs to a person."))
        for prefix in AFFILIATIONS:
            if data.get(f"{prefix}_ror") and not data.get(f"{prefix}_name"):
                self.add_error(f"{prefix}_name", _("Name the affiliation as well."))
        return data

    @classmethod
    def from_datacite(cls, entry: dict[str, Any]) -> dict[str, Any]:
        row = super().from_datacite(entry)  # the mapped keys (a contributor's type)
        hidden = cls.hidden_of(entry)
        idents = [i for i in entry.get("nameIdentifiers") or [] if isinstance(i, dict)]
        others = [i for i in idents if str(i.get("nameIdentifierScheme") or "").upper() != "ORCID"]
        if others:
            hidden["nameIdentifiers"] = others
        affiliations = [a for a in entry.get("affiliation") or [] if isinstance(a, dict)]
        if len(affiliations) > len(AFFILIATIONS):
            hidden["affiliation"] = affiliations[len(AFFILIATIONS) :]
        row.update(
            name_type=entry.get("nameType") or "Personal",
            given_name=entry.get("givenName") or "",
            family_name=entry.get("familyName") or "",
            orcid=_orcid_of(idents),
            extra=cls.extra_json(hidden),
        )
        name = str(entry.get("name") or "")
        given, family = row["given_name"], row["family_name"]
        if row["name_type"] != "Personal" or name != (f"{family}, {given}" if given else family):
            row["name"] = name  # shown only where it is not "Family, Given" already
        for prefix, affiliation in zip(AFFILIATIONS, affiliations, strict=False):
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
        for prefix in AFFILIATIONS:
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
        return self.with_extra({**self.mapped(), **entry})  # mapped: a contributor's type


class CreatorRow(PersonRow):
    datacite_field = "creators"


class ContributorRow(PersonRow):
    datacite_field = "contributors"
    keys = {"contributor_type": "contributorType"}
    field_order = ["contributor_type"]

    contributor_type = forms.ChoiceField(
        label=_("Role"),
        choices=[("", "—"), *((value, label) for value, label in ROLE_LABELS.items())],
        help_text=_("DataCite's contributor type: contact person, data collector, editor, ..."),
    )
