"""Reading a catalogue export: a directory of SciCat API answers saved as JSON files.

Layout (as in ``demo/scicat-export``): ``datasets.v4.json``, ``origdatablocks.v4.json``,
``attachments.v4.json``, ``instruments.v4.json``, ``proposals.v4.json`` and
``publisheddata.v4.json``, each a JSON array as the API returns it (``.v3.`` for the v3 API).
Large exports may be cut into aligned chunks, ``datasets.v4.00001.json`` with
``origdatablocks.v4.00001.json`` and ``attachments.v4.00001.json``, so that memory stays flat.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sync import scicat

_NAME = re.compile(r"^(?P<kind>[a-z]+)\.(?P<version>v[34])(?:\.(?P<chunk>\d+))?\.json$")
KINDS = ("datasets", "origdatablocks", "attachments", "instruments", "proposals", "publisheddata")


class ExportError(ValueError):
    """An export directory that cannot be read; the message names the file."""


@dataclass
class Chunk:
    datasets: list[dict[str, Any]]
    blocks: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    attachments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


class ExportDirectory:
    def __init__(self, path: Path) -> None:
        if not path.is_dir():
            raise ExportError(f"{path}: not a directory")
        self.path = path
        self.files: dict[str, dict[str, Path]] = defaultdict(dict)
        for item in sorted(path.iterdir()):
            match = _NAME.match(item.name)
            if match and match["kind"] in KINDS:
                self.files[match["kind"]][match["chunk"] or ""] = item
        if not self.files.get("datasets"):
            raise ExportError(f"{path}: no datasets.v4.json (or datasets.v3.json) in it")

    def _load(self, path: Path | None) -> list[dict[str, Any]]:
        if path is None:
            return []
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ExportError(f"{path.name}: cannot be read as JSON: {exc}") from None
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise ExportError(f"{path.name}: expected a JSON array of objects")
        return data

    def _all(self, kind: str) -> list[dict[str, Any]]:
        return [
            row
            for key in sorted(self.files.get(kind, {}))
            for row in self._load(self.files[kind][key])
        ]

    def instruments(self) -> list[dict[str, Any]]:
        return self._all("instruments")

    def proposals(self) -> list[dict[str, Any]]:
        return self._all("proposals")

    def published_data(self) -> list[dict[str, Any]]:
        return self._all("publisheddata")

    def chunks(self) -> Iterator[Chunk]:
        for key in sorted(self.files["datasets"]):
            chunk = Chunk(datasets=self._load(self.files["datasets"][key]))
            for block in self._load(self.files.get("origdatablocks", {}).get(key)):
                if isinstance(block.get("datasetId"), str):
                    chunk.blocks.setdefault(block["datasetId"], []).append(block)
            for attachment in self._load(self.files.get("attachments", {}).get(key)):
                for pid in scicat.attachment_dataset_pids(attachment):
                    chunk.attachments.setdefault(pid, []).append(attachment)
            yield chunk
