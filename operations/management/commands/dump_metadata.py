"""``python manage.py dump_metadata``: write today's bulk dump of the public metadata (Celery
beat runs it nightly at ``DUMP_HOUR``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from tqdm import tqdm

from catalogue.models import Dataset
from operations.dumps import metadata_dump
from publishing.models import Publication


class Command(BaseCommand):
    help = (
        "Write the bulk dump of every public record (DataCite JSON Lines and DataCite XML, gzip, "
        "with a manifest of sizes and SHA-256) into DUMPS_ROOT, listed at /dumps/."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--directory", type=Path, help="instead of DUMPS_ROOT")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        total = Dataset.objects.count() + Publication.objects.on_site().count()
        with tqdm(
            total=total, unit=" records", disable=options["no_progress"], file=self.stderr._out
        ) as bar:
            dump = metadata_dump(directory=options["directory"], progress=bar.update)
        for file in dump.files:
            self.stdout.write(f"{file.name}: {file.size} bytes, sha256 {file.sha256}")
        self.stdout.write(f"{dump.records} public records dumped")
