"""The small catalogue export the tests import, and what it must never show.

``tests/data/scicat-export`` is the hand-written five-dataset export (two more records that are
not public) that the demo used to be; tests import it rather than ``demo/scicat-export`` so that
they do not depend on the demo's size (the demo is generated: ``demo/generate.py``, and its own
tests are in ``tests/demo_export/``). ``DEMO_EXPORT`` keeps its name for the tests that use it.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

DEMO_EXPORT = Path(settings.BASE_DIR) / "tests" / "data" / "scicat-export"
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
