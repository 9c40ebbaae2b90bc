"""What the real SciCat releases do to the sync, on the stand-in playing 4.17.1 and 5.2.1.

The same findings as ``test_sync_real_scicat.py`` (which runs the real backends), here in a
fraction of the time, so a regression shows in both.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalogue.models import DataFile, Dataset, Proposal, Thumbnail
from catalogue.payloads import FilesStatus
from publishing.models import Publication
from sync import live
from sync.models import SyncRun, SyncStatus
from tests.standins.scicat import SciCatStandIn
from tests.sync.support import add, attachments, blocks, dataset, pid, published_data

pytestmark = pytest.mark.django_db
RELEASES = ("4.17.1", "5.2.1")


@pytest.fixture(params=RELEASES)
def release(request: pytest.FixtureRequest, scicat: SciCatStandIn) -> str:
    """Both releases, the stand-in playing each (dates in v4 lists not cast, as both do)."""
    scicat.set_release(str(request.param))
    scicat.v4_casts_dates = False
    return str(request.param)


def _files(n: int) -> set[str]:
    return set(DataFile.objects.filter(dataset__pid=pid(n)).values_list("path", flat=True))


def _public() -> set[str]:
    return set(Dataset.objects.public().values_list("pid", flat=True))


@pytest.mark.parametrize("mode", ["v3", "v4"])
def test_every_public_dataset_gets_only_its_own_files(
    scicat: SciCatStandIn, release: str, settings: Any, mode: str
) -> None:
    settings.SCICAT_API_VERSION = mode  # v4 with the fixture's account
    for n in range(3):
        add(scicat, n, files=n + 1)
    add(scicat, 9, published=False, files=4)

    run = live.catalogue_sync()

    assert run.status == SyncStatus.SUCCEEDED
    assert run.dropped == 0
    for n in range(3):
        assert _files(n) == {f"scan_{n}/frame_{i:03d}.h5" for i in range(n + 1)}
    assert not Dataset.objects.filter(pid=pid(9)).exists()


def test_v3_incremental_runs_after_the_first_succeed(
    scicat: SciCatStandIn, release: str, settings: Any
) -> None:
    """4.17 answers a bare LoopBack ``gte`` with a 500."""
    settings.SCICAT_API_VERSION = "v3"
    add(scicat, 1)
    runs = [live.catalogue_sync() for _ in range(2)]
    add(scicat, 2)
    runs.append(live.catalogue_sync())
    settings.PORTAL_PUBLISH_ON_EMBARGO_END = True
    runs.append(live.embargo_check())

    assert [r.status for r in runs] == [SyncStatus.SUCCEEDED] * 4
    assert _public() == {pid(1), pid(2)}
    assert all(
        "gte" not in json.dumps(s.filter.get("where", {})).replace("$gte", "")
        for s in scicat.requests("/api/v3/")
    )


@pytest.mark.parametrize("account", [True, False])
def test_v4_runs_succeed_and_bring_published_data(
    scicat: SciCatStandIn, release: str, settings: Any, account: bool
) -> None:
    """4.17 has no /api/v4/publisheddata: every v4 run used to end FAILED."""
    if not account:
        settings.SCICAT_USERNAME = settings.SCICAT_PASSWORD = ""
    add(scicat, 1)
    scicat.put_published_data(published_data("10.5072/release-1", pid(1)))

    run = live.catalogue_sync()

    assert run.status == SyncStatus.SUCCEEDED
    assert run.catalogue_release == f"SciCat {release[0]}.x (asked)"
    assert Publication.objects.filter(doi="10.5072/release-1").exists()
    route = "/api/v4/publisheddata" if release == "5.2.1" else "/api/v3/publisheddata"
    assert any("where" in s.filter for s in scicat.requests(route))


def test_anonymous_v4_never_stores_a_dataset_as_having_no_files(
    scicat: SciCatStandIn, release: str, settings: Any
) -> None:
    settings.SCICAT_USERNAME = settings.SCICAT_PASSWORD = ""
    add(scicat, 1, files=3)

    run = live.catalogue_sync()

    stored = Dataset.objects.get(pid=pid(1))
    assert stored.number_of_files == 3
    if release == "4.17.1":  # no public route for origdatablocks at all
        assert stored.files_status == FilesStatus.UNAVAILABLE
        assert "SCICAT_USERNAME" in run.message
        assert not scicat.requests("/api/v3/origdatablocks")  # its anonymous leak is not used
    else:  # only origdatablocks that are themselves isPublished
        assert stored.files_status == FilesStatus.PARTIAL
        assert run.files_partial == 1


def test_a_dataset_synced_by_pid_keeps_its_files_and_thumbnails(
    scicat: SciCatStandIn, release: str, settings: Any
) -> None:
    """4.17's /api/v3/datasets/{pid} ignores include: ``--pid`` used to delete them."""
    settings.SCICAT_API_VERSION = "v3"
    add(scicat, 1, files=2)
    live.catalogue_sync()

    run = live.records_sync(pids=[pid(1)])

    assert run.status == SyncStatus.SUCCEEDED
    assert len(_files(1)) == 2
    assert Thumbnail.objects.filter(dataset__pid=pid(1)).count() == 1


