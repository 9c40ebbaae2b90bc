"""The search page's query string, read leniently into a :class:`DatasetQuery` once, at the edge.

The parameters are stable (the README lists them) so that searches can be bookmarked, shared and
scripted: ``q``, one repeatable parameter per facet of :data:`FACETS`, ``sm`` (a condition such as
``sample_temperature > 20 degC``, repeatable), ``sort``, ``page`` and ``per_page``.

The condition builder of the form sends its rows as ``sm_key`` / ``sm_op`` / ``sm_value`` /
``sm_unit`` (one of each per row, in order); they are joined into ``sm`` strings here, and the
canonical URL only ever holds ``sm``. URLs are written back by the page model
(:func:`catalogue.search_urls.search_url`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import zip_longest
from typing import TYPE_CHECKING

from django.http import QueryDict
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from catalogue.search import FACETS, SORTS, DatasetQuery
from catalogue.search.base import (
    DEFAULT_PER_PAGE,
    DEFAULT_SORT,
    MAX_QUERY_LENGTH,
    PER_PAGE_CHOICES,
)
from lib.whole_numbers import parse_whole_number

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Page numbers past this are never looked up (the offset would overflow a database integer).
MAX_PAGE = 1_000_000
MAX_FACET_VALUES = 20  # per facet
MAX_VALUE_LENGTH = 200  # a facet value
MAX_CONDITIONS = 10
MAX_CONDITION_LENGTH = 300
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# Operator in a condition -> how the builder's menu shows it.
OPERATORS: dict[str, StrOrPromise] = {
    "=": "=",
    "!=": "≠",
    "<": "<",
    "<=": "≤",
    ">": ">",
    ">=": "≥",
    "between": pgettext_lazy("condition operator", "between"),
    "contains": pgettext_lazy("condition operator", "contains"),
}
_OPERATOR_WORDS: dict[str, StrOrPromise] = {
    "=": _("equal to"),
    "!=": _("not equal to"),
    "<": _("less than"),
    "<=": _("at most"),
    ">": _("greater than"),
    ">=": _("at least"),
    "between": pgettext_lazy("condition operator", "between"),
    "contains": _("containing"),
}
_OPERATOR_ALIASES = {"==": "=", "<>": "!="}
_CONDITION = re.compile(
    r"^\s*(?P<key>[^\s=!<>]+)\s*(?P<op>==|!=|<>|<=|>=|=|<|>|(?<=\s)(?:between|contains)(?=\s))\s*"
    r"(?P<rest>.*?)\s*$",
    re.IGNORECASE | re.DOTALL,
)
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_NUMBER_UNIT = re.compile(rf"^(?P<number>{_NUMBER})\s*(?P<unit>.*)$")
_RANGE_UNIT = re.compile(
    rf"^(?P<low>{_NUMBER})\s*(?:and|to|-|\u2013)\s*(?P<high>{_NUMBER})\s*(?P<unit>.*)$",
    re.IGNORECASE,
)


def clean_text(value: str) -> str:
    """Text with control characters (NUL included) removed and spaces collapsed."""
    return " ".join(_CONTROL_CHARS.sub(" ", value).split())


@dataclass(frozen=True)
class ConditionRow:
    """One row of the condition builder. ``error`` is the backend's message for this row."""

    key: str = ""
    op: str = ">"
    value: str = ""
    unit: str = ""
    error: str = ""

    @classmethod
    def split(cls, condition: str) -> ConditionRow:
        """The row showing ``condition``; one the builder cannot split keeps it whole as the key."""
        match = _CONDITION.match(condition)
        if match is None:
            return cls(key=condition, op="")
        key, rest = match["key"], match["rest"]
        op = _OPERATOR_ALIASES.get(match["op"].lower(), match["op"].lower())
        value, unit = rest, ""
        if op == "between" and (found := _RANGE_UNIT.match(rest)):
            value, unit = f"{found['low']} and {found['high']}", found["unit"]
        elif op not in {"between", "contains"} and (found := _NUMBER_UNIT.match(rest)):
            value, unit = found["number"], found["unit"]
        return cls(key=key, op=op, value=value, unit=unit)

    @property
    def condition(self) -> str:
        """The ``sm`` string of this row."""
        return " ".join(part for part in (self.key, self.op, self.value, self.unit) if part)

    @property
    def is_blank(self) -> bool:
        return not (self.key or self.value or self.unit)

    @property
    def is_complete(self) -> bool:
        return bool(self.key and (self.value or not self.op))

    @property
    def incomplete_hint(self) -> str:
        if self.is_blank or self.is_complete:
            return ""
        if not self.key:
            return gettext("Choose a parameter for this condition; until then it is not applied.")
        return gettext("Enter a value for this condition; until then it is not applied.")

    @property
    def words(self) -> str:
        """The condition in words, for labels of buttons that act on it."""
        op = str(_OPERATOR_WORDS.get(self.op, self.op))
        return " ".join(part for part in (self.key, op, self.value, self.unit) if part)


