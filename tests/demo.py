"""The small catalogue export the tests import, and what it must never show.

``tests/data/scicat-export`` is the hand-written five-dataset export (two more records that are
not public) that the demo used to be; tests import it rather than ``demo/scicat-export`` so that
they do not depend on the demo's size. The demo is generated (``demo/generate.py``); its own
tests are in ``tests/demo_export/`` and load the generator with :func:`demo_generator`.
``DEMO_EXPORT`` keeps its name for the tests that use it.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from django.conf import settings

DEMO_EXPORT = Path(settings.BASE_DIR) / "tests" / "data" / "scicat-export"
# The demo `make run` imports (generated: demo/generate.py); only tests/demo_export use it.
GENERATED_EXPORT = Path(settings.BASE_DIR) / "demo" / "scicat-export"
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


def demo_generator() -> ModuleType:
    """``demo/generate.py``, the generator of the demo export (``make demo-export``).

    Loaded under a name of its own: inside the test run ``demo`` is this module.
    """
    name = "demo_generator"
    if name not in sys.modules:
        root = Path(settings.BASE_DIR) / "demo"
        spec = importlib.util.spec_from_file_location(
            name, root / "__init__.py", submodule_search_locations=[str(root)]
        )
        assert spec is not None
        assert spec.loader is not None
        package = importlib.util.module_from_spec(spec)
        sys.modules[name] = package
        spec.loader.exec_module(package)
    return importlib.import_module(f"{name}.generate")
