from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

# The catalogue table's default order: newest start time first, undated datasets last.
_CREATE = {
    "postgresql": "CREATE INDEX dataset_start_idx ON catalogue_dataset "
    "(start_time DESC NULLS LAST, id DESC)",
    "sqlite": "CREATE INDEX dataset_start_idx ON catalogue_dataset (start_time DESC, id DESC)",
}


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    schema_editor.execute(_CREATE[schema_editor.connection.vendor])


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    schema_editor.execute("DROP INDEX dataset_start_idx")


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
