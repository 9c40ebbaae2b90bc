"""What the search index holds for a dataset: public fields only.

Documents are built in batches from a handful of ``values()`` queries (datasets with instrument and
proposal, techniques, parameters, publication DOIs), never one object at a time: a rebuild builds
thousands per second. Withdrawn datasets have no document; the backend deletes theirs.

What the catalogue does not own comes in as an argument: the DOIs of the public publications holding
each dataset are publishing's (a layer above), given as a :data:`DoiLookup`. Indexing starts from
places that know only dataset ids (the reindex task, the backlog, a rebuild), so publishing hands
its lookup over once at start-up (:func:`doi_lookup_set`, from ``PublishingConfig.ready``) and
:func:`documents` uses it unless given another.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, NamedTuple

from catalogue.models import Dataset, ScientificParameter, Thumbnail

_FIELDS = (
    "id",
    "pid",
    "title",
    "description",
    "type",
    "keywords",
    "license",
    "run_number",
    "source_folder",
    "data_format",
    "data_location",
    "size",
    "number_of_files",
    "start_time",
    "end_time",
    "creation_time",
    "principal_investigators",
    "creators",
    "instrument__unique_name",
    "instrument__name",
    "instrument__facility",
    "instrument__pid",
    "proposal__proposal_id",
    "proposal__title",
)


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


def _strings(value: Any) -> list[str]:
    return (
        [str(v) for v in value if isinstance(v, str | int | float)]
        if isinstance(value, list)
        else []
    )


# A parameter's value as written is stored up to this length (its keyword's ``ignore_above``).
_VALUE_CUT = 256


def _parameter(row: tuple[Any, ...]) -> dict[str, Any]:
    """A parameter's entry from its row (id, key, SI value and maximum, SI unit, value as written,
    unit, number and maximum as written, text)."""
    pk, key, si_value, si_max, si_unit, value, unit, number, number_max, text = row
    cut = number is None and not text and len(value) > _VALUE_CUT
    return {
        "key": key,
        "si_value": si_value,
        "si_value_max": si_max,
        "si_unit": si_unit,
        "value": value[:_VALUE_CUT],
        "unit": unit,
        "text": text or None,
        # No id when the value shown would be cut short: answers read that row from the database.
        "id": None if cut else pk,
        "number": number,
        "number_max": number_max,
    }


# Dataset ids -> (dataset id, DOI) pairs, in the order the DOIs are listed.
DoiLookup = Callable[[list[int]], Iterable[tuple[int, str]]]


def _no_dois(dataset_ids: list[int]) -> Iterable[tuple[int, str]]:
    return ()


_dois: list[DoiLookup] = [_no_dois]


def doi_lookup_set(lookup: DoiLookup) -> None:
    """Where documents find their datasets' DOIs from now on (publishing, at start-up)."""
    _dois[0] = lookup


def documents(ids: Iterable[int], *, dois: DoiLookup | None = None) -> dict[int, dict[str, Any]]:
    """The index documents of the public datasets among ``ids``, by id; ``dois`` gives their
    publications' DOIs (default: the lookup publishing set with :func:`doi_lookup_set`)."""
    wanted = list(ids)
    rows = Dataset.objects.public().filter(pk__in=wanted).order_by().values(*_FIELDS)
    out: dict[int, dict[str, Any]] = {row["id"]: _document(row) for row in rows}
    if not out:
        return out
    found = list(out)
    through = Dataset.techniques.through.objects.filter(dataset_id__in=found).order_by("id")
    for dataset_id, name, pid in through.values_list(
        "dataset_id", "technique__name", "technique__pid"
    ):
        out[dataset_id]["techniques"].append(name)
        out[dataset_id]["technique_ids"].append(pid)
    params = ScientificParameter.objects.filter(dataset_id__in=found).order_by("id")
    for dataset_id, *parameter in params.values_list(
        "dataset_id",
        "id",
        "key_path",
        "si_value",
        "si_value_max",
        "si_unit",
        "original_value",
        "unit",
        "number",
        "number_max",
        "text_value",
    ):
        out[dataset_id]["parameters"].append(_parameter(tuple(parameter)))
    for dataset_id, doi in (dois or _dois[0])(found):
        out[dataset_id]["dois"].append(doi)
    _add_thumbnails(out)
    return out


def _add_thumbnails(out: dict[int, dict[str, Any]]) -> None:
    """Each document's first thumbnail (file and caption), for the search page's rows."""
    if not out:
        return
    rows = Thumbnail.objects.filter(dataset_id__in=list(out)).order_by("dataset_id", "id")
    seen: set[int] = set()
    for dataset_id, image, caption in rows.values_list("dataset_id", "image", "caption"):
        if dataset_id not in seen:  # the first one (shown only when it has a file)
            seen.add(dataset_id)
            out[dataset_id]["thumbnail"] = {"image": image, "caption": caption}


