"""A large real-SciCat catalogue in seconds: API-made templates cloned over FerretDB's protocol.

Dataset 0 (with its origdatablock), the instrument and the proposal are made through SciCat's API
(:func:`tests.scicat_real.seed.seed_bulk`); datasets 1..N-1 are copies of the documents SciCat
stored for them, with the per-dataset values of ``seed.dataset_payload(n)`` /
``seed.file_list(n, files)``, new ids and timestamps, inserted into FerretDB directly
(:mod:`tests.scicat_real.mongowire`): 10,000 in about 10 s.

Why: with the kit's FerretDB (SQLite), SciCat finds a dataset by ``pid`` by scanning the
collection, several times per origdatablock POST, so seeding through the API slows down with every
dataset stored (~15/s empty, under 1/s past 800; ~1.5 s per origdatablock at 500 datasets): 10,000
would take the better part of a day. The copies are the documents SciCat itself would have
written, fields and types, so reading them back is reading SciCat. Used by the real-SciCat
benchmark (``bench/scenarios/scicat_real.py``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.scicat_real import mongowire
from tests.scicat_real.kit import DATABASE
from tests.scicat_real.mongowire import ObjectId
from tests.scicat_real.seed import (
    SeededCatalogue,
    Seeder,
    dataset_payload,
    file_list,
    seed_bulk,
)

CLONE_BATCH = 500
# Copies are stamped (createdAt, updatedAt) one a minute up to the seeding, so an incremental
# sync's overlap window (SYNC_OVERLAP_SECONDS, 300) re-reads the last few, not the whole catalogue.
CLONE_SPACING = timedelta(minutes=1)
TIMEOUT_SECONDS = 600.0


def _fresh_ids(value: Any) -> Any:
    """A deep copy with a new ObjectId wherever the original has one."""
    if isinstance(value, ObjectId):
        return ObjectId.new()
    if isinstance(value, dict):
        return {k: _fresh_ids(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_fresh_ids(v) for v in value]
    return value


def _like(mold: Any, value: Any) -> Any:
    """``value`` (an API payload's) in the form SciCat stored ``mold``: dates as datetimes,
    quantities with the ``unitSI`` / ``valueSI`` SciCat added (the units here are linear)."""
    if isinstance(mold, datetime) and isinstance(value, str):
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(mold, dict) and isinstance(value, dict):
        out = {k: _like(mold.get(k), v) for k, v in value.items()}
        if "valueSI" in mold and "value" in value and mold.get("value"):
            out["unitSI"] = mold.get("unitSI")
            out["valueSI"] = mold["valueSI"] * value["value"] / mold["value"]
        return out
    return value


def clone_bulk(
    seeder: Seeder,
    mongo: tuple[str, int],
    *,
    n_public: int,
    n_private: int = 0,
    files_per_dataset: int = 10,
    prefix: str = "bulk",
    spacing: timedelta = CLONE_SPACING,
    progress: Callable[[int], None] | None = None,
) -> SeededCatalogue:
    """``n_public`` published datasets, then ``n_private`` unpublished ones, each with one
    origdatablock of ``files_per_dataset`` files; ``mongo`` is FerretDB's host and port.
    The copies' ``createdAt`` / ``updatedAt`` are ``spacing`` apart, the last one now.
    ``progress(count)`` after dataset 0 and after each batch of copies inserted."""
    if n_public < 1:
        raise ValueError("clone_bulk: dataset 0, the template, is a published one")
    host, port = mongo
    total = n_public + n_private

    def command(body: dict[str, Any]) -> dict[str, Any]:
        return mongowire.command(host, port, DATABASE, body, timeout=TIMEOUT_SECONDS)

    seeded = seed_bulk(
        seeder,
        n_public=1,
        files_per_dataset=files_per_dataset,
        prefix=prefix,
        workers=1,
    )
    if progress is not None:
        progress(1)
    pid0 = seeded.public[0]
    dataset = command({"find": "Dataset", "filter": {"pid": pid0}})["cursor"]["firstBatch"]
    blocks = command({"find": "OrigDatablock", "filter": {"datasetId": pid0}})
    block = blocks["cursor"]["firstBatch"]
    if len(dataset) != 1 or len(block) != 1:
        raise RuntimeError(f"expected one dataset and one block for {pid0}: {dataset}, {block}")
    dataset_mold, block_mold = dataset[0], block[0]
    file_mold = block_mold["dataFileList"][0]
    base = datetime.now(UTC)
    batch_datasets: list[dict[str, Any]] = []
    batch_blocks: list[dict[str, Any]] = []

    def flush() -> None:
        if batch_datasets:
            command({"insert": "Dataset", "documents": batch_datasets, "ordered": True})
            command({"insert": "OrigDatablock", "documents": batch_blocks, "ordered": True})
            if progress is not None:
                progress(len(batch_datasets))
        batch_datasets.clear()
        batch_blocks.clear()

    for n in range(1, total):
        published = n < n_public
        payload = dataset_payload(
            n,
            prefix=prefix,
            published=published,
            instrument_id=seeded.instrument_pid,
            proposal_id=seeded.proposal_id,
        )
        stamp = base - (total - n) * spacing
        doc = _fresh_ids(dataset_mold)
        for key, value in payload.items():
            if key in doc:  # v3 singular fields (instrumentId, ...) are stored as arrays: same ids
                doc[key] = _like(dataset_mold[key], value)
        if dataset_mold["_id"] == dataset_mold["pid"]:
            doc["_id"] = doc["pid"]
        else:
            doc["_id"] = ObjectId.new()
        doc["createdAt"] = doc["updatedAt"] = stamp
        files = file_list(n, files_per_dataset)
        copy = _fresh_ids(block_mold)
        copy["_id"] = str(uuid.uuid4()) if isinstance(block_mold["_id"], str) else ObjectId.new()
        copy["datasetId"] = doc["pid"]
        copy["dataFileList"] = [
            {
                key: (ObjectId.new() if key == "_id" else _like(file_mold[key], item.get(key)))
                for key in file_mold
            }
            for item in files
        ]
        copy["size"] = sum(int(item["size"]) for item in files)
        copy["createdAt"] = copy["updatedAt"] = stamp
        batch_datasets.append(doc)
        batch_blocks.append(copy)
        (seeded.public if published else seeded.private).append(str(doc["pid"]))
        seeded.origdatablocks[str(doc["pid"])] = [str(copy["_id"])]
        if len(batch_datasets) >= CLONE_BATCH:
            flush()
    flush()
    return seeded
