"""PaNOSC datasets: a filter into the search layer's :class:`DatasetQuery`, and the answer's JSON.

Every condition that narrows datasets goes to the one search layer (OpenSearch or the database,
whichever answers the pages): ``where`` on the dataset's own properties becomes field clauses,
a ``parameters`` scope parameter clauses (quantities converted to SI with the catalogue's pint
registry), and a scope on instruments, techniques, documents or files the identifiers it matches
(those tables are asked directly, :mod:`panosc.lookups`). As in the PaNOSC reference, an include
with a ``where`` keeps only the datasets that have a matching related record (an inner join), and
includes only the matching records.

Order: by ``score`` with a ``query``, else newest first (start of measurement, then creation,
undated last, then PID), the search page's default. Scores are the backend's relevance squashed
into (0, 1) (:func:`squash`); without a query every result scores the neutral 0.5, so the federated
search service, which drops scores outside (0, 1), keeps them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import FilteredRelation, Q

from catalogue.id_lists import in_list
from catalogue.models import DataFile, Dataset, Technique
from catalogue.search import DatasetQuery, SearchPage, dataset_search
from catalogue.search.clauses import (
    MAX_VALUES,
    AllOf,
    AnyOf,
    Clause,
    FieldTest,
    ParameterTest,
    leaves,
)
from catalogue.search.documents import StoredParameter, stored_parameters
from catalogue.selectors import public_dataset_ids
from panosc import lookups
from panosc.filters import (
    Filter,
    FilterError,
    Group,
    Include,
    Test,
    UnitChoice,
    Where,
    parameter_clause,
    time_value,
)
from panosc.records import (
    PARAMETER_COLUMNS,
    InstrumentRow,
    Loaded,
    TechniqueRow,
    dataset_json,
)

NEUTRAL_SCORE = 0.5
# The document fields of a dataset the answer reads from the hits (beside the table row's).
HIT_FIELDS = ("creation_time", "start_time", "size", "instrument", "facility", "instrument_pid")
_DATASET_COLUMNS = (
    "id",
    "pid",
    "title",
    "creation_time",
    "start_time",
    "size",
    "instrument_id",
    "instrument__pid",
    "instrument__unique_name",
    "instrument__name",
    "instrument__facility",
)
# A parameter row's columns after its id and dataset (see :data:`PARAMETER_COLUMNS`).
_PARAMETER_COLUMNS = ("id", *PARAMETER_COLUMNS[2:])
_FIELD = {"pid": "pid", "title": "title", "creationDate": "creation_time", "size": "size"}


def squash(raw: float) -> float:
    """A relevance score >= 0 into (0, 1), order kept: ``s / (s + 1)``, clamped off the ends."""
    value = raw / (raw + 1.0) if raw > 0 else 0.0
    return min(max(value, 1e-6), 1 - 1e-6)


@dataclass
class Plan:
    """What a dataset filter asks of the search layer, and what the answer must show."""

    where: Clause | None
    units: dict[str, UnitChoice] = field(default_factory=dict)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _dataset_leaf(test: Test) -> Clause:
    if test.prop == "text":
        if test.op != "eq" or not isinstance(test.values[0], str):
            raise FilterError('“text” takes a string: {"text": "copper"}.')
        return FieldTest("title", "ilike", (f"%{_escape_like(test.values[0])}%",))
    if test.prop == "isPublic":
        hit = lookups.constant_q(True, test)
        return AllOf(()) if not hit.children else AnyOf(())
    name = _FIELD[test.prop]
    values: tuple[Any, ...] = test.values
    if name == "creation_time":
        values = tuple(time_value(v, f"where.{test.prop}") for v in values)
    return FieldTest(name, test.op, values)


def _tree(where: Where, leaf: Any) -> Clause:
    if isinstance(where, Test):
        return leaf(where)
    children = tuple(_tree(child, leaf) for child in where.children)
    return AllOf(children) if where.joiner == "and" else AnyOf(children)


def _ids(field_name: str, values: list[Any], what: str) -> Clause:
    if not values:
        return AnyOf(())
    if len(values) > MAX_VALUES:
        raise FilterError(
            f"The condition on {what} matches more than {MAX_VALUES:,} of them; narrow it."
        )
    return FieldTest(field_name, "inq", tuple(values))


def _relation_clause(include: Include, units: dict[str, UnitChoice]) -> Clause | None:
    """The datasets having a related record that matches the include's ``where``."""
    where = include.where
    if include.relation == "parameters":
        if where is None:
            return None
        return parameter_clause(where, units, "include[parameters].scope.where")
    if include.includes and include.relation != "documents":
        raise FilterError(f"“{include.relation}” has no relations to include.")
    if where is None:
        return None
    if include.relation == "samples":
        return AnyOf(())  # the catalogue keeps no samples: none matches
    if include.relation == "instrument":
        pids = lookups.instruments().filter(lookups.instrument_q(where))
        return _ids("instrument_pid", list(pids.values_list("pid", flat=True)), "instruments")
    if include.relation == "techniques":
        techniques = Technique.objects.filter(lookups.technique_q(where))
        panet = [p.lower() for p in techniques.values_list("pid", flat=True)]
        return _ids("technique_id", panet, "techniques")
    if include.relation == "files":
        rows = DataFile.objects.filter(lookups.file_q(where), dataset__in=Dataset.objects.public())
        ids = list(
            rows.order_by().values_list("dataset_id", flat=True).distinct()[: MAX_VALUES + 1]
        )
        return _ids("id", [float(i) for i in ids], "files")
    from panosc.documents import document_q  # documents read datasets: imported when needed

    publications = document_q(where)
    dois = [d.lower() for d in publications.values_list("doi", flat=True) if d]
    return _ids("doi", dois, "documents")


