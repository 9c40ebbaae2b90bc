"""The demo export's generator (demo/generate.py): deterministic, and what is committed."""

from __future__ import annotations

import base64
import json
import re
import sys

import pytest

from tests.demo import GENERATED_EXPORT, demo_generator

generate = demo_generator()
images = sys.modules["demo_generator.images"]
COMMITTED = GENERATED_EXPORT


@pytest.fixture(scope="module")
def built() -> dict[str, str]:
    return generate.build(generate.SEED)


def test_the_same_seed_gives_the_same_bytes(built: dict[str, str]) -> None:
    """The committed export was written by an earlier run: this run's bytes are the same.
    (Edit demo/catalogue.py or the generator, then `make demo-export`: never the JSON.)"""
    committed = {path.name: path.read_text(encoding="utf-8") for path in COMMITTED.glob("*.json")}
    assert committed.keys() == built.keys()
    for name, text in built.items():
        assert committed[name] == text, f"{name}: run `make demo-export` and commit the result"


def test_the_export_stays_small(built: dict[str, str]) -> None:
    assert sum(len(text.encode()) for text in built.values()) < 3_000_000


def test_thumbnails_are_png_detector_frames_of_a_few_hundred_pixels(
    built: dict[str, str],
) -> None:
    attachments = json.loads(built["attachments.v4.json"])
    captions = {a["caption"] for a in attachments}
    assert captions == set(generate.CAPTIONS.values())
    for attachment in attachments:
        prefix, _, data = attachment["thumbnail"].partition(",")
        assert prefix == "data:image/png;base64"
        content = base64.b64decode(data)
        assert content.startswith(b"\x89PNG\r\n\x1a\n")
        width, height = int.from_bytes(content[16:20]), int.from_bytes(content[20:24])
        assert (width, height) == (images.SIZE, images.SIZE)


def test_the_records_are_varied(built: dict[str, str]) -> None:
    datasets = json.loads(built["datasets.v4.json"])
    public = [d for d in datasets if d["isPublished"]]
    assert len(public) == generate.COUNTS["public"]
    assert len(datasets) - len(public) == generate.COUNTS["not_public"]
    assert {d["type"] for d in public} == {"raw", "derived"}
    assert len({d["startTime"][:4] for d in public}) >= 6
    assert len({d["license"] for d in public}) >= 2
    on_tape = [d for d in public if d["datasetlifecycle"].get("isOnCentralDisk") is False]
    assert 5 <= len(on_tape) < len(public) / 2
    assert max(d["numberOfFiles"] for d in public) >= 500
    units = {
        (key, value["unit"])
        for d in public
        for key, value in d["scientificMetadata"].items()
        if isinstance(value, dict) and "unit" in value
    }
    assert {("incident_energy", "eV"), ("incident_energy", "keV")} <= units
    assert {("sample_temperature", "K"), ("sample_temperature", "degC")} <= units
    techniques = {t["pid"] for d in public for t in d["techniques"]}
    assert all(re.fullmatch(r"PaNET\d{5}", pid) for pid in techniques)


def test_every_record_carries_private_fields_for_the_import_to_drop(
    built: dict[str, str],
) -> None:
    text = "".join(built.values())
    for marker in generate.PRIVATE_MARKERS:
        assert marker in text, marker
