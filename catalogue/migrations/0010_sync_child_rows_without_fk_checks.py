"""Data files and scientific parameters keep their relation to the dataset but lose the database's
foreign-key constraint, on PostgreSQL.

Django declares foreign keys ``DEFERRABLE INITIALLY DEFERRED``: every row checks its dataset when
the transaction commits. The sync writes a page of 500 datasets with ~21,000 file rows and ~5,500
parameters in one transaction, so each commit ran ~27,000 checks (a ``SELECT ... FOR KEY SHARE``
each): ~75 ms of PostgreSQL per page, on the path the sync waits on (a test COPY of 21,000 file
rows: 59 ms to commit with the constraint, 1 ms without).

These rows are only ever written by the import services, with the ids of datasets written in the
same transaction, and only deleted through the ORM, whose ``on_delete=CASCADE`` works without a
database constraint (Django cascades in Python; tests cover both). SQLite (the embedded default)
keeps its constraints: there the tables would have to be rebuilt, and speed is not its point.
"""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

TABLES = ("catalogue_datafile", "catalogue_scientificparameter")


def _foreign_keys(schema_editor: Any, table: str) -> list[str]:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return [
        name
        for name, info in constraints.items()
        if info["foreign_key"] and info["columns"] == ["dataset_id"]
    ]


def drop_constraints(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        for name in _foreign_keys(schema_editor, table):
            schema_editor.execute(
                f"ALTER TABLE {schema_editor.quote_name(table)} "
                f"DROP CONSTRAINT {schema_editor.quote_name(name)}"
            )


def add_constraints(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        if not _foreign_keys(schema_editor, table):
            name = schema_editor.quote_name(f"{table}_dataset_id_fk")
            schema_editor.execute(
                f"ALTER TABLE {schema_editor.quote_name(table)} ADD CONSTRAINT {name} "
                "FOREIGN KEY (dataset_id) REFERENCES catalogue_dataset (id) "
                "DEFERRABLE INITIALLY DEFERRED"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0009_sync_no_redundant_dataset_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="datafile",
                    name="dataset",
                    field=models.ForeignKey(
                        db_constraint=False,
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
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="parameters",
                        to="catalogue.dataset",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop_constraints, add_constraints)],
        ),
    ]
