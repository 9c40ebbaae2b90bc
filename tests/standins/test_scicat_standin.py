"""The SciCat stand-in plays SciCat 4.17.1 and 5.2.1 as observed against the real backends.

Plain HTTP against the stand-in (no database): what the portal's sync would meet, release by
release. ``tests/scicat_real`` checks the real backends themselves.

Over 400 lines: one test a behaviour of the stand-in, in the sections its docstring names
(callers, operators, dates, routes, include, records, leaks, a served export), sharing the
fixtures and request helpers at the top.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests

from tests.standins.scicat import SciCatStandIn, js_default_date

RELEASES = ("4.17.1", "5.2.1")
PREFIX = "20.500.12269"
ACCOUNT = {"username": "portal-sync", "password": "sync-password"}
INSTRUMENT = {"pid": f"{PREFIX}instr-1", "uniqueName": "P08", "name": "P08"}
PROPOSAL = {"proposalId": "11019634", "title": "Lipid monolayers", "ownerGroup": "p-dmgt"}


def pid(n: int) -> str:
    return f"{PREFIX}/ds-{n:04d}"


def dataset(n: int, *, published: bool = True, **extra: Any) -> dict[str, Any]:
    return {
        "pid": pid(n),
        "type": "raw",
        "datasetName": f"Scan {n}",
        "isPublished": published,
        "ownerGroup": "p-dmgt",
        "accessGroups": ["p-clbt"],
        "instrumentIds": [INSTRUMENT["pid"]],
        "proposalIds": [PROPOSAL["proposalId"]],
        "principalInvestigators": ["Noether, Emmy"],
        **extra,
    }


def block(n: int) -> dict[str, Any]:
    return {
        "_id": f"odb-{n}",
        "size": 10,
        "chkAlg": "sha256",
        "dataFileList": [{"path": f"scan_{n}/a.h5", "size": 10, "time": "2024-10-10T22:05:00Z"}],
    }


def attachment(n: int, *, published: bool = False) -> dict[str, Any]:
    return {"aid": f"att-{n}", "thumbnail": "data:image/png;base64,AA==", "isPublished": published}


@pytest.fixture(scope="module")
def server() -> Iterator[SciCatStandIn]:
    with SciCatStandIn() as standin:
        yield standin


def fill(server: SciCatStandIn, release: str) -> SciCatStandIn:
    """Three datasets: 0 and 2 published, 1 private; a block and an attachment each (the one of
    dataset 0 published)."""
    server.reset(release=release)
    server.put_instrument(INSTRUMENT)
    server.put_proposal(PROPOSAL)
    for n in range(3):
        server.put_dataset(
            dataset(n, published=n != 1),
            blocks=[block(n)],
            attachments=[attachment(n, published=n == 0)],
        )
    return server


@pytest.fixture(params=RELEASES)
def scicat(server: SciCatStandIn, request: pytest.FixtureRequest) -> SciCatStandIn:
    return fill(server, str(request.param))


@pytest.fixture
def scicat4(server: SciCatStandIn) -> SciCatStandIn:
    return fill(server, "4.17.1")


class Client:
    def __init__(self, scicat: SciCatStandIn, *, login: bool = False) -> None:
        self.url = scicat.url
        self.headers: dict[str, str] = {}
        if login:
            answer = requests.post(f"{self.url}/api/v3/auth/login", json=ACCOUNT, timeout=5)
            assert answer.status_code == 201
            self.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"

    def get(self, path: str, **params: Any) -> requests.Response:
        query = {k: v if isinstance(v, str) else compact(v) for k, v in params.items()}
        return requests.get(self.url + path, params=query, headers=self.headers, timeout=5)

    def ok(self, path: str, **params: Any) -> Any:
        answer = self.get(path, **params)
        assert answer.status_code == 200, answer.text
        return answer.json()


def compact(doc: Any) -> str:
    """JSON as the portal's client sends it (no spaces: SciCat 4.17.1 rewrites the text)."""
    return json.dumps(doc, separators=(",", ":"))


