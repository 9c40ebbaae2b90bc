"""Where the data are about: a DataCite geo location as a row (a place, a point and/or a box).

Coordinates are WGS 84 degrees, typed as numbers: a latitude -90..90, a longitude -180..180, a
box's south edge not north of its north edge (a box may cross the antimeridian: west > east is
allowed). A row names at least one of the three. A polygon, which the row does not show, rides
along in ``extra``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from publishing.editor.rows.base import RowForm, text

POINT = {"point_latitude": "pointLatitude", "point_longitude": "pointLongitude"}
BOX = {
    "west": "westBoundLongitude",
    "east": "eastBoundLongitude",
    "south": "southBoundLatitude",
    "north": "northBoundLatitude",
}


def _degrees(label: Any, limit: int) -> forms.FloatField:
    word = _("latitude") if limit == 90 else _("longitude")
    message = _("A %(word)s is between -%(limit)s and %(limit)s degrees.") % {
        "word": word,
        "limit": limit,
    }
    return forms.FloatField(
        label=label,
        required=False,
        min_value=-limit,
        max_value=limit,
        error_messages={"min_value": message, "max_value": message},
        widget=forms.NumberInput(attrs={"step": "any", "size": 10}),
    )


def _number(value: float) -> float | int:
    return int(value) if value.is_integer() else value


class GeoLocationRow(RowForm):
    datacite_field = "geo_locations"
    keys = {"place": "geoLocationPlace"}
    other_keys = frozenset({"geoLocationPoint", "geoLocationBox"})

    place = text(
        label=_("Place"), max_length=500, help_text=_("e.g. Hamburg, Germany; or a sample site")
    )
    point_latitude = _degrees(_("Point latitude"), 90)
    point_longitude = _degrees(_("Point longitude"), 180)
    west = _degrees(_("Box west longitude"), 180)
    east = _degrees(_("Box east longitude"), 180)
    south = _degrees(_("Box south latitude"), 90)
    north = _degrees(_("Box north latitude"), 90)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        point = [data.get(name) is not None for name in POINT]
        if any(point) and not all(point):
            missing = next(name for name in POINT if data.get(name) is None)
            self.add_error(missing, _("A point needs its latitude and its longitude."))
        box = [data.get(name) is not None for name in BOX]
        if any(box) and not all(box):
            for name in BOX:
                if data.get(name) is None:
                    self.add_error(name, _("A box needs all four edges."))
        elif all(box) and data["south"] > data["north"]:
            self.add_error("south", _("The south edge is north of the north edge."))
        has_place = bool((data.get("place") or "").strip())
        if not (has_place or any(point) or any(box) or (data.get("extra") or {})):
            self.add_error("place", _("Give a place, a point or a box."))
        return data

    @classmethod
    def from_datacite(cls, entry: dict[str, Any]) -> dict[str, Any]:
        row = super().from_datacite(entry)
        for part, fields in (("geoLocationPoint", POINT), ("geoLocationBox", BOX)):
            values = entry.get(part)
            if isinstance(values, dict):
                row.update({name: values.get(key, "") for name, key in fields.items()})
        return row

    def to_datacite(self) -> dict[str, Any]:
        entry = self.mapped()
        for part, fields in (("geoLocationPoint", POINT), ("geoLocationBox", BOX)):
            values = {key: self.cleaned_data.get(name) for name, key in fields.items()}
            if all(v is not None for v in values.values()):
                entry[part] = {key: _number(v) for key, v in values.items() if v is not None}
        return self.with_extra(entry)