def plan(filter_: Filter) -> Plan:
    units: dict[str, UnitChoice] = {}
    clauses: list[Clause] = []
    if filter_.where is not None:
        clauses.append(_tree(filter_.where, _dataset_leaf))
    for include in filter_.includes:
        clause = _relation_clause(include, units)
        if clause is not None:
            clauses.append(clause)
    where = None if not clauses else clauses[0] if len(clauses) == 1 else AllOf(tuple(clauses))
    return Plan(where=where, units=units)


def count_datasets(where: Where | None) -> int:
    query = plan(Filter(model="Dataset", where=where))
    return dataset_search(DatasetQuery(where=query.where, per_page=1, facets=False)).total


def search_query(filter_: Filter, query_plan: Plan) -> DatasetQuery:
    """The search of a dataset list: its conditions, its page, and the document fields the answer
    reads from the hits (parameters only when included)."""
    source = HIT_FIELDS + (("parameters",) if filter_.include("parameters") else ())
    return DatasetQuery(
        text=filter_.query,
        where=query_plan.where,
        per_page=filter_.limit,
        start=filter_.skip,
        facets=False,
        source=source,
    )


def find_datasets(filter_: Filter) -> tuple[list[dict[str, Any]], Plan]:
    """The page of datasets the filter asks for, as PaNOSC JSON."""
    query_plan = plan(filter_)
    page = dataset_search(search_query(filter_, query_plan))
    datasets = _from_hits(page, filter_, query_plan)
    if datasets is None:
        datasets = _load(page.ids, filter_, query_plan)
    _add_related(datasets, filter_)
    shown = Shown.of(filter_, query_plan, datasets.values())
    out = []
    for pk in page.ids:
        dataset = datasets.get(pk)
        if dataset is None:  # withdrawn since the search index answered
            continue
        score = squash(page.scores.get(pk, 0.0)) if filter_.query else NEUTRAL_SCORE
        out.append(render(dataset, shown, score))
    return out, query_plan


def get_dataset(pid: str, filter_: Filter) -> dict[str, Any] | None:
    query_plan = plan(filter_)
    dataset = Dataset.objects.public().filter(pid=pid).first()
    if dataset is None:
        return None
    if query_plan.where is not None:
        # The scope conditions decide whether the dataset answers at all (as for lists).
        found = dataset_search(
            DatasetQuery(
                where=AllOf((FieldTest("pid", "eq", (pid,)), query_plan.where)),
                per_page=1,
                facets=False,
            )
        )
        if not found.ids:
            return None
    loaded = _load([dataset.pk], filter_, query_plan)
    _add_related(loaded, filter_)
    shown = Shown.of(filter_, query_plan, loaded.values())
    return render(loaded[dataset.pk], shown, NEUTRAL_SCORE)


def _shown_keys(filter_: Filter, query_plan: Plan) -> list[str] | None:
    """The parameter keys a ``parameters`` scope names (only those are shown); None: all."""
    parameters = filter_.include("parameters")
    if parameters is None or parameters.where is None:
        return None
    return sorted(
        {leaf.key for leaf in leaves(query_plan.where) if isinstance(leaf, ParameterTest)}
    )


