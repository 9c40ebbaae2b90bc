"""Data files and scientific parameters lose their index on ``dataset_id`` alone.

``datafile_dataset_path_idx`` (dataset, path, id) and ``param_dataset_key_idx`` (dataset, key_path)
start with the column, so every lookup by dataset and the cascade on delete use those; the single
column index only cost one more index entry per file and parameter imported (the sync writes
millions). Dropped by name as the database reports it, not by ``AlterField``: on SQLite that would
rebuild both tables and lose the indexes made in raw SQL (``param_key_unit_idx``, 0005).
"""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

TABLES = ("catalogue_datafile", "catalogue_scientificparameter")


def _single_column_indexes(schema_editor: Any, table: str) -> list[str]:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return [
        name
        for name, info in constraints.items()
        if info["index"]
        and not info["unique"]
        and not info["primary_key"]
        and info["columns"] == ["dataset_id"]
    ]


def drop_indexes(apps: Any, schema_editor: Any) -> None:
    for table in TABLES:
        for name in _single_column_indexes(schema_editor, table):
            schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def create_indexes(apps: Any, schema_editor: Any) -> None:
    for table in TABLES:
        if not _single_column_indexes(schema_editor, table):
            name = schema_editor.quote_name(f"{table}_dataset_id_idx")
            schema_editor.execute(f"CREATE INDEX {name} ON {table} (dataset_id)")


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0005_search_full_text"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="datafile",
                    name="dataset",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="files",
                        to="catalogue.dataset",
                    ),
                ),
                migrations.AlterField(
                    model_name="scientificparameter",
                    name="dataset",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="parameters",
                        to="catalogue.dataset",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
        ),
    ]
