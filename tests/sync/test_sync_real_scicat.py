"""The live sync against the real SciCat backend (4.17.1, the facility's, and 5.2.1, the newest),
seeded through SciCat's own API (``tests/scicat_real``), in every mode the portal supports.

Each test starts from an empty catalogue. The modes: ``v3`` (an account), ``v4`` anonymous and
``v4-account`` (``/api/v4/datasets`` with an ``isPublished`` condition).

A little over 400 lines: each finding of the real SciCat, one test each, on the fixtures at the
top.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from catalogue.models import (
    DataFile,
    Dataset,
    Instrument,
    Proposal,
    ScientificParameter,
    Thumbnail,
)
from catalogue.payloads import FilesStatus
from publishing.models import Publication
from sync import live
from sync.models import SyncRun, SyncStatus
from sync.scicat import client, filters, relations
from tests.scicat_real.fixtures import V4, SciCatReal
from tests.scicat_real.seed import (
    dataset_payload,
    origdatablock_payload,
    published_data_payload,
    quote_pid,
)

pytestmark = pytest.mark.django_db
MODES = ("v3", "v4", "v4-account")
PRIVATE_MARKERS = ("@", "p08-staff", "p08-users", "ownerGroup", "accessGroups", "createdBy")


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _point(settings: Any, scicat: SciCatReal, mode: str, tmp_path: Any) -> None:
    """The portal's SCICAT_* settings, pointing at ``scicat`` in ``mode``."""
    admin = scicat.accounts["admin"]
    account = mode != "v4"
    settings.SCICAT_URL = scicat.url
    settings.SCICAT_API_VERSION = "v3" if mode == "v3" else "v4"
    settings.SCICAT_BACKEND_VERSION = "auto"
    settings.SCICAT_USERNAME = admin.username if account else ""
    settings.SCICAT_PASSWORD = admin.password if account else ""
    settings.SCICAT_TOKEN = ""
    settings.SCICAT_PAGE_SIZE = 2  # several pages out of a few records
    settings.SCICAT_ID_PAGE_SIZE = 3
    settings.SCICAT_TIMEOUT = 30
    settings.SCICAT_RETRIES = 1
    settings.SYNC_OVERLAP_SECONDS = 60
    settings.SYNC_MAX_WITHDRAW_PERCENT = 100
    settings.SYNC_LOCK_TIMEOUT = 60
    settings.PORTAL_PUBLISH_ON_EMBARGO_END = False
    settings.PORTAL_EMBARGO_PERIOD = (0, 0, 0)
    settings.SCICAT_POLICY_PUBLICATION_SHIFT = 0
    settings.OPENSEARCH_URL = ""
    settings.REDIS_URL = ""
    settings.VAR_DIR = tmp_path


@pytest.fixture
def portal(
    scicat_real: SciCatReal, mode: str, settings: Any, tmp_path: Any, monkeypatch: Any
) -> SciCatReal:
    """Both releases x every mode, the portal pointed at the empty backend."""
    _point(settings, scicat_real, mode, tmp_path)
    monkeypatch.setattr(client, "BACKOFF_SECONDS", 0.01)
    return scicat_real


@pytest.fixture(params=("v3", "v4-account"))
def account_portal(
    scicat_real: SciCatReal,
    request: pytest.FixtureRequest,
    settings: Any,
    tmp_path: Any,
    monkeypatch: Any,
) -> SciCatReal:
    """Both releases x the modes that read with an account."""
    _point(settings, scicat_real, str(request.param), tmp_path)
    monkeypatch.setattr(client, "BACKOFF_SECONDS", 0.01)
    return scicat_real


@pytest.fixture
def v3_portal(
    scicat_real: SciCatReal, settings: Any, tmp_path: Any, monkeypatch: Any
) -> SciCatReal:
    """Both releases, v3 with the account (what the embargo policy needs)."""
    _point(settings, scicat_real, "v3", tmp_path)
    monkeypatch.setattr(client, "BACKOFF_SECONDS", 0.01)
    return scicat_real


def _files(pid: str) -> set[str]:
    return set(DataFile.objects.filter(dataset__pid=pid).values_list("path", flat=True))