@dataclass(frozen=True)
class SearchRequest:
    """The search page's query string, read leniently: what could not be used is in ``notices``."""

    query: DatasetQuery
    rows: tuple[ConditionRow, ...]
    notices: tuple[str, ...] = ()
    sort_error: str = ""
    # The form's builder fields were sent (their URL is not the canonical one).
    from_builder: bool = False
    # The visitor asked for one more (empty) condition row.
    add_row: bool = False

    @classmethod
    def parse(cls, params: QueryDict) -> SearchRequest:
        notices: list[str] = []
        text = clean_text(params.get("q", ""))
        if len(text) > MAX_QUERY_LENGTH:
            text = text[:MAX_QUERY_LENGTH].rstrip()
            notices.append(
                gettext("The search text was cut to its first %(count)d characters.")
                % {"count": MAX_QUERY_LENGTH}
            )

        filters: list[tuple[str, tuple[str, ...]]] = []
        for facet, label in FACETS.items():
            values: list[str] = []
            for raw in params.getlist(facet):
                value = clean_text(raw)[:MAX_VALUE_LENGTH]
                if value and value not in values:
                    values.append(value)
            if len(values) > MAX_FACET_VALUES:
                notices.append(
                    gettext(
                        "Only the first %(count)d values of “%(facet)s” were used "
                        "(%(given)d were given)."
                    )
                    % {"count": MAX_FACET_VALUES, "facet": label, "given": len(values)}
                )
                values = values[:MAX_FACET_VALUES]
            if values:
                filters.append((facet, tuple(values)))

        rows, from_builder = _rows(params)
        conditions = [row.condition for row in rows if row.is_complete]
        if len(conditions) > MAX_CONDITIONS:
            notices.append(
                gettext("Only the first %(count)d conditions were used (%(given)d were given).")
                % {"count": MAX_CONDITIONS, "given": len(conditions)}
            )
            keep = set(conditions[:MAX_CONDITIONS])
            rows = [row for row in rows if not row.is_complete or row.condition in keep]
            rows = rows[: MAX_CONDITIONS + 5]
            conditions = conditions[:MAX_CONDITIONS]

        sort = clean_text(params.get("sort", ""))
        sort_error = ""
        if sort and sort not in SORTS:
            sort_error = gettext(
                "“%(sort)s” is not a way to sort these results. Sort by one of: %(choices)s "
                "(choose a column heading or the “Sort by” menu)."
            ) % {"sort": sort[:60], "choices": ", ".join(map(str, SORT_LABELS.values()))}
            sort = ""
        if sort == ("relevance" if text else DEFAULT_SORT) or (sort == "relevance" and not text):
            sort = ""  # the default order, said once

        raw_per_page = params.get("per_page", "").strip()
        per_page = parse_whole_number(raw_per_page, DEFAULT_PER_PAGE)
        if per_page not in PER_PAGE_CHOICES or (raw_per_page and str(per_page) != raw_per_page):
            notices.append(
                gettext("Showing %(count)d datasets per page: choose %(choices)s or %(last)d.")
                % {
                    "count": DEFAULT_PER_PAGE,
                    "choices": ", ".join(str(n) for n in PER_PAGE_CHOICES[:-1]),
                    "last": PER_PAGE_CHOICES[-1],
                }
            )
            per_page = DEFAULT_PER_PAGE
        page = min(max(parse_whole_number(params.get("page", "").strip(), 1), 1), MAX_PAGE)

        start_from = _day(params.get("start_from", ""), notices, end=False)
        start_to = _day(params.get("start_to", ""), notices, end=True)
        if start_from and start_to and start_from > start_to:
            notices.append(
                gettext("The start-time range was given the wrong way round and was turned.")
            )
            start_from, start_to = start_to, start_from
        query = DatasetQuery(
            text=text,
            filters=tuple(filters),
            conditions=tuple(conditions),
            sort=sort,
            page=page,
            per_page=per_page,
            start_from=start_from,
            start_to=start_to,
        )
        return cls(
            query=query,
            rows=tuple(rows),
            notices=tuple(notices),
            sort_error=sort_error,
            from_builder=from_builder,
            add_row=bool(params.get("add_row")),
        )

    @property
    def has_incomplete_rows(self) -> bool:
        return any(not row.is_blank and not row.is_complete for row in self.rows)


