"""What every row form shares: the hidden ``extra`` of keys a row does not show, a declarative
map from fields to DataCite keys, and the checks several rows make (ORCID iD, ROR id).

A row declares ``keys`` (form field → DataCite key) for the keys it shows as they are: the
default :meth:`RowForm.from_datacite` fills those fields from an entry, and
:meth:`RowForm.to_datacite` writes the non-empty ones back (stripped), so a row only writes code
for what is not one field to one key (an ORCID iD inside ``nameIdentifiers``, a coordinate).
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from publishing import kernel
from publishing.doi_metadata import orcid_ok, ror_ok


def choices(definition: str, *, blank: str | None = None) -> list[tuple[str, str]]:
    """A kernel 4.7 controlled list as form choices (a blank first when ``blank`` is given)."""
    values = sorted(kernel.controlled_list(definition))
    out = [(v, v) for v in values]
    return [("", blank), *out] if blank is not None else out


def text(**kwargs: Any) -> forms.CharField:
    """An optional text field."""
    kwargs.setdefault("required", False)
    return forms.CharField(**kwargs)


def orcid_url(value: str) -> str:
    """An ORCID iD as its https://orcid.org/ URL ("" for ""); ValidationError if it is none."""
    value = value.strip()
    if not value:
        return ""
    if not orcid_ok(value):
        raise ValidationError(
            _("Not an ORCID iD: 16 digits in four groups, the last one a check digit (X = 10).")
        )
    return "https://orcid.org/" + value.rsplit("/", 1)[-1].upper()


def ror_url(value: str, example: str = "01js2sh04") -> str:
    """A ROR id as its https://ror.org/ URL ("" for ""); ValidationError if it is none."""
    value = value.strip()
    if not value:
        return ""
    if not ror_ok(value):
        raise ValidationError(
            _("Not a ROR id: nine characters such as %(example)s."), params={"example": example}
        )
    return "https://ror.org/" + value.rsplit("/", 1)[-1].lower()


class RowForm(forms.Form):
    """A DataCite list entry; subclasses say which list and how its keys map to fields."""

    datacite_field: ClassVar[str]
    # Form field → DataCite key, for the keys shown one to one (see the module's docstring).
    keys: ClassVar[dict[str, str]] = {}
    # Keys shown in some other way (written by the row's own code).
    other_keys: ClassVar[frozenset[str]] = frozenset()
    extra = forms.CharField(required=False, widget=forms.HiddenInput)

    @classmethod
    def shown_keys(cls) -> frozenset[str]:
        """Keys of the DataCite entry this row shows; everything else goes to ``extra``."""
        return frozenset(cls.keys.values()) | cls.other_keys

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
    def hidden_of(cls, entry: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in entry.items() if k not in cls.shown_keys()}

    @staticmethod
    def extra_json(hidden: dict[str, Any]) -> str:
        return json.dumps(hidden, ensure_ascii=False) if hidden else ""

    @classmethod
    def from_datacite(cls, entry: dict[str, Any]) -> dict[str, Any]:
        """A row's initial data from a stored entry."""
        row: dict[str, Any] = {"extra": cls.extra_json(cls.hidden_of(entry))}
        for name, key in cls.keys.items():
            row[name] = entry.get(key) or cls.base_fields[name].initial or ""
        return row

    def mapped(self) -> dict[str, Any]:
        """The mapped keys of a cleaned row that have a value (texts stripped)."""
        entry: dict[str, Any] = {}
        for name, key in self.keys.items():
            value = self.cleaned_data.get(name)
            value = value.strip() if isinstance(value, str) else value
            if value is not None and value != "":
                entry[key] = value
        return entry

    def to_datacite(self) -> dict[str, Any]:
        """The entry of a cleaned row: what was hidden, then the mapped keys."""
        return self.with_extra(self.mapped())

    def with_extra(self, entry: dict[str, Any]) -> dict[str, Any]:
        extra = self.cleaned_data.get("extra") or {}
        return {**{k: v for k, v in extra.items() if k not in entry}, **entry}
