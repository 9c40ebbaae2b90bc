"""``manage.py tape status|poll|locality [--dataset PID]`` for operators."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tape.models import DatasetLocality
from tests.standins.tape import TapeStandIn
from tests.tape.conftest import tape_dataset

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out, err = StringIO(), StringIO()
    call_command("tape", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_locality_checks_the_datasets_due_and_one_by_pid(tape: TapeStandIn) -> None:
    first = tape_dataset(tape, localities=("DISK", "TAPE"))
    second = tape_dataset(tape, localities=("TAPE",))
    assert "checked 2, changed 1" in run("locality", "--no-progress")
    assert "checked 0" in run("locality", "--no-progress")  # nothing due any more
    tape.put(f"/pnfs/site/public{second.source_folder}/scan_000.h5", "DISK")
    assert "checked 1, changed 1" in run("locality", "--dataset", second.pid, "--no-progress")
    status = run("status", "--dataset", first.pid)
    assert "data location partial" in status
    assert "1/2 files on disk" in status
    assert DatasetLocality.objects.count() == 2


def test_status_prints_the_metrics(tape: TapeStandIn) -> None:
    out = run("status")
    assert "restage_open 0" in out
    assert "restage_bytes_staged 0" in out


def test_poll_and_locality_need_the_storage(settings: Any) -> None:
    settings.PORTAL_TAPE_REST_URL = ""
    with pytest.raises(CommandError, match="PORTAL_TAPE_REST_URL is not set"):
        run("poll")
    assert "tape: off" in run("status")


def test_an_unknown_pid_is_a_clear_error(tape: TapeStandIn) -> None:
    with pytest.raises(CommandError, match="no dataset with PID"):
        run("locality", "--dataset", "nope")


def test_a_storage_outage_fails_the_command(tape: TapeStandIn) -> None:
    tape_dataset(tape)
    tape.fail(503, path="/api/v1/archiveinfo")
    with pytest.raises(CommandError, match="did not answer"):
        run("locality", "--no-progress")


def test_the_beat_schedule_runs_the_tape_jobs() -> None:
    from portal.celery import beat_schedule

    schedule = beat_schedule()
    assert schedule["tape-restages"]["task"] == "tape.tasks.restages_work"
    assert schedule["tape-localities"]["task"] == "tape.tasks.localities_refresh"


def test_the_prometheus_endpoint_carries_the_restage_figures(tape: TapeStandIn) -> None:
    from operations.metrics import DatabaseCollector

    families = {m.name: m for m in DatabaseCollector().collect()}
    states = {s.labels["state"]: s.value for s in families["portal_restage_requests"].samples}
    assert states["staging"] == 0
    assert "portal_restage_staged_bytes" in families
    assert "portal_restage_today_bytes" in families