def _document(row: dict[str, Any]) -> dict[str, Any]:
    start = row["start_time"]
    return {
        "id": row["id"],
        "pid": row["pid"],
        "title": row["title"],
        "description": row["description"],
        "type": row["type"],
        "keywords": _strings(row["keywords"]),
        "license": row["license"] or None,
        "run_number": row["run_number"] or None,
        "source_folder": row["source_folder"],
        "data_format": row["data_format"] or None,
        "data_location": row["data_location"],
        "size": row["size"],
        "number_of_files": row["number_of_files"],
        "start_time": _iso(start),
        "end_time": _iso(row["end_time"]),
        "creation_time": _iso(row["creation_time"]),
        "year": str(start.astimezone(UTC).year) if start else None,
        "instrument": row["instrument__unique_name"] or row["instrument__name"] or None,
        "facility": row["instrument__facility"] or None,
        "instrument_pid": row["instrument__pid"],
        "proposal": row["proposal__proposal_id"],
        "proposal_title": row["proposal__title"] or None,
        "principal_investigators": _strings(row["principal_investigators"]),
        "creators": creator_names(row["creators"]),
        "places": place_words(row),
        "techniques": [],
        "technique_ids": [],
        "dois": [],
        "parameters": [],
        # Shown in the search page's rows only (not searchable).
        "thumbnail": None,
    }


def creator_names(creators: Any) -> list[str]:
    """The names of a dataset's creators (DataCite-style dicts), as written, empty ones left out."""
    if not isinstance(creators, list):
        return []
    return [str(c["name"]) for c in creators if isinstance(c, dict) and c.get("name")]


_FOLDER_SEPARATORS = re.compile(r"[/_\-.]+")


def place_words(row: dict[str, Any]) -> str:
    """Where the data comes from, as words: the instrument's short name and name, its facility,
    the data format and the source folder, as it is (``cathode_scan`` stays one word for the
    standard tokenizer) and cut at its ``/ _ - .`` (as the database backend's full text does,
    migration 0012)."""
    parts = [
        row["instrument__unique_name"],
        row["instrument__name"],
        row["instrument__facility"],
        row["data_format"],
        row["source_folder"],
        _FOLDER_SEPARATORS.sub(" ", row["source_folder"] or ""),
    ]
    return " ".join(p for p in parts if p).strip()


# What the search page's table rows show, as documents store it: a search can bring these back
# with its hits (``_source``), so the page needs no database read for its rows.
ROW_FIELDS = (
    "pid",
    "title",
    "run_number",
    "source_folder",
    "size",
    "start_time",
    "type",
    "proposal",
    "thumbnail",
)


def has_table_row(source: dict[str, Any]) -> bool:
    """Whether ``source`` holds the row fields (documents written before they existed do not)."""
    return "source_folder" in source


def table_row(dataset_id: int, source: dict[str, Any]) -> dict[str, Any]:
    """A table row as :func:`catalogue.selectors.dataset_table_rows` gives it, from a document's
    :data:`ROW_FIELDS` (:func:`_document` stores empty values as null)."""
    start = source.get("start_time")
    thumbnail = source.get("thumbnail") or {}
    return {
        "id": dataset_id,
        "pid": source["pid"],
        "title": source["title"],
        "run_number": source.get("run_number") or "",
        "source_folder": source["source_folder"],
        "size": source["size"],
        "start_time": datetime.fromisoformat(start) if start else None,
        "type": source["type"],
        "proposal__proposal_id": source.get("proposal"),
        "thumbnail_image": thumbnail.get("image"),
        "thumbnail_caption": thumbnail.get("caption"),
    }


class StoredParameter(NamedTuple):
    """A parameter as a document holds it, in the order of the table's columns."""

    pk: int
    dataset_id: int
    key_path: str
    original_value: str
    unit: str
    number: float | None
    number_max: float | None
    si_value: float | None
    si_value_max: float | None
    si_unit: str
    text_value: str


def stored_parameters(
    dataset_id: int, source: dict[str, Any], keys: Collection[str] | None = None
) -> list[StoredParameter] | None:
    """The dataset's parameters (only those of ``keys`` when given) from its document, in id
    order, as the database has them; None when the document cannot tell (written before it held
    the row ids, or a value cut short)."""
    out = []
    for item in source.get("parameters") or ():
        if keys is not None and item["key"] not in keys:
            continue
        pk = item.get("id")
        if pk is None:
            return None
        out.append(
            StoredParameter(
                pk,
                dataset_id,
                item["key"],
                item["value"],
                item["unit"],
                item["number"],
                item["number_max"],
                item["si_value"],
                item["si_value_max"],
                item["si_unit"],
                item["text"] or "",
            )
        )
    return out


def public_ids(batch: int = 5000) -> Iterator[list[int]]:
    """Every public dataset id, in batches, by keyset (no OFFSET)."""
    last = 0
    while True:
        chunk = list(
            Dataset.objects.public()
            .filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not chunk:
            return
        yield chunk
        last = chunk[-1]