def _public() -> set[str]:
    return set(Dataset.objects.public().values_list("pid", flat=True))


def _seed(scicat: SciCatReal, **options: Any) -> Any:
    options.setdefault("prefix", "t")
    return scicat.seed(**options)


# -- every mode, both releases -------------------------------------------------------------------


def test_sync_runs_and_incremental_runs_succeed_in_every_mode(
    portal: SciCatReal, mode: str
) -> None:
    seeded = _seed(portal, n_public=3, n_private=2, published_data=True)

    first = live.catalogue_sync()
    second = live.catalogue_sync()
    portal.seeder.dataset(dataset_payload(7, prefix="t", published=True))
    portal.seeder.set_published(seeded.private[0], True)
    third = live.catalogue_sync()

    assert [r.status for r in (first, second, third)] == [SyncStatus.SUCCEEDED] * 3
    major = "4" if portal.version == V4 else "5"
    assert first.catalogue_release == f"SciCat {major}.x (asked)"
    assert _public() == {*seeded.public, seeded.private[0], "20.500.12269/t-000007"}
    assert second.created == 0
    assert third.created == 2
    assert Publication.objects.filter(doi="10.99999/t-0001").exists()


def test_nothing_private_is_stored_in_any_mode(portal: SciCatReal) -> None:
    seeded = _seed(portal, n_public=2, n_private=2, published_data=True)

    live.catalogue_sync(full=True)

    assert _public() == set(seeded.public)
    assert not Dataset.objects.filter(pid__in=seeded.private).exists()
    stored = json.dumps(list(Dataset.objects.values()), default=str)
    stored += json.dumps(list(DataFile.objects.values()), default=str)
    stored += json.dumps(list(Proposal.objects.values()), default=str)
    stored += json.dumps(list(Instrument.objects.values()), default=str)
    for marker in PRIVATE_MARKERS:
        assert marker not in stored
    paths = set(DataFile.objects.values_list("path", flat=True))
    assert {path.split("/")[0] for path in paths} <= {"scan_0", "scan_1"}  # the private: 2, 3


# -- the findings of the issue, one by one -------------------------------------------------------


def test_each_public_dataset_gets_only_its_own_files(
    account_portal: SciCatReal,
) -> None:
    """4.17's /api/v3/datasets include attached every origdatablock to every dataset."""
    scicat = account_portal
    seeded = _seed(scicat, n_public=2, n_private=1, files_per_dataset=3)

    run = live.catalogue_sync(full=True)

    assert run.dropped == 0
    for n, pid in enumerate(seeded.public):
        assert _files(pid) == {f"scan_{n}/frame_{i:03d}.h5" for i in range(3)}
        dataset = Dataset.objects.get(pid=pid)
        assert (dataset.files_status, dataset.number_of_files) == (FilesStatus.COMPLETE, 3)


def test_an_account_reads_files_thumbnails_instrument_and_proposal_by_id(
    account_portal: SciCatReal,
) -> None:
    scicat = account_portal
    seeded = _seed(scicat, n_public=1, files_per_dataset=2)

    live.catalogue_sync()

    dataset = Dataset.objects.select_related("instrument", "proposal").get(pid=seeded.public[0])
    assert dataset.instrument is not None
    assert dataset.instrument.name == "P01 High-resolution diffraction (t)"
    assert dataset.instrument.facility == "PETRA III"
    assert dataset.proposal is not None
    assert dataset.proposal.title == "Lipid monolayers at liquid interfaces 1 (t)"
    assert dataset.proposal.pi_name == "Noether, Emmy"
    assert len(_files(dataset.pid)) == 2
    assert Thumbnail.objects.filter(dataset=dataset).count() == 1
    # scientific metadata with units, as SciCat stores them (it adds valueSI / unitSI)
    parameters = {p.key_path: p for p in ScientificParameter.objects.filter(dataset=dataset)}
    assert (
        parameters["sample_temperature"].si_value,
        parameters["sample_temperature"].unit,
    ) == (
        290.0,
        "K",
    )
    energy = parameters["incident_energy"]
    assert (energy.number, energy.unit) == (15.0, "keV")
    assert energy.si_value is not None
    assert parameters["sample_name"].text_value == "lipid monolayer 0"