def pids(rows: list[dict[str, Any]]) -> list[str]:
    return sorted(r["pid"] for r in rows)


def error(answer: requests.Response) -> tuple[int, Any]:
    return answer.status_code, answer.json()


SERVER_ERROR = {"statusCode": 500, "message": "Internal server error"}
FORBIDDEN = {"message": "Forbidden resource", "error": "Forbidden", "statusCode": 403}


# -- callers ------------------------------------------------------------------------------------


def test_health_and_login(scicat: SciCatStandIn) -> None:
    anonymous = Client(scicat)
    assert anonymous.ok("/api/v3/health")["info"] == {"mongodb": {"status": "up"}}
    wrong = requests.post(
        f"{scicat.url}/api/v3/auth/login", json={**ACCOUNT, "password": "no"}, timeout=5
    )
    assert error(wrong) == (401, {"statusCode": 401, "message": "Unauthorized"})


def test_an_expired_token_is_anonymous_on_4_and_refused_on_5(scicat: SciCatStandIn) -> None:
    client = Client(scicat, login=True)
    assert len(client.ok("/api/v3/datasets")) == 3
    scicat.expire_tokens()
    answer = client.get("/api/v3/datasets")
    if scicat.release == "4.17.1":
        assert pids(answer.json()) == [pid(0), pid(2)]  # quietly the anonymous view
    else:
        assert error(answer) == (
            401,
            {"message": "SESSION_EXPIRED", "error": "Unauthorized", "statusCode": 401},
        )


# -- A: operators -------------------------------------------------------------------------------


def test_bare_loopback_operators_on_v3_datasets(scicat: SciCatStandIn) -> None:
    client = Client(scicat, login=True)
    since = {"where": {"updatedAt": {"gte": "2000-01-01T00:00:00.000Z"}}}
    if scicat.release == "4.17.1":
        assert error(client.get("/api/v3/datasets", filter=since)) == (500, SERVER_ERROR)
        assert scicat.requests("/api/v3/datasets")[-1].detail
    else:
        assert len(client.ok("/api/v3/datasets", filter=since)) == 3
    # inq / and / or are translated on both (4.17.1: in the filter's text)
    both = {"where": {"or": [{"pid": {"inq": [pid(0)]}}, {"pid": pid(1)}]}}
    assert pids(client.ok("/api/v3/datasets", filter=both)) == [pid(0), pid(1)]


def test_4_17_translates_the_filters_text(scicat4: SciCatStandIn) -> None:
    """``{"inq":``, ``{"nin":``, ``{"and":[``, ``{"or":[``: first keys only, no space after the
    colon before a bracket."""
    client = Client(scicat4, login=True)
    spaced = json.dumps({"where": {"pid": {"inq": [pid(0)]}}})  # '{"inq": [' still matches
    assert pids(client.ok("/api/v3/datasets", filter=spaced)) == [pid(0)]
    both = {"and": [{"pid": pid(0)}]}
    assert pids(client.ok("/api/v3/datasets", filter={"where": both})) == [pid(0)]
    # '{"and": [' is not '{"and":[': a field named "and", which no record has
    assert client.ok("/api/v3/datasets", filter=json.dumps({"where": both})) == []
    second = {"where": {"pid": {"$in": [pid(0)], "inq": [pid(0)]}}}
    assert client.get("/api/v3/datasets", filter=second).status_code == 500
    # replaceLikeOperator makes the $nin array an object: a 500, not a filter
    nin = {"where": {"pid": {"$nin": [pid(1)]}}}
    assert client.get("/api/v3/datasets", filter=nin).status_code == 500


