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

from django.utils.formats import number_format
from django.utils.translation import gettext

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
            gettext(
                "Unknown unit “%(unit)s” in “%(source)s”. Use a unit such as K, degC, eV, keV, "
                "mm, mbar or s (units are case-sensitive: keV, not KEV)."
            )
            % {"unit": unit, "source": source}
        )
    si = conv(value)
    if not math.isfinite(si):
        raise QueryError(gettext("The number in “%(source)s” is too large.") % {"source": source})
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
        raise QueryError(
            gettext("An empty condition: write one such as “sample_temperature > 20 degC”.")
        )
    if len(text) > MAX_CONDITION_LENGTH:
        raise QueryError(
            gettext("A condition is at most %(most)d characters long; this one has %(length)s.")
            % {
                "most": MAX_CONDITION_LENGTH,
                "length": number_format(len(text), force_grouping=True),
            }
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
                gettext(
                    "“%(low)s” and “%(high)s” in “%(text)s” measure different things; use one unit."
                )
                % {"low": low_unit, "high": unit, "text": text}
            )
        if low > high:
            low, high = high, low
        return Condition(key, "between", text, low, high, si_unit, unit)
    match = _COMPARE.match(text)
    if not match:
        raise QueryError(
            gettext(
                "“%(text)s” is not a condition. Write key, operator and value, such as "
                "“sample_temperature > 20 degC”, “incident_energy between 10 and 20 keV” or "
                "“sample.name contains DPPG”; operators: %(operators)s, contains."
            )
            % {"text": text, "operators": ", ".join(NUMBER_OPS)}
        )
    key, op, rest = match["key"], match["op"].lower(), match["rest"]
    op = {"==": "=", "<>": "!="}.get(op, op)
    if op == "between":
        raise QueryError(
            gettext(
                "Write “between” as “%(key)s between 10 and 20 keV” (two numbers joined by “and”)."
            )
            % {"key": key}
        )
    if not rest:
        raise QueryError(
            gettext("“%(text)s” has no value after “%(op)s”.") % {"text": text, "op": op}
        )
    if rest[:1] in "<>=!":
        raise QueryError(
            gettext("Unknown operator in “%(text)s”; use one of %(operators)s or contains.")
            % {"text": text, "operators": ", ".join(NUMBER_OPS)}
        )
    if op == "contains":
        return Condition(key, op, text, text=_unquote(rest))
    value = _VALUE.match(rest)
    if value is None or rest[:1] in "\"'":
        if op != "=":
            raise QueryError(
                gettext(
                    "“%(op)s” compares numbers, and “%(value)s” is not a number. For text use = "
                    "or contains."
                )
                % {"op": op, "value": rest}
            )
        return Condition(key, op, text, text=_unquote(rest))
    unit = canonical_unit(value["unit"])
    si, si_unit = _si(float(value["value"]), unit, text)
    return Condition(key, op, text, si, si, si_unit, unit)


def parse_conditions(sources: tuple[str, ...] | list[str]) -> list[Condition]:
    if len(sources) > MAX_CONDITIONS:
        raise QueryError(
            gettext("At most %(count)d conditions at once.") % {"count": MAX_CONDITIONS}
        )
    return [parse_condition(source) for source in sources if source.strip()]


def check_units(condition: Condition, stored_units: set[str]) -> None:
    """Complain when the key is stored in units the condition's unit cannot be converted to."""
    if not condition.numeric or not stored_units or condition.si_unit in stored_units:
        return
    shown = ", ".join(sorted(u or gettext("no unit") for u in stored_units))
    if not condition.unit:
        raise QueryError(
            gettext(
                "“%(key)s” is stored with a unit (%(units)s); add one to “%(source)s”, e.g. "
                "“%(source)s %(example)s”."
            )
            % {
                "key": condition.key,
                "units": shown,
                "source": condition.source,
                "example": _example_unit(stored_units),
            }
        )
    raise QueryError(
        gettext(
            "“%(unit)s” in “%(source)s” cannot be converted to the unit “%(key)s” is stored in "
            "(%(units)s)."
        )
        % {"unit": condition.unit, "source": condition.source, "key": condition.key, "units": shown}
    )


def _example_unit(stored_units: set[str]) -> str:
    return sorted(u for u in stored_units if u)[0] if any(stored_units) else ""