@pytest.mark.parametrize("mode", ["v3", "v4"])
def test_instruments_and_proposals_come_by_id(
    scicat: SciCatStandIn, release: str, settings: Any, mode: str
) -> None:
    settings.SCICAT_API_VERSION = mode
    add(scicat, 1)

    live.catalogue_sync()

    stored = Dataset.objects.select_related("instrument", "proposal").get(pid=pid(1))
    assert stored.instrument is not None
    assert (stored.instrument.name, stored.instrument.facility) == (
        "P08 High-resolution diffraction",
        "PETRA III",
    )
    assert stored.proposal is not None
    assert (stored.proposal.title, stored.proposal.pi_name) == (
        "Lipid monolayers at liquid interfaces",
        "Noether, Emmy",
    )
    proposals = scicat.requests("/api/v3/proposals")
    assert proposals
    assert all("filters" in s.query and "filter" not in s.query for s in proposals)


def test_thumbnails_of_a_newly_published_dataset_are_kept(
    scicat: SciCatStandIn, release: str, settings: Any
) -> None:
    """SciCat leaves an attachment's isPublished false when its dataset is published."""
    settings.SCICAT_API_VERSION = "v3"
    attachment = {**attachments(1)[0], "isPublished": False}
    scicat.put_dataset(dataset(1, published=False), blocks=blocks(1), attachments=[attachment])
    scicat.publish(pid(1))

    live.catalogue_sync()

    assert Thumbnail.objects.get(dataset__pid=pid(1)).caption == "Curve of scan 1"


def test_relations_of_no_public_dataset_are_dropped_and_counted(
    scicat: SciCatStandIn, release: str, settings: Any
) -> None:
    """The catalogue's relation look-ups ignore the filter: the portal keeps nothing of it."""
    settings.SCICAT_API_VERSION = "v3"
    add(scicat, 1)
    add(scicat, 2, published=False)
    scicat.put_proposal({"proposalId": "private-1", "title": "Private", "pi_lastname": "Curie"})
    scicat.leak_relations = True

    run = live.catalogue_sync()

    assert _public() == {pid(1)}
    assert _files(1) == {"scan_1/frame_000.h5", "scan_1/frame_001.h5"}
    assert not DataFile.objects.filter(path__startswith="scan_2/").exists()
    assert Thumbnail.objects.filter(dataset__pid=pid(1)).count() == 1
    assert not Proposal.objects.filter(proposal_id="private-1").exists()
    assert run.dropped >= 3  # dataset 2's block and attachment, the private proposal