def test_dollar_operators_work_on_every_v3_list(scicat: SciCatStandIn) -> None:
    client = Client(scicat, login=True)
    since = {"$gte": "2000-01-01T00:00:00.000Z"}
    assert len(client.ok("/api/v3/datasets", filter={"where": {"updatedAt": since}})) == 3
    assert client.ok("/api/v3/datasets/count", filter={"where": {"updatedAt": since}}) == {
        "count": 3
    }
    blocks = client.ok(
        "/api/v3/origdatablocks", filter={"where": {"datasetId": {"$in": [pid(0), pid(1)]}}}
    )
    assert sorted(b["_id"] for b in blocks) == ["odb-0", "odb-1"]
    instruments = client.ok(
        "/api/v3/instruments", filter={"where": {"pid": {"$in": [INSTRUMENT["pid"]]}}}
    )
    assert [i["pid"] for i in instruments] == [INSTRUMENT["pid"]]
    proposals = client.ok(
        "/api/v3/proposals", filters={"where": {"proposalId": {"$in": ["11019634"]}}}
    )
    assert [p["proposalId"] for p in proposals] == ["11019634"]
    scicat.put_published_data({"doi": "10.1/a", "status": "registered"})
    found = client.ok("/api/v3/publisheddata", filter={"where": {"updatedAt": since}})
    assert [p["doi"] for p in found] == ["10.1/a"]


@pytest.mark.parametrize(
    ("path", "param", "where"),
    [
        ("/api/v3/origdatablocks", "filter", {"datasetId": {"inq": [pid(0)]}}),
        ("/api/v3/proposals", "filters", {"proposalId": {"inq": ["11019634"]}}),
        ("/api/v3/origdatablocks", "filter", {"createdAt": {"$gte": "2000-01-01"}}),
        ("/api/v3/origdatablocks", "filter", {"$or": [{"datasetId": pid(0)}]}),
    ],
)
def test_mongoose_routes_fail_on_what_they_cannot_cast(
    scicat: SciCatStandIn, path: str, param: str, where: dict[str, Any]
) -> None:
    answer = Client(scicat, login=True).get(path, **{param: {"where": where}})
    assert error(answer) == (500, SERVER_ERROR)


def test_instruments_take_bare_operators_on_5_only(scicat: SciCatStandIn) -> None:
    answer = Client(scicat).get(
        "/api/v3/instruments", filter={"where": {"pid": {"inq": [INSTRUMENT["pid"]]}}}
    )
    assert answer.status_code == (500 if scicat.release == "4.17.1" else 200)


def test_v4_refuses_bare_operators_and_unknown_field_names(scicat: SciCatStandIn) -> None:
    client = Client(scicat)
    answer = client.get("/api/v4/datasets/public", filter={"where": {"updatedAt": {"gte": "x"}}})
    assert error(answer) == (
        400,
        {
            "message": "Property where.updatedAt.gte should not exist in the filter object",
            "error": "Bad Request",
            "statusCode": 400,
        },
    )
    embargo = {"where": {"datasetlifecycle.dateOfPublishing": {"$lte": "2030-01-01"}}}
    answer = client.get("/api/v4/datasets/public", filter=embargo)
    # 4.17.1 knows the dataset DTO's own field names only; 5.2.1 the lifecycle's too
    assert answer.status_code == (400 if scicat.release == "4.17.1" else 200)
    sort_by_id = {"limits": {"sort": {"_id": "asc"}}}
    assert client.get("/api/v4/attachments/public", filter=sort_by_id).status_code == 400


# -- B: dates -----------------------------------------------------------------------------------


def test_v4_lists_do_not_cast_text_dates_but_counts_do(scicat: SciCatStandIn) -> None:
    client = Client(scicat, login=True)
    since = {"where": {"updatedAt": {"$gte": "2000-01-01T00:00:00.000Z"}}}
    assert client.ok("/api/v4/datasets/public", filter=since) == []
    assert client.ok("/api/v4/datasets", filter=since) == []
    assert client.ok("/api/v4/datasets/public/count", filter=since) == {"count": 2}
    assert client.ok("/api/v4/datasets/count", filter=since) == {"count": 3}
    scicat.v4_casts_dates = True  # a backend with PR #2346
    assert len(client.ok("/api/v4/datasets/public", filter=since)) == 2