def _from_hits(page: SearchPage, filter_: Filter, query_plan: Plan) -> dict[int, Loaded] | None:
    """The page's datasets made from the documents its hits brought (OpenSearch), with their
    parameters when included; None when a document cannot tell everything shown (the database
    backend has none, and documents written before they held it lack fields).

    Only which of them are still public is asked of the database (one primary-key lookup): a
    dataset withdrawn a moment ago, whose index entry has not gone yet, is left out as it would be
    from the database's rows."""
    sources = page.sources
    with_parameters = filter_.include("parameters") is not None
    shown_keys = _shown_keys(filter_, query_plan)
    keys = None if shown_keys is None else frozenset(shown_keys)
    out: dict[int, Loaded] = {}
    for pk in page.ids:
        source = sources.get(pk)
        if source is None or any(name not in source for name in HIT_FIELDS):
            return None
        instrument = None
        if source["instrument_pid"] is not None:
            name, facility = source["instrument"] or "", source["facility"] or ""
            instrument = InstrumentRow(source["instrument_pid"], name, name, facility)
        created, started = source["creation_time"], source["start_time"]
        loaded = Loaded(
            pk,
            source["pid"],
            source["title"],
            datetime.fromisoformat(created) if created else None,
            datetime.fromisoformat(started) if started else None,
            source["size"],
            instrument,
        )
        if with_parameters:
            stored = stored_parameters(pk, source, keys)
            if stored is None:
                return None
            loaded.parameters = stored
        out[pk] = loaded
    public = public_dataset_ids(list(out))
    return {pk: loaded for pk, loaded in out.items() if pk in public}


def _load(ids: list[int], filter_: Filter, query_plan: Plan) -> dict[int, Loaded]:
    """The public datasets among ``ids`` as plain rows, read from the database: the datasets and
    their parameters in one query (a left join, only the keys a scope names)."""
    if not ids:
        return {}
    datasets = Dataset.objects.public().filter(in_list("id", ids))
    columns: tuple[str, ...] = _DATASET_COLUMNS
    parameters = filter_.include("parameters")
    if parameters is not None:
        relation = "parameters"
        keys = _shown_keys(filter_, query_plan)
        if keys is not None:
            condition = Q(parameters__key_path__in=keys)
            datasets = datasets.annotate(shown=FilteredRelation("parameters", condition=condition))
            relation = "shown"
        columns += tuple(f"{relation}__{c}" for c in _PARAMETER_COLUMNS)
        datasets = datasets.order_by("id", f"{relation}__id")
    out: dict[int, Loaded] = {}
    width = len(_DATASET_COLUMNS)
    for row in datasets.values_list(*columns):
        pk = row[0]
        loaded = out.get(pk)
        if loaded is None:
            pid, title, created, started, size, instrument_id, *instrument = row[1:width]
            shown = InstrumentRow(*instrument) if instrument_id else None
            loaded = out[pk] = Loaded(pk, pid, title, created, started, size, shown)
            if parameters is not None:
                loaded.parameters = []
        if parameters is not None and row[width] is not None:
            loaded.parameters.append(StoredParameter(row[width], pk, *row[width + 1 :]))  # type: ignore[union-attr]
    return out


def _add_related(out: dict[int, Loaded], filter_: Filter) -> None:
    """The techniques and files the includes ask for: one query per relation, whatever the
    number of datasets."""
    found = list(out)
    if not found:
        return
    if filter_.include("techniques"):
        links = Dataset.techniques.through.objects.filter(in_list("dataset_id", found))
        for dataset_id, technique_id, pid, name in links.order_by("id").values_list(
            "dataset_id", "technique_id", "technique__pid", "technique__name"
        ):
            out[dataset_id].techniques.append(TechniqueRow(technique_id, pid, name))
    if include := filter_.include("files"):
        files = DataFile.objects.filter(lookups.file_q(include.where), in_list("dataset_id", found))
        for file in files.order_by("path", "id"):
            out[file.dataset_id].files.append(file)


@dataclass(frozen=True)
class Shown:
    """What the datasets of one answer show, worked out once for the answer (not per dataset):
    which relations, and which of their rows a scope lets through."""

    units: dict[str, UnitChoice]
    parameters: bool = False
    parameter_tests: tuple[ParameterMatch, ...] | None = None  # None: every parameter
    files: bool = False
    techniques: bool = False
    techniques_allowed: frozenset[int] | None = None  # None: every technique
    instrument: bool = False
    instruments_allowed: frozenset[str] | None = None  # PIDs; None: every instrument
    samples: bool = False
    documents: dict[int, list[dict[str, Any]]] | None = None  # dataset id -> its documents

    @classmethod
    def of(cls, filter_: Filter, query_plan: Plan, loaded: Iterable[Loaded]) -> Shown:
        datasets = list(loaded)
        techniques = filter_.include("techniques")
        techniques_allowed = None
        if techniques is not None and (wanted := lookups.technique_q(techniques.where)):
            techniques_allowed = frozenset(
                Technique.objects.filter(wanted).values_list("pk", flat=True)
            )
        instrument = filter_.include("instrument")
        instruments_allowed = None
        if instrument is not None and instrument.where is not None:
            used = sorted({d.instrument.pid for d in datasets if d.instrument is not None})
            instruments_allowed = frozenset(
                lookups.instruments()
                .filter(lookups.instrument_q(instrument.where), pid__in=used)
                .values_list("pid", flat=True)
            )
        parameters = filter_.include("parameters")
        tests = None
        if parameters is not None and parameters.where is not None:
            tests = tuple(
                ParameterMatch.of(leaf)
                for leaf in leaves(query_plan.where)
                if isinstance(leaf, ParameterTest)
            )
        return cls(
            units=query_plan.units,
            parameters=parameters is not None,
            parameter_tests=tests,
            files=filter_.include("files") is not None,
            techniques=techniques is not None,
            techniques_allowed=techniques_allowed,
            instrument=instrument is not None,
            instruments_allowed=instruments_allowed,
            samples=filter_.include("samples") is not None,
            documents=_documents(filter_, datasets),
        )