# Sort field -> what the menu and column hints call it.
SORT_LABELS = {
    "_score": _("relevance"),
    "pid": _("PID"),
    "title": _("name"),
    "run_number": _("run number"),
    "size": _("size"),
    "start_time": _("start time"),
    "type": _("type"),
    "proposal": _("proposal ID"),
}


_DAY = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _day(raw: str, notices: list[str], *, end: bool) -> date | None:
    """A start-time bound: ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` (a month or year: its first
    day for "from", its last for "to"); anything else is left out with a notice."""
    text = clean_text(raw)[:20]
    if not text:
        return None
    match = _DAY.match(text)
    try:
        if match is None:
            raise ValueError(text)
        year, month, day = (int(g) if g else 0 for g in match.groups())
        if month and day:
            return date(year, month, day)
        if month:
            first = date(year, month, 1)
            return (
                (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
                if end
                else first
            )
        return date(year, 12, 31) if end else date(year, 1, 1)
    except ValueError:
        if end:
            message = gettext(
                "“%(text)s” is not a date, so the start time “to” was left out: write it as "
                "YYYY-MM-DD (or a year, YYYY)."
            )
        else:
            message = gettext(
                "“%(text)s” is not a date, so the start time “from” was left out: write it as "
                "YYYY-MM-DD (or a year, YYYY)."
            )
        notices.append(message % {"text": text})
        return None


def _rows(params: QueryDict) -> tuple[list[ConditionRow], bool]:
    """The builder's rows: from ``sm`` values, then from the form's ``sm_*`` fields."""
    rows: list[ConditionRow] = []
    for raw in params.getlist("sm"):
        condition = clean_text(raw)[:MAX_CONDITION_LENGTH]
        if condition:
            rows.append(ConditionRow.split(condition))
    fields = [params.getlist(name) for name in ("sm_key", "sm_op", "sm_value", "sm_unit")]
    from_builder = any(fields) or "remove_row" in params
    removed = parse_whole_number(params.get("remove_row", "").strip(), -1)
    for index, (key, op, value, unit) in enumerate(zip_longest(*fields, fillvalue="")):
        if index == removed:
            continue
        op = clean_text(op).lower()
        row = ConditionRow(
            key=clean_text(key)[:MAX_CONDITION_LENGTH],
            op=op if op in OPERATORS or not op else ">",
            value=clean_text(value)[:MAX_CONDITION_LENGTH],
            unit=clean_text(unit)[:100],
        )
        if not row.is_blank:
            rows.append(row)
    return rows, from_builder
