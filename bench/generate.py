"""A synthetic catalogue export: N datasets shaped like SciCat's v4 API answers.

Written in the chunked layout :mod:`sync.export` reads (``datasets.v4.00001.json`` with
``origdatablocks.v4.00001.json`` and ``attachments.v4.00001.json``, 1,000 datasets a chunk), plus
``instruments.v4.json``, ``proposals.v4.json`` and ``publisheddata.v4.json``, and last a
``summary.json`` that says what was written (its presence marks a complete export).

The records look like the real ones: beamtimes of a proposal at one beamline (P01..P65 at PETRA III,
a few at FLASH) produce series of datasets with titles, descriptions, keywords, PaNET techniques
and a nested ``scientificMetadata`` in every shape and unit spelling seen in practice (see
:mod:`bench.vocabulary`). Every private field the API returns is there too (``ownerEmail``,
``contactEmail``, ``accessGroups``, ``ownerGroup``, ``instrumentGroup``, ``sharedWith``,
``createdBy``, ``sourceFolderHost``, PI e-mails in proposals), so the import's stripping is
exercised. About 10% of the datasets are under embargo (``isPublished`` false,
``dateOfPublishing`` in 2030 or later) and 3% have an elapsed ``dateOfPublishing`` but are not
published; 30% are on tape only. File counts are skewed: most datasets have a handful of files,
one in two hundred has thousands (up to 10,000); checksums are sha256-shaped.

The output depends only on N, the seed and the chunk size, never on the day it is generated.
Memory stays flat: each chunk is built, written and dropped.

``python -m bench.generate N DIR [--seed S] [--chunk-size C]`` writes one without benchmarking.

Over 400 lines as one generator: the simulated catalogue (:class:`_Catalogue`) keeps one random
stream and one time line that every record builder draws from, in order, so that a seed gives the
same export; cut apart, each piece would need that state passed to it.
"""

from __future__ import annotations

import argparse
import base64
import calendar
import json
import os
import re
import struct
import sys
import time
import uuid
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from random import Random
from typing import Any

from bench import vocabulary
from bench.vocabulary import PEOPLE, Beamline, Technique

GENERATOR_VERSION = 1
CHUNK_SIZE = 1000
PID_PREFIX = "20.500.12269"
SUMMARY = "summary.json"

# Fixed dates, so the export is the same whatever day it is made on.
FIRST_BEAMTIME = calendar.timegm((2012, 3, 1, 0, 0, 0))
LAST_BEAMTIME = calendar.timegm((2026, 8, 1, 0, 0, 0))
PUBLISHED_BEFORE = calendar.timegm((2026, 10, 1, 0, 0, 0))  # every lifted embargo ended by then
EMBARGO_FROM = calendar.timegm((2030, 1, 1, 0, 0, 0))  # embargoes still running end after this
EMBARGO_TO = calendar.timegm((2036, 1, 1, 0, 0, 0))

SHARE_EMBARGOED = 0.10
SHARE_ELAPSED_UNPUBLISHED = 0.03
SHARE_ON_TAPE = 0.30
SHARE_DERIVED = 0.20
SHARE_WITH_THUMBNAIL = 0.25
MAX_FILES = 10_000
FILES_PER_BLOCK = 2_000
DATASETS_PER_PUBLICATION = 400
DAY = 86_400.0

_EXPORT_FILE = re.compile(
    r"^(datasets|origdatablocks|attachments|instruments|proposals|publisheddata)"
    r"\.v[34](\.\d+)?\.json$"
)


@dataclass
class Summary:
    """What an export holds; the benchmark's expectations come from here."""

    datasets: int = 0
    public: int = 0
    embargoed: int = 0
    elapsed_unpublished: int = 0
    on_tape: int = 0
    files: int = 0
    public_files: int = 0
    max_files: int = 0
    thumbnails: int = 0
    public_thumbnails: int = 0
    parameters_hint: int = 0  # leaves of scientificMetadata (public datasets), roughly
    instruments: int = 0
    proposals: int = 0
    publications: int = 0
    visible_publications: int = 0
    bytes: int = 0
    seconds: float = 0.0
    seed: int = 0
    chunk_size: int = CHUNK_SIZE
    version: int = GENERATOR_VERSION
    public_pids_sample: list[str] = field(default_factory=list)
    embargoed_pids_sample: list[str] = field(default_factory=list)

    @property
    def mean_files(self) -> float:
        return self.files / self.datasets if self.datasets else 0.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Summary:
        return cls(**data)

    @classmethod
    def read(cls, path: Path) -> Summary | None:
        """The summary of a complete export in ``path``, or None."""
        try:
            return cls.from_json(json.loads((path / SUMMARY).read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None


# -- small helpers ------------------------------------------------------------------------------


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)) + f".{int(ts % 1 * 1000):03d}Z"


