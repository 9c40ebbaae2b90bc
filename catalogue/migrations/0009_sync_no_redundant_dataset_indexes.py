"""Datasets lose five indexes that other indexes already serve, one index entry less per dataset
imported each:

- ``visibility`` (and its ``varchar_pattern_ops`` twin on PostgreSQL): two values, so a scan of the
  table serves "public" better; ``dataset_facets_idx`` starts with the column for "withdrawn";
- ``modified``: ``dataset_modified_idx`` is (modified, id);
- ``instrument_id``: ``dataset_instr_modified_idx`` starts with it;
- ``dataset_run_number_idx`` (0005): ``dataset_run_idx`` is (run_number, id).

Dropped by name as the database reports them, as in 0006 (an ``AlterField`` would rebuild the
table on SQLite and lose the full-text triggers of 0005).
"""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

TABLE = "catalogue_dataset"
COLUMNS = ("visibility", "modified", "instrument_id", "run_number")


def _single_column_indexes(schema_editor: Any) -> dict[str, str]:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, TABLE)
    return {
        name: info["columns"][0]
        for name, info in constraints.items()
        if info["index"]
        and not info["unique"]
        and not info["primary_key"]
        and len(info["columns"] or []) == 1
        and info["columns"][0] in COLUMNS
    }


def drop_indexes(apps: Any, schema_editor: Any) -> None:
    for name in _single_column_indexes(schema_editor):
        schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def create_indexes(apps: Any, schema_editor: Any) -> None:
    present = set(_single_column_indexes(schema_editor).values())
    for column in COLUMNS:
        if column not in present:
            name = schema_editor.quote_name(f"{TABLE}_{column}_idx")
            schema_editor.execute(f"CREATE INDEX {name} ON {TABLE} ({column})")


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0008_search_generation"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="dataset",
                    name="visibility",
                    field=models.CharField(
                        choices=[("public", "Public"), ("withdrawn", "Withdrawn")],
                        default="public",
                        max_length=16,
                    ),
                ),
                migrations.AlterField(
                    model_name="dataset",
                    name="modified",
                    field=models.DateTimeField(auto_now=True),
                ),
                migrations.AlterField(
                    model_name="dataset",
                    name="instrument",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="datasets",
                        to="catalogue.instrument",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
        ),
    ]
