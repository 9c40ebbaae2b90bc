"""The Tape REST API client against the stand-in: discovery, every resource, the error model."""

from __future__ import annotations

import pytest

from tape import wlcg
from tests.standins.tape import TapeStandIn
from tests.tape.conftest import TOKEN


@pytest.fixture
def client(tape_server: TapeStandIn) -> wlcg.TapeClient:
    tape_server.reset()
    return wlcg.TapeClient(tape_server.url, token=TOKEN, timeout=2)


def test_discovery_finds_the_v1_endpoint(client: wlcg.TapeClient, tape_server: TapeStandIn) -> None:
    assert client.endpoint() == f"{tape_server.url}/api/v1"
    assert tape_server.seen[0][:2] == ("GET", "/.well-known/wlcg-tape-rest-api")


def test_newest_v1_endpoint_is_chosen_and_relative_uris_joined() -> None:
    doc = {
        "sitename": "x",
        "endpoints": [
            {"uri": "https://a.example/api/v1", "version": "v1"},
            {"uri": "/api/v1.1", "version": "v1.1"},
            {"uri": "https://a.example/api/v2", "version": "v2"},
        ],
    }
    assert (
        wlcg.parse_endpoint(doc, base="https://tape.example:3880")
        == "https://tape.example:3880/api/v1.1"
    )
    with pytest.raises(wlcg.TapeUnavailable, match="no v1 endpoint"):
        wlcg.parse_endpoint({"endpoints": [{"uri": "/x", "version": "v2"}]}, base="https://t")


def test_an_endpoint_url_is_used_without_discovery(tape_server: TapeStandIn) -> None:
    tape_server.reset()
    client = wlcg.TapeClient(f"{tape_server.url}/api/v1", token=TOKEN)
    tape_server.put("/a", "DISK")
    assert client.archiveinfo(["/a"])[0].locality == wlcg.Locality.DISK
    assert all(path != "/.well-known/wlcg-tape-rest-api" for _, path, _ in tape_server.seen)


def test_archiveinfo_gives_each_path_its_locality_or_error(
    client: wlcg.TapeClient, tape_server: TapeStandIn
) -> None:
    tape_server.put("/d/1", "DISK_AND_TAPE")
    tape_server.put("/d/2", "TAPE")
    tape_server.put("/d/3", "LOST")
    answers = {a.path: a for a in client.archiveinfo(["/d/1", "/d/2", "/d/3", "/d/4"])}
    assert answers["/d/1"].locality == wlcg.Locality.DISK_AND_TAPE
    assert answers["/d/1"].locality.online
    assert answers["/d/2"].locality == wlcg.Locality.TAPE
    assert answers["/d/3"].locality == wlcg.Locality.LOST
    assert answers["/d/4"].locality is None
    assert answers["/d/4"].error == "No such file or directory"


def test_stage_moves_from_submitted_to_completed_over_time(
    client: wlcg.TapeClient, tape_server: TapeStandIn
) -> None:
    tape_server.put("/s/1", "TAPE")
    tape_server.put("/s/2", "DISK")
    request_id = client.stage(["/s/1", "/s/2"], disk_lifetime="P7D")
    assert tape_server.stage_requests()[0]["lifetimes"] == {"P7D"}
    status = client.stage_status(request_id)
    states = {f.path: f.state for f in status.files}
    assert states == {"/s/1": wlcg.FileState.SUBMITTED, "/s/2": wlcg.FileState.COMPLETED}
    assert not status.done
    assert not status.online
    tape_server.advance(61)
    assert client.stage_status(request_id).files[0].state == wlcg.FileState.STARTED
    tape_server.advance(600)
    status = client.stage_status(request_id)
    assert status.done
    assert status.online
    assert status.completed_at is not None
    assert tape_server.locality("/s/1") == "DISK_AND_TAPE"


def test_a_lost_file_fails_its_stage(client: wlcg.TapeClient, tape_server: TapeStandIn) -> None:
    tape_server.put("/l/1", "TAPE")
    tape_server.lose("/l/1")
    status = client.stage_status(client.stage(["/l/1"], disk_lifetime="P1D"))
    assert status.failed
    assert status.failed[0].error == "File is LOST"


def test_cancel_release_and_delete(client: wlcg.TapeClient, tape_server: TapeStandIn) -> None:
    tape_server.put("/c/1", "TAPE")
    tape_server.put("/c/2", "TAPE")
    request_id = client.stage(["/c/1", "/c/2"], disk_lifetime="P1D")
    client.cancel(request_id, ["/c/1"])
    assert client.stage_status(request_id).files[0].state == wlcg.FileState.CANCELLED
    tape_server.advance(700)
    assert client.stage_status(request_id).files[1].state == wlcg.FileState.COMPLETED
    client.release(request_id, ["/c/2"])
    assert tape_server.locality("/c/2") == "TAPE"
    client.delete(request_id)
    with pytest.raises(wlcg.TapeRejected) as caught:
        client.stage_status(request_id)
    assert caught.value.status == 404
    assert "no such stage request" in str(caught.value)


def test_a_bad_request_is_rejected_with_the_storage_words(client: wlcg.TapeClient) -> None:
    with pytest.raises(wlcg.TapeRejected, match="diskLifetime is not an ISO 8601 duration"):
        client.stage(["/x"], disk_lifetime="a week")


def test_server_errors_and_slow_answers_are_passing_failures(
    client: wlcg.TapeClient, tape_server: TapeStandIn
) -> None:
    client.endpoint()
    tape_server.fail(503, path="/api/v1/archiveinfo")
    with pytest.raises(wlcg.TapeUnavailable, match="503"):
        client.archiveinfo(["/x"])
    tape_server.slow(3, path="/api/v1/archiveinfo")
    with pytest.raises(wlcg.TapeUnavailable, match="Timeout"):
        client.archiveinfo(["/x"])


def test_without_the_token_the_storage_refuses(tape_server: TapeStandIn) -> None:
    tape_server.reset()
    with pytest.raises(wlcg.TapeRejected) as caught:
        wlcg.TapeClient(tape_server.url).archiveinfo(["/x"])
    assert caught.value.status == 401
