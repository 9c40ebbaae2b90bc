"""A covering index for the database backend's facet counts.

Counting types, licences, data locations, instruments, proposals and years of the public datasets
reads this narrow index instead of the wide dataset rows (on SQLite those hold the description
and the scientific metadata in line). Like 0005's, the index is not declared on the model: only
:mod:`catalogue.search.database` relies on it.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0006_sync_no_redundant_dataset_fk_indexes")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX dataset_facets_idx ON catalogue_dataset "
            "(visibility, type, license, data_location, instrument_id, proposal_id, start_time)",
            "DROP INDEX IF EXISTS dataset_facets_idx",
        ),
    ]
