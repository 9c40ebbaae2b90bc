"""The staff editor of a publication: the main fields and one plain formset per DataCite list.

Works as a plain HTML form: rows are added by a submit button (or htmx, which swaps only that
list), removed by their "remove" box and reordered by their position numbers. Once every row is
valid, each list is rebuilt as DataCite JSON and checked against kernel 4.7 exactly as the JSON
form checks it (:func:`publishing.doi_metadata.json_field_problems`); what the schema still finds
is shown on the row it concerns.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.forms.formsets import BaseFormSet, formset_factory
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from publishing.doi_metadata import MetadataInvalid, datacite_attributes, json_field_problems
from publishing.editor.rows import ROW_FORMS, RowForm
from publishing.models import Publication
from publishing.services.registration import landing_url

MAIN_FIELDS = ("title", "abstract", "publisher", "publication_year", "resource_type")


@dataclass(frozen=True)
class Section:
    field: str
    label: Any
    help: Any


SECTIONS = (
    Section("creators", _("Creators"), _("People and organisations credited, in citation order.")),
    Section(
        "contributors",
        _("Contributors"),
        _("Others who took part, each with a role: contact person, data collector, curator, ..."),
    ),
    Section("rights", _("Licence"), _("How the data may be reused.")),
    Section("subjects", _("Subjects and keywords"), _("What the data are about.")),
    Section(
        "related_identifiers",
        _("Related works"),
        _("Articles, software and other data. The datasets are added as HasPart by themselves."),
    ),
    Section("funding_references", _("Funding"), _("Funders and grants.")),
    Section(
        "dates",
        _("Dates"),
        _("When the data were collected, and so on. The registration date is added as Issued."),
    ),
    Section(
        "geo_locations",
        _("Geo locations"),
        _(
            "Optional: where the data are about. A place, a point or a box, in WGS 84 degrees "
            "(latitude -90 to 90, longitude -180 to 180)."
        ),
    ),
    Section("other_titles", _("Other titles"), _("Subtitles, translations, alternative titles.")),
)
SECTION_BY_FIELD = {section.field: section for section in SECTIONS}
_ROW_INDEX = re.compile(r"^\w+\[(\d+)\]")


class MainForm(forms.ModelForm):
    class Meta:
        model = Publication
        fields = list(MAIN_FIELDS)
        widgets = {
            "title": forms.Textarea(attrs={"rows": 2, "cols": 90}),
            "abstract": forms.Textarea(attrs={"rows": 8, "cols": 90}),
            "resource_type": forms.TextInput(attrs={"list": "resource-types", "size": 30}),
        }
        help_texts = {
            "abstract": _("What the data are, how they were measured; required to register."),
            "publisher": _("Leave empty for the facility."),
            "resource_type": _("A DataCite resource type (Dataset, Collection, Image, ...)."),
        }


class RowFormSet(BaseFormSet):
    """Rows with a position each, the blank one included, so a filled blank row keeps its place."""

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if index is not None and form.fields["ORDER"].initial is None:
            form.fields["ORDER"].initial = index + 1


def formset_class(datacite_field: str) -> type[BaseFormSet[Any]]:
    return formset_factory(
        ROW_FORMS[datacite_field],
        formset=RowFormSet,
        extra=1,
        can_delete=True,
        can_order=True,
        max_num=500,
    )


def rows_initial(datacite_field: str, entries: Any) -> list[dict[str, Any]]:
    row = ROW_FORMS[datacite_field]
    return [row.from_datacite(e) for e in entries or [] if isinstance(e, dict)]


def with_row(data: QueryDict, prefix: str, row: dict[str, Any] | None = None) -> QueryDict:
    """``data`` with one more row (filled in with ``row``) in the formset ``prefix``."""
    data = data.copy()
    try:
        total = int(data.get(f"{prefix}-TOTAL_FORMS", "0"))
    except ValueError:
        total = 0
    for key, value in (row or {}).items():
        data[f"{prefix}-{total}-{key}"] = "" if value is None else str(value)
    data[f"{prefix}-{total}-ORDER"] = str(total + 1)
    data[f"{prefix}-TOTAL_FORMS"] = str(total + 1)
    return data


@dataclass
class Editor:
    """The main form and the list formsets of one publication, bound or not."""

    publication: Publication
    main: MainForm
    formsets: dict[str, BaseFormSet[Any]]
    # Problems DataCite's schema finds with a list that no row owns.
    list_errors: dict[str, list[str]] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, publication: Publication, data: QueryDict | None = None) -> Editor:
        formsets = {
            section.field: formset_class(section.field)(
                data,
                initial=None
                if data is not None
                else rows_initial(section.field, getattr(publication, section.field)),
                prefix=section.field,
            )
            for section in SECTIONS
        }
        # The form works on a copy: the publication keeps its stored values until saved.
        return cls(publication, MainForm(data, instance=copy.copy(publication)), formsets)

    def sections(self) -> list[tuple[Section, BaseFormSet[Any], list[str]]]:
        """Each list: its section, its formset, and the problems no row of it owns."""
        return [
            (section, self.formsets[section.field], self.list_errors.get(section.field, []))
            for section in SECTIONS
        ]

    def is_valid(self) -> bool:
        valid = self.main.is_valid()
        valid = all([fs.is_valid() for fs in self.formsets.values()]) and valid
        if not valid:
            return False
        values: dict[str, Any] = {name: self.main.cleaned_data[name] for name in MAIN_FIELDS}
        for name, formset in self.formsets.items():
            kept: list[RowForm] = [f for f in formset.ordered_forms if f.cleaned_data]
            values[name] = [form.to_datacite() for form in kept]
            for problem in json_field_problems(name, values[name]):
                match = _ROW_INDEX.match(problem.path)
                if match and int(match.group(1)) < len(kept):
                    kept[int(match.group(1))].add_error(None, str(problem))
                else:
                    self.list_errors.setdefault(name, []).append(str(problem))
                valid = False
        if valid and self.publication.is_managed and self.publication.is_registered:
            valid = self._registered_ok(values)
        self.values = values
        return valid

    def _registered_ok(self, values: dict[str, Any]) -> bool:
        """A registered DOI is updated on saving: whatever DataCite would refuse stops here."""
        candidate = copy.copy(self.publication)
        for name, value in values.items():
            setattr(candidate, name, value)
        doi = self.publication.doi
        try:
            datacite_attributes(candidate, doi=doi, url=landing_url(doi))
        except MetadataInvalid as exc:
            for field_name, messages in exc.by_field().items():
                if field_name in MAIN_FIELDS:
                    for message in messages:
                        self.main.add_error(field_name, message)
                else:
                    self.list_errors.setdefault(field_name or "", []).extend(messages)
            return False
        return True
