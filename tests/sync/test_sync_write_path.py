"""The sync's fast write path on the real database: COPY with ids from the sequence, the digest,
orjson at the edge and the indexes the import maintains."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection

from catalogue.models import DataFile, Dataset, Instrument, Proposal, ScientificParameter
from catalogue.payloads import DatasetIn, FileIn, InstrumentIn, ProposalIn, TechniqueIn
from catalogue.services import dataset_digest, datasets_upsert
from catalogue.visibility import Visibility
from sync.scicat import decode
from tests.factories import DatasetFactory

pytestmark = pytest.mark.django_db
WHEN = datetime(2024, 10, 10, 22, 5, tzinfo=UTC)


def _item(n: int, **changes: object) -> DatasetIn:
    values: dict[str, object] = {
        "pid": f"20.500.12269/write-{n}",
        "title": f"Scan {n}",
        "type": "raw",
        "description": "Tab\there, newline\nthere, a backslash \\ and ünïcode",
        "start_time": WHEN,
        "size": 300,
        "number_of_files": 2,
        "keywords": ["reflectivity", "gold"],
        "instrument": InstrumentIn(pid="instr-p08", name="P08", unique_name="P08"),
        "proposal": ProposalIn(proposal_id="11019634", title="Lipid monolayers"),
        "techniques": [TechniqueIn(pid="panet01253", name="X-ray reflectivity")],
        "principal_investigators": ["Noether, Emmy"],
        "creators": [{"name": "Lovelace, Ada", "orcid": "0000-0002-1825-0097"}],
        "scientific_metadata": {"temperature": {"value": 290, "unit": "K"}, "big": 2**70},
        "source_updated_at": WHEN,
        "files": [FileIn(f"scan_{n}/a.h5", 100, "ab", "sha256", WHEN), FileIn("b\tc.h5", 200)],
        "thumbnails": [],
    }
    values.update(changes)
    return DatasetIn(**values)  # type: ignore[arg-type]


def test_new_datasets_are_written_whole_by_copy() -> None:
    counts = datasets_upsert(items=[_item(1), _item(2)])

    assert (counts.created, counts.updated) == (2, 0)
    dataset = Dataset.objects.get(pid="20.500.12269/write-1")
    assert dataset.visibility == Visibility.PUBLIC
    assert dataset.description == "Tab\there, newline\nthere, a backslash \\ and ünïcode"
    assert dataset.keywords == ["reflectivity", "gold"]
    assert dataset.creators == [{"name": "Lovelace, Ada", "orcid": "0000-0002-1825-0097"}]
    assert dataset.scientific_metadata["big"] == 2**70
    assert dataset.start_time == WHEN
    assert dataset.created == dataset.modified
    assert dataset.withdrawn_by == ""
    assert dataset.instrument == Instrument.objects.get(pid="instr-p08")
    assert dataset.proposal == Proposal.objects.get(proposal_id="11019634")
    assert [t.pid for t in dataset.techniques.all()] == ["panet01253"]
    assert dataset.source_digest == dataset_digest(_item(1))
    files = list(DataFile.objects.filter(dataset=dataset).values_list("path", "size", "time"))
    assert files == [("b\tc.h5", 200, None), ("scan_1/a.h5", 100, WHEN)]
    assert ScientificParameter.objects.filter(dataset=dataset).count() == 2


def test_ids_come_from_the_table_sequence_so_other_writers_do_not_collide() -> None:
    datasets_upsert(items=[_item(1)])
    other = DatasetFactory.create()
    datasets_upsert(items=[_item(2)])

    ids = list(Dataset.objects.order_by("pid").values_list("pid", "id"))
    assert len({i for _, i in ids}) == 3
    assert Dataset.objects.get(pid="20.500.12269/write-2").id > other.id


def test_the_same_payload_again_writes_nothing_and_a_changed_file_is_seen() -> None:
    datasets_upsert(items=[_item(1)])

    assert datasets_upsert(items=[_item(1)]).unchanged == 1

    moved = _item(
        1, files=[FileIn("scan_1/a.h5", 100, "ab", "sha256", datetime(2025, 1, 1, tzinfo=UTC))]
    )
    assert dataset_digest(moved) != dataset_digest(_item(1))
    assert datasets_upsert(items=[moved]).updated == 1
    assert DataFile.objects.get(dataset__pid=moved.pid).time == datetime(2025, 1, 1, tzinfo=UTC)


def test_answers_are_decoded_whatever_size_their_integers() -> None:
    assert decode(b'[{"pid": "a/b", "size": 12}]') == [{"pid": "a/b", "size": 12}]
    assert decode(b'{"size": 1180591620717411303424}') == {"size": 2**70}
    with pytest.raises(ValueError, match="Expecting value"):
        decode(b"<html>Bad gateway</html>")


def test_files_and_parameters_keep_only_the_indexes_lookups_use() -> None:
    def indexes(table: str) -> dict[str, list[str]]:
        with connection.cursor() as cursor:
            found = connection.introspection.get_constraints(cursor, table)
        return {name: info["columns"] for name, info in found.items() if info["index"]}

    files = indexes("catalogue_datafile")
    parameters = indexes("catalogue_scientificparameter")

    assert ["dataset_id"] not in files.values()
    assert ["dataset_id"] not in parameters.values()
    assert files["datafile_dataset_path_idx"] == ["dataset_id", "path", "id"]
    assert parameters["param_dataset_key_idx"] == ["dataset_id", "key_path"]
    assert "param_key_unit_idx" in parameters