def test_v4_sort_values_other_than_asc_are_descending(scicat: SciCatStandIn) -> None:
    client = Client(scicat, login=True)
    mongo_style = {"limits": {"limit": 3, "sort": {"pid": 1}}}
    assert [d["pid"] for d in client.ok("/api/v4/datasets", filter=mongo_style)] == [
        pid(2),
        pid(1),
        pid(0),
    ]


# -- C: routes ----------------------------------------------------------------------------------


def test_published_data_per_release(scicat: SciCatStandIn) -> None:
    scicat.put_published_data({"doi": "10.1/r", "status": "registered"})
    scicat.put_published_data({"doi": "10.1/p", "status": "pending_registration"})
    anonymous = Client(scicat)
    v3 = sorted(p["doi"] for p in anonymous.ok("/api/v3/publisheddata"))
    v4 = anonymous.get("/api/v4/publisheddata")
    if scicat.release == "4.17.1":
        assert v3 == ["10.1/p", "10.1/r"]  # the interceptor's status filter is lost
        assert error(v4) == (
            404,
            {
                "message": "Cannot GET /api/v4/publisheddata",
                "error": "Not Found",
                "statusCode": 404,
            },
        )
        fields = {"fields": ["doi"]}
        assert anonymous.get("/api/v3/publisheddata", filter=fields).status_code == 500
    else:
        assert v3 == ["10.1/r"]
        assert [p["doi"] for p in v4.json()] == ["10.1/r"]
        authed = Client(scicat, login=True)
        by_order = {"where": {"updatedAt": {"gt": "2000-01-01"}}, "limits": {"order": "doi:asc"}}
        by_sort = {"limits": {"sort": {"doi": "desc"}}}
        assert [p["doi"] for p in authed.ok("/api/v4/publisheddata", filter=by_order)] == [
            "10.1/p",
            "10.1/r",
        ]
        assert [p["doi"] for p in authed.ok("/api/v4/publisheddata", filter=by_sort)] == [
            "10.1/r",
            "10.1/p",
        ]


def test_v4_datasets_need_a_token_and_show_everything(scicat: SciCatStandIn) -> None:
    assert error(Client(scicat).get("/api/v4/datasets")) == (403, FORBIDDEN)
    client = Client(scicat, login=True)
    rows = client.ok(
        "/api/v4/datasets",
        filter={"fields": ["pid", "isPublished"], "limits": {"limit": 5, "sort": {"pid": "asc"}}},
    )
    assert rows == [{"_id": pid(n), "pid": pid(n), "isPublished": n != 1} for n in range(3)]
    assert client.ok("/api/v4/datasets/count") == {"count": 3}
    published = {"where": {"isPublished": True}}
    assert pids(client.ok("/api/v4/datasets", filter=published)) == [pid(0), pid(2)]


def test_v3_origdatablocks_per_caller(scicat: SciCatStandIn) -> None:
    wanted = {"where": {"datasetId": {"$in": [pid(0), pid(1)]}}, "limits": {"order": "_id:asc"}}
    authed = Client(scicat, login=True).ok("/api/v3/origdatablocks", filter=wanted)
    assert [(b["_id"], b["datasetId"]) for b in authed] == [("odb-0", pid(0)), ("odb-1", pid(1))]
    anonymous = Client(scicat).get("/api/v3/origdatablocks", filter=wanted)
    if scicat.release == "4.17.1":
        # no access filter for anonymous callers: the private dataset's block too
        assert [b["_id"] for b in anonymous.json()] == ["odb-0", "odb-1"]
    else:
        assert error(anonymous) == (403, FORBIDDEN)
    # a list value means $in (createFullqueryFilter)
    listed = {"where": {"datasetId": [pid(0), pid(2)]}}
    rows = Client(scicat, login=True).ok("/api/v3/origdatablocks", filter=listed)
    assert sorted(b["_id"] for b in rows) == ["odb-0", "odb-2"]


