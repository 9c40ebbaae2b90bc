"""The search contract, database backend, on SQLite (collected only by the child pytest)."""

from __future__ import annotations

from django.db import connection

from tests.catalogue.search.test_contract import *  # noqa: F403
from tests.catalogue.search.test_query_language import *  # noqa: F403


def test_this_runs_on_sqlite(db: None) -> None:
    assert connection.vendor == "sqlite"
