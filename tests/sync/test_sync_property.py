"""Property: whatever the catalogue does, after a sync the portal shows exactly what it may.

Hypothesis draws a sequence of catalogue changes (records added published, unpublished or under
embargo, published, un-published, edited, deleted; timestamps that tie or run slightly behind, as
concurrent writers make them) with syncs in between, for either API version and either embargo
policy. After every sync the portal's public set must equal the catalogue's public set under the
policy: nothing embargoed appears, nothing public is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from catalogue.models import DataFile, Dataset, ScientificParameter
from sync import live
from sync import policy as embargo_policy
from sync.models import QuarantinedRecord, SyncCursor, SyncRun
from sync.scicat import embargo_dates
from tests.standins.scicat import SciCatStandIn
from tests.sync.support import (
    EMBARGO_END_FUTURE,
    EMBARGO_END_PAST,
    INSTRUMENT,
    PROPOSAL,
    add,
    pid,
)

pytestmark = pytest.mark.django_db
RECORDS = 8
START = datetime(2025, 4, 1, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Change:
    action: str  # add-published, add-unpublished, add-embargoed, publish, unpublish, edit, delete,
    #              sync
    n: int
    advance_ms: int  # the catalogue clock moves this much first (0: the same timestamp)
    behind_s: int  # the write carries a timestamp this far behind the clock (a slow writer)


changes = st.builds(
    Change,
    action=st.sampled_from(
        [
            "add-published",
            "add-published",
            "add-unpublished",
            "add-embargoed",
            "publish",
            "unpublish",
            "edit",
            "delete",
            "sync",
            "sync",
        ]
    ),
    n=st.integers(0, RECORDS - 1),
    advance_ms=st.sampled_from([0, 0, 1, 7, 1500]),
    behind_s=st.sampled_from([0, 0, 0, 20]),
)


def _expected(scicat: SciCatStandIn, *, version: str, policy: bool) -> set[str]:
    """The catalogue's records public under the policy (sync/policy.py, tested on its own):
    v4's public API shows isPublished records only, so there the policy cannot add any."""
    now = datetime.now(UTC)
    return {
        pid
        for pid in scicat.pids
        if embargo_policy.is_public(
            is_published=scicat.dataset(pid).get("isPublished") is True,
            embargo_end=embargo_policy.embargo_end(embargo_dates(scicat.dataset(pid))),
            now=now,
            publish_on_embargo_end=policy and version == "v3",
        )
    }


def _portal() -> set[str]:
    return set(Dataset.objects.public().values_list("pid", flat=True))


def _orphans() -> int:
    """Files and parameters without their dataset (no database constraint forbids them)."""
    ids = Dataset.objects.values("pk")
    return (
        DataFile.objects.exclude(dataset_id__in=ids).count()
        + ScientificParameter.objects.exclude(dataset_id__in=ids).count()
    )


def _fresh(scicat: SciCatStandIn) -> None:
    scicat.reset()
    scicat.put_instrument(INSTRUMENT)
    scicat.put_proposal(PROPOSAL)
    for model in (Dataset, SyncCursor, SyncRun, QuarantinedRecord):
        model.objects.all().delete()


@hypothesis_settings(
    max_examples=75,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    version=st.sampled_from(["v3", "v4"]),
    policy=st.booleans(),
    steps=st.lists(changes, min_size=1, max_size=30),
)
def test_after_a_sync_the_portal_shows_exactly_the_catalogues_public_records(
    scicat: SciCatStandIn, settings: Any, version: str, policy: bool, steps: list[Change]
) -> None:
    settings.SCICAT_API_VERSION = version
    settings.PORTAL_PUBLISH_ON_EMBARGO_END = policy
    _fresh(scicat)
    clock = START
    for step in [*steps, Change("sync", 0, 0, 0)]:
        if step.action == "sync":
            live.catalogue_sync()
            assert _portal() == _expected(scicat, version=version, policy=policy)
            assert _orphans() == 0
            continue
        clock += timedelta(milliseconds=step.advance_ms)
        stamp = clock - timedelta(seconds=step.behind_s)
        exists = pid(step.n) in scicat.pids
        if step.action.startswith("add-"):
            kind = step.action.removeprefix("add-")
            add(
                scicat,
                step.n,
                published=kind == "published",
                embargo_end=EMBARGO_END_FUTURE if kind == "embargoed" else EMBARGO_END_PAST,
                updated_at=stamp,
            )
        elif exists and step.action == "publish":
            scicat.publish(pid(step.n), updated_at=stamp)
        elif exists and step.action == "unpublish":
            scicat.unpublish(pid(step.n), updated_at=stamp)
        elif exists and step.action == "edit":
            scicat.update_dataset(pid(step.n), datasetName=f"Edited at {stamp}", updated_at=stamp)
        elif exists and step.action == "delete":
            scicat.delete_dataset(pid(step.n))