def test_v4_origdatablocks_on_5_only(scicat: SciCatStandIn) -> None:
    client = Client(scicat, login=True)
    if scicat.release == "4.17.1":
        assert client.get("/api/v4/origdatablocks").status_code == 404
        assert client.get("/api/v4/origdatablocks/public").status_code == 404
        with pytest.raises(ValueError, match=r"4\.17\.1"):
            scicat.publish_block("odb-0")
        return
    assert len(client.ok("/api/v4/origdatablocks")) == 3
    assert Client(scicat).ok("/api/v4/origdatablocks/public") == []
    scicat.publish_block("odb-2")
    assert [b["_id"] for b in Client(scicat).ok("/api/v4/origdatablocks/public")] == ["odb-2"]
    assert error(Client(scicat).get("/api/v4/origdatablocks")) == (403, FORBIDDEN)


def test_attachments_by_target(scicat: SciCatStandIn) -> None:
    wanted = {"where": {"relationships.targetId": {"$in": [pid(0), pid(1)]}}}
    authed = Client(scicat, login=True).ok("/api/v4/attachments", filter=wanted)
    assert sorted(a["aid"] for a in authed) == ["att-0", "att-1"]
    first = next(a for a in authed if a["aid"] == "att-1")
    assert first["_id"] == "att-1"
    assert "datasetId" not in first
    assert first["isPublished"] is False
    assert first["relationships"] == [
        {"targetId": pid(1), "targetType": "dataset", "relationType": "is attached to"}
    ]
    anonymous = Client(scicat)
    for path in ("/api/v4/attachments/public", "/api/v4/attachments"):
        assert [a["aid"] for a in anonymous.ok(path, filter=wanted)] == ["att-0"]
    scicat.publish_attachment("att-1")
    assert len(anonymous.ok("/api/v4/attachments/public", filter=wanted)) == 2


def test_proposals_read_filters_not_filter(scicat: SciCatStandIn) -> None:
    scicat.put_proposal({"proposalId": "other", "title": "Other"})
    client = Client(scicat, login=True)
    nothing = {"where": {"proposalId": "none"}}
    assert len(client.ok("/api/v3/proposals", filter=nothing)) == 2  # ignored: every proposal
    assert client.ok("/api/v3/proposals", filters=nothing) == []
    one = client.ok(
        "/api/v3/proposals", filters={"where": {"proposalId": "other"}, "fields": ["_id"]}
    )
    assert one[0]["title"] == "Other"  # fields changes nothing
    assert one[0]["isPublished"] is False
    assert Client(scicat).ok("/api/v3/proposals", filters={}) == []


def test_single_dataset_routes(scicat: SciCatStandIn) -> None:
    client = Client(scicat, login=True)
    path = f"/api/v3/datasets/{quote(pid(0), safe='')}"
    include = {"include": [{"relation": "origdatablocks"}, {"relation": "attachments"}]}
    record = client.ok(path, filter=include)
    if scicat.release == "4.17.1":
        assert "origdatablocks" not in record
    else:
        assert [b["_id"] for b in record["origdatablocks"]] == ["odb-0"]
    private = Client(scicat).get(f"/api/v3/datasets/{quote(pid(1), safe='')}")
    assert error(private) == (
        403,
        {"message": "Unauthorized access", "error": "Forbidden", "statusCode": 403},
    )
    v4 = client.ok(f"/api/v4/datasets/{quote(pid(0), safe='')}", filter=include)
    assert not set(v4) & {"origdatablocks", "attachments", "instruments", "proposals"}
    unknown = Client(scicat).get("/api/v4/nothing?x=1")
    assert error(unknown) == (
        404,
        {"message": "Cannot GET /api/v4/nothing?x=1", "error": "Not Found", "statusCode": 404},
    )


def test_anonymous_v3_lists_on_4_17_drop_the_callers_where(scicat: SciCatStandIn) -> None:
    only_zero = {"where": {"pid": pid(0)}}
    rows = Client(scicat).ok("/api/v3/datasets", filter=only_zero)
    assert pids(rows) == ([pid(0), pid(2)] if scicat.release == "4.17.1" else [pid(0)])