def file_count(rng: Random) -> int:
    """Files in one dataset: mostly a handful, 1 in 200 in the thousands (mean about 50)."""
    roll = rng.random()
    if roll < 0.02:
        return 0
    if roll < 0.70:
        return rng.randint(1, 10)
    if roll < 0.95:
        return int(10 ** rng.uniform(1, 2))
    if roll < 0.995:
        return int(10 ** rng.uniform(2, 3))
    return min(MAX_FILES, int(10 ** rng.uniform(3, 4)))


def _png(rng: Random, width: int = 32, height: int = 24) -> bytes:
    """A small, distinct PNG (a colour gradient), as a detector preview would be."""
    r0, g0, b0 = rng.randrange(256), rng.randrange(256), rng.randrange(256)
    rows = b"".join(
        b"\x00"
        + bytes(
            v
            for x in range(width)
            for v in ((r0 + 5 * x) & 255, (g0 + 9 * y) & 255, (b0 + x * y) & 255)
        )
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 6))
        + chunk(b"IEND", b"")
    )


def _write_json(path: Path, data: Any) -> int:
    """Write ``data`` compactly, atomically; the number of bytes written."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    raw = text.encode("utf-8")
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(raw)
    os.replace(tmp, path)
    return len(raw)


# -- the catalogue being simulated --------------------------------------------------------------


@dataclass
class _Beamtime:
    proposal_id: str
    beamline: Beamline
    instrument_id: str
    technique: Technique
    samples: list[str]
    owners: list[tuple[str, str]]
    orcids: list[str]
    pi: str
    clock: float
    left: int
    run: int
    year: int


class _Catalogue:
    def __init__(self, seed: int) -> None:
        self.rng = Random(seed)
        self.beamlines = vocabulary.beamlines(self.rng)
        self.proposals: dict[str, dict[str, Any]] = {}
        self.missing_proposals: set[str] = set()
        self.beamtime: _Beamtime | None = None
        self.next_proposal = 11_000_000
        self.summary = Summary(seed=seed)

    # proposals and beamtimes

    def _proposal(self, technique: Technique, start: float, end: float) -> str:
        rng = self.rng
        if self.proposals and rng.random() < 0.3:
            return rng.choice(list(self.proposals))  # a proposal with several beamtimes
        self.next_proposal += rng.randint(1, 40)
        proposal_id = str(self.next_proposal)
        if rng.random() < 0.01:
            # Referenced by datasets but absent from the proposals answer.
            self.missing_proposals.add(proposal_id)
            return proposal_id
        last, first = rng.choice(PEOPLE)
        institution = rng.choice(vocabulary.INSTITUTIONS)
        self.proposals[proposal_id] = {
            "proposalId": proposal_id,
            "title": rng.choice(technique.proposal_titles),
            "pi_firstname": first,
            "pi_lastname": last,
            "pi_email": f"{_mail(last)}@{institution}.example",
            "email": f"{_mail(last)}@{institution}.example",
            "firstname": first,
            "lastname": last,
            "abstract": f"Beamtime proposal on {technique.name}.",
            "startTime": _iso(start),
            "endTime": _iso(end),
            "type": rng.choice(("Beamtime", "Beamtime", "Beamtime", "Commissioning")),
            "ownerGroup": f"{proposal_id}-dmgt",
            "accessGroups": [f"{proposal_id}-clbt"],
            "createdBy": "proposal-sync",
            "updatedBy": "proposal-sync",
            "createdAt": _iso(start - 30 * DAY),
            "updatedAt": _iso(end + DAY),
        }
        return proposal_id

    def _new_beamtime(self) -> _Beamtime:
        rng = self.rng
        beamline = rng.choice(self.beamlines)
        technique = vocabulary.TECHNIQUES[rng.choice(beamline.techniques)]
        start = rng.uniform(FIRST_BEAMTIME, LAST_BEAMTIME)
        proposal_id = self._proposal(technique, start, start + rng.uniform(2, 6) * DAY)
        owners = rng.sample(PEOPLE, rng.randint(1, 3))
        if rng.random() < 0.6:
            orcids = [vocabulary.orcid(rng) for _ in owners]
        else:
            orcids = [vocabulary.orcid(rng)] if rng.random() < 0.5 else []
        pi_entry = self.proposals.get(proposal_id)
        pi = (
            f"{pi_entry['pi_lastname']}, {pi_entry['pi_firstname']}"
            if pi_entry
            else f"{owners[0][0]}, {owners[0][1]}"
        )
        instrument_id = beamline.pid if rng.random() > 0.01 else f"{beamline.pid}-2011"
        return _Beamtime(
            proposal_id=proposal_id,
            beamline=beamline,
            instrument_id=instrument_id,
            technique=technique,
            samples=rng.sample(technique.samples, min(len(technique.samples), rng.randint(1, 3))),
            owners=owners,
            orcids=orcids,
            pi=pi,
            clock=start,
            left=min(400, int(rng.expovariate(1 / 25)) + 1),
            run=rng.randint(1, 900_000),
            year=time.gmtime(start).tm_year,
        )

    # one dataset

    def dataset(self) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
        rng = self.rng
        if self.beamtime is None or self.beamtime.left <= 0:
            self.beamtime = self._new_beamtime()
        bt = self.beamtime
        bt.left -= 1
        bt.run += 1
        beamline, technique = bt.beamline, bt.technique
        sample = rng.choice(bt.samples)
        measurement = technique.build(rng, sample)
        pid = f"{PID_PREFIX}/{_uuid(rng)}"

        start = bt.clock
        end = start + rng.uniform(300, 3 * 3600)
        bt.clock = end + rng.uniform(60, 3600)
        derived = rng.random() < SHARE_DERIVED
        created = end + (rng.uniform(2, 60) * DAY if derived else rng.uniform(60, 3600))
        updated = created + (rng.uniform(0, 400) * DAY if rng.random() < 0.2 else 0)

        roll = rng.random()
        if roll < SHARE_EMBARGOED:
            published, date_of_publishing = False, rng.uniform(EMBARGO_FROM, EMBARGO_TO)
            self.summary.embargoed += 1
            _keep_sample(self.summary.embargoed_pids_sample, pid)
        elif roll < SHARE_EMBARGOED + SHARE_ELAPSED_UNPUBLISHED:
            published = False
            date_of_publishing = min(created + rng.uniform(1, 3) * 365 * DAY, PUBLISHED_BEFORE)
            self.summary.elapsed_unpublished += 1
        else:
            published = True
            date_of_publishing = min(created + rng.uniform(0, 3) * 365 * DAY, PUBLISHED_BEFORE)
            self.summary.public += 1
            _keep_sample(self.summary.public_pids_sample, pid)
        on_disk = rng.random() >= SHARE_ON_TAPE
        self.summary.on_tape += not on_disk

        n_files = file_count(rng)
        if derived:
            n_files = min(n_files, rng.randint(0, 20))
        scan = f"{sample.split()[0].lower().replace('/', '-')}_{bt.run:06d}"
        files = self._files(technique, scan, n_files, start, end)
        total_size = sum(f["size"] for f in files)
        self.summary.files += n_files
        self.summary.max_files = max(self.summary.max_files, n_files)
        if published:
            self.summary.public_files += n_files

        proposal_id = bt.proposal_id
        kind = "derived" if derived else "raw"
        folder = (
            f"/asap3/{beamline.facility.lower().replace(' ', '')}/gpfs/{beamline.code.lower()}/"
            f"{bt.year}/data/{proposal_id}/{'processed' if derived else 'raw'}/{scan}"
        )
        metadata: dict[str, Any] = dict(measurement.metadata)
        if rng.random() < 0.3:
            metadata["beam_current"] = vocabulary.qty(rng, round(rng.uniform(80, 120), 1), "mA")
        if rng.random() < 0.2:
            metadata["operator_comment"] = rng.choice(
                ("beam dump at the end of the scan", "sample moved by 0.1 mm", "good data", "")
            )
        if published:
            self.summary.parameters_hint += _leaves(metadata)
        owner = "; ".join(f"{last}, {first}" for last, first in bt.owners)
        staff = bt.owners[0][0]
        record: dict[str, Any] = {
            "pid": pid,
            "type": kind,
            "datasetName": measurement.title,
            "description": _description(rng, measurement.summary, beamline, proposal_id, derived),
            "owner": owner,
            "ownerEmail": f"{_mail(staff)}@facility.example",
            "orcidOfOwner": "; ".join(bt.orcids),
            "contactEmail": f"{beamline.code.lower()}-contact@facility.example",
            "principalInvestigators": [bt.pi],
            "creationLocation": f"/DESY/{beamline.facility}/{beamline.code}",
            "instrumentIds": [bt.instrument_id],
            "proposalIds": [proposal_id],
            "sampleIds": [f"sample-{proposal_id}-{bt.samples.index(sample) + 1}"],
            "inputDatasets": [] if not derived else [f"{PID_PREFIX}/{_uuid(rng)}"],
            "usedSoftware": ["https://github.com/example/reduction"] if derived else [],
            "sourceFolder": folder,
            "sourceFolderHost": "gpfs://asap3.facility.example",
            "size": total_size if rng.random() > 0.05 else 0,
            "packedSize": 0,
            "numberOfFiles": n_files if rng.random() > 0.05 else 0,
            "numberOfFilesArchived": 0 if on_disk else n_files,
            "creationTime": _iso(created),
            "startTime": _iso(start),
            "endTime": _iso(end),
            "dataFormat": technique.data_format,
            "runNumber": str(bt.run),
            "license": rng.choice(("CC-BY-4.0", "CC-BY-4.0", "CC-BY-4.0", "CC0-1.0")),
            "keywords": list(dict.fromkeys([*measurement.keywords, beamline.code])),
            "techniques": [{"pid": technique.pid, "name": technique.name}],
            "relationships": [],
            "sharedWith": [f"{_mail(bt.owners[-1][0])}@partner.example"]
            if rng.random() < 0.1
            else [],
            "isPublished": published,
            "ownerGroup": f"{proposal_id}-dmgt",
            "accessGroups": [f"{proposal_id}-clbt", f"{proposal_id}-part"],
            "instrumentGroup": beamline.group,
            "datasetlifecycle": {
                "archivable": True,
                "retrievable": True,
                "publishable": True,
                "archiveStatusMessage": "datasetOnArchiveDisk",
                "retrieveStatusMessage": "",
                "isOnCentralDisk": on_disk,
                "retrieveIntegrityCheck": False,
                "dateOfPublishing": _iso(date_of_publishing),
                "archiveRetentionTime": _iso(created + 10 * 365 * DAY),
                "storageLocation": "dCache" if on_disk else "tape",
            },
            "scientificMetadata": metadata,
            "version": "4.17.1",
            "createdBy": f"ingestor-{beamline.code.lower()}",
            "updatedBy": f"ingestor-{beamline.code.lower()}",
            "createdAt": _iso(created),
            "updatedAt": _iso(updated),
        }
        blocks = [
            {
                "_id": f"odb-{rng.getrandbits(48):012x}",
                "datasetId": pid,
                "size": sum(f["size"] for f in part),
                "chkAlg": "sha256",
                "dataFileList": part,
                "isPublished": published,
                "ownerGroup": f"{proposal_id}-dmgt",
                "accessGroups": [f"{proposal_id}-clbt"],
                "instrumentGroup": beamline.group,
                "createdBy": f"ingestor-{beamline.code.lower()}",
                "createdAt": _iso(created),
            }
            for part in (
                files[i : i + FILES_PER_BLOCK] for i in range(0, len(files), FILES_PER_BLOCK)
            )
        ]
        return record, blocks, self._attachments(pid, published, proposal_id, measurement.title)

    def _files(
        self, technique: Technique, scan: str, n: int, start: float, end: float
    ) -> list[dict[str, Any]]:
        rng = self.rng
        mu, sigma = technique.file_size
        step = (end - start) / max(n, 1)
        pattern = technique.file_pattern
        user, group = f"{scan[:3]}user", "asap3"
        stamps: dict[int, str] = {}
        out = []
        for k in range(n):
            second = int(start + k * step)
            stamp = stamps.get(second)
            if stamp is None:
                stamp = stamps[second] = _iso(second)
            out.append(
                {
                    "path": pattern.format(scan=scan, k=k),
                    "size": int(rng.lognormvariate(mu, sigma)),
                    "time": stamp,
                    "chk": f"{rng.getrandbits(256):064x}",
                    "uid": user,
                    "gid": group,
                    "perm": "-rw-r--r--",
                }
            )
        if n >= 3 and rng.random() < 0.5:
            out[0]["path"] = "README.txt"
            out[0]["size"] = rng.randint(200, 4000)
        return out

    def _attachments(
        self, pid: str, published: bool, proposal_id: str, title: str
    ) -> list[dict[str, Any]]:
        rng = self.rng
        if rng.random() >= SHARE_WITH_THUMBNAIL:
            return []
        out = []
        for number in range(1 if rng.random() < 0.9 else 2):
            roll = rng.random()
            if roll < 0.02:
                data = "data:image/svg+xml;base64," + base64.b64encode(b"<svg/>").decode()
            else:
                data = "data:image/png;base64," + base64.b64encode(_png(rng)).decode()
            visible = roll >= 0.04  # some previews stay internal
            if published and visible and roll >= 0.02:
                self.summary.public_thumbnails += 1
            self.summary.thumbnails += 1
            out.append(
                {
                    "aid": f"att-{_uuid(rng)}",
                    "thumbnail": data,
                    "caption": rng.choice(("Detector image", "Preview", "Reduced curve", ""))
                    + (f" {number + 1}" if number else ""),
                    "isPublished": visible,
                    "ownerGroup": f"{proposal_id}-dmgt",
                    "accessGroups": [],
                    "createdBy": "ingestor",
                    "relationships": [
                        {"targetId": pid, "targetType": "dataset", "relationType": "is attached to"}
                    ],
                }
            )
        return out

    # publications

    def publications(self, public_pids: list[str], number: int) -> list[dict[str, Any]]:
        rng = self.rng
        out = []
        for _ in range(number):
            if not public_pids:
                break
            self.summary.publications += 1
            doi = f"10.5072/pd-{self.summary.publications:05d}"
            status = rng.choices(("registered", "amended", "private", "public"), (7, 1, 1, 1))[0]
            self.summary.visible_publications += status in ("registered", "amended")
            pids = rng.sample(public_pids, min(len(public_pids), rng.randint(1, 30)))
            people = rng.sample(PEOPLE, rng.randint(1, 4))
            year = rng.randint(2015, 2026)
            out.append(
                {
                    "doi": doi,
                    "title": f"Data publication {self.summary.publications}: "
                    f"{rng.choice(list(vocabulary.TECHNIQUES.values())).name} data",
                    "abstract": "Datasets published together with the article they support.",
                    "datasetPids": pids,
                    "status": status,
                    "registeredTime": _iso(calendar.timegm((year, 6, 1, 0, 0, 0))),
                    "numberOfFiles": 0,
                    "sizeOfArchive": 0,
                    "metadata": {
                        "creators": [
                            {
                                "name": f"{last}, {first}",
                                "nameType": "Personal",
                                "givenName": first,
                                "familyName": last,
                            }
                            for last, first in people
                        ],
                        "publisher": {"name": "Photon Science Facility"},
                        "publicationYear": year,
                        "resourceType": "raw",
                        "subjects": [{"subject": "photon science"}],
                        "rightsList": [
                            {
                                "rights": "Creative Commons Attribution 4.0 International",
                                "rightsUri": "https://creativecommons.org/licenses/by/4.0/",
                                "rightsIdentifier": "CC-BY-4.0",
                            }
                        ],
                    },
                    "createdBy": "publisher-account",
                    "createdAt": _iso(calendar.timegm((year, 5, 1, 0, 0, 0))),
                    "updatedAt": _iso(calendar.timegm((year, 6, 1, 0, 0, 0))),
                }
            )
        return out

    def instruments(self) -> list[dict[str, Any]]:
        return [
            {
                "pid": b.pid,
                "uniqueName": b.code,
                "name": b.name,
                "customMetadata": {"facility": b.facility},
                "ownerGroup": b.group,
                "accessGroups": [],
            }
            for b in self.beamlines
        ]


def _uuid(rng: Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _mail(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower()) or "user"


def _keep_sample(sample: list[str], pid: str, limit: int = 20) -> None:
    if len(sample) < limit:
        sample.append(pid)


def _leaves(node: Any) -> int:
    if isinstance(node, dict):
        if "value" in node or "v" in node:
            return 1
        return sum(_leaves(child) for child in node.values())
    if isinstance(node, list) and any(isinstance(item, dict | list) for item in node):
        return sum(_leaves(item) for item in node)
    return 1


_EXTRA_SENTENCES = (
    "Raw detector images with motor positions in the NeXus master file.",
    "Processed with the facility pipeline; calibration files are included.",
    "Part of a series: neighbouring runs share the sample.",
    "Some frames at the end of the scan are affected by a beam loss.",
    "",
)


def _description(
    rng: Random, summary: str, beamline: Beamline, proposal: str, derived: bool
) -> str:
    where = f"Measured at {beamline.code} ({beamline.facility}) for proposal {proposal}."
    extra = rng.choice(_EXTRA_SENTENCES)
    lead = "Derived data. " if derived else ""
    return " ".join(part for part in (lead + summary, where, extra) if part)


# -- writing ------------------------------------------------------------------------------------


def generate(
    path: Path,
    n: int,
    *,
    seed: int = 1,
    chunk_size: int = CHUNK_SIZE,
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """Write an export of ``n`` datasets into ``path`` (export files already there are replaced)."""
    if n < 0 or chunk_size < 1:
        raise ValueError("n must be >= 0 and chunk_size >= 1")
    started = time.perf_counter()
    path.mkdir(parents=True, exist_ok=True)
    for old in path.iterdir():
        if _EXPORT_FILE.match(old.name) or old.name == SUMMARY:
            old.unlink()
    catalogue = _Catalogue(seed)
    summary = catalogue.summary
    summary.chunk_size = chunk_size
    publications: list[dict[str, Any]] = []
    for number, first in enumerate(range(0, n, chunk_size), start=1):
        datasets: list[dict[str, Any]] = []
        blocks: list[dict[str, Any]] = []
        attachments: list[dict[str, Any]] = []
        for _ in range(min(chunk_size, n - first)):
            record, record_blocks, record_attachments = catalogue.dataset()
            datasets.append(record)
            blocks.extend(record_blocks)
            attachments.extend(record_attachments)
        summary.datasets += len(datasets)
        summary.bytes += _write_json(path / f"datasets.v4.{number:05d}.json", datasets)
        summary.bytes += _write_json(path / f"origdatablocks.v4.{number:05d}.json", blocks)
        summary.bytes += _write_json(path / f"attachments.v4.{number:05d}.json", attachments)
        public_pids = [d["pid"] for d in datasets if d["isPublished"]]
        wanted = len(datasets) / DATASETS_PER_PUBLICATION
        count = int(wanted) + (catalogue.rng.random() < wanted % 1 or number == 1)
        publications.extend(catalogue.publications(public_pids, count))
        if progress:
            progress(summary.datasets)
    instruments = catalogue.instruments()
    summary.instruments = len(instruments)
    summary.proposals = len(catalogue.proposals)
    summary.bytes += _write_json(path / "instruments.v4.json", instruments)
    summary.bytes += _write_json(path / "proposals.v4.json", list(catalogue.proposals.values()))
    summary.bytes += _write_json(path / "publisheddata.v4.json", publications)
    summary.seconds = round(time.perf_counter() - started, 3)
    _write_json(path / SUMMARY, summary.to_json())
    return summary


def describe(summary: Summary) -> str:
    return (
        f"{summary.datasets:,} datasets ({summary.public:,} public, {summary.embargoed:,} under "
        f"embargo, {summary.elapsed_unpublished:,} with an elapsed embargo but unpublished, "
        f"{summary.on_tape:,} on tape); {summary.files:,} files, mean {summary.mean_files:.1f} "
        f"per dataset, max {summary.max_files:,}; {summary.thumbnails:,} thumbnails; "
        f"{summary.proposals:,} proposals, {summary.instruments} instruments, "
        f"{summary.publications} publications; {summary.bytes / 1e6:,.0f} MB"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__)
    parser.add_argument("n", type=int, help="number of datasets")
    parser.add_argument("directory", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE)
    args = parser.parse_args(argv)

    def progress(done: int) -> None:
        print(f"\r  {done:,} / {args.n:,} datasets", end="", file=sys.stderr, flush=True)

    summary = generate(
        args.directory, args.n, seed=args.seed, chunk_size=args.chunk_size, progress=progress
    )
    print(file=sys.stderr)
    print(f"{describe(summary)}; written in {summary.seconds:.1f} s to {args.directory}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
