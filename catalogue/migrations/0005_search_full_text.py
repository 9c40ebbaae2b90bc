"""Full-text search in the database backend, and the search-index backlog.

PostgreSQL: a stored generated ``search_vector`` column (title weight A, keywords B, description C,
English stemming) with a GIN index. SQLite: an FTS5 table over the same three columns
(external content, Porter stemming) kept in sync by triggers. Both: an index on ``upper(pid)`` for
case-insensitive PID matches. The column and the FTS table are not Django fields: only
:mod:`catalogue.search.database` reads them.
"""

from collections.abc import Callable
from typing import Any

from django.db import migrations, models

_PG_FORWARD = [
    """
    ALTER TABLE catalogue_dataset ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A')
        || setweight(
            jsonb_to_tsvector('english', coalesce(keywords, '[]'::jsonb), '["string"]'), 'B'
        )
        || setweight(to_tsvector('english', coalesce(description, '')), 'C')
    ) STORED
    """,
    "CREATE INDEX dataset_search_vector_idx ON catalogue_dataset USING GIN (search_vector)",
    "CREATE INDEX dataset_upper_pid_idx ON catalogue_dataset (upper(pid))",
    "CREATE INDEX dataset_run_number_idx ON catalogue_dataset (run_number)",
    "CREATE INDEX param_key_unit_idx ON catalogue_scientificparameter (key_path, si_unit)",
]
_PG_BACKWARD = [
    "DROP INDEX IF EXISTS param_key_unit_idx",
    "DROP INDEX IF EXISTS dataset_run_number_idx",
    "DROP INDEX IF EXISTS dataset_upper_pid_idx",
    "ALTER TABLE catalogue_dataset DROP COLUMN IF EXISTS search_vector",
]
_SQLITE_FORWARD = [
    """
    CREATE VIRTUAL TABLE catalogue_dataset_fts USING fts5(
        title, keywords, description,
        content='catalogue_dataset', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER catalogue_dataset_fts_insert AFTER INSERT ON catalogue_dataset BEGIN
        INSERT INTO catalogue_dataset_fts(rowid, title, keywords, description)
        VALUES (new.id, new.title, new.keywords, new.description);
    END
    """,
    """
    CREATE TRIGGER catalogue_dataset_fts_delete AFTER DELETE ON catalogue_dataset BEGIN
        INSERT INTO catalogue_dataset_fts
            (catalogue_dataset_fts, rowid, title, keywords, description)
        VALUES ('delete', old.id, old.title, old.keywords, old.description);
    END
    """,
    """
    CREATE TRIGGER catalogue_dataset_fts_update AFTER UPDATE OF title, keywords, description
    ON catalogue_dataset BEGIN
        INSERT INTO catalogue_dataset_fts
            (catalogue_dataset_fts, rowid, title, keywords, description)
        VALUES ('delete', old.id, old.title, old.keywords, old.description);
        INSERT INTO catalogue_dataset_fts(rowid, title, keywords, description)
        VALUES (new.id, new.title, new.keywords, new.description);
    END
    """,
    "INSERT INTO catalogue_dataset_fts(catalogue_dataset_fts) VALUES ('rebuild')",
    "CREATE INDEX dataset_upper_pid_idx ON catalogue_dataset (upper(pid))",
    "CREATE INDEX dataset_run_number_idx ON catalogue_dataset (run_number)",
    "CREATE INDEX param_key_unit_idx ON catalogue_scientificparameter (key_path, si_unit)",
]
_SQLITE_BACKWARD = [
    "DROP INDEX IF EXISTS param_key_unit_idx",
    "DROP INDEX IF EXISTS dataset_run_number_idx",
    "DROP INDEX IF EXISTS dataset_upper_pid_idx",
    "DROP TRIGGER IF EXISTS catalogue_dataset_fts_update",
    "DROP TRIGGER IF EXISTS catalogue_dataset_fts_delete",
    "DROP TRIGGER IF EXISTS catalogue_dataset_fts_insert",
    "DROP TABLE IF EXISTS catalogue_dataset_fts",
]


def _run(statements: dict[str, list[str]]) -> Callable[[Any, Any], None]:
    def run(apps: Any, schema_editor: Any) -> None:
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0004_oai_indexes")]

    operations = [
        migrations.CreateModel(
            name="SearchBacklog",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("dataset_id", models.BigIntegerField(unique=True)),
                ("queued_at", models.DateTimeField(auto_now=True)),
            ],
        ),
        migrations.RunPython(
            _run({"postgresql": _PG_FORWARD, "sqlite": _SQLITE_FORWARD}),
            _run({"postgresql": _PG_BACKWARD, "sqlite": _SQLITE_BACKWARD}),
        ),
    ]
