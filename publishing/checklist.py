"""What must be true before a portal publication's DOI is registered: the register page's checklist.

Each check says whether it passes, what is wrong, and which part of the staff editor fixes it (a
field of the metadata form, or the datasets). The last check is DataCite's own: the attributes
that would be sent, validated against kernel 4.7 by :mod:`publishing.doi_metadata`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from publishing.doi_metadata import MetadataInvalid, datacite_attributes
from publishing.models import Publication


@dataclass(frozen=True)
class Check:
    """One thing that must pass; ``fix`` names the editor's field (or "datasets") that fixes it."""

    key: str
    label: str
    ok: bool
    fix: str
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class Checklist:
    checks: tuple[Check, ...]
    # What DataCite would get (None while the metadata is invalid).
    attributes: dict[str, Any] | None = field(default=None)

    @property
    def passed(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def failed(self) -> list[Check]:
        return [check for check in self.checks if not check.ok]


def registration_checklist(publication: Publication, *, doi: str, url: str) -> Checklist:
    """Every check ``publication`` must pass to be registered as ``doi``, resolving to ``url``."""
    creators = [c for c in publication.creators or [] if isinstance(c, dict) and c.get("name")]
    has_licence = any(
        isinstance(r, dict) and (r.get("rights") or r.get("rightsIdentifier"))
        for r in publication.rights or []
    )
    public_datasets = publication.datasets.public().count()
    checks = [
        Check(
            "abstract",
            _("An abstract says what the data are"),
            bool(publication.abstract.strip()),
            "abstract",
        ),
        Check("creators", _("At least one creator is credited"), bool(creators), "creators"),
        Check("licence", _("A licence says how the data may be reused"), has_licence, "rights"),
        Check(
            "datasets",
            _("At least one public dataset is part of it"),
            public_datasets > 0,
            "datasets",
        ),
    ]
    attributes: dict[str, Any] | None = None
    try:
        attributes = datacite_attributes(publication, doi=doi, url=url)
    except MetadataInvalid as exc:
        problems = tuple(str(problem) for problem in exc.problems)
        first = next((p.field for p in exc.problems if p.field), "") or ""
        checks.append(
            Check(
                "datacite",
                _("The metadata is valid for DataCite (kernel 4.7)"),
                False,
                first,
                problems,
            )
        )
    else:
        checks.append(
            Check("datacite", _("The metadata is valid for DataCite (kernel 4.7)"), True, "")
        )
    return Checklist(tuple(checks), attributes)