def _documents(filter_: Filter, datasets: list[Loaded]) -> dict[int, list[dict[str, Any]]] | None:
    include = filter_.include("documents")
    if include is None:
        return None
    from panosc.documents import documents_of  # documents read datasets: imported when needed

    return documents_of([d.pk for d in datasets], include)


def render(dataset: Loaded, shown: Shown, score: float) -> dict[str, Any]:
    techniques = None
    if shown.techniques:
        allowed = shown.techniques_allowed
        techniques = [t for t in dataset.techniques if allowed is None or t.pk in allowed]
    instrument = dataset.instrument
    if instrument is not None and shown.instruments_allowed is not None:
        instrument = instrument if instrument.pid in shown.instruments_allowed else None
    parameters = None
    if shown.parameters:
        tests = shown.parameter_tests
        rows = dataset.parameters or []
        parameters = rows if tests is None else [p for p in rows if any(t.passes(p) for t in tests)]
    documents = None if shown.documents is None else shown.documents[dataset.pk]
    return dataset_json(
        dataset,
        score=score,
        parameters=parameters,
        units=shown.units,
        files=dataset.files if shown.files else None,
        techniques=techniques,
        instrument=instrument if shown.instrument else None,
        include_instrument=shown.instrument,
        samples=shown.samples,
        documents=documents,
    )


@dataclass(frozen=True)
class ParameterMatch:
    """A parameter test made ready to pass rows (which rows an include shows): its numeric
    bounds worked out and its pattern compiled once per answer, not once per row."""

    key: str
    exists: bool
    negative: bool
    numeric: bool
    si_unit: str
    bounds: tuple[tuple[float | None, float | None, bool], ...]  # (low, high, strict)
    texts: frozenset[str]
    pattern: re.Pattern[str] | None

    @classmethod
    def of(cls, test: ParameterTest) -> ParameterMatch:
        negative = test.op in ("neq", "nin", "nlike", "nilike")
        op = test.op.removeprefix("n") if negative else test.op
        bounds: tuple[tuple[float | None, float | None, bool], ...] = ()
        pattern = None
        if test.op != "exists" and test.numeric:
            bounds = tuple((*c.bounds(), c.op in ("<", ">")) for c in test.conditions())
        elif op in ("like", "ilike"):
            flags = re.DOTALL | (re.IGNORECASE if op == "ilike" else 0)
            pattern = re.compile(lookups.like_regex(test.texts[0]), flags)
        return cls(
            key=test.key,
            exists=test.op == "exists",
            negative=negative,
            numeric=test.numeric,
            si_unit=test.si_unit,
            bounds=bounds,
            texts=frozenset(t.lower() for t in test.texts),
            pattern=pattern,
        )

    def passes(self, row: StoredParameter) -> bool:
        if row.key_path != self.key:
            return False
        if self.exists:
            return True
        if self.numeric:
            if row.si_value is None or row.si_unit != self.si_unit:
                return False
            low = row.si_value
            high = row.si_value_max if row.si_value_max is not None else low
            hit = False
            for c_low, c_high, strict in self.bounds:
                above = c_low is None or (high > c_low if strict else high >= c_low)
                below = c_high is None or (low < c_high if strict else low <= c_high)
                hit = hit or (above and below)
            return hit != self.negative
        text = row.text_value
        if not text:
            return False
        if self.pattern is None:
            hit = text.lower() in self.texts
        else:
            hit = self.pattern.match(text) is not None
        return hit != self.negative


def dataset_files(pid: str, filter_: Filter) -> list[dict[str, Any]] | None:
    from panosc.records import file_json

    dataset = Dataset.objects.public().filter(pid=pid).first()
    if dataset is None:
        return None
    rows = DataFile.objects.filter(Q(dataset=dataset) & lookups.file_q(filter_.where))
    rows = rows.order_by("path", "id")[filter_.skip : filter_.skip + filter_.limit]
    return [file_json(f, dataset.pid) for f in rows]


def dataset_files_count(pid: str, where: Where | None) -> int | None:
    dataset = Dataset.objects.public().filter(pid=pid).first()
    if dataset is None:
        return None
    return DataFile.objects.filter(Q(dataset=dataset) & lookups.file_q(where)).count()


__all__ = ["Group"]
