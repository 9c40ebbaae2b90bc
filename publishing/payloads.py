"""Typed input of the publication write services, in the portal's own vocabulary."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(slots=True)
class PublicationIn:
    doi: str
    title: str
    abstract: str = ""
    creators: list[dict[str, Any]] = field(default_factory=list)
    contributors: list[dict[str, Any]] = field(default_factory=list)
    publisher: str = ""
    publication_year: int | None = None
    resource_type: str = ""
    subjects: list[dict[str, Any]] = field(default_factory=list)
    rights: list[dict[str, Any]] = field(default_factory=list)
    related_identifiers: list[dict[str, Any]] = field(default_factory=list)
    funding_references: list[dict[str, Any]] = field(default_factory=list)
    geo_locations: list[dict[str, Any]] = field(default_factory=list)
    dataset_pids: list[str] = field(default_factory=list)
    registered_at: datetime | None = None
    source_updated_at: datetime | None = None
