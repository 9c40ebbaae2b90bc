"""Datasets say how much of their file list the portal holds (``files_status``).

On SQLite the column is added with ``ALTER TABLE ... ADD COLUMN``: Django's ``AddField`` would
rebuild the table there (the column has a default) and lose the full-text triggers of 0005 and
the indexes written by hand in 0002, as 0006 and 0009 explain.
"""

from typing import Any

from django.db import migrations, models

CHOICES = [
    ("complete", "Complete"),
    ("partial", "Count differs from the catalogue"),
    ("incomplete", "Not read yet (retried)"),
    ("unavailable", "Not readable in this sync mode"),
]


def field() -> models.CharField:
    return models.CharField(choices=CHOICES, default="complete", max_length=16)


def add_column(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            'ALTER TABLE "catalogue_dataset" '
            "ADD COLUMN \"files_status\" varchar(16) NOT NULL DEFAULT 'complete'"
        )
        return
    dataset = apps.get_model("catalogue", "Dataset")
    column = field()
    column.set_attributes_from_name("files_status")
    schema_editor.add_field(dataset, column)


def drop_column(apps: Any, schema_editor: Any) -> None:
    schema_editor.execute('ALTER TABLE "catalogue_dataset" DROP COLUMN "files_status"')


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0010_sync_child_rows_without_fk_checks"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(model_name="dataset", name="files_status", field=field())
            ],
            database_operations=[migrations.RunPython(add_column, drop_column)],
        ),
    ]
