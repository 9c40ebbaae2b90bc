"""The database backend's SQL compiler: a query-language tree or a condition into one SQL condition.

Words and phrases use the database's full text: on PostgreSQL the stored ``search_vector`` column
(GIN index; title weight A, keywords B, description C, and D: creators, principal investigators,
data format, source-folder words), on SQLite the FTS5 table (migrations 0005 and 0012); they also
match the instrument's short name, name and facility; words that look like identifiers also match
a PID, run number, proposal id or publication DOI exactly, and a PID by its beginning.
Conditions are ``IN`` over :class:`~catalogue.models.ScientificParameter` in SI units.
"""

# SQL here is assembled from constant fragments; every value is a bound parameter.
# ruff: noqa: S608
from __future__ import annotations

import re
from typing import Any

from catalogue.search.conditions import Condition
from catalogue.search.query import (
    PID_PREFIX_MIN,
    And,
    Node,
    Not,
    Or,
    Phrase,
    Term,
    looks_like_identifier,
)

DATASETS = "catalogue_dataset"
FTS = "catalogue_dataset_fts"
_WEIGHT = {"title": "A", "keyword": "B"}
_FTS_COLUMN = {"title": "title", "keyword": "keywords"}


def _like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _pg_lexeme(word: str, weight: str = "", prefix: bool = False) -> str:
    """One ``to_tsquery`` operand: the word quoted, with its weight and prefix marks."""
    quoted = "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"
    marks = ("*" if prefix else "") + weight
    return f"{quoted}:{marks}" if marks else quoted


def _fts_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


