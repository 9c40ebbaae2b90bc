"""PaNOSC documents (the portal's public publications) and instruments.

Documents are the public DOI publications (``Publication.objects.public()``: never a draft, a
withdrawn or a private one), with members from their DataCite creators as the one metadata record
reads them (:func:`publishing.record.parse`), and their public datasets. They and the instruments
are few, so they are filtered in the database directly and, with a ``query``, scored here: the
share of the query's words found in the title (weight 0.6) and in the abstract, keywords or
facility (0.3), mapped into (0, 1). Order without a query: documents by DOI, instruments by name.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Q, QuerySet

from catalogue.id_lists import in_list
from catalogue.models import Dataset, Instrument
from panosc import lookups
from panosc.filters import Filter, FilterError, Include, Test, Where
from panosc.records import instrument_json
from publishing.models import Publication
from publishing.record import parse

NEUTRAL_SCORE = 0.5


def _document_leaf(test: Test) -> Q:
    if test.prop == "text":
        return lookups._text_any(("title", "abstract"), test)
    if test.prop == "isPublic":
        return lookups.constant_q(True, test)
    if test.prop == "type":
        return lookups.constant_q("publication", test)
    if test.prop in ("pid", "doi"):
        lowered = Test(test.prop, test.op, tuple(str(v).lower() for v in test.values))
        if test.op in ("eq", "neq", "inq", "nin"):
            return lookups.field_q("doi", lowered)
        return lookups.field_q("doi", test)
    if test.prop == "releaseDate":
        return lookups.field_q("registered_at", test, "time")
    column = {"title": "title", "summary": "abstract"}.get(test.prop)
    if column is None:
        raise FilterError(f"Conditions on a document's “{test.prop}” are not offered.")
    return lookups.field_q(column, test)


def document_q(where: Where | None) -> QuerySet[Publication]:
    return (
        Publication.objects.public().exclude(doi="").filter(lookups.where_q(where, _document_leaf))
    )


def _words(query: str) -> list[str]:
    return [w for w in re.findall(r"\w+", query.lower()) if len(w) > 1][:20]


def text_score(query: str, main: str, other: str) -> float:
    words = _words(query)
    if not words:
        return NEUTRAL_SCORE
    main, other = main.lower(), other.lower()
    in_main = sum(1 for w in words if w in main) / len(words)
    in_other = sum(1 for w in words if w in other) / len(words)
    return round(0.05 + 0.6 * in_main + 0.3 * in_other, 6)  # in [0.05, 0.95]


def _words_q(query: str, columns: tuple[str, ...]) -> Q:
    """Records holding at least one of the query's words in one of ``columns``."""
    out = Q(pk__in=[])
    for word in _words(query):
        for column in columns:
            out |= Q(**{f"{column}__icontains": word})
    return out


def _datasets_clause_ids(include: Include) -> list[int] | None:
    """Ids of the public datasets a ``datasets`` include's scope selects (None: no scope)."""
    if include.where is None and not any(i.where for i in include.includes):
        return None
    from catalogue.search import DatasetQuery, dataset_search
    from panosc.datasets import plan

    scope = Filter(model="Dataset", where=include.where, includes=include.includes)
    query_plan = plan(scope)
    page = dataset_search(DatasetQuery(where=query_plan.where, per_page=10_000, facets=False))
    if page.total > 10_000:
        raise FilterError("The datasets scope matches more than 10,000 datasets; narrow it.")
    return page.ids


def _publications(filter_: Filter) -> QuerySet[Publication]:
    publications = document_q(filter_.where)
    if filter_.query:
        publications = publications.filter(_words_q(filter_.query, ("title", "abstract")))
    if (include := filter_.include("datasets")) is not None:
        ids = _datasets_clause_ids(include)
        if ids is not None:
            publications = publications.filter(datasets__in=ids).distinct()
    if filter_.include("parameters") and filter_.include("parameters").where is not None:  # type: ignore[union-attr]
        return publications.none()  # documents carry no parameters here
    members = filter_.include("members")
    if members is not None and (
        members.where is not None or any(i.where for i in members.includes)
    ):
        raise FilterError("Conditions on members, persons or affiliations are not offered.")
    return publications


def find_documents(filter_: Filter) -> list[dict[str, Any]]:
    publications = list(_publications(filter_).order_by("doi", "id"))
    scored = [
        (text_score(filter_.query, p.title, p.abstract) if filter_.query else NEUTRAL_SCORE, p)
        for p in publications
    ]
    if filter_.query:
        scored.sort(key=lambda pair: (-pair[0], pair[1].doi))
    page = scored[filter_.skip : filter_.skip + filter_.limit]
    return [document_json(p, filter_, score) for score, p in page]


def count_documents(where: Where | None) -> int:
    return document_q(where).count()


def get_document(pid: str, filter_: Filter) -> dict[str, Any] | None:
    found = _publications(filter_).filter(doi__iexact=pid).first()
    return document_json(found, filter_, NEUTRAL_SCORE) if found else None