def test_files_that_could_not_be_read_are_marked_and_read_again_next_run(
    scicat: SciCatStandIn, release: str, settings: Any
) -> None:
    settings.SCICAT_API_VERSION = "v3"
    add(scicat, 1, files=2)
    settings.SCICAT_RETRIES = 3
    scicat.fail(503, times=4, path="/api/v3/origdatablocks")  # every try of one call

    first = live.catalogue_sync()

    stored = Dataset.objects.get(pid=pid(1))
    assert (first.status, first.files_incomplete) == (SyncStatus.SUCCEEDED, 1)
    assert (stored.files_status, stored.number_of_files, len(_files(1))) == (
        FilesStatus.INCOMPLETE,
        2,
        0,
    )
    page = Client().get(reverse("landing:dataset", args=[pid(1)])).content.decode()
    assert "has not been read from the facility's catalogue yet" in page
    assert "No list of files has been published" not in page

    second = live.catalogue_sync()

    stored.refresh_from_db()
    assert (second.files_incomplete, stored.files_status, len(_files(1))) == (
        0,
        FilesStatus.COMPLETE,
        2,
    )


def test_a_file_count_that_differs_is_reported_and_shown(
    scicat: SciCatStandIn, release: str, settings: Any
) -> None:
    settings.SCICAT_API_VERSION = "v3"
    add(scicat, 1, files=2, numberOfFiles=5)

    run = live.catalogue_sync()

    assert run.files_partial == 1
    assert any(pid(1) in e and "counts 5 files" in e for e in run.errors)
    page = Client().get(reverse("landing:dataset", args=[pid(1)])).content.decode()
    assert "counts 5 files for this dataset; 2 are listed here" in page


def test_scicats_default_date_of_publishing_publishes_nothing(
    scicat: SciCatStandIn, release: str, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stand-in fills dateOfPublishing in as SciCat does (within a week of createdAt)."""
    settings.SCICAT_API_VERSION = "v3"
    settings.PORTAL_PUBLISH_ON_EMBARGO_END = True
    made = datetime.now(UTC)
    scicat.set_clock(made)
    created = made.isoformat()
    scicat.put_dataset(
        {**dataset(1, published=False), "createdAt": created, "datasetlifecycle": {}},
        blocks=blocks(1),
    )
    chosen = made + timedelta(days=30)
    scicat.put_dataset(
        {
            **dataset(2, published=False),
            "createdAt": created,
            "datasetlifecycle": {"dateOfPublishing": chosen.isoformat()},
        }
    )
    filled = scicat.dataset(pid(1))["datasetlifecycle"]["dateOfPublishing"]
    assert filled  # SciCat's default
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(days=60))

    for run in (live.catalogue_sync(), live.embargo_check(), live.catalogue_reconcile()):
        assert run.status == SyncStatus.SUCCEEDED

    assert _public() == {pid(2)}


def test_an_unknown_backend_stops_the_run_with_a_clear_message(settings: Any) -> None:
    class NotSciCat(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b'{"error": "no such route"}'
            self.send_response(404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), NotSciCat)
    Thread(target=server.serve_forever, daemon=True).start()
    settings.SCICAT_URL = f"http://127.0.0.1:{server.server_address[1]}"
    settings.SCICAT_API_VERSION = "v4"
    settings.SCICAT_USERNAME = settings.SCICAT_PASSWORD = settings.SCICAT_TOKEN = ""
    settings.SCICAT_BACKEND_VERSION = "auto"
    settings.REDIS_URL = ""
    try:
        with pytest.raises(Exception, match="not a SciCat backend of a release the portal reads"):
            live.catalogue_sync()
    finally:
        server.shutdown()

    run = SyncRun.objects.get()
    assert run.status == SyncStatus.FAILED
    assert "4.x, 5.x" in run.message


def test_the_release_can_be_configured_instead_of_asked(
    scicat: SciCatStandIn, release: str, settings: Any
) -> None:
    settings.SCICAT_BACKEND_VERSION = release[0]
    add(scicat, 1)

    run = live.catalogue_sync()

    assert run.catalogue_release == f"SciCat {release[0]}.x (configured)"
    assert not [s for s in scicat.seen if s.filter.get("limits") == {"limit": 1}]  # no probe
