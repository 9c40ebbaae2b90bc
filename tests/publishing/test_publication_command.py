"""``manage.py publication``: scripted publishing of past beamtimes."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from publishing.models import DoiState, Publication
from tests.factories import DatasetFactory, ProposalFactory
from tests.publishing.support import DraftPublicationFactory
from tests.standins.datacite import DataCiteStandIn


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("publication", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


@pytest.mark.django_db
def test_create_for_a_proposal_prints_the_new_id() -> None:
    proposal = ProposalFactory.create(proposal_id="11012345")
    DatasetFactory.create_batch(2, proposal=proposal)

    out, _ = run("create", "--proposal", "11012345")

    publication = Publication.objects.get()
    assert out == str(publication.pk)
    assert publication.doi_state == DoiState.DRAFT
    assert publication.datasets.count() == 2


@pytest.mark.django_db
def test_create_from_datasets_prints_the_new_id() -> None:
    first, second = DatasetFactory.create(), DatasetFactory.create()

    out, _ = run("create", "--datasets", first.pid, second.pid, "--title", "Two scans")

    publication = Publication.objects.get(pk=int(out))
    assert publication.title == "Two scans"
    assert publication.datasets.count() == 2


@pytest.mark.django_db
def test_create_names_what_is_missing() -> None:
    with pytest.raises(CommandError, match="no-such-pid"):
        run("create", "--datasets", "no-such-pid")
    with pytest.raises(CommandError, match="no proposal 999"):
        run("create", "--proposal", "999")


@pytest.mark.django_db(transaction=True)
def test_register_waits_and_prints_the_findable_doi(standin: DataCiteStandIn) -> None:
    publication = DraftPublicationFactory.create()

    out, _ = run("register", str(publication.pk), "--timeout", "10")

    publication.refresh_from_db()
    assert out == f"{publication.pk}\t{publication.doi}\tfindable"
    assert standin.doi(publication.doi).state == "findable"


@pytest.mark.django_db(transaction=True)
def test_register_exits_non_zero_with_the_reason(standin: DataCiteStandIn, settings: Any) -> None:
    settings.DATACITE_PASSWORD = "wrong"
    publication = DraftPublicationFactory.create()

    with pytest.raises(CommandError, match=r"Registration failed: .*401.*Bad credentials"):
        run("register", str(publication.pk), "--timeout", "10")


@pytest.mark.django_db
def test_register_lists_the_fields_to_fix(standin: DataCiteStandIn) -> None:
    publication = DraftPublicationFactory.create(creators=[])
    err = StringIO()

    with pytest.raises(CommandError, match="fix the fields"):
        call_command("publication", "register", str(publication.pk), stderr=err, stdout=StringIO())

    assert "  creators: at least one creator is required" in err.getvalue()
    assert standin.seen == []


@pytest.mark.django_db
def test_status_of_an_unknown_publication_fails() -> None:
    with pytest.raises(CommandError, match="no publication 404"):
        run("status", "404")
