"""What the search index holds for a dataset: public fields only."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from catalogue.models import Dataset


def datasets_for_index(ids: Iterable[int]) -> Iterator[Dataset]:
    return (
        Dataset.objects.public()
        .filter(pk__in=list(ids))
        .select_related("instrument", "proposal")
        .prefetch_related("techniques", "parameters")
        .iterator(chunk_size=500)
    )


def dataset_document(dataset: Dataset) -> dict[str, Any]:
    instrument = dataset.instrument
    proposal = dataset.proposal
    return {
        "id": dataset.pk,
        "pid": dataset.pid,
        "title": dataset.title,
        "description": dataset.description,
        "type": dataset.type,
        "keywords": list(dataset.keywords),
        "license": dataset.license,
        "run_number": dataset.run_number,
        "source_folder": dataset.source_folder,
        "data_format": dataset.data_format,
        "data_location": dataset.data_location,
        "size": dataset.size,
        "number_of_files": dataset.number_of_files,
        "start_time": dataset.start_time.isoformat() if dataset.start_time else None,
        "end_time": dataset.end_time.isoformat() if dataset.end_time else None,
        "creation_time": dataset.creation_time.isoformat() if dataset.creation_time else None,
        "instrument": instrument.unique_name or instrument.name if instrument else None,
        "facility": instrument.facility if instrument else None,
        "proposal": proposal.proposal_id if proposal else None,
        "proposal_title": proposal.title if proposal else None,
        "techniques": [t.name for t in dataset.techniques.all()],
        "technique_ids": [t.pid for t in dataset.techniques.all()],
        "principal_investigators": list(dataset.principal_investigators),
        "creators": [c.get("name", "") for c in dataset.creators],
        "parameters": [
            {
                "key": p.key_path,
                "si_value": p.si_value,
                "si_value_max": p.si_value_max,
                "si_unit": p.si_unit,
                "value": p.original_value,
                "unit": p.unit,
                "text": p.text_value or None,
            }
            for p in dataset.parameters.all()
        ],
    }
