"""The statistics page's filters, from the URL: facility, beamline (instrument pid), year range."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from stats.selectors import Choices, Filters

FIRST_YEAR, LAST_YEAR = 1900, 2100


class FiltersForm(forms.Form):
    facility = forms.ChoiceField(label=_("Facility"), required=False)
    beamline = forms.ChoiceField(label=_("Beamline"), required=False)
    year_from = forms.IntegerField(
        label=_("From year"), required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR
    )
    year_to = forms.IntegerField(
        label=_("To year"), required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR
    )

    def __init__(self, *args: Any, available: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        facility: Any = self.fields["facility"]
        beamline: Any = self.fields["beamline"]
        facility.choices = [
            ("", gettext("All facilities")),
            *((f, f) for f in available.facilities),
        ]
        beamline.choices = [
            ("", gettext("All beamlines")),
            *((pid, f"{name} ({fac})" if fac else name) for pid, name, fac in available.beamlines),
        ]
        for name in ("year_from", "year_to"):
            widget = self.fields[name].widget
            if available.first_year:
                widget.attrs["placeholder"] = str(
                    available.first_year if name == "year_from" else available.last_year
                )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("year_from"), data.get("year_to")
        if start is not None and end is not None and start > end:
            raise forms.ValidationError(
                gettext("The first year must not come after the last year.")
            )
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            facility=data.get("facility") or "",
            beamline=data.get("beamline") or "",
            year_from=data.get("year_from"),
            year_to=data.get("year_to"),
        )
