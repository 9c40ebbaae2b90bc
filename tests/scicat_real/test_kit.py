"""The harness: each SciCat version starts, takes records through its API and gives them back."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scicat_real import clone, seed
from tests.scicat_real.fixtures import SciCatReal
from tests.scicat_real.kit import (
    KIT_ENV,
    Account,
    SciCatBackend,
    read_accounts,
    read_env_file,
    scicat_kit_missing,
)
from tests.scicat_real.seed import SciCatError, quote_pid
from tests.servers import require_service


def _pids(records: list[dict[str, object]]) -> list[str]:
    return sorted(str(record["pid"]) for record in records)


def test_anonymous_callers_read_back_the_public_records(scicat_real: SciCatReal) -> None:
    seeded = scicat_real.seed(
        n_public=2, n_private=1, files_per_dataset=3, published_data=True, prefix="smoke"
    )
    anonymous = scicat_real.anonymous()

    assert _pids(anonymous.get("/api/v3/datasets")) == sorted(seeded.public)
    assert _pids(anonymous.get("/api/v4/datasets/public")) == sorted(seeded.public)
    assert anonymous.get("/api/v3/datasets/count") == {"count": 2}
    private = anonymous.raw("GET", f"/api/v3/datasets/{quote_pid(seeded.private[0])}")
    assert private.status_code == 403
    record = anonymous.get(f"/api/v3/datasets/{quote_pid(seeded.public[0])}")
    assert record["datasetName"] == "Reflectivity scan 0 (smoke)"
    assert record["scientificMetadata"]["sample_temperature"]["value"] == 290
    assert record["scientificMetadata"]["incident_energy"]["unit"] == "keV"
    instruments = anonymous.get(
        "/api/v3/instruments", filter={"where": {"pid": {"$in": [seeded.instrument_pid]}}}
    )
    assert [i["uniqueName"] for i in instruments] == ["smoke-P01"]
    published = anonymous.get("/api/v3/publisheddata")
    assert [p["doi"] for p in published] == ["10.99999/smoke-0001"]
    assert sorted(published[0]["pidArray"]) == sorted(seeded.public)


def test_authenticated_callers_read_back_everything(scicat_real: SciCatReal) -> None:
    seeded = scicat_real.seed(n_public=1, n_private=1, files_per_dataset=3, prefix="auth")
    admin = scicat_real.client(seed.ADMIN)

    assert _pids(admin.get("/api/v3/datasets")) == sorted(seeded.pids)
    records = admin.get("/api/v4/datasets", filter={"include": ["instruments"]})
    assert _pids(records) == sorted(seeded.pids)
    for record in records:
        assert record["numberOfFiles"] == 3
        assert record["size"] == 3000
        assert [i["pid"] for i in record["instruments"]] == [seeded.instrument_pid]
    blocks = admin.get(
        "/api/v3/origdatablocks", filter={"where": {"datasetId": {"$in": seeded.pids}}}
    )
    assert sorted(b["datasetId"] for b in blocks) == sorted(seeded.pids)
    for block in blocks:
        assert [block["_id"]] == seeded.origdatablocks[block["datasetId"]]
        n = int(block["datasetId"].rsplit("-", 1)[1])
        paths = [f"scan_{n}/frame_{i:03d}.h5" for i in range(3)]
        assert [f["path"] for f in block["dataFileList"]] == paths
    proposals = admin.get(
        "/api/v3/proposals", filters={"where": {"proposalId": {"$in": [seeded.proposal_id]}}}
    )
    assert [p["title"] for p in proposals] == ["Lipid monolayers at liquid interfaces 1 (auth)"]


def test_attachments_made_the_v3_and_the_v4_way_belong_to_their_dataset(
    scicat_real: SciCatReal,
) -> None:
    seeded = scicat_real.seed(n_public=1, files_per_dataset=0, attachments=False, prefix="att")
    [pid] = seeded.public
    scicat_real.seeder.attachment_v3(pid, caption="the v3 way")
    scicat_real.seeder.attachment_v4(pid, caption="the v4 way")

    listed = scicat_real.anonymous().get(f"/api/v3/datasets/{quote_pid(pid)}/attachments")
    assert sorted(a["caption"] for a in listed) == ["the v3 way", "the v4 way"]
    by_target = scicat_real.client(seed.ADMIN).get(
        "/api/v4/attachments", filter={"where": {"relationships.targetId": {"$in": [pid]}}}
    )
    assert sorted(a["caption"] for a in by_target) == ["the v3 way", "the v4 way"]


def test_publishing_unpublishing_and_deleting_a_dataset(scicat_real: SciCatReal) -> None:
    seeded = scicat_real.seed(n_public=0, n_private=1, files_per_dataset=1, prefix="life")
    [pid] = seeded.private
    anonymous = scicat_real.anonymous()
    assert anonymous.get("/api/v4/datasets/public/count") == {"count": 0}

    scicat_real.seeder.set_published(pid, True)
    assert _pids(anonymous.get("/api/v4/datasets/public")) == [pid]
    scicat_real.seeder.set_published(pid, False)
    assert anonymous.get("/api/v4/datasets/public") == []

    with pytest.raises(SciCatError) as refused:
        scicat_real.seeder.delete_dataset(pid, via=scicat_real.client(seed.ADMIN))
    assert refused.value.status == 403  # DELETE_GROUPS=archivemanager: not even admin
    scicat_real.seeder.delete_dataset(pid)
    gone = scicat_real.client(seed.ADMIN).raw("GET", f"/api/v3/datasets/{quote_pid(pid)}")
    assert gone.status_code == 404


def test_bulk_seeding_from_threads(scicat_real: SciCatReal) -> None:
    seeded = seed.seed_bulk(
        scicat_real.seeder, n_public=12, n_private=4, files_per_dataset=10, workers=4
    )
    admin = scicat_real.client(seed.ADMIN)

    assert admin.get("/api/v3/datasets/count") == {"count": 16}
    assert scicat_real.anonymous().get("/api/v4/datasets/public/count") == {"count": 12}
    blocks = admin.get(
        "/api/v3/origdatablocks",
        filter={"where": {"datasetId": {"$in": seeded.pids}}, "limits": {"limit": 100}},
    )
    assert sorted(b["datasetId"] for b in blocks) == sorted(seeded.pids)
    assert {len(b["dataFileList"]) for b in blocks} == {10}


def test_every_test_starts_with_an_empty_catalogue(scicat_real: SciCatReal) -> None:
    admin = scicat_real.client(seed.ADMIN)
    assert admin.get("/api/v3/datasets/count") == {"count": 0}
    assert admin.get("/api/v3/origdatablocks") == []
    assert admin.get("/api/v4/attachments") == []
    assert admin.get("/api/v3/instruments") == []
    assert admin.get("/api/v3/proposals") == []
    assert admin.get("/api/v3/publisheddata") == []
    # The accounts survive: a fresh login still works.
    account = scicat_real.accounts[seed.INGESTOR]
    seed.SciCatClient.login(scicat_real.url, account.username, account.password).close()


@pytest.mark.scicat_real
def test_a_restart_with_an_empty_database(tmp_path: Path) -> None:
    """The slow way to an empty catalogue (wipe() is the quick one): ~7 s on top of a start."""
    missing = scicat_kit_missing()
    if missing:
        require_service("SciCat v4.17.1 (scicat-real kit)", missing)
    with SciCatBackend("v4.17.1", workdir=tmp_path / "scicat") as backend:
        seeder = seed.Seeder(backend.url, backend.accounts)
        seeder.dataset(seed.dataset_payload(1, prefix="restart"))
        admin = seeder.admin
        assert admin.get("/api/v3/datasets/count") == {"count": 1}

        backend.restart(empty=True)
        seeder.close()
        seeder = seed.Seeder(backend.url, backend.accounts)  # new users: log in again
        assert seeder.admin.get("/api/v3/datasets/count") == {"count": 0}
        seeder.close()
    assert not (tmp_path / "scicat" / "pids").exists()


# --- No backend needed ----------------------------------------------------------------------------


def test_missing_kit_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KIT_ENV, str(tmp_path))
    missing = scicat_kit_missing()
    assert missing is not None
    assert str(tmp_path) in missing


def test_accounts_come_from_the_workdir(tmp_path: Path) -> None:
    (tmp_path / "env").write_text(
        "SCICAT_URL=http://127.0.0.1:3100\n"
        "SCICAT_ADMIN_USERNAME=admin\nSCICAT_ADMIN_PASSWORD=secret-1\n"
        "SCICAT_ARCHIVE_MANAGER_USERNAME=archiveManager\nSCICAT_ARCHIVE_MANAGER_PASSWORD=s2\n"
    )
    assert read_env_file(tmp_path / "env")["SCICAT_URL"] == "http://127.0.0.1:3100"
    from_env = read_accounts(tmp_path)
    assert from_env["archiveManager"] == Account("archiveManager", "s2", "archivemanager")

    (tmp_path / "accounts.json").write_text(
        '[{"username": "admin", "password": "p", "email": "a@x", "role": "admin"}]'
    )
    assert read_accounts(tmp_path) == {"admin": Account("admin", "p", "admin", "a@x")}


def test_metadata_keys_with_dots_are_refused_before_sending() -> None:
    with pytest.raises(ValueError, match=r"incident\.energy"):
        seed.dataset_payload(1, metadata={"beam": {"incident.energy": 15}})


def test_clone_bulk_copies_what_scicat_stored(scicat_real: SciCatReal) -> None:
    counted: list[int] = []
    seeded = clone.clone_bulk(
        scicat_real.seeder,
        ("127.0.0.1", scicat_real.backend.mongo_port),
        n_public=8,
        n_private=3,
        files_per_dataset=4,
        prefix="clone",
        progress=counted.append,
    )
    admin = scicat_real.client(seed.ADMIN)

    assert sum(counted) == 11
    assert admin.get("/api/v3/datasets/count") == {"count": 11}
    assert scicat_real.anonymous().get("/api/v4/datasets/public/count") == {"count": 8}
    public = scicat_real.anonymous().get(
        "/api/v4/datasets/public", filter={"fields": ["pid"], "limits": {"limit": 100}}
    )
    assert sorted(d["pid"] for d in public) == sorted(seeded.public)
    blocks = admin.get(
        "/api/v3/origdatablocks",
        filter={"where": {"datasetId": {"$in": seeded.pids}}, "limits": {"limit": 100}},
    )
    assert sorted(b["datasetId"] for b in blocks) == sorted(seeded.pids)
    assert {len(b["dataFileList"]) for b in blocks} == {4}
