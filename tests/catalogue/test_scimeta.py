"""Scientific metadata flattened into queryable rows, with units brought to SI by pint."""

from __future__ import annotations

import math

import pytest

from catalogue.scimeta import Parameter, conversion, flatten


def _one(metadata: dict) -> Parameter:
    [parameter] = flatten(metadata)
    return parameter


def test_value_unit_quantity_is_converted_to_si() -> None:
    p = _one({"incident_energy": {"value": 15, "unit": "keV"}})
    assert (p.key_path, p.number, p.unit) == ("incident_energy", 15.0, "keV")
    assert p.si_value == pytest.approx(15_000 * 1.602176634e-19)
    assert p.si_unit == "kg*m**2/s**2"


def test_short_v_u_form_is_a_quantity() -> None:
    p = _one({"surface_pressure": {"v": 35, "u": "mN/m"}})
    assert p.si_value == pytest.approx(0.035)


@pytest.mark.parametrize("unit", ["degC", "°C", "celsius"])
def test_celsius_spellings_become_kelvin(unit: str) -> None:
    p = _one({"sample_temperature": {"value": 21.85, "unit": unit}})
    assert p.si_value == pytest.approx(295.0)
    assert p.si_unit == "K"


def test_same_energy_in_ev_and_kev_has_the_same_si_value() -> None:
    kev = _one({"e": {"value": 15, "unit": "keV"}})
    ev = _one({"e": {"value": 15000, "unit": "eV"}})
    assert kev.si_value == pytest.approx(ev.si_value)
    assert kev.si_unit == ev.si_unit


@pytest.mark.parametrize(("unit", "si"), [("Å", 1e-10), ("um", 1e-6), ("µm", 1e-6), ("%", 0.01)])
def test_facility_unit_spellings(unit: str, si: float) -> None:
    assert _one({"x": {"value": 1, "unit": unit}}).si_value == pytest.approx(si)


def test_range_fills_both_ends() -> None:
    p = _one({"distance": {"value": [2, 1], "unit": "cm", "type": "quantity_range"}})
    assert (p.number, p.number_max) == (1.0, 2.0)
    assert (p.si_value, p.si_value_max) == (pytest.approx(0.01), pytest.approx(0.02))
    assert p.si_unit == "m"


def test_unknown_unit_is_kept_as_text_without_si_value() -> None:
    p = _one({"flux": {"value": 3, "unit": "bananas per fortnight"}})
    assert p.unit == "bananas per fortnight"
    assert p.number == 3.0
    assert p.si_value is None
    assert p.si_unit == ""


def test_nested_objects_give_dotted_key_paths() -> None:
    params = flatten({"detector": {"name": "Pilatus", "distance": {"value": 1.2, "unit": "m"}}})
    assert [(p.key_path, p.text_value, p.si_value) for p in params] == [
        ("detector.name", "Pilatus", None),
        ("detector.distance", "", 1.2),
    ]


def test_plain_strings_numbers_booleans_and_lists() -> None:
    params = {
        p.key_path: p
        for p in flatten(
            {"subphase": "water", "chi2": 1.07, "ok": True, "tags": ["a", "b"], "none": None}
        )
    }
    assert params["subphase"].text_value == "water"
    assert params["chi2"].number == 1.07
    assert params["chi2"].si_unit == ""
    assert params["ok"].text_value == "true"
    assert params["tags"].text_value == "a, b"
    assert params["none"].text_value == ""


def test_lists_of_objects_are_indexed() -> None:
    params = flatten({"samples": [{"name": "A"}, {"name": "B"}]})
    assert [p.key_path for p in params] == ["samples.0.name", "samples.1.name"]


def test_non_finite_and_odd_values_do_not_break_flattening() -> None:
    params = flatten({"a": float("nan"), "b": {"value": "n/a", "unit": "K"}, "c": {"value": {}}})
    assert {p.key_path for p in params} >= {"a", "b"}
    assert all(p.si_value is None or math.isfinite(p.si_value) for p in params)


def test_conversion_is_cached_and_linear() -> None:
    conv = conversion("degC")
    assert conv is not None
    assert conv(0) == pytest.approx(273.15)
    assert conversion("degC") is conv
    assert conversion("") is not None
    assert conversion("not-a-unit-at-all") is None
