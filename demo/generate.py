"""Write the demo catalogue export (``demo/scicat-export``): ``make demo-export``.

(That is ``python -m demo.generate [--seed N] [--out DIR]`` from the repository's root.)

The export is shaped as SciCat 4.x answers (see ``sync/export.py``): datasets, their
origdatablocks (file lists) and attachments (thumbnails as data URIs), instruments, proposals and
published data. ``make run`` imports it through the sync's own import code. Everything comes from
one seed (``--seed``, default :data:`SEED`): the same seed writes the same bytes, with no network
and no clock.

What it holds (the numbers the tests check are in :data:`COUNTS`): 60 public datasets of 14
beamtimes on seven beamlines of two invented facilities (:mod:`demo.catalogue`), from 2019 to
2026, raw and derived; the beamtimes up to 2020 archived on tape (SciCat's
``datasetlifecycle.isOnCentralDisk`` false), one with no stated location, one derived record
without files; a few datasets with hundreds of files; thumbnails that look like detector frames
(:mod:`demo.images`); three published DOIs. Five more records are not public (three under
embargo, two internal) and a fourth DOI is still private: the import must leave all of them out.
Every record also carries the fields a public page must never show (owner e-mails, groups,
internal hosts: :data:`PRIVATE_MARKERS`).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import random
import re
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from . import images, linked
from .catalogue import BEAMLINE_METADATA, BEAMLINES, EXPERIMENTS, FACILITIES, Experiment

SEED = 2026
OUT = Path(__file__).resolve().parent / "scicat-export"
PID_PREFIX = "20.500.99999"
COUNTS = {
    "public": 60,
    "not_public": 5,
    "instruments": 7,
    "proposals": 14,
    "publications": 3,
    "facilities": 2,
}
# Strings of the export that only private fields hold; no public page, API or dump may show one.
PRIVATE_MARKERS = (
    "@halcyon.example",
    "@borealis.example",
    "-dmgt",
    "-clbt",
    "-staff",
    "ingestor-",
    "dm.halcyon.example",
    "dm.borealis.example",
    "commissioning",
)
# Beamtimes up to this year are archived on tape; the datasets of NO_LOCATION state nothing.
TAPE_UNTIL = 2020
NO_LOCATION = "MA-6203"
# (proposal, dataset index): file count, for the datasets with many files.
MANY_FILES = {
    ("20220214", 0): 900,
    ("20220214", 1): 450,
    ("20201005", 0): 601,
    ("20200316", 0): 300,
}
BLOCK = 500  # files per origdatablock, as an ingestor splits big datasets
CAPTIONS = {
    "rings": "Detector frame: scattering rings",
    "bragg": "Diffraction frame with Bragg spots",
    "speckle": "Speckle pattern around the beam stop",
    "tomography": "Reconstructed slice",
}
FORMATS = {
    "frames": "TIFF",
    "hdf5": "NeXus/HDF5",
    "cbf": "CBF",
    "tiff": "TIFF",
    "spectra": "NeXus/HDF5",
}
LICENCES = ("CC-BY-4.0",) * 6 + ("CC0-1.0",) * 3 + ("CC-BY-NC-4.0",)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:24]


class _Writer:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.beamlines = {b.pid: b for b in BEAMLINES}
        self.datasets: list[dict[str, Any]] = []
        self.blocks: list[dict[str, Any]] = []
        self.attachments: list[dict[str, Any]] = []
        self.by_proposal: dict[str, list[str]] = {}
        self.internal: list[Experiment] = []  # the internal records' made-up proposals

    def pid(self) -> str:
        return f"{PID_PREFIX}/{uuid.UUID(int=self.rng.getrandbits(128), version=4)}"

    # -- files ------------------------------------------------------------------------------

    def files(self, pid: str, *, kind: str, count: int, start: datetime, stem: str) -> list[dict]:
        rng = self.rng
        if kind == "derived":
            names = ["README.txt", "fit_results.json", "analysis.ipynb"]
            names += [f"reduced/{stem}_{i:03d}.h5" for i in range(count - 3)]
            sizes = [rng.randint(800, 4000), rng.randint(2000, 90000), rng.randint(60000, 900000)]
            sizes += [rng.randint(2_000_000, 80_000_000) for _ in range(count - 3)]
        elif kind == "hdf5":
            names = [f"{stem}_master.h5"] + [f"{stem}_data_{i:06d}.h5" for i in range(1, count)]
            sizes = [rng.randint(40_000, 900_000)]
            sizes += [rng.randint(400_000_000, 2_100_000_000) for _ in range(count - 1)]
        elif kind == "cbf":
            names = [f"{stem}_{i:04d}.cbf" for i in range(1, count + 1)]
            sizes = [rng.randint(6_100_000, 6_400_000) for _ in range(count)]
        elif kind == "tiff":
            names = [f"{stem}/proj_{i:05d}.tif" for i in range(count - 1)] + [f"{stem}/scan.log"]
            sizes = [11_059_200] * (count - 1) + [rng.randint(3000, 30000)]
        elif kind == "spectra":
            names = [f"{stem}_{i:03d}.nxs" for i in range(count)]
            sizes = [rng.randint(60_000, 400_000) for _ in range(count)]
        else:  # frames
            names = [f"{stem}_{i:05d}.tif" for i in range(count)]
            sizes = [rng.choice((1_193_000, 4_720_000)) for _ in range(count)]
        entries = []
        for index, (name, size) in enumerate(zip(names, sizes, strict=True)):
            entries.append(
                {
                    "path": name,
                    "size": size,
                    "time": _iso(start + timedelta(seconds=2 * index)),
                    "chk": hashlib.sha256(f"{pid}:{name}".encode()).hexdigest(),
                    "perm": "-rw-r--r--",
                }
            )
        return entries

    # -- datasets ---------------------------------------------------------------------------

    def dataset(
        self,
        experiment: Experiment,
        index: int,
        start: datetime,
        *,
        published: bool = True,
        embargo_until: datetime | None = None,
        title: str = "",
    ) -> dict[str, Any]:
        rng = self.rng
        line = self.beamlines[experiment.beamline]
        facility = FACILITIES[line.facility]
        domain = f"{line.facility}.example"
        derived = published and experiment.datasets >= 4 and index == experiment.datasets - 1
        sample = experiment.samples[index % len(experiment.samples)]
        condition = experiment.conditions[index % len(experiment.conditions)]
        pid = self.pid()
        duration = timedelta(minutes=rng.randint(20, 180))
        created = start + duration + timedelta(minutes=rng.randint(2, 30))
        scan = rng.randint(10, 9999)
        stem = f"{_slug(sample)}_{scan:04d}"
        if derived:
            name = f"{experiment.title}: reduced data and fits"
            kind, count = "derived", rng.randint(4, 9)
            if experiment.proposal_id == "MA-5230":
                count = 0  # a summary record whose files were never registered
        else:
            name = title or experiment.measurement.format(
                sample=sample, condition=condition["label"]
            )
            kind = line.file_kind
            count = (
                MANY_FILES.get((experiment.proposal_id, index))
                or {
                    "cbf": rng.randint(36, 90),
                    "hdf5": rng.randint(5, 24),
                    "tiff": rng.randint(40, 80),
                    "spectra": rng.randint(4, 12),
                    "frames": rng.randint(12, 60),
                }[kind]
            )
        files = self.files(pid, kind=kind, count=count, start=start, stem=stem) if count else []
        for first in range(0, len(files), BLOCK):
            part = files[first : first + BLOCK]
            self.blocks.append(
                {
                    "_id": f"odb-{hashlib.sha256(f'{pid}:{first}'.encode()).hexdigest()[:12]}",
                    "datasetId": pid,
                    "size": sum(f["size"] for f in part),
                    "chkAlg": "sha256",
                    "isPublished": published,
                    "ownerGroup": f"{experiment.proposal_id}-dmgt",
                    "accessGroups": [],
                    "dataFileList": part,
                }
            )
        size = sum(f["size"] for f in files)
        metadata: dict[str, Any] = {}
        for key, value in {**BEAMLINE_METADATA[line.pid], **condition}.items():
            if key == "label":
                continue
            metadata[key] = (
                {"value": value[0], "unit": value[1]} if isinstance(value, tuple) else value
            )
        metadata["sample"] = {"name": sample, "description": f"{sample} ({experiment.title})"}
        metadata["detector"] = {"name": line.detector}
        metadata["scan_number"] = scan
        first_name, last_name = experiment.pi
        lifecycle: dict[str, Any] = {
            "archivable": True,
            "retrievable": True,
            "publishable": True,
            "archiveStatusMessage": "datasetOnArchiveDisk",
            "retrieveStatusMessage": "",
            "isOnCentralDisk": experiment.year > TAPE_UNTIL,
            "retrieveIntegrityCheck": False,
            "dateOfPublishing": _iso(embargo_until or created),
            "archiveRetentionTime": _iso(created.replace(year=created.year + 10)),
            "storageLocation": "tape library" if experiment.year <= TAPE_UNTIL else "disk pool",
        }
        if experiment.proposal_id == NO_LOCATION:
            del lifecycle["isOnCentralDisk"]
            lifecycle["archiveStatusMessage"] = ""
        technique = line.techniques[index % len(line.techniques)]
        description = (
            f"{technique[1].capitalize()} at {line.name} ({facility['name']}) of {sample}"
            + (f", {condition['label']}" if not derived else "")
            + f". Beamtime of proposal {experiment.proposal_id}: {experiment.title}."
        )
        record = {
            "pid": pid,
            "type": "derived" if derived else "raw",
            "datasetName": name,
            "description": description,
            "owner": "; ".join(experiment.team),
            "ownerEmail": f"{line.unique_name.lower()}-staff@{domain}",
            "contactEmail": f"{line.unique_name.lower()}-contact@{domain}",
            "principalInvestigators": [f"{last_name}, {first_name}"],
            "creationLocation": f"/{facility['site']}/{facility['ring']}/{line.unique_name}",
            "instrumentIds": [line.pid],
            "proposalIds": [experiment.proposal_id],
            "sampleIds": [f"sample-{_slug(sample)}"],
            "sourceFolder": (
                f"/data/{facility['ring'].lower()}/{line.unique_name.lower()}/{start.year}/"
                f"{experiment.proposal_id}/{'processed' if derived else 'raw'}/{stem}"
            ),
            "sourceFolderHost": f"nfs://dm.{domain}",
            "size": size,
            "packedSize": size,
            "numberOfFiles": len(files),
            "numberOfFilesArchived": len(files),
            "creationTime": _iso(created),
            "startTime": _iso(start),
            "endTime": _iso(start + duration),
            "dataFormat": "HDF5" if derived else FORMATS[kind],
            "runNumber": str(scan),
            "license": LICENCES[rng.randrange(len(LICENCES))],
            "keywords": list(experiment.keywords),
            "techniques": [{"pid": technique[0], "name": technique[1]}],
            "relationships": [],
            "sharedWith": [],
            "isPublished": published,
            "ownerGroup": f"{experiment.proposal_id}-dmgt",
            "accessGroups": [f"{experiment.proposal_id}-clbt", f"{line.unique_name.lower()}-staff"],
            "instrumentGroup": f"{line.unique_name.lower()}-staff",
            "datasetlifecycle": lifecycle,
            "scientificMetadata": metadata,
            "version": "4.17.1",
            "createdBy": f"ingestor-{line.unique_name.lower()}",
            "updatedBy": f"ingestor-{line.unique_name.lower()}",
            "createdAt": _iso(created),
            "updatedAt": _iso(created + timedelta(days=rng.choice((0, 0, 0, 3, 40)))),
        }
        if derived:
            record["inputDatasets"] = list(self.by_proposal.get(experiment.proposal_id, []))
            record["usedSoftware"] = ["pyFAI 2024.9", "lmfit 1.3"]
        if line.image and not derived:
            seed = rng.getrandbits(32)
            picture = base64.b64encode(images.KINDS[line.image](seed)).decode()
            self.attachments.append(
                {
                    "aid": f"att-{hashlib.sha256(pid.encode()).hexdigest()[:12]}",
                    "thumbnail": f"data:image/png;base64,{picture}",
                    "caption": CAPTIONS[line.image],
                    "isPublished": published,
                    "ownerGroup": f"{experiment.proposal_id}-dmgt",
                    "accessGroups": [],
                    "relationships": [
                        {"targetId": pid, "targetType": "dataset", "relationType": "is attached to"}
                    ],
                }
            )
        self.by_proposal.setdefault(experiment.proposal_id, []).append(pid)
        self.datasets.append(record)
        return record

    def beamtime(self, experiment: Experiment) -> datetime:
        day = self.rng.randint(2, 20)
        return datetime(experiment.year, experiment.month, day, 8, 0, tzinfo=UTC)

    def experiments(self) -> None:
        for experiment in EXPERIMENTS:
            moment = self.beamtime(experiment)
            for index in range(experiment.datasets):
                self.dataset(experiment, index, moment)
                moment += timedelta(hours=self.rng.randint(3, 9), minutes=self.rng.randint(0, 59))

    def hidden(self) -> list[str]:
        """Three datasets under embargo and two internal ones: none may reach the portal."""
        by_id = {e.proposal_id: e for e in EXPERIMENTS}
        embargoed = []
        for proposal, year in (("MA-6018", 2029), ("MA-6203", 2030), ("20250520", 2029)):
            experiment = by_id[proposal]
            start = self.beamtime(experiment) + timedelta(days=2)
            until = datetime(year, 6, 30, tzinfo=UTC)
            record = self.dataset(experiment, 0, start, published=False, embargo_until=until)
            embargoed.append(record["pid"])
        internal = (
            ("bsr-bx2", "Detector calibration with LaB6 standard"),
            ("hls-h04", "Alignment scans after the mirror exchange"),
        )
        for beamline, title in internal:
            commissioning = Experiment(
                f"commissioning-{beamline}",
                beamline,
                2025,
                1,
                title,
                ("Beamline", "Staff"),
                ("Staff, Beamline",),
                ("calibrant",),
                ("calibration",),
                title,
                ({"label": ""},),
                1,
            )
            self.internal.append(commissioning)
            self.dataset(
                commissioning, 0, self.beamtime(commissioning), published=False, title=title
            )
        return embargoed


def _dump(records: list[dict[str, Any]], *, one_per_line: bool = False) -> str:
    if one_per_line:
        lines = ",\n".join(json.dumps(r, ensure_ascii=False) for r in records)
        return f"[\n{lines}\n]\n"
    return json.dumps(records, indent=1, ensure_ascii=False) + "\n"


def build(seed: int = SEED) -> dict[str, str]:
    """The export's files (name: text) for ``seed``."""
    writer = _Writer(seed)
    writer.experiments()
    embargoed = writer.hidden()
    return {
        "datasets.v4.json": _dump(writer.datasets),
        "origdatablocks.v4.json": _dump(writer.blocks, one_per_line=True),
        "attachments.v4.json": _dump(writer.attachments, one_per_line=True),
        "instruments.v4.json": _dump(linked.instruments()),
        "proposals.v4.json": _dump(
            linked.proposals(writer.datasets, writer.by_proposal, writer.internal)
        ),
        "publisheddata.v4.json": _dump(
            linked.published_data(writer.datasets, writer.by_proposal, embargoed)
        ),
    }


def write(out: Path, seed: int = SEED) -> list[Path]:
    """Write the export into ``out`` (made if missing; other export files there are removed)."""
    out.mkdir(parents=True, exist_ok=True)
    files = build(seed)
    for stale in out.glob("*.json"):
        if stale.name not in files:
            stale.unlink()
    paths = []
    for name, text in files.items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED, help=f"default {SEED}")
    parser.add_argument("--out", type=Path, default=OUT, help="default demo/scicat-export")
    args = parser.parse_args(argv)
    paths = write(args.out, args.seed)
    total = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} files, {total / 1e6:.2f} MB, into {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