# -- D: include -----------------------------------------------------------------------------------


def relation_ids(rows: list[dict[str, Any]], name: str) -> dict[str, list[str]]:
    key = "aid" if name == "attachments" else "proposalId" if name == "proposals" else "_id"
    return {r["pid"]: sorted(x.get(key) or x.get("pid") for x in r[name]) for r in rows}


def test_4_17_v3_include_attaches_every_block(scicat: SciCatStandIn) -> None:
    client = Client(scicat, login=True)
    rows = client.ok("/api/v3/datasets", filter={"include": [{"relation": "origdatablocks"}]})
    blocks = relation_ids(rows, "origdatablocks")
    if scicat.release == "4.17.1":
        assert blocks == {pid(n): ["odb-0", "odb-1", "odb-2"] for n in range(3)}
    else:
        assert blocks == {pid(n): [f"odb-{n}"] for n in range(3)}


def test_v4_include_by_caller(scicat: SciCatStandIn) -> None:
    scicat.put_block({**block(9), "_id": "odb-9"}, dataset=pid(0), touch=False)
    if scicat.release == "5.2.1":
        scicat.publish_block("odb-9")
    names = ["origdatablocks", "attachments", "proposals", "instruments"]
    authed = Client(scicat, login=True)
    before = authed.ok("/api/v4/datasets", filter={"include": names})
    assert relation_ids(before, "instruments")[pid(0)] == [INSTRUMENT["pid"]]
    assert relation_ids(before, "proposals")[pid(0)] == ["11019634"]
    anonymous = Client(scicat).ok("/api/v4/datasets/public", filter={"include": names})
    assert relation_ids(anonymous, "proposals")[pid(0)] == []
    after = authed.ok("/api/v4/datasets", filter={"include": names})
    if scicat.release == "4.17.1":
        assert relation_ids(before, "origdatablocks")[pid(0)] == ["odb-0", "odb-9"]
        assert relation_ids(anonymous, "origdatablocks")[pid(0)] == []
        assert relation_ids(anonymous, "attachments")[pid(0)] == []
        # the anonymous include left published-only lookups behind, for every caller
        assert scicat.public_only_lookups == {"origdatablocks", "proposals"}
        assert relation_ids(after, "origdatablocks")[pid(0)] == []
        assert relation_ids(after, "proposals")[pid(0)] == []
        assert relation_ids(after, "attachments")[pid(1)] == []
    else:
        assert relation_ids(anonymous, "origdatablocks")[pid(0)] == ["odb-9"]
        assert relation_ids(anonymous, "attachments")[pid(0)] == ["att-0"]
        assert relation_ids(after, "origdatablocks")[pid(0)] == ["odb-0", "odb-9"]
        assert relation_ids(after, "attachments")[pid(1)] == ["att-1"]
        assert relation_ids(after, "proposals")[pid(0)] == ["11019634"]


# -- E: records ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("created", "expected"),
    [
        (datetime(2026, 12, 2, 21, 6, tzinfo=UTC), datetime(2026, 12, 3, tzinfo=UTC)),  # Wed
        (datetime(2025, 3, 9, 12, tzinfo=UTC), datetime(2025, 2, 28, tzinfo=UTC)),  # Sunday
        (datetime(2025, 3, 15, tzinfo=UTC), datetime(2025, 3, 6, tzinfo=UTC)),  # Saturday
    ],
)
def test_js_default_date(created: datetime, expected: datetime) -> None:
    assert js_default_date(created) == expected


