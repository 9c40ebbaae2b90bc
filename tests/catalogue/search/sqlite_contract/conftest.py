"""Run in a child pytest only (``tests/catalogue/search/test_sqlite_contract.py``): the suite
on SQLite.

Overrides the root conftest's database choice, so every test here runs on a throwaway SQLite
file with the migrations applied (the FTS5 table and its triggers included).
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def django_db_modify_db_settings(tmp_path_factory: pytest.TempPathFactory) -> None:
    from django.conf import settings
    from django.db import connections

    path = tmp_path_factory.mktemp("sqlite") / "portal.sqlite3"
    database = settings.DATABASES["default"]
    database.update(ENGINE="django.db.backends.sqlite3", NAME=str(path), OPTIONS={})
    database.update(USER="", PASSWORD="", HOST="", PORT="", CONN_MAX_AGE=0)
    database["TEST"] = {
        "NAME": str(path),
        "MIRROR": None,
        "CHARSET": None,
        "COLLATION": None,
        "MIGRATE": True,
    }
    for connection in connections.all(initialized_only=True):
        if connection.alias == "default":
            connection.close()
            del connections["default"]
