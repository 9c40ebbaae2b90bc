"""The benchmark's synthetic catalogue export (``bench/generate.py``) stays importable."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.generate import Summary, generate
from catalogue.models import DataFile, Dataset, Instrument, Proposal, ScientificParameter, Thumbnail
from publishing.models import Publication
from sync.services import export_import

# Values of private catalogue fields as the generator writes them (e-mails, groups, accounts).
PRIVATE_MARKERS = (
    "@",
    "-dmgt",
    "-clbt",
    "-part",
    "-staff",
    "ingestor-",
    "gpfs://",
    "proposal-sync",
)


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Summary]:
    path = tmp_path_factory.mktemp("export")
    return path, generate(path, 30, seed=1, chunk_size=10)


def _records(path: Path) -> list[dict[str, Any]]:
    return [
        record
        for chunk in sorted(path.glob("datasets.v4.*.json"))
        for record in json.loads(chunk.read_text(encoding="utf-8"))
    ]


def test_generator_writes_aligned_chunks(export: tuple[Path, Summary]) -> None:
    path, summary = export
    names = {p.name for p in path.iterdir()}
    for kind in ("datasets", "origdatablocks", "attachments"):
        assert {f"{kind}.v4.{n:05d}.json" for n in (1, 2, 3)} <= names
    assert {"instruments.v4.json", "proposals.v4.json", "publisheddata.v4.json"} <= names
    assert len(_records(path)) == summary.datasets == 30


def test_generator_is_deterministic(export: tuple[Path, Summary], tmp_path: Path) -> None:
    path, _ = export
    generate(tmp_path, 30, seed=1, chunk_size=10)
    for name in ("datasets.v4.00002.json", "origdatablocks.v4.00003.json", "proposals.v4.json"):
        assert (tmp_path / name).read_bytes() == (path / name).read_bytes(), name


@pytest.mark.django_db
def test_export_imports_its_public_datasets_only(
    export: tuple[Path, Summary], settings: Any
) -> None:
    settings.PORTAL_PUBLISH_ON_EMBARGO_END = False
    path, summary = export
    report = export_import(path=path)
    assert (report.failed, report.errors) == (0, [])
    assert summary.embargoed > 0
    assert report.created == Dataset.objects.public().count() == summary.public
    assert DataFile.objects.count() == summary.public_files
    assert Thumbnail.objects.count() == summary.public_thumbnails
    hidden = {r["pid"] for r in _records(path) if not r["isPublished"]}
    assert len(hidden) == summary.embargoed + summary.elapsed_unpublished
    assert not Dataset.objects.filter(pid__in=hidden).exists()


@pytest.mark.django_db
def test_no_private_field_of_the_export_is_stored(export: tuple[Path, Summary]) -> None:
    path, _ = export
    export_import(path=path)
    models = (Dataset, ScientificParameter, DataFile, Instrument, Proposal, Publication)
    stored = "\n".join(json.dumps(list(m.objects.values()), default=str) for m in models)
    for marker in PRIVATE_MARKERS:
        assert marker not in stored, marker


@pytest.mark.django_db
def test_importing_the_export_again_changes_nothing(export: tuple[Path, Summary]) -> None:
    path, summary = export
    export_import(path=path)
    again = export_import(path=path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, summary.public)
