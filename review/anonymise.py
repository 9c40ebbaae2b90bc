"""Anonymised review (double-blind journals): who made the data is removed from what is served.

Dataverse's anonymised preview URLs showed where it goes wrong: author names left in the page's
meta tags (IQSS/dataverse#8158), in a files table built by other code (#8298), and identity
given away by the context around the record (its collection, #8184). So the anonymisation is
done once, here, on the typed records before any page, meta tag, citation or export is built
from them, and it removes rather than hides:

* creators (owners) with their ORCID iDs, principal investigators, the proposal (title, id and
  PI name), and the scientific-metadata keys listed in ``PORTAL_REVIEW_ANONYMOUS_KEYS``;
* every occurrence of those names (whole names and their parts) and of the proposal's id in
  whatever text is left: titles, descriptions, keywords, the source folder, file paths, run
  numbers and scientific-metadata values, replaced by ``[anonymised]``.

:class:`Scrubber` answers whether a text still names someone (a file's download address, say),
so the caller can leave it out.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from typing import Any

from catalogue.payloads import DatasetIn

REDACTED = "[anonymised]"
# Name parts shorter than this are not searched for ("Li" would blank half of every text).
_MIN_PART = 3


class Scrubber:
    """Finds and replaces a set of names (case-insensitive, whole words) in text."""

    def __init__(self, names: Iterable[str]) -> None:
        terms: set[str] = set()
        for name in names:
            name = " ".join(name.split())
            if len(name) >= _MIN_PART:
                terms.add(name)
            for part in re.split(r"[\s,;]+", name):
                part = part.strip(".-_'")
                if len(part) >= _MIN_PART:
                    terms.add(part)
        ordered = sorted(terms, key=len, reverse=True)  # "Ada Lovelace" before "Ada"
        self._pattern = (
            re.compile(
                r"(?<![^\W_])(?:" + "|".join(re.escape(t) for t in ordered) + r")(?![^\W_])",
                re.IGNORECASE,
            )
            if ordered
            else None
        )

    def names_in(self, text: str) -> bool:
        return bool(self._pattern and self._pattern.search(text))

    def text(self, text: str) -> str:
        return self._pattern.sub(REDACTED, text) if self._pattern and text else text

    def value(self, value: Any) -> Any:
        """Scientific metadata: strings scrubbed, containers walked, numbers kept."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(str(k)): self.value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v) for v in value]
        return value


def names_of(datasets: Sequence[DatasetIn]) -> list[str]:
    """Everything that names the people or the proposal behind ``datasets``."""
    names: list[str] = []
    for dataset in datasets:
        names += [c.get("name", "") for c in dataset.creators]
        names += [c.get("orcid", "") for c in dataset.creators]
        names += dataset.principal_investigators
        if dataset.proposal is not None:
            names += [dataset.proposal.pi_name, dataset.proposal.proposal_id]
    return [n for n in names if n]


def _without_keys(metadata: dict[str, Any], keys: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in metadata.items():
        if key.lower() in keys:
            continue
        out[key] = _without_keys(value, keys) if isinstance(value, dict) else value
    return out


def anonymise(
    datasets: Sequence[DatasetIn], *, hidden_keys: Sequence[str]
) -> tuple[list[DatasetIn], Scrubber]:
    """The records without who made them, and the scrubber that did it."""
    scrubber = Scrubber(names_of(datasets))
    # The proposal's title is removed, not scrubbed; its words are no names.
    keys = {k.strip().lower() for k in hidden_keys if k.strip()}
    out = []
    for dataset in datasets:
        files = None
        if dataset.files is not None:
            files = [dataclasses.replace(f, path=scrubber.text(f.path)) for f in dataset.files]
        out.append(
            dataclasses.replace(
                dataset,
                title=scrubber.text(dataset.title),
                description=scrubber.text(dataset.description),
                keywords=[scrubber.text(k) for k in dataset.keywords],
                run_number=scrubber.text(dataset.run_number),
                source_folder=scrubber.text(dataset.source_folder),
                data_format=scrubber.text(dataset.data_format),
                proposal=None,
                principal_investigators=[],
                creators=[],
                scientific_metadata=scrubber.value(
                    _without_keys(dataset.scientific_metadata, keys)
                ),
                files=files,
                thumbnails=None,
            )
        )
    return out, scrubber
