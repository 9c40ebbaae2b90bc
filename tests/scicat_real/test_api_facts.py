"""What the real SciCat versions answer where they differ from each other or from the documentation.

The portal's sync has to live with these; each test pins one behaviour on both versions, so a new
kit version that changes one shows up here first. The catalogue (seeded once per version for this
module): datasets 0-2 published, 3-4 private, each with a block of two files; attachments: on 0 one
made the v3 way (stored unpublished) and a published v4 one, on 1 an unpublished v4 one; a
registered and a pending published-data record.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from tests.scicat_real import seed
from tests.scicat_real.fixtures import V4, V5, SciCatReal
from tests.scicat_real.seed import SciCatClient, quote_pid

PREFIX = "facts"
pytestmark = pytest.mark.scicat_real  # the backends come through getfixturevalue


@dataclass
class Catalogue:
    scicat: SciCatReal
    pids: list[str]
    proposal_id: str

    @property
    def v4(self) -> bool:
        return self.scicat.version == V4

    @property
    def anonymous(self) -> SciCatClient:
        return self.scicat.anonymous()

    @property
    def admin(self) -> SciCatClient:
        return self.scicat.client(seed.ADMIN)


@pytest.fixture(scope="module", params=[V4, V5])
def catalogue(request: pytest.FixtureRequest) -> Iterator[Catalogue]:
    name = "scicat_real_v4_server" if request.param == V4 else "scicat_real_v5_server"
    scicat: SciCatReal = request.getfixturevalue(name)
    scicat.wipe()
    seeded = scicat.seed(
        n_public=3, n_private=2, files_per_dataset=2, attachments=False, prefix=PREFIX
    )
    seeder = scicat.seeder
    seeder.attachment_v3(seeded.pids[0], caption="v3 way")
    seeder.attachment_v4(seeded.pids[0], caption="v4 published")
    seeder.attachment_v4(seeded.pids[1], caption="v4 unpublished", published=False)
    seeder.published_data(seed.published_data_payload(1, seeded.pids[:2], prefix=PREFIX))
    pending = seed.published_data_payload(
        2, seeded.pids[2:3], prefix=PREFIX, status="pending_registration"
    )
    seeder.published_data(pending)
    assert seeded.proposal_id is not None
    yield Catalogue(scicat, seeded.pids, seeded.proposal_id)
    scicat.wipe()


def _pids(records: list[dict[str, object]]) -> list[str]:
    return sorted(str(record["pid"]) for record in records)


def test_anonymous_v3_dataset_list_drops_the_where_on_v4_17(catalogue: Catalogue) -> None:
    where = {"where": {"pid": {"$in": catalogue.pids[:1]}}}
    listed = catalogue.anonymous.get("/api/v3/datasets", filter=where)
    counted = catalogue.anonymous.get("/api/v3/datasets/count", filter=where)
    if catalogue.v4:  # where = {isPublished: true}, whatever was asked
        assert _pids(listed) == catalogue.pids[:3]
        assert counted == {"count": 3}
    else:
        assert _pids(listed) == catalogue.pids[:1]
        assert counted == {"count": 1}
    assert _pids(catalogue.admin.get("/api/v3/datasets", filter=where)) == catalogue.pids[:1]


def test_loopback_gte_fails_on_v4_17_and_mongo_gte_works(catalogue: Catalogue) -> None:
    [third] = catalogue.admin.get("/api/v3/datasets", filter={"where": {"pid": catalogue.pids[2]}})
    mark = third["updatedAt"]
    mongo = catalogue.admin.get("/api/v3/datasets", filter={"where": {"updatedAt": {"$gte": mark}}})
    assert _pids(mongo) == catalogue.pids[2:]
    loopback = catalogue.admin.raw(
        "GET", "/api/v3/datasets", params={"filter": {"where": {"updatedAt": {"gte": mark}}}}
    )
    assert loopback.status_code == (500 if catalogue.v4 else 200)


def test_v4_lists_compare_dates_as_text_but_counts_cast_them(catalogue: Catalogue) -> None:
    where = {"where": {"updatedAt": {"$gte": "2000-01-01T00:00:00.000Z"}}}
    assert catalogue.admin.get("/api/v4/datasets", filter=where) == []
    assert catalogue.admin.get("/api/v4/datasets/count", filter=where) == {"count": 5}
    assert catalogue.anonymous.get("/api/v4/datasets/public", filter=where) == []
    assert catalogue.anonymous.get("/api/v4/datasets/public/count", filter=where) == {"count": 3}


def test_v3_include_gives_every_dataset_every_block_on_v4_17(catalogue: Catalogue) -> None:
    listed = catalogue.anonymous.get(
        "/api/v3/datasets", filter={"include": [{"relation": "origdatablocks"}]}
    )
    for record in listed:
        owners = sorted(block["datasetId"] for block in record["origdatablocks"])
        # v4.17.1 asks findAll({datasetId}) where findAll reads filter.where: no filter at all,
        # so the private datasets' blocks come too.
        assert owners == (catalogue.pids if catalogue.v4 else [record["pid"]])


def test_anonymous_origdatablock_list_is_open_on_v4_17(catalogue: Catalogue) -> None:
    private = catalogue.pids[3]
    answer = catalogue.anonymous.raw(
        "GET", "/api/v3/origdatablocks", params={"filter": {"where": {"datasetId": private}}}
    )
    if catalogue.v4:
        assert answer.status_code == 200
        assert [block["datasetId"] for block in answer.json()] == [private]
    else:
        assert answer.status_code == 403


def test_public_include_of_blocks_and_attachments(catalogue: Catalogue) -> None:
    listed = catalogue.anonymous.get(
        "/api/v4/datasets/public",
        filter={"include": ["origdatablocks", "attachments", "instruments", "proposals"]},
    )
    by_pid = {record["pid"]: record for record in listed}
    first = by_pid[catalogue.pids[0]]
    assert first["origdatablocks"] == []  # blocks are stored isPublished: false
    assert first["proposals"] == []  # proposals cannot be published
    assert len(first["instruments"]) == 1
    captions = sorted(a["caption"] for a in first["attachments"])
    # v4.17.1 joins Attachment.datasetId (never set); v5.2.1 joins relationships.targetId and
    # does not filter on isPublished.
    assert captions == ([] if catalogue.v4 else ["v3 way", "v4 published"])


def test_v4_17_admin_includes_take_the_last_non_admin_callers_filter(
    catalogue: Catalogue,
) -> None:
    include = {"include": ["origdatablocks", "proposals"]}
    catalogue.anonymous.get("/api/v4/datasets/public", filter=include)
    records = catalogue.admin.get("/api/v4/datasets", filter=include)
    # v4.17.1's addRelationFieldAccess writes the caller's $match into the module-level
    # DATASET_LOOKUP_FIELDS, and a caller who may see everything leaves it as it is: until the
    # next non-admin include (or a restart), admin gets what the anonymous caller got. v5.2.1
    # copies the lookup per request.
    expected = 0 if catalogue.v4 else 1
    assert {len(r["origdatablocks"]) for r in records} == {expected}
    assert {len(r["proposals"]) for r in records} == {expected}


def test_v4_attachment_lists_show_anonymous_callers_the_published_ones(
    catalogue: Catalogue,
) -> None:
    where = {"where": {"relationships.targetId": {"$in": catalogue.pids}}}
    for path in ("/api/v4/attachments", "/api/v4/attachments/public"):
        listed = catalogue.anonymous.get(path, filter=where)
        assert [a["caption"] for a in listed] == ["v4 published"]
    everything = catalogue.admin.get("/api/v4/attachments", filter=where)
    assert sorted(a["caption"] for a in everything) == [
        "v3 way",
        "v4 published",
        "v4 unpublished",
    ]


def test_proposals_read_filters_not_filter(catalogue: Catalogue) -> None:
    nothing = {"where": {"proposalId": {"$in": ["no-such-proposal"]}}}
    assert catalogue.admin.get("/api/v3/proposals", filters=nothing) == []
    ignored = catalogue.admin.get("/api/v3/proposals", filter=nothing)
    assert [p["proposalId"] for p in ignored] == [catalogue.proposal_id]
    assert catalogue.anonymous.get("/api/v3/proposals") == []


def test_anonymous_published_data(catalogue: Catalogue) -> None:
    v3 = catalogue.anonymous.get("/api/v3/publisheddata")
    v4 = catalogue.anonymous.raw("GET", "/api/v4/publisheddata")
    if catalogue.v4:  # no status filter, no v4 route
        assert sorted(p["status"] for p in v3) == ["pending_registration", "registered"]
        assert v4.status_code == 404
    else:
        assert [p["status"] for p in v3] == ["registered"]
        assert [p["doi"] for p in v4.json()] == [f"10.99999/{PREFIX}-0001"]


def test_fields_on_the_v3_list_and_the_public_v4_list(catalogue: Catalogue) -> None:
    fields = {"fields": ["pid", "datasetName"]}
    for path in ("/api/v3/datasets", "/api/v4/datasets/public"):
        records = catalogue.anonymous.get(path, filter=fields)
        assert {frozenset(record) for record in records} == {
            frozenset({"_id", "pid", "datasetName"})
        }


def _scicat_default_date(created: datetime) -> datetime:
    """SciCat's default: ``new Date(year, month, now.getDay())``, local midnight (getDay: the
    weekday, Sunday 0, where getDate was meant; day 0 is the previous month's last day)."""
    local = created.astimezone()
    weekday = (local.weekday() + 1) % 7
    first = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return (first + timedelta(days=weekday - 1)).astimezone(UTC)


def test_default_date_of_publishing_is_the_weekday_of_this_month(catalogue: Catalogue) -> None:
    record = catalogue.admin.get(f"/api/v3/datasets/{quote_pid(catalogue.pids[3])}")
    created = datetime.fromisoformat(record["createdAt"])
    published = datetime.fromisoformat(record["datasetlifecycle"]["dateOfPublishing"])
    assert published == _scicat_default_date(created)
