"""Celery with a real Redis broker and a real worker; eager in-process without a broker."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest
from celery.result import AsyncResult, EagerResult
from django.conf import settings

from catalogue.tasks import dataset_reindex
from tests.factories import DatasetFactory

if TYPE_CHECKING:
    from celery import Celery
    from celery.worker import WorkController


def test_task_runs_on_a_worker_through_redis(
    redis_celery_app: Celery, redis_celery_worker: WorkController
) -> None:
    datasets = DatasetFactory.create_batch(2)

    result = dataset_reindex.delay([d.pk for d in datasets])

    assert isinstance(result, AsyncResult)
    assert not isinstance(result, EagerResult)
    assert result.get(timeout=20) == 2
    assert result.successful()
    assert redis_celery_app.conf.broker_url.startswith("redis://127.0.0.1:")


def test_task_waits_in_redis_until_a_worker_takes_it(redis_celery_app: Celery) -> None:
    import redis

    result = dataset_reindex.delay([1, 2, 3])

    # Index updates have a queue of their own (settings.CELERY_TASK_ROUTES).
    assert redis.Redis.from_url(redis_celery_app.conf.broker_url).llen("index") == 1
    assert result.state == "PENDING"


@pytest.mark.django_db
def test_without_a_broker_tasks_run_eagerly() -> None:
    if os.environ.get("CELERY_BROKER_URL"):
        pytest.skip("CELERY_BROKER_URL is set in this environment, so the defaults do not apply")
    dataset = DatasetFactory.create()

    result = dataset_reindex.delay([dataset.pk])

    assert not settings.CELERY_BROKER_URL
    assert settings.CELERY_TASK_ALWAYS_EAGER is True
    assert isinstance(result, EagerResult)
    assert result.get() == 1
