"""Full text also over who and where: creators, principal investigators, data format and the
words of the source folder (weight D on PostgreSQL; two more FTS5 columns on SQLite).

PostgreSQL: the generated ``search_vector`` column is made again with the new parts (a generated
column's expression cannot be altered), and its GIN index with it. Creators and principal
investigators are JSON: only their string values are taken (names, ORCID iDs), never the keys.
The source folder's ``/ _ - .`` become spaces, so ``p08`` or ``dppg`` in ``/data/p08/2024/dppg_1``
are words. SQLite: the FTS5 table gets ``people`` and ``details`` columns, written by the triggers
from the same values (``json_tree`` strings); the table is filled again here.
"""

# SQL here is assembled from constant fragments only.
# ruff: noqa: S608
from collections.abc import Callable
from typing import Any

from django.db import migrations

_PG_VECTOR = """
    setweight(to_tsvector('english', coalesce(title, '')), 'A')
    || setweight(
        jsonb_to_tsvector('english', coalesce(keywords, '[]'::jsonb), '["string"]'), 'B'
    )
    || setweight(to_tsvector('english', coalesce(description, '')), 'C')
    {more}
"""
_PG_MORE = """
    || setweight(
        jsonb_to_tsvector('english', coalesce(creators, '[]'::jsonb), '["string"]')
        || jsonb_to_tsvector(
            'english', coalesce(principal_investigators, '[]'::jsonb), '["string"]'
        )
        || to_tsvector(
            'english',
            coalesce(data_format, '') || ' '
            || translate(coalesce(source_folder, ''), '/_-.', '    ')
        ),
        'D'
    )
"""


def _pg(more: str) -> list[str]:
    return [
        "DROP INDEX IF EXISTS dataset_search_vector_idx",
        "ALTER TABLE catalogue_dataset DROP COLUMN IF EXISTS search_vector",
        "ALTER TABLE catalogue_dataset ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
        + _PG_VECTOR.format(more=more)
        + ") STORED",
        "CREATE INDEX dataset_search_vector_idx ON catalogue_dataset USING GIN (search_vector)",
    ]


_PEOPLE = (
    "(SELECT coalesce(group_concat(j.value, ' '), '') FROM json_tree(coalesce({row}.creators, "
    "'[]')) j WHERE j.type = 'text') || ' ' || (SELECT coalesce(group_concat(j.value, ' '), '') "
    "FROM json_tree(coalesce({row}.principal_investigators, '[]')) j WHERE j.type = 'text')"
)
_DETAILS = (
    "coalesce({row}.data_format, '') || ' ' || "
    "replace(replace(replace(replace(coalesce({row}.source_folder, ''), '/', ' '), '_', ' '), "
    "'-', ' '), '.', ' ')"
)


def _values(row: str) -> str:
    return (
        f"{row}.id, {row}.title, {row}.keywords, {row}.description, "
        f"{_PEOPLE.format(row=row)}, {_DETAILS.format(row=row)}"
    )


_COLUMNS = "title, keywords, description, people, details"
_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS catalogue_dataset_fts_update",
    "DROP TRIGGER IF EXISTS catalogue_dataset_fts_delete",
    "DROP TRIGGER IF EXISTS catalogue_dataset_fts_insert",
    "DROP TABLE IF EXISTS catalogue_dataset_fts",
]
_SQLITE_FORWARD = [
    *_SQLITE_DROP,
    f"""
    CREATE VIRTUAL TABLE catalogue_dataset_fts USING fts5(
        {_COLUMNS},
        content='catalogue_dataset', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )
    """,
    f"""
    CREATE TRIGGER catalogue_dataset_fts_insert AFTER INSERT ON catalogue_dataset BEGIN
        INSERT INTO catalogue_dataset_fts(rowid, {_COLUMNS}) VALUES ({_values("new")});
    END
    """,
    f"""
    CREATE TRIGGER catalogue_dataset_fts_delete AFTER DELETE ON catalogue_dataset BEGIN
        INSERT INTO catalogue_dataset_fts(catalogue_dataset_fts, rowid, {_COLUMNS})
        VALUES ('delete', {_values("old")});
    END
    """,
    f"""
    CREATE TRIGGER catalogue_dataset_fts_update AFTER UPDATE OF title, keywords, description,
        creators, principal_investigators, data_format, source_folder
    ON catalogue_dataset BEGIN
        INSERT INTO catalogue_dataset_fts(catalogue_dataset_fts, rowid, {_COLUMNS})
        VALUES ('delete', {_values("old")});
        INSERT INTO catalogue_dataset_fts(rowid, {_COLUMNS}) VALUES ({_values("new")});
    END
    """,
    f"INSERT INTO catalogue_dataset_fts(rowid, {_COLUMNS}) "
    f"SELECT {_values('d')} FROM catalogue_dataset d",
]
# Back to migration 0005's table and triggers.
_OLD_COLUMNS = "title, keywords, description"
_SQLITE_BACKWARD = [
    *_SQLITE_DROP,
    f"""
    CREATE VIRTUAL TABLE catalogue_dataset_fts USING fts5(
        {_OLD_COLUMNS},
        content='catalogue_dataset', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )
    """,
    f"""
    CREATE TRIGGER catalogue_dataset_fts_insert AFTER INSERT ON catalogue_dataset BEGIN
        INSERT INTO catalogue_dataset_fts(rowid, {_OLD_COLUMNS})
        VALUES (new.id, new.title, new.keywords, new.description);
    END
    """,
    f"""
    CREATE TRIGGER catalogue_dataset_fts_delete AFTER DELETE ON catalogue_dataset BEGIN
        INSERT INTO catalogue_dataset_fts(catalogue_dataset_fts, rowid, {_OLD_COLUMNS})
        VALUES ('delete', old.id, old.title, old.keywords, old.description);
    END
    """,
    f"""
    CREATE TRIGGER catalogue_dataset_fts_update AFTER UPDATE OF title, keywords, description
    ON catalogue_dataset BEGIN
        INSERT INTO catalogue_dataset_fts(catalogue_dataset_fts, rowid, {_OLD_COLUMNS})
        VALUES ('delete', old.id, old.title, old.keywords, old.description);
        INSERT INTO catalogue_dataset_fts(rowid, {_OLD_COLUMNS})
        VALUES (new.id, new.title, new.keywords, new.description);
    END
    """,
    "INSERT INTO catalogue_dataset_fts(catalogue_dataset_fts) VALUES ('rebuild')",
]


def _run(statements: dict[str, list[str]]) -> Callable[[Any, Any], None]:
    def run(apps: Any, schema_editor: Any) -> None:
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0011_dataset_files_status")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": _pg(_PG_MORE), "sqlite": _SQLITE_FORWARD}),
            _run({"postgresql": _pg(""), "sqlite": _SQLITE_BACKWARD}),
        ),
    ]
