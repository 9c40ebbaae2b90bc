"""Never two DOIs for one publication: concurrent requests and workers, on real PostgreSQL."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from publishing.models import DoiState, Publication
from publishing.services.registration import publication_register
from publishing.tasks import publication_sync
from tests.publishing.support import DraftPublicationFactory
from tests.standins.datacite import DataCiteStandIn

if TYPE_CHECKING:
    from celery import Celery
    from celery.worker import WorkController

pytestmark = pytest.mark.postgresql


def _together(actions: list[Callable[[], object]]) -> list[BaseException]:
    """Run ``actions`` in threads that start at the same moment; the exceptions they raised."""
    barrier = threading.Barrier(len(actions))
    errors: list[BaseException] = []

    def run(action: Callable[[], object]) -> None:
        try:
            barrier.wait()
            action()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    clicks=st.integers(min_value=1, max_value=6),
    workers=st.integers(min_value=0, max_value=4),
    fault=st.sampled_from(["none", "lost-answer", "server-error", "slow-get"]),
)
def test_concurrent_attempts_make_exactly_one_doi(
    standin: DataCiteStandIn, transactional_db: None, clicks: int, workers: int, fault: str
) -> None:
    standin.reset()
    publication = DraftPublicationFactory.create()
    if fault == "lost-answer":
        standin.drop(method="POST")
    elif fault == "server-error":
        standin.fail(503, method="POST")
    elif fault == "slow-get":
        standin.stall(0.05, times=2, method="GET")

    # Staff clicking "Register" (each click runs the task once it commits: Celery is eager
    # here), and stray duplicate tasks, as after a worker restart.
    actions: list[Callable[[], object]] = [
        lambda: publication_register(publication_id=publication.pk) for _ in range(clicks)
    ]
    actions += [lambda: publication_sync.delay(publication.pk) for _ in range(workers)]
    errors = _together(actions)

    assert errors == []
    publication.refresh_from_db()
    assert publication.doi_state == DoiState.FINDABLE
    assert list(standin.dois()) == [publication.doi]
    assert len([s for s in standin.requests("POST") if s.status == 201]) <= 1


def test_several_tasks_on_a_real_worker_make_one_doi(
    standin: DataCiteStandIn,
    redis_celery_app: Celery,
    redis_celery_worker: WorkController,
) -> None:
    publication = DraftPublicationFactory.create()
    standin.fail(503, method="POST")  # the first worker to try meets an error and retries

    publication_register(publication_id=publication.pk)  # enqueues after its commit
    results = [publication_sync.delay(publication.pk) for _ in range(4)]
    states = [result.get(timeout=30) for result in results]
    del results
    gc.collect()  # results left for later would reach for Redis after it has stopped

    publication.refresh_from_db()
    for _ in range(100):  # the retried task may still be on its way
        if publication.doi_state == DoiState.FINDABLE:
            break
        threading.Event().wait(0.1)
        publication.refresh_from_db()
    assert publication.doi_state == DoiState.FINDABLE
    assert set(states) <= {DoiState.REGISTERING, DoiState.FINDABLE}
    assert list(standin.dois()) == [publication.doi]
    assert Publication.objects.filter(doi=publication.doi).count() == 1
