"""The demo catalogue (demo/scicat-export) as the tests know it, and what it must never show."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

DEMO_EXPORT = Path(settings.BASE_DIR) / "demo" / "scicat-export"
DEMO_PID = "20.500.12269/cb2f2cf8-3b59-4592-a383-706c2c91cf4e"
DEMO_DOI = "10.5072/desy-pd-0001"
EMBARGOED_PID = "20.500.12269/9d1c0c3e-0000-4a1e-8a8e-embargoed0001"
# What the demo export holds that no public page, feed, export or index may show: owner and
# contact e-mail addresses, owner and access groups, ingest accounts, internal hosts.
PRIVATE_STRINGS = (
    "@facility.example",
    "@university.example",
    "ownerGroup",
    "accessGroups",
    "11019634-dmgt",
    "11019634-clbt",
    "beamline-staff",
    "p08-staff",
    "ingestor-p08",
    "asap3.facility.example",
)
