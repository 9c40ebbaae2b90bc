"""The live sync's services against the SciCat stand-in, on the real database."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from catalogue.models import DataFile, Dataset, Thumbnail
from catalogue.services import dataset_withdraw
from catalogue.visibility import Visibility, WithdrawnBy
from publishing.models import Publication
from sync import live, runs, steps
from sync.lock import SyncLockHeld, sync_lock
from sync.models import QuarantinedRecord, SyncCursor, SyncKind, SyncRun, SyncStatus
from sync.scicat import BRIEF_FIELDS, CatalogueError
from tests.standins.scicat import SciCatStandIn, iso
from tests.sync.support import EMBARGO_END_FUTURE, add, pid, published_data

pytestmark = pytest.mark.django_db
PRIVATE_MARKERS = ("@", "dmgt", "clbt", "ownerGroup", "sharedWith")


def _public() -> set[str]:
    return set(Dataset.objects.public().values_list("pid", flat=True))


def test_sync_brings_in_public_records_with_files_thumbnails_instrument_and_proposal(
    scicat_any: SciCatStandIn,
) -> None:
    for n in range(5):
        add(scicat_any, n, files=n + 1)

    run = live.catalogue_sync()

    assert (run.status, run.created, run.failed) == (SyncStatus.SUCCEEDED, 5, 0)
    assert _public() == {pid(n) for n in range(5)}
    dataset = Dataset.objects.select_related("instrument", "proposal").get(pid=pid(3))
    assert dataset.files.count() == 4
    assert dataset.number_of_files == 4
    assert dataset.instrument is not None
    assert (dataset.instrument.unique_name, dataset.instrument.facility) == ("P08", "PETRA III")
    assert dataset.proposal is not None
    assert dataset.proposal.pi_name == "Noether, Emmy"
    assert dataset.source_updated_at is not None
    thumbnail = Thumbnail.objects.get(dataset=dataset)
    assert thumbnail.image.read().startswith(b"\x89PNG")


def test_no_private_catalogue_field_is_stored(scicat_any: SciCatStandIn) -> None:
    for n in range(3):
        add(scicat_any, n)

    live.catalogue_sync()

    stored = json.dumps(list(Dataset.objects.values()), default=str)
    stored += json.dumps(list(DataFile.objects.values()), default=str)
    for marker in PRIVATE_MARKERS:
        assert marker not in stored, marker


@pytest.mark.parametrize("policy", [False, True])
def test_a_record_under_embargo_never_reaches_the_portal(
    scicat_any: SciCatStandIn, settings: Any, policy: bool
) -> None:
    settings.PORTAL_PUBLISH_ON_EMBARGO_END = policy
    add(scicat_any, 1)
    add(scicat_any, 2, published=False, embargo_end=EMBARGO_END_FUTURE)

    live.catalogue_sync(full=True)
    live.catalogue_reconcile()
    live.embargo_check()

    assert not Dataset.objects.filter(pid=pid(2)).exists()
    assert _public() == {pid(1)}


def test_nothing_changed_means_nothing_written(scicat_any: SciCatStandIn) -> None:
    for n in range(4):
        add(scicat_any, n)
    live.catalogue_sync()
    before = list(Dataset.objects.order_by("pid").values("pid", "modified", "source_digest"))

    run = live.catalogue_sync()

    assert (run.created, run.updated, run.withdrawn) == (0, 0, 0)
    assert list(Dataset.objects.order_by("pid").values("pid", "modified", "source_digest")) == (
        before
    )


def test_the_watermark_is_kept_and_the_next_run_starts_before_it_by_the_overlap(
    scicat: SciCatStandIn, settings: Any
) -> None:
    t0 = datetime(2025, 5, 1, 8, 0, tzinfo=UTC)
    add(scicat, 1, updated_at=t0)
    add(scicat, 2, updated_at=t0 + timedelta(minutes=10))
    live.catalogue_sync()
    cursor = SyncCursor.objects.get(name=runs.DATASETS)
    assert cursor.position == t0 + timedelta(minutes=10)

    run = live.catalogue_sync()

    first = [
        s.filter
        for s in scicat.requests("/api/v4/datasets")
        if "updatedAt" in s.filter.get("where", {})
    ][-1]
    assert run.watermark_from == t0 + timedelta(minutes=10) - timedelta(seconds=60)
    assert first["where"]["updatedAt"] == {"$gte": iso(run.watermark_from)}
    assert run.fetched == 1  # only record 2 lies inside the overlap


def test_a_changed_record_is_updated(scicat_any: SciCatStandIn) -> None:
    add(scicat_any, 1)
    live.catalogue_sync()
    scicat_any.update_dataset(pid(1), datasetName="A better title")

    run = live.catalogue_sync()

    assert run.updated == 1
    assert Dataset.objects.get(pid=pid(1)).title == "A better title"


def test_an_unpublished_record_is_withdrawn_within_one_sync_and_restored_when_published(
    scicat_any: SciCatStandIn, client: Client, settings: Any
) -> None:
    for n in range(3):
        add(scicat_any, n)
    scicat_any.put_published_data(published_data("10.5072/sync-0001", pid(1), pid(2)))
    live.catalogue_sync()
    assert client.get("/doi/10.5072/sync-0001").status_code == 200

    scicat_any.unpublish(pid(1))
    run = live.catalogue_sync()

    assert run.withdrawn == 1
    dataset = Dataset.objects.get(pid=pid(1))
    assert (dataset.visibility, dataset.withdrawn_by) == (
        Visibility.WITHDRAWN,
        WithdrawnBy.CATALOGUE,
    )
    response = client.get(f"/datasets/{pid(1)}")
    assert response.status_code == 410
    assert "no longer publishes" in response.content.decode()
    assert client.get("/doi/10.5072/sync-0001").status_code == 200  # the DOI still resolves
    harvest = client.get(
        "/oai",
        {
            "verb": "GetRecord",
            "metadataPrefix": "oai_dc",
            "identifier": f"oai:{settings.OAI_REPOSITORY_IDENTIFIER}:{pid(1)}",
        },
    )
    assert b'status="deleted"' in harvest.content

    scicat_any.publish(pid(1))
    live.catalogue_sync()
    assert client.get(f"/datasets/{pid(1)}").status_code == 200


def test_a_deleted_record_is_withdrawn_within_one_sync(
    scicat_any: SciCatStandIn, client: Client
) -> None:
    for n in range(5):
        add(scicat_any, n)
    live.catalogue_sync()

    scicat_any.delete_dataset(pid(4))
    run = live.catalogue_sync()

    assert run.withdrawn == 1
    assert _public() == {pid(n) for n in range(4)}
    assert client.get(f"/datasets/{pid(4)}").status_code == 410


def test_a_staff_withdrawal_survives_the_sync(scicat_any: SciCatStandIn) -> None:
    add(scicat_any, 1)
    live.catalogue_sync()
    dataset_withdraw(dataset=Dataset.objects.get(pid=pid(1)), reason="Personal data")
    scicat_any.update_dataset(pid(1), datasetName="Renamed")

    live.catalogue_sync()
    live.catalogue_reconcile()

    dataset = Dataset.objects.get(pid=pid(1))
    assert (dataset.visibility, dataset.withdrawn_reason) == (Visibility.WITHDRAWN, "Personal data")


def test_a_record_that_cannot_be_mapped_is_quarantined_and_the_run_goes_on(
    scicat_any: SciCatStandIn, admin_client: Client
) -> None:
    add(scicat_any, 1)
    add(scicat_any, 2, startTime="last Tuesday")
    add(scicat_any, 3)

    run = live.catalogue_sync()

    assert (run.status, run.created, run.failed) == (SyncStatus.PARTIAL, 2, 1)
    entry = QuarantinedRecord.objects.get()
    assert entry.pid == pid(2)
    assert "startTime" in entry.error
    assert any("startTime" in error for error in run.errors)
    page = admin_client.get("/admin/sync/quarantinedrecord/").content.decode()
    assert pid(2) in page
    assert "startTime" in page

    scicat_any.update_dataset(pid(2), startTime="2024-10-10T22:01:00.000Z")
    run = live.catalogue_sync()
    assert run.status == SyncStatus.SUCCEEDED
    assert not QuarantinedRecord.objects.exists()
    assert pid(2) in _public()


def test_every_run_is_recorded_and_shown_in_the_admin(
    scicat: SciCatStandIn, admin_client: Client
) -> None:
    add(scicat, 1)

    run = live.catalogue_sync(trigger="test")

    stored = SyncRun.objects.get(pk=run.pk)
    assert stored.kind == SyncKind.INCREMENTAL
    assert stored.trigger == "test"
    assert stored.started_at <= stored.finished_at  # type: ignore[operator]
    assert (stored.created, stored.fetched) == (1, 1)
    assert stored.requests >= 3
    assert stored.source.startswith(scicat.url)
    listing = admin_client.get("/admin/sync/syncrun/")
    assert listing.status_code == 200
    detail = admin_client.get(f"/admin/sync/syncrun/{run.pk}/change/")
    assert detail.status_code == 200


def test_a_failed_run_is_recorded_with_its_error(scicat: SciCatStandIn) -> None:
    scicat.fail(503, times=10)

    with pytest.raises(CatalogueError):
        live.catalogue_sync()

    run = SyncRun.objects.get()
    assert run.status == SyncStatus.FAILED
    assert "gave up after 4 attempts" in run.message
    assert run.finished_at is not None


def test_a_mass_withdrawal_is_refused_unless_asked_for(
    scicat: SciCatStandIn, settings: Any
) -> None:
    for n in range(30):
        add(scicat, n)
    live.catalogue_sync()
    for n in range(25):
        scicat.delete_dataset(pid(n))

    with pytest.raises(steps.WithdrawalRefused, match="25 of the portal's 30"):
        live.catalogue_sync()
    assert len(_public()) == 30

    run = live.catalogue_sync(allow_mass_withdrawal=True)
    assert run.withdrawn == 25


def test_reconciliation_repairs_what_the_watermark_missed(scicat_any: SciCatStandIn) -> None:
    add(scicat_any, 1)
    live.catalogue_sync()
    # A record written with a timestamp far behind the watermark (a slow writer, a clock).
    add(scicat_any, 2, updated_at=datetime(2020, 1, 1, tzinfo=UTC))
    live.catalogue_sync()
    assert pid(2) not in _public()

    run = live.catalogue_reconcile()

    assert run.created == 1
    assert _public() == {pid(1), pid(2)}


def test_published_data_comes_with_the_sync_and_leaves_with_the_catalogue(
    scicat_any: SciCatStandIn,
) -> None:
    add(scicat_any, 1)
    add(scicat_any, 2)
    scicat_any.put_published_data(published_data("10.5072/SYNC-0002", pid(1), pid(2)))
    scicat_any.put_published_data(published_data("10.5072/sync-0003", pid(1), status="private"))

    live.catalogue_sync()

    publication = Publication.objects.get()
    assert publication.doi == "10.5072/sync-0002"
    assert publication.datasets.count() == 2

    scicat_any.delete_published_data("10.5072/SYNC-0002")
    live.catalogue_reconcile()
    publication.refresh_from_db()
    assert publication.visibility == Visibility.WITHDRAWN


def test_the_embargo_check_brings_in_records_whose_date_passed(
    scicat_v3: SciCatStandIn, settings: Any
) -> None:
    settings.PORTAL_PUBLISH_ON_EMBARGO_END = True
    add(scicat_v3, 1)
    live.catalogue_sync()
    # Unpublished, embargo over, and untouched since long before the watermark: only the
    # embargo check (or the nightly reconciliation) can see it.
    add(
        scicat_v3,
        2,
        published=False,
        embargo_end=datetime.now(UTC) - timedelta(minutes=5),
        updated_at=datetime(2020, 1, 1, tzinfo=UTC),
    )

    run = live.embargo_check()

    assert (run.kind, run.created) == (SyncKind.EMBARGO, 1)
    assert _public() == {pid(1), pid(2)}
    fetched = [
        s.filter for s in scicat_v3.requests("/api/v3/datasets") if "pid" in s.filter["where"]
    ]
    assert fetched[-1]["where"]["pid"] == {"$in": [pid(2)]}


def test_the_embargo_check_does_nothing_when_the_policy_does_not_publish_on_the_date(
    scicat_v3: SciCatStandIn,
) -> None:
    add(scicat_v3, 2, published=False, embargo_end=datetime.now(UTC) - timedelta(minutes=5))

    run = live.embargo_check()

    assert "PORTAL_PUBLISH_ON_EMBARGO_END is off" in run.message
    assert not Dataset.objects.exists()


def test_v3_withdraws_a_record_unpublished_by_the_catalogue_from_the_changes_alone(
    scicat_v3: SciCatStandIn,
) -> None:
    for n in range(3):
        add(scicat_v3, n)
    live.catalogue_sync()
    scicat_v3.unpublish(pid(0))

    live.catalogue_sync()

    unpublished = [
        s.filter
        for s in scicat_v3.requests("/api/v3/datasets")
        if s.filter.get("where", {}).get("isPublished") is False
    ]
    assert unpublished
    assert set(unpublished[-1]["fields"]) == set(BRIEF_FIELDS)
    assert pid(0) not in _public()


def test_only_one_sync_runs_at_a_time(scicat: SciCatStandIn) -> None:
    with sync_lock(), pytest.raises(SyncLockHeld, match="another catalogue sync is running"):
        live.catalogue_sync()
    assert not SyncRun.objects.exists()


def test_a_run_that_died_is_marked_abandoned_by_the_next(scicat: SciCatStandIn) -> None:
    dead = SyncRun.objects.create(
        kind=SyncKind.FULL, source="x", started_at=datetime.now(UTC) - timedelta(hours=1)
    )

    live.catalogue_sync()

    dead.refresh_from_db()
    assert dead.status == SyncStatus.ABANDONED


def test_sync_of_chosen_records_by_pid(scicat_any: SciCatStandIn) -> None:
    add(scicat_any, 1)
    add(scicat_any, 2)

    run = live.records_sync(pids=[pid(2), f"{pid(3)}"])

    assert run.created == 1
    assert _public() == {pid(2)}


def test_the_command_runs_the_sync_with_a_progress_bar(
    scicat: SciCatStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    for n in range(4):
        add(scicat, n)

    call_command("sync_catalogue")

    out, err = capsys.readouterr()
    assert "Incremental sync" in out
    assert "4 created" in out
    assert "4/4" in err  # tqdm's bar


def test_the_command_takes_since_and_pid(
    scicat: SciCatStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    add(scicat, 1, updated_at=datetime(2025, 1, 1, tzinfo=UTC))
    add(scicat, 2, updated_at=datetime(2025, 6, 1, tzinfo=UTC))

    call_command("sync_catalogue", "--since", "2025-03-01T00:00:00Z", "--no-progress")
    assert _public() == {pid(2)}

    call_command("sync_catalogue", "--pid", pid(1), "--no-progress")
    assert _public() == {pid(1), pid(2)}
    assert "1 created" in capsys.readouterr().out


def test_the_command_says_when_the_sync_is_off(settings: Any) -> None:
    settings.SCICAT_URL = ""

    with pytest.raises(CommandError, match="SCICAT_URL is not set"):
        call_command("sync_catalogue", "--no-progress")


def test_the_command_fails_when_the_catalogue_is_unreachable(scicat: SciCatStandIn) -> None:
    scicat.fail(500, times=20)

    with pytest.raises(CommandError, match="sync failed"):
        call_command("sync_catalogue", "--no-progress")


def test_a_start_up_check_warns_that_v4_cannot_publish_on_the_embargo_end(settings: Any) -> None:
    from sync.checks import sync_settings_check

    settings.SCICAT_URL = "https://scicat.facility.example"
    settings.SCICAT_API_VERSION = "v4"
    settings.PORTAL_PUBLISH_ON_EMBARGO_END = True
    settings.CELERY_BROKER_URL = ""

    assert [m.id for m in sync_settings_check()] == ["sync.W001"]

    settings.SCICAT_API_VERSION = "v3"
    assert sync_settings_check() == []


def test_an_older_v4_backend_that_cannot_filter_by_date_is_synced_by_its_listing(
    scicat: SciCatStandIn, client: Client
) -> None:
    """SciCat v4 from before backend PR #2346 matches no record for ``updatedAt >= "<ISO>"``:
    paging by the watermark would read nothing (a full sync only its first page), so the sync
    compares the listing of every public pid and ``updatedAt`` instead, and misses nothing."""
    scicat.v4_casts_dates = False
    for n in range(7):  # more than two pages of 3
        add(scicat, n)
    scicat.put_published_data(published_data("10.5072/sync-0009", pid(1)))

    run = live.catalogue_sync(full=True)

    assert run.created == 7
    assert _public() == {pid(n) for n in range(7)}
    assert "does not filter datasets by date" in run.message
    assert DataFile.objects.filter(dataset__pid=pid(6)).count() == 2
    assert client.get("/doi/10.5072/sync-0009").status_code == 200

    scicat.update_dataset(pid(2), datasetName="A better title")
    scicat.unpublish(pid(3))
    add(scicat, 8)
    run = live.catalogue_sync()

    assert (run.created, run.updated, run.withdrawn) == (1, 1, 1)
    assert _public() == {pid(n) for n in (0, 1, 2, 4, 5, 6, 8)}
    assert Dataset.objects.get(pid=pid(2)).title == "A better title"
    assert not SyncCursor.objects.filter(name=runs.DATASETS).exists()


def test_the_catalogue_is_asked_to_count_only_for_a_progress_bar(scicat: SciCatStandIn) -> None:
    add(scicat, 1)

    live.catalogue_sync()
    assert scicat.requests("/api/v4/datasets/count") == []

    totals: list[int | None] = []
    live.catalogue_sync(progress=runs.Progress(total=totals.append))
    assert totals == [1]
    assert len(scicat.requests("/api/v4/datasets/count")) == 1
