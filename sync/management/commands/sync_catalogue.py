"""``python manage.py sync_catalogue --from-export DIR``: import a catalogue export."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from sync.export import ExportError
from sync.services import export_import


class Command(BaseCommand):
    help = "Bring public records from the internal catalogue (or an export of it) into the portal."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--from-export",
            metavar="DIR",
            type=Path,
            help="a directory of SciCat API answers saved as JSON (see demo/scicat-export)",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path | None = options["from_export"]
        if path is None:
            raise CommandError(
                "The live catalogue sync is not configured here; use --from-export DIR."
            )
        with tqdm(unit=" datasets", disable=options["no_progress"], file=self.stderr._out) as bar:
            try:
                report = export_import(path=path, on_progress=bar.update)
            except ExportError as exc:
                raise CommandError(str(exc)) from None
        self.stdout.write(
            f"datasets: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.not_public} not public "
            f"({report.withdrawn} withdrawn), {report.failed} failed; "
            f"publications: {report.publications.created} created, "
            f"{report.publications.updated} updated, {report.publications.unchanged} unchanged"
        )
        for error in report.errors:
            self.stderr.write(f"  {error}")
        if report.failed:
            raise CommandError(f"{report.failed} record(s) could not be imported (listed above)")