def test_records_as_scicat_stores_them(scicat: SciCatStandIn) -> None:
    scicat.set_clock(datetime(2026, 12, 2, 21, 6, tzinfo=UTC))
    scicat.put_dataset({"pid": pid(7), "isPublished": True, "instrumentIds": ["i"]})
    record = Client(scicat, login=True).ok(f"/api/v3/datasets/{quote(pid(7), safe='')}")
    assert record["_id"] == pid(7)
    assert record["instrumentId"] == "i"
    assert record["instrumentIds"] == ["i"]
    lifecycle = record["datasetlifecycle"]
    assert lifecycle["dateOfPublishing"] == "2026-12-03T00:00:00.000Z"
    assert lifecycle["archiveRetentionTime"] == lifecycle["dateOfPublishing"]
    assert lifecycle["publishedOn"] == lifecycle["dateOfDiskPurging"] == "2025-01-01T00:00:00.000Z"
    block_record = scicat.put_block({"dataFileList": []}, dataset=pid(7))
    assert len(block_record["_id"]) == 36
    assert block_record["isPublished"] is False
    assert scicat.dataset(pid(7))["numberOfFiles"] == 0
    if scicat.release == "4.17.1":
        with pytest.raises(ValueError, match="isPublished"):
            scicat.put_block({"isPublished": True}, dataset=pid(7))


def test_a_given_date_of_publishing_is_kept(scicat: SciCatStandIn) -> None:
    scicat.put_dataset({"pid": pid(8), "datasetlifecycle": {"dateOfPublishing": None}})
    assert scicat.dataset(pid(8))["datasetlifecycle"]["dateOfPublishing"] is None


# -- F: a catalogue that leaks ------------------------------------------------------------------


def test_leak_relations_ignores_the_where(scicat: SciCatStandIn) -> None:
    scicat.leak_relations = True
    client = Client(scicat, login=True)
    one = {"where": {"datasetId": {"$in": [pid(0)]}}}
    assert len(client.ok("/api/v3/origdatablocks", filter=one)) == 3
    target = {"where": {"relationships.targetId": {"$in": [pid(0)]}}}
    assert len(Client(scicat).ok("/api/v4/attachments/public", filter=target)) == 3
    assert len(client.ok("/api/v3/proposals", filters={"where": {"proposalId": "x"}})) == 1
    scicat.reset()
    assert scicat.leak_relations is False


# -- H: a served export -------------------------------------------------------------------------


def test_a_served_export_joins_pre_rendered_records(tmp_path: Path) -> None:
    records = [dataset(n, published=n != 1) for n in range(3)]
    blocks = [{**block(n), "datasetId": pid(n)} for n in range(3)]
    attachments = [
        {**attachment(n, published=True), "relationships": [{"targetId": pid(n)}]} for n in range(3)
    ]
    for name, content in (
        ("datasets.v4.00001.json", records),
        ("origdatablocks.v4.00001.json", blocks),
        ("attachments.v4.00001.json", attachments),
        ("instruments.v4.json", [INSTRUMENT]),
        ("proposals.v4.json", [PROPOSAL]),
    ):
        (tmp_path / name).write_text(json.dumps(content))
    standin = SciCatStandIn(release="5.2.1")
    assert standin.load_export(tmp_path) == 3
    with standin:
        client = Client(standin, login=True)
        page = client.ok("/api/v4/datasets/public", filter={"limits": {"sort": {"pid": "asc"}}})
        assert [d["pid"] for d in page] == [pid(0), pid(2)]
        assert "origdatablocks" not in page[0]
        found = client.ok(
            "/api/v3/origdatablocks",
            filter={
                "where": {"datasetId": {"$in": [pid(0), pid(2)]}},
                "limits": {"order": "_id:asc"},
            },
        )
        assert [b["_id"] for b in found] == ["odb-0", "odb-2"]
        assert found[0]["dataFileList"][0]["path"] == "scan_0/a.h5"
        thumbnails = client.ok(
            "/api/v4/attachments",
            filter={"where": {"relationships.targetId": {"$in": [pid(2)]}}},
        )
        assert [a["_id"] for a in thumbnails] == ["att-2"]
        everything = client.ok("/api/v4/datasets", filter={"where": {"isPublished": False}})
        assert [d["pid"] for d in everything] == [pid(1)]
        v3 = client.ok("/api/v3/datasets", filter={"where": {"pid": pid(0)}})
        assert v3[0]["proposalId"] == "11019634"
        assert v3[0]["proposalIds"] == ["11019634"]