def test_anonymous_v4_never_stores_a_dataset_as_having_no_files(
    scicat_real: SciCatReal, settings: Any, tmp_path: Any
) -> None:
    """SciCat keeps origdatablocks from anonymous readers (4.x has no public route at all; 5.x
    shows only blocks that are themselves isPublished)."""
    _point(settings, scicat_real, "v4", tmp_path)
    seeded = _seed(scicat_real, n_public=1, files_per_dataset=3)

    run = live.catalogue_sync()

    dataset = Dataset.objects.get(pid=seeded.public[0])
    assert dataset.number_of_files == 3
    if scicat_real.version == V4:
        assert dataset.files_status == FilesStatus.UNAVAILABLE
        assert "SCICAT_USERNAME" in run.message
    else:
        assert dataset.files_status == FilesStatus.PARTIAL
        assert run.files_partial == 1
        assert any("counts 3 files" in error for error in run.errors)


def test_syncing_one_pid_keeps_its_files_and_thumbnails(
    account_portal: SciCatReal,
) -> None:
    """4.17's /api/v3/datasets/{pid} ignores include: --pid used to delete them."""
    scicat = account_portal
    seeded = _seed(scicat, n_public=1, files_per_dataset=2)
    live.catalogue_sync()

    run = live.records_sync(pids=[seeded.public[0]])

    assert run.status == SyncStatus.SUCCEEDED
    assert len(_files(seeded.public[0])) == 2
    assert Thumbnail.objects.filter(dataset__pid=seeded.public[0]).count() == 1


def test_thumbnails_of_a_newly_published_dataset_are_kept(
    account_portal: SciCatReal,
) -> None:
    """SciCat leaves an attachment's isPublished false when its dataset is published."""
    scicat = account_portal
    pid = str(scicat.seeder.dataset(dataset_payload(1, prefix="t", published=False))["pid"])
    answer = scicat.seeder.attachment_v3(pid, caption="made while private")
    assert answer.get("isPublished") is False
    scicat.seeder.set_published(pid, True)

    live.catalogue_sync()

    thumbnail = Thumbnail.objects.get(dataset__pid=pid)
    assert thumbnail.caption == "made while private"


def test_a_file_count_that_differs_from_number_of_files_is_reported(
    v3_portal: SciCatReal,
) -> None:
    scicat = v3_portal
    seeded = _seed(scicat, n_public=1, files_per_dataset=2)
    pid = seeded.public[0]
    scicat.seeder.update_dataset(pid, {"numberOfFiles": 5})

    run = live.catalogue_sync()

    dataset = Dataset.objects.get(pid=pid)
    assert (dataset.files_status, dataset.number_of_files, len(_files(pid))) == (
        FilesStatus.PARTIAL,
        5,
        2,
    )
    assert run.files_partial == 1
    assert any(pid in error and "counts 5 files" in error for error in run.errors)


# -- defence in depth: the real backend's own leaks ----------------------------------------------