def members_json(publication: Publication) -> list[dict[str, Any]]:
    """The creators (role "Creator"), then the contributors (role: their DataCite
    contributorType), as PaNOSC members."""
    record = parse({"creators": publication.creators, "contributors": publication.contributors})
    people = [("Creator", "creators", c) for c in record.creators]
    people += [(c.contributor_type, "contributors", c) for c in record.contributors]
    out = []
    numbers: dict[str, int] = {}
    for member_number, (role, kind, creator) in enumerate(people, start=1):
        if not role:
            continue
        numbers[kind] = number = numbers.get(kind, 0) + 1
        orcid = next((i.identifier for i in creator.identifiers if i.scheme.upper() == "ORCID"), "")
        person: dict[str, Any] = {
            "id": orcid or f"{publication.doi}/{kind}/{number}",
            "fullName": creator.name or f"{creator.family}, {creator.given}".strip(", "),
        }
        if orcid:
            person["orcid"] = orcid
        if creator.given:
            person["firstName"] = creator.given
        if creator.family:
            person["lastName"] = creator.family
        member: dict[str, Any] = {"id": f"{publication.doi}/members/{member_number}", "role": role}
        member["person"] = person
        if creator.affiliations:
            affiliation = creator.affiliations[0]
            member["affiliation"] = {"name": affiliation.name}
            if affiliation.identifier:
                member["affiliation"]["id"] = affiliation.identifier
        out.append(member)
    return out


def document_json(publication: Publication, filter_: Filter, score: float) -> dict[str, Any]:
    out: dict[str, Any] = {
        "pid": publication.doi,
        "isPublic": True,
        "type": "publication",
        "title": publication.title,
        "doi": publication.doi,
        "score": score,
    }
    if publication.abstract:
        out["summary"] = publication.abstract
    if publication.registered_at:
        out["releaseDate"] = publication.registered_at.isoformat()
    keywords = [
        s["subject"] for s in publication.subjects or [] if isinstance(s, dict) and s.get("subject")
    ]
    if keywords:
        out["keywords"] = keywords
    if filter_.include("members"):
        out["members"] = members_json(publication)
    if filter_.include("parameters"):
        out["parameters"] = []
    if (include := filter_.include("datasets")) is not None:
        out["datasets"] = _document_datasets(publication, include)
    return out


def _document_datasets(publication: Publication, include: Include) -> list[dict[str, Any]]:
    from panosc.datasets import NEUTRAL_SCORE as DATASET_SCORE
    from panosc.datasets import Shown, _add_related, _load, plan, render

    scope = Filter(model="Dataset", where=include.where, includes=include.includes)
    ids = list(
        publication.datasets.filter(pk__in=Dataset.objects.public()).values_list("pk", flat=True)
    )
    selected = _datasets_clause_ids(include)
    if selected is not None:
        ids = [i for i in ids if i in set(selected)]
    query_plan = plan(scope)
    loaded = _load(ids, scope, query_plan)
    _add_related(loaded, scope)
    shown = Shown.of(scope, query_plan, loaded.values())
    return [render(loaded[i], shown, DATASET_SCORE) for i in sorted(ids) if i in loaded]


def documents_of(dataset_ids: list[int], include: Include) -> dict[int, list[dict[str, Any]]]:
    """The datasets' ``documents`` include: each one's public publications (matching the scope),
    by DOI; two queries for the whole answer, each publication written once."""
    scope = Filter(model="Document", where=include.where, includes=include.includes)
    links = Publication.datasets.through.objects.filter(
        in_list("dataset_id", dataset_ids), publication__in=document_q(include.where)
    )
    pairs = list(links.values_list("dataset_id", "publication_id"))
    publications = Publication.objects.filter(in_list("id", sorted({p for _, p in pairs})))
    written = {p.pk: document_json(p, scope, NEUTRAL_SCORE) for p in publications}
    out: dict[int, list[dict[str, Any]]] = {i: [] for i in dataset_ids}
    for dataset_id, publication_id in pairs:
        out[dataset_id].append(written[publication_id])
    for documents in out.values():
        documents.sort(key=lambda d: d["doi"])
    return out


# -- instruments ------------------------------------------------------------------------------


def _instruments(filter_: Filter) -> QuerySet[Instrument]:
    if filter_.includes:
        raise FilterError(
            "Instruments include nothing here; ask /Datasets with an instrument scope instead."
        )
    instruments = lookups.instruments().filter(lookups.instrument_q(filter_.where))
    if filter_.query:
        instruments = instruments.filter(_words_q(filter_.query, ("panosc_name", "facility")))
    return instruments


def find_instruments(filter_: Filter) -> list[dict[str, Any]]:
    rows = list(_instruments(filter_).order_by("panosc_name", "pid"))  # type: ignore[misc]
    scored = [
        (
            text_score(filter_.query, i.unique_name or i.name, f"{i.name} {i.facility}")
            if filter_.query
            else NEUTRAL_SCORE,
            i,
        )
        for i in rows
    ]
    if filter_.query:
        scored.sort(key=lambda pair: -pair[0])
    return [
        instrument_json(i, score)
        for score, i in scored[filter_.skip : filter_.skip + filter_.limit]
    ]


def get_instrument(pid: str, filter_: Filter) -> dict[str, Any] | None:
    found = _instruments(filter_).filter(pid=pid).first()
    return instrument_json(found, NEUTRAL_SCORE) if found else None


def count_instruments(where: Where | None) -> int:
    return lookups.instruments().filter(lookups.instrument_q(where)).count()
