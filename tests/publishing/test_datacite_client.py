"""The DataCite client (publishing/datacite.py) against the loopback stand-in."""

from __future__ import annotations

from typing import Any

import pytest

from publishing import datacite
from tests.publishing.support import PASSWORD, PREFIX
from tests.standins.datacite import DataCiteStandIn

DOI = f"{PREFIX}/abcde-12345"
URL = "https://portal.example/doi/10.99999/abcde-12345"


def metadata(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "url": URL,
        "creators": [{"name": "Franklin, Rosalind", "nameType": "Personal"}],
        "titles": [{"title": "Reflectivity of sample 1"}],
        "publisher": {"name": "Photon Science Facility"},
        "publicationYear": "2025",
        "types": {"resourceTypeGeneral": "Dataset", "resourceType": "raw"},
        "schemaVersion": "http://datacite.org/schema/kernel-4",
    }
    doc.update(changes)
    return doc


def client(calls: list[datacite.Call] | None = None) -> datacite.Client:
    return datacite.Client.from_settings(on_call=None if calls is None else calls.append)


def test_publish_creates_a_findable_doi(standin: DataCiteStandIn) -> None:
    record = client().create(doi=DOI, attributes=metadata(), event="publish")

    assert (record.doi, record.state, record.url) == (DOI, "findable", URL)
    assert record.client_id == "psf.portal"
    assert standin.doi(DOI).state == "findable"


def test_unknown_doi_is_none(standin: DataCiteStandIn) -> None:
    assert client().get(f"{PREFIX}/nothing-here") is None


def test_get_answers_state_url_and_owner(standin: DataCiteStandIn) -> None:
    client().create(doi=DOI, attributes=metadata(), event="register")

    record = client().get(DOI.upper())

    assert record is not None
    assert (record.state, record.url, record.client_id) == ("registered", URL, "psf.portal")


def test_hide_and_publish_move_the_state(standin: DataCiteStandIn) -> None:
    dc = client()
    dc.create(doi=DOI, attributes=metadata(), event="publish")

    hidden = dc.update(doi=DOI, attributes=metadata(), event="hide")
    shown = dc.update(doi=DOI, attributes=metadata(), event="publish")

    assert (hidden.state, shown.state) == ("registered", "findable")


def test_second_create_of_the_same_doi_is_taken(standin: DataCiteStandIn) -> None:
    client().create(doi=DOI, attributes=metadata(), event="publish")

    with pytest.raises(datacite.DoiTaken) as caught:
        client().create(doi=DOI, attributes=metadata(), event="publish")

    assert caught.value.status == 422
    assert "This DOI has already been taken" in str(caught.value)


def test_invalid_metadata_is_rejected_with_datacites_messages(standin: DataCiteStandIn) -> None:
    with pytest.raises(datacite.DataCiteRejected) as caught:
        client().create(doi=DOI, attributes=metadata(creators=[]), event="publish")

    assert caught.value.status == 422
    assert any(p.source == "creators" for p in caught.value.problems)
    assert standin.dois() == {}


def test_bad_credentials_are_rejected_not_retried(standin: DataCiteStandIn, settings: Any) -> None:
    settings.DATACITE_PASSWORD = "wrong"

    with pytest.raises(datacite.DataCiteRejected) as caught:
        client().get(DOI)

    assert caught.value.status == 401
    assert not isinstance(caught.value, datacite.DataCiteUnavailable)
    assert "Bad credentials" in str(caught.value)


def test_someone_elses_prefix_is_forbidden(standin: DataCiteStandIn) -> None:
    with pytest.raises(datacite.DataCiteRejected) as caught:
        client().create(doi="10.88888/theirs", attributes=metadata(), event="publish")

    assert caught.value.status == 403


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_server_errors_mean_try_again_later(standin: DataCiteStandIn, status: int) -> None:
    standin.fail(status)

    with pytest.raises(datacite.DataCiteUnavailable, match=str(status)):
        client().create(doi=DOI, attributes=metadata(), event="publish")


def test_a_dropped_connection_means_try_again_later(standin: DataCiteStandIn) -> None:
    standin.drop(method="POST")

    with pytest.raises(datacite.DataCiteUnavailable, match="connection"):
        client().create(doi=DOI, attributes=metadata(), event="publish")

    assert standin.doi(DOI).state == "findable"  # it worked; only the answer got lost


def test_a_slow_answer_times_out(standin: DataCiteStandIn, settings: Any) -> None:
    settings.DATACITE_TIMEOUT = 0.2
    standin.stall(0.6, method="GET")

    with pytest.raises(datacite.DataCiteUnavailable, match="timed out"):
        client().get(DOI)


def test_every_call_is_reported_without_the_password(standin: DataCiteStandIn) -> None:
    calls: list[datacite.Call] = []
    dc = client(calls)

    dc.get(DOI)
    dc.create(doi=DOI, attributes=metadata(), event="publish")

    assert [(c.method, c.path, c.status) for c in calls] == [
        ("GET", f"/dois/{DOI}", 404),
        ("POST", "/dois", 201),
    ]
    assert '"event": "publish"' in calls[1].request_body
    assert all(PASSWORD not in repr(c) for c in calls)
    assert PASSWORD not in repr(dc.config)


def test_not_configured_says_which_variable(settings: Any) -> None:
    settings.DATACITE_URL = ""

    with pytest.raises(Exception, match="DATACITE_URL"):
        datacite.Client.from_settings()
    assert not datacite.configured()
    assert settings.DATACITE_URL == ""
    assert datacite.configured() is bool(settings.DATACITE_URL)
