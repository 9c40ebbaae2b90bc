"""Fixtures for tests against the real SciCat backend (a pytest plugin: ``tests/conftest.py``
loads it, so tests anywhere in the tree can ask for these).

``scicat_real_v4_server`` / ``scicat_real_v5_server`` (session)
    SciCat v4.17.1 / v5.2.1, each started on first use (~5-9 s with the kit's build cache warm,
    minutes when cold) and stopped at the end of the run. Never emptied by the harness: for data
    seeded once per module, with a ``prefix`` of the module's own.
``scicat_real_v4`` / ``scicat_real_v5`` (function)
    The same backend with an empty catalogue at the start of the test.
``scicat_real`` (function)
    Parametrised over both versions (test ids ``[v4.17.1]`` / ``[v5.2.1]``), empty catalogue.

Each is a :class:`SciCatReal`: ``.url``, ``.version``, ``.accounts`` (username -> Account with
``password`` and ``role``: admin, ingestor, archiveManager, proposalIngestor), ``.seeder`` (a
:class:`~tests.scicat_real.seed.Seeder` logged in as those accounts), ``.anonymous()``,
``.client(username)``, ``.seed(...)`` (:func:`~tests.scicat_real.seed.seed_catalogue`).

An empty catalogue per test, and why this way (measured on this 2-core machine, both versions):

* deleting the documents of the catalogue collections over FerretDB's wire protocol
  (:meth:`~tests.scicat_real.kit.SciCatBackend.wipe`, the accounts' collections kept, SciCat keeps
  running and its tokens stay valid): 10-20 ms; **used**;
* down.sh, ``rm -rf WORKDIR/ferretdb``, up.sh (``restart(empty=True)``): ~7 s per test and version;
* unique pids / prefixes per test: free, but any listing or count sees the other tests' records,
  which is what the sync tests look at; the ``*_server`` fixtures are there for that style;
* deleting through SciCat's API: datasets only by archiveManager, instruments and proposals
  not at all with the kit's settings.

What ``wipe()`` cannot reset is state SciCat keeps in its process. One known case, v4.17.1: an
``include`` of relations on ``/api/v4/datasets[/public]`` by a caller who may not see everything
(anonymous, ingestor) leaves that caller's ``$match`` on a module-level lookup stage, and admin
callers' includes then reuse it until the next such call (``test_api_facts`` pins it). A test that
needs admin includes independent of earlier tests restarts SciCat first:
``scicat_real.backend.restart()`` (the database and the tokens survive; 7 s, more under load).

Every test that uses one of these fixtures gets the ``scicat_real`` marker (deselect with
``-m 'not scicat_real'``). When the kit cannot run here (no kit folder, go, node >= 20 or npm)
those tests skip and say why; with ``PORTAL_TEST_REQUIRE_SERVICES=1`` they fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.scicat_real.kit import Account, SciCatBackend, scicat_kit_missing
from tests.scicat_real.seed import SciCatClient, SeededCatalogue, Seeder, seed_catalogue
from tests.servers import ServerMissing, require_service, services_required

V4, V5 = "v4.17.1", "v5.2.1"
MARKER = "scicat_real"
FIXTURES = frozenset(
    {
        "scicat_real",
        "scicat_real_v4",
        "scicat_real_v5",
        "scicat_real_v4_server",
        "scicat_real_v5_server",
    }
)

# Backends started in this session, for the start-up times in the summary.
_started: list[SciCatBackend] = []


@dataclass
class SciCatReal:
    """A running SciCat backend and a seeder logged in to it."""

    backend: SciCatBackend
    seeder: Seeder

    @property
    def url(self) -> str:
        return self.backend.url

    @property
    def version(self) -> str:
        return self.backend.version

    @property
    def accounts(self) -> dict[str, Account]:
        return self.backend.accounts

    def client(self, username: str) -> SciCatClient:
        return self.seeder.client(username)

    def anonymous(self) -> SciCatClient:
        return self.seeder.anonymous()

    def wipe(self) -> dict[str, int]:
        return self.backend.wipe()

    def seed(self, **options: Any) -> SeededCatalogue:
        return seed_catalogue(self.seeder, **options)

    def __repr__(self) -> str:
        return f"<SciCatReal {self.version} {self.url}>"


def _serve(version: str) -> Iterator[SciCatReal]:
    backend = SciCatBackend(version)
    try:
        backend.start()
    except ServerMissing as exc:
        missing = str(exc)
    else:
        missing = ""
    if missing:
        require_service(f"SciCat {version} (scicat-real kit)", missing)
    _started.append(backend)
    seeder = Seeder(backend.url, backend.accounts)
    try:
        yield SciCatReal(backend, seeder)
    finally:
        seeder.close()
        backend.stop()


@pytest.fixture(scope="session")
def scicat_real_v4_server() -> Iterator[SciCatReal]:
    yield from _serve(V4)


@pytest.fixture(scope="session")
def scicat_real_v5_server() -> Iterator[SciCatReal]:
    yield from _serve(V5)


def _emptied(server: SciCatReal) -> SciCatReal:
    server.wipe()
    return server


@pytest.fixture
def scicat_real_v4(scicat_real_v4_server: SciCatReal) -> SciCatReal:
    return _emptied(scicat_real_v4_server)


@pytest.fixture
def scicat_real_v5(scicat_real_v5_server: SciCatReal) -> SciCatReal:
    return _emptied(scicat_real_v5_server)


@pytest.fixture(params=[V4, V5])
def scicat_real(request: pytest.FixtureRequest) -> SciCatReal:
    name = "scicat_real_v4_server" if request.param == V4 else "scicat_real_v5_server"
    return _emptied(request.getfixturevalue(name))


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(MARKER)


def pytest_report_header(config: pytest.Config) -> list[str]:
    missing = scicat_kit_missing()
    required = " (required)" if services_required() else ""
    if missing is None:
        return [f"real SciCat backend{required}: available (scicat-real kit)"]
    return [f"real SciCat backend{required}: missing: {missing}"]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _started:
        times = ", ".join(
            f"{backend.name} {backend.startup_seconds:.1f} s"
            for backend in _started
            if backend.startup_seconds is not None
        )
        terminalreporter.write_line(f"real SciCat backends started in: {times}")