class Compiler:
    """SQL for a query-language tree on one database vendor: ``(sql, params)``."""

    def __init__(self, vendor: str) -> None:
        self.postgres = vendor == "postgresql"

    def node(self, node: Node) -> tuple[str, list[Any]]:
        if isinstance(node, Term | Phrase):
            return self.leaf(node)
        if isinstance(node, Not):
            sql, params = self.node(node.child)
            return f"NOT ({sql})", params
        parts = [self.node(child) for child in node.children]
        joiner = " AND " if isinstance(node, And) else " OR "
        assert isinstance(node, And | Or)
        return (
            "(" + joiner.join(sql for sql, _ in parts) + ")",
            [p for _, params in parts for p in params],
        )

    def text(self, node: Term | Phrase, column: str = "") -> tuple[str, list[Any]]:
        """The full-text match of a word, prefix or phrase (in one column when given)."""
        words = node.text.split() if isinstance(node, Phrase) else [node.text]
        prefix = isinstance(node, Term) and node.prefix
        if self.postgres:
            weight = _WEIGHT.get(column, "")
            if isinstance(node, Phrase) and not weight:
                return f"{DATASETS}.search_vector @@ phraseto_tsquery('english', %s)", [node.text]
            if not prefix and not weight:
                return f"{DATASETS}.search_vector @@ plainto_tsquery('english', %s)", [node.text]
            # Keep only what the parser treats as a word: the rest cannot be quoted into a lexeme.
            tokens = [t for w in words for t in re.findall(r"\w+", w)]
            if not tokens:
                return "FALSE", []
            lexemes = [_pg_lexeme(t, weight) for t in tokens]
            if prefix:
                lexemes[-1] = _pg_lexeme(tokens[-1], weight, prefix=True)
            return (
                f"{DATASETS}.search_vector @@ to_tsquery('english', %s)",
                [" <-> ".join(lexemes) if isinstance(node, Phrase) else " & ".join(lexemes)],
            )
        match = _fts_string(node.text) + ("*" if prefix else "")
        if column:
            match = f"{_FTS_COLUMN[column]} : {match}"
        return f"{DATASETS}.id IN (SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s)", [match]

    def leaf(self, node: Term | Phrase) -> tuple[str, list[Any]]:
        value = node.text
        prefix = isinstance(node, Term) and node.prefix
        op, arg = ("LIKE", _like(value.upper())) if prefix else ("=", value.upper())
        escape = " ESCAPE '\\'" if prefix else ""
        if node.field in ("title", "keyword"):
            return self.text(node, node.field)
        if node.field == "pid":
            return f"upper({DATASETS}.pid) {op} %s{escape}", [arg]
        if node.field == "instrument":
            return (
                f"{DATASETS}.instrument_id IN (SELECT id FROM catalogue_instrument WHERE "
                f"upper(unique_name) {op} %s{escape} OR upper(name) {op} %s{escape})",
                [arg, arg],
            )
        if node.field == "proposal":
            return (
                f"{DATASETS}.proposal_id IN (SELECT id FROM catalogue_proposal WHERE "
                f"upper(proposal_id) {op} %s{escape})",
                [arg],
            )
        if node.field == "technique":
            contains = "%" + _like(value.upper())
            return (
                f"{DATASETS}.id IN (SELECT dt.dataset_id FROM catalogue_dataset_techniques dt "
                "JOIN catalogue_technique t ON t.id = dt.technique_id WHERE "
                f"upper(t.name) LIKE %s ESCAPE '\\' OR upper(t.pid) {op} %s{escape})",
                [contains, arg],
            )
        if node.field == "doi":
            return self.doi(op, arg.lower(), escape)
        # No field: the full text, the instrument's and facility's names, and identifiers when
        # the word looks like one.
        sql, params = self.text(node)
        place_sql, place_params = self.instrument_words(node)
        sql, params = f"({sql} OR {place_sql})", params + place_params
        if not looks_like_identifier(value):
            return sql, params
        ids = [
            (f"upper({DATASETS}.pid) {op} %s{escape}", [arg]),
            (f"upper({DATASETS}.run_number) {op} %s{escape}", [arg]),
            (
                f"{DATASETS}.proposal_id IN (SELECT id FROM catalogue_proposal WHERE "
                f"upper(proposal_id) {op} %s{escape})",
                [arg],
            ),
            self.doi(op, arg.lower(), escape),
        ]
        if self.postgres:  # upper(run_number) has no index there; the plain column has
            ids[1] = (f"{DATASETS}.run_number = %s", [value]) if not prefix else ids[1]
        if not prefix and len(value) >= PID_PREFIX_MIN:
            # A partial PID: its beginning, or the beginning of its part after a "/".
            pid_like = _like(value.upper())
            ids.append(
                (
                    f"(upper({DATASETS}.pid) LIKE %s ESCAPE '\\' "
                    f"OR upper({DATASETS}.pid) LIKE %s ESCAPE '\\')",
                    [pid_like, "%/" + pid_like],
                )
            )
        return (
            "(" + " OR ".join([sql, *(s for s, _ in ids)]) + ")",
            params + [p for _, ps in ids for p in ps],
        )

    def instrument_words(self, node: Term | Phrase) -> tuple[str, list[Any]]:
        """The datasets of instruments whose short name, name or facility holds the word(s)
        (``P08``, ``PETRA``, ``"PETRA III"``); the instrument table is small."""
        words = " " + _like(node.text.upper()).removesuffix("%")
        ending = "%" if isinstance(node, Term) and node.prefix else " %"
        return (
            f"{DATASETS}.instrument_id IN (SELECT id FROM catalogue_instrument WHERE "
            "(' ' || upper(unique_name || ' ' || name || ' ' || facility) || ' ') "
            "LIKE %s ESCAPE '\\')",
            ["%" + words + ending],
        )

    def doi(self, op: str, arg: str, escape: str) -> tuple[str, list[Any]]:
        return (
            f"{DATASETS}.id IN (SELECT pd.dataset_id FROM publishing_publication_datasets pd "
            "JOIN publishing_publication p ON p.id = pd.publication_id "
            f"WHERE p.doi {op} %s{escape} AND p.visibility = 'public')",
            [arg],
        )

    def condition(self, condition: Condition) -> tuple[str, list[Any]]:
        # IN over the parameter table (index on key_path, si_value): the matching ids are found
        # once per query, not probed again for every dataset row.
        base = (
            f"{DATASETS}.id IN (SELECT sp.dataset_id FROM catalogue_scientificparameter sp "
            "WHERE sp.key_path = %s"
        )
        params: list[Any] = [condition.key]
        if not condition.numeric:
            if condition.op == "contains":
                like = "ILIKE" if self.postgres else "LIKE"
                return (
                    f"{base} AND sp.text_value {like} %s ESCAPE '\\')",
                    [*params, "%" + _like(condition.text)],
                )
            return (f"{base} AND upper(sp.text_value) = upper(%s))", [*params, condition.text])
        low, high = condition.bounds()
        strict = condition.op in ("<", ">")
        ranges: list[str] = []
        values: list[Any] = []
        if high is not None:
            ranges.append(f"sp.si_value {'<' if strict else '<='} %s")
            values.append(high)
        if low is not None:
            ranges.append(f"sp.si_value_max {'>' if strict else '>='} %s")
            values.append(low)
        within = " AND ".join(ranges)
        if condition.op == "!=":
            within = f"NOT ({within})"
        return (
            f"{base} AND sp.si_unit = %s AND sp.si_value IS NOT NULL AND {within})",
            [*params, condition.si_unit, *values],
        )

    def rank(self, words: list[Term | Phrase]) -> tuple[str, list[Any]] | None:
        """An expression ranking the rows (higher first on PostgreSQL, lower first on SQLite)."""
        terms = [w for w in words if not w.field or w.field in _WEIGHT]
        if not terms:
            return None
        if self.postgres:
            parts = []
            params: list[Any] = []
            for word in terms:
                if isinstance(word, Phrase):
                    parts.append("phraseto_tsquery('english', %s)")
                else:
                    parts.append("plainto_tsquery('english', %s)")
                params.append(word.text.rstrip("*"))
            return (
                f"ts_rank('{{0.1, 0.2, 0.6, 1.0}}', {DATASETS}.search_vector, "
                f"({' || '.join(parts)}))",
                params,
            )
        match = " OR ".join(
            _fts_string(w.text) + ("*" if isinstance(w, Term) and w.prefix else "") for w in terms
        )
        return match, []
