"""The catalogue's generation: one number the write services bump after every commit.

:mod:`catalogue.search.facet_cache` keys the database backend's cached totals and facet counts
with it. A plain table, not a Django model: only that module reads and writes it.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0007_search_facet_index")]

    operations = [
        migrations.RunSQL(
            [
                "CREATE TABLE catalogue_search_generation "
                "(id integer PRIMARY KEY, value bigint NOT NULL)",
                "INSERT INTO catalogue_search_generation (id, value) VALUES (1, 0)",
            ],
            "DROP TABLE IF EXISTS catalogue_search_generation",
        ),
    ]