def test_relations_that_belong_to_no_public_dataset_are_dropped_and_counted(
    v3_portal: SciCatReal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Make the relation look-ups as wrong as SciCat's own bugs: a ``where`` that matches every
    origdatablock and attachment, and the proposals list read with ``filter`` (singular), which
    SciCat ignores and so answers with every proposal."""
    scicat = v3_portal
    seeded = _seed(scicat, n_public=1, n_private=2, files_per_dataset=2)
    other = scicat.seeder.proposal(
        {
            "proposalId": "t-prop-private",
            "title": "A private proposal",
            "pi_firstname": "Marie",
            "pi_lastname": "Curie",
            "pi_email": "marie@university.example",
            "email": "marie@university.example",
            "ownerGroup": "p08-staff",
            "accessGroups": [],
            "type": "Beamtime",
        }
    )
    assert other["proposalId"] == "t-prop-private"
    monkeypatch.setattr(filters, "one_of", lambda values: {"$exists": True})
    monkeypatch.setattr(
        relations.Relations,
        "_fetch_proposals",
        lambda self, ids: self._list("/api/v3/proposals", {"where": {"proposalId": ids[0]}}),
    )

    run = live.catalogue_sync()

    pid = seeded.public[0]
    assert _public() == {pid}
    assert _files(pid) == {"scan_0/frame_000.h5", "scan_0/frame_001.h5"}
    assert Thumbnail.objects.filter(dataset__pid=pid).count() == 1
    assert not Proposal.objects.filter(proposal_id="t-prop-private").exists()
    # two private datasets' blocks and attachments, one private proposal
    assert run.dropped == 5


# -- the embargo policy against SciCat's defaults -------------------------------------------------


def _later(days: int) -> Callable[[], datetime]:
    real = timezone.now

    def now() -> datetime:
        return real() + timedelta(days=days)

    return now


def test_scicats_default_date_of_publishing_publishes_nothing(
    v3_portal: SciCatReal,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scicat = v3_portal
    settings.PORTAL_PUBLISH_ON_EMBARGO_END = True
    seeded = _seed(scicat, n_public=1, n_private=2)
    record = scicat.seeder.admin.get(f"/api/v3/datasets/{quote_pid(seeded.private[0])}")
    filled = datetime.fromisoformat(record["datasetlifecycle"]["dateOfPublishing"])
    assert filled < datetime.now(UTC) + timedelta(days=8)  # SciCat's default: within a week
    chosen = datetime.now(UTC) + timedelta(days=40)
    facility_set = scicat.seeder.dataset(
        dataset_payload(
            9,
            prefix="t",
            published=False,
            datasetlifecycle={"dateOfPublishing": chosen.isoformat()},
        )
    )

    monkeypatch.setattr(timezone, "now", _later(60))  # both dates have passed
    live.catalogue_sync()
    live.embargo_check()
    live.catalogue_reconcile()

    assert _public() == {seeded.public[0], facility_set["pid"]}
    assert Dataset.objects.get(pid=facility_set["pid"]).embargo_end == chosen.replace(
        microsecond=chosen.microsecond // 1000 * 1000
    )


def test_an_embargo_period_publishes_records_whose_period_ended(
    v3_portal: SciCatReal, settings: Any
) -> None:
    scicat = v3_portal
    settings.PORTAL_PUBLISH_ON_EMBARGO_END = True
    settings.PORTAL_EMBARGO_PERIOD = (1, 0, 0)
    old = scicat.seeder.dataset(
        dataset_payload(1, prefix="t", published=False, creationTime="2020-01-05T00:00:00.000Z")
    )
    recent = scicat.seeder.dataset(
        dataset_payload(2, prefix="t", published=False, creationTime=timezone.now().isoformat())
    )
    scicat.seeder.origdatablock(old["pid"], origdatablock_payload(1, 2))

    run = live.embargo_check()

    assert run.status == SyncStatus.SUCCEEDED
    assert _public() == {old["pid"]}
    assert recent["pid"] not in _public()
    assert len(_files(old["pid"])) == 2
    assert Dataset.objects.get(pid=old["pid"]).embargo_end == datetime(2021, 1, 5, tzinfo=UTC)


# -- versions and published data -----------------------------------------------------------------


def test_v4_reads_published_data_where_the_release_has_it(
    scicat_real: SciCatReal, settings: Any, tmp_path: Any
) -> None:
    """4.17 has no /api/v4/publisheddata (5.x does): every v4 run used to end FAILED."""
    _point(settings, scicat_real, "v4", tmp_path)
    seeded = _seed(scicat_real, n_public=1)
    scicat_real.seeder.published_data(published_data_payload(3, seeded.public, prefix="t"))

    run = live.catalogue_sync()

    assert run.status == SyncStatus.SUCCEEDED
    publication = Publication.objects.get(doi="10.99999/t-0003")
    assert publication.title == "Published data 3 (t)"
    assert SyncRun.objects.filter(status=SyncStatus.FAILED).count() == 0


def test_the_backend_is_asked_once_per_run_and_can_be_configured(
    portal: SciCatReal, settings: Any
) -> None:
    major = "4" if portal.version == V4 else "5"
    settings.SCICAT_BACKEND_VERSION = major

    run = live.catalogue_sync()

    assert run.catalogue_release == f"SciCat {major}.x (configured)"
    assert run.status == SyncStatus.SUCCEEDED
