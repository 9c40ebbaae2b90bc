"""``manage.py search_index``: rebuild the OpenSearch index, or catch up on the backlog.

--rebuild   fill a new versioned index from the database (progress bar), swap the alias to it
            atomically, delete the old index: searches keep working throughout
--catch-up  index the datasets whose updates failed while OpenSearch was down
(neither)   show the alias, its index, the document count and the backlog
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from catalogue.models import Dataset
from catalogue.search.backends import backend
from catalogue.search.base import SearchUnavailable
from catalogue.search.maintenance import (
    search_backlog_drain,
    search_backlog_size,
    search_index_rebuild,
)


class Command(BaseCommand):
    help = "Rebuild the dataset search index with zero downtime, or apply the failed updates."

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--rebuild", action="store_true", help="build a new index and swap")
        group.add_argument("--catch-up", action="store_true", help="index the backlog")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument("--batch", type=int, default=2000, help="datasets per bulk request")

    def handle(self, *args: Any, **options: Any) -> None:
        chosen = backend()
        if not chosen.separate_index:
            raise CommandError("OPENSEARCH_URL is not set: the database backend needs no index.")
        quiet = options["no_progress"]
        try:
            if options["rebuild"]:
                total = Dataset.objects.public().count()
                with tqdm(total=total, unit="datasets", disable=quiet) as bar:
                    name, later = search_index_rebuild(batch=options["batch"], progress=bar.update)
                alias = state.alias if (state := chosen.index_state()) else name
                self.stdout.write(
                    f"{alias} -> {name}: {total:,} datasets"
                    + (f", {later:,} changed meanwhile indexed again" if later else "")
                )
            elif options["catch_up"]:
                pending = search_backlog_size()
                with tqdm(total=pending, unit="datasets", disable=quiet) as bar:
                    done = search_backlog_drain(progress=bar.update)
                left = search_backlog_size()
                self.stdout.write(f"indexed {done:,} from the backlog; {left:,} left")
                if left:
                    raise CommandError("OpenSearch is still unavailable; run again later.")
            else:
                state = chosen.index_state()
                assert state is not None  # a separate index has a state
                self.stdout.write(
                    f"{state.alias} -> {state.index or '(none)'}: {state.documents:,} documents; "
                    f"backlog {search_backlog_size():,}"
                )
        except SearchUnavailable as exc:
            raise CommandError(f"OpenSearch is unavailable: {exc}") from exc
