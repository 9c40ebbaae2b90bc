"""Scientific-metadata conditions: ``key op value [unit]``, unit-aware through pint.

    sample_temperature > 20 degC          matches a dataset stored as 295 K
    incident_energy between 10 and 20 keV matches 15000 eV
    sample.name contains DPPG             text
    detector.mode = "single photon"       text, exactly (case-insensitive)

Keys are the key paths :mod:`catalogue.scimeta` stores. Numbers are compared in SI base units,
converted with the same registry and conventions as the stored values (offset units such as degC
included), so a condition and a stored value agree on what "20 degC" is. A stored range
``[low, high]`` matches ``> x`` when ``high > x``, ``< x`` when ``low < x``, ``= x`` when it holds
``x``, and ``between a and b`` when it overlaps ``[a, b]``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from catalogue.scimeta import canonical_unit, conversion
from catalogue.search.base import QueryError

NUMBER_OPS = ("=", "!=", "<", "<=", ">", ">=", "between")
TEXT_OPS = ("=", "contains")
MAX_CONDITIONS = 10
MAX_CONDITION_LENGTH = 300
# Equality on floats: values that went through a unit conversion are equal within this.
REL_TOLERANCE = 1e-9

_KEY = r"[A-Za-z_][\w.\-/\[\]]*"
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_BETWEEN = re.compile(
    rf"^\s*(?P<key>{_KEY})\s+between\s+(?P<low>{_NUMBER})\s*(?P<low_unit>[^\s\d][^\s]*)?"
    rf"\s+and\s+(?P<high>{_NUMBER})\s*(?P<unit>.*?)\s*$",
    re.IGNORECASE,
)
_COMPARE = re.compile(
    rf"^\s*(?P<key>{_KEY})\s*(?P<op>==|=|!=|<>|<=|>=|<|>|\bcontains\b|\bbetween\b)\s*(?P<rest>.*?)\s*$",
    re.IGNORECASE,
)
_VALUE = re.compile(rf"^(?P<value>{_NUMBER})\s*(?P<unit>.*)$")


@dataclass(frozen=True)
class Condition:
    """One parsed condition. Numbers: ``low``..``high`` in ``si_unit``; text: ``text``."""

    key: str
    op: str
    source: str
    low: float | None = None
    high: float | None = None
    si_unit: str = ""
    unit: str = ""  # as the visitor wrote it
    text: str = ""

    @property
    def numeric(self) -> bool:
        return self.low is not None

    def bounds(self) -> tuple[float | None, float | None]:
        """The stored ``[si_value, si_value_max]`` must reach into these (None: open)."""
        assert self.low is not None
        if self.op in ("=", "!="):
            slack = abs(self.low) * REL_TOLERANCE + 1e-300
            return self.low - slack, self.low + slack
        if self.op in ("<", "<="):
            return None, self.low
        if self.op in (">", ">="):
            return self.low, None
        return self.low, self.high  # between


def _si(value: float, unit: str, source: str) -> tuple[float, str]:
    conv = conversion(unit)
    if conv is None:
        raise QueryError(
            f"Unknown unit “{unit}” in “{source}”. Use a unit such as K, degC, eV, keV, mm, "
            "mbar or s (units are case-sensitive: keV, not KEV)."
        )
    si = conv(value)
    if not math.isfinite(si):
        raise QueryError(f"The number in “{source}” is too large.")
    return si, conv.si_unit


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def parse_condition(source: str) -> Condition:
    """``source`` as a :class:`Condition`, or :class:`QueryError` saying what is wrong."""
    text = " ".join(source.split())
    if not text:
        raise QueryError("An empty condition: write one such as “sample_temperature > 20 degC”.")
    if len(text) > MAX_CONDITION_LENGTH:
        raise QueryError(
            f"A condition is at most {MAX_CONDITION_LENGTH} characters long; this one has "
            f"{len(text):,}."
        )
    between = _BETWEEN.match(text)
    if between:
        key = between["key"]
        unit = canonical_unit(between["unit"] or "")
        low_unit = canonical_unit(between["low_unit"] or "") or unit
        low, low_si_unit = _si(float(between["low"]), low_unit, text)
        high, si_unit = _si(float(between["high"]), unit, text)
        if low_si_unit != si_unit:
            raise QueryError(
                f"“{low_unit}” and “{unit}” in “{text}” measure different things; use one unit."
            )
        if low > high:
            low, high = high, low
        return Condition(key, "between", text, low, high, si_unit, unit)
    match = _COMPARE.match(text)
    if not match:
        raise QueryError(
            f"“{text}” is not a condition. Write key, operator and value, such as "
            "“sample_temperature > 20 degC”, “incident_energy between 10 and 20 keV” or "
            f"“sample.name contains DPPG”; operators: {', '.join(NUMBER_OPS)}, contains."
        )
    key, op, rest = match["key"], match["op"].lower(), match["rest"]
    op = {"==": "=", "<>": "!="}.get(op, op)
    if op == "between":
        raise QueryError(
            f"Write “between” as “{key} between 10 and 20 keV” (two numbers joined by “and”)."
        )
    if not rest:
        raise QueryError(f"“{text}” has no value after “{op}”.")
    if rest[:1] in "<>=!":
        raise QueryError(
            f"Unknown operator in “{text}”; use one of {', '.join(NUMBER_OPS)} or contains."
        )
    if op == "contains":
        return Condition(key, op, text, text=_unquote(rest))
    value = _VALUE.match(rest)
    if value is None or rest[:1] in "\"'":
        if op != "=":
            raise QueryError(
                f"“{op}” compares numbers, and “{rest}” is not a number. For text use = or "
                "contains."
            )
        return Condition(key, op, text, text=_unquote(rest))
    unit = canonical_unit(value["unit"])
    si, si_unit = _si(float(value["value"]), unit, text)
    return Condition(key, op, text, si, si, si_unit, unit)


def parse_conditions(sources: tuple[str, ...] | list[str]) -> list[Condition]:
    if len(sources) > MAX_CONDITIONS:
        raise QueryError(f"At most {MAX_CONDITIONS} conditions at once.")
    return [parse_condition(source) for source in sources if source.strip()]


def check_units(condition: Condition, stored_units: set[str]) -> None:
    """Complain when the key is stored in units the condition's unit cannot be converted to."""
    if not condition.numeric or not stored_units or condition.si_unit in stored_units:
        return
    shown = ", ".join(sorted(u or "no unit" for u in stored_units))
    if not condition.unit:
        raise QueryError(
            f"“{condition.key}” is stored with a unit ({shown}); add one to “{condition.source}”,"
            f" e.g. “{condition.source} {_example_unit(stored_units)}”."
        )
    raise QueryError(
        f"“{condition.unit}” in “{condition.source}” cannot be converted to the unit "
        f"“{condition.key}” is stored in ({shown})."
    )


def _example_unit(stored_units: set[str]) -> str:
    return sorted(u for u in stored_units if u)[0] if any(stored_units) else ""
