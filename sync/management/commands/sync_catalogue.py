"""``python manage.py sync_catalogue``: the catalogue sync by hand, the same code Celery runs.

sync_catalogue                      what changed since the last run (the incremental sync)
sync_catalogue --full               everything, from the beginning
sync_catalogue --since 2025-01-01T00:00:00Z
sync_catalogue --reconcile          the nightly reconciliation
sync_catalogue --embargo            the hourly embargo-end check
sync_catalogue --pid PID [--pid PID ...]
sync_catalogue --from-export DIR    import a saved export instead of the live catalogue
"""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from sync import live, runs, steps
from sync.export import ExportError
from sync.lock import SyncLockHeld
from sync.models import SyncRun, SyncStatus
from sync.scicat import CatalogueError
from sync.services import export_import


def _moment(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise CommandError(f"--since: not an ISO 8601 time: {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Command(BaseCommand):
    help = "Bring public records from the internal catalogue (or an export of it) into the portal."

    def add_arguments(self, parser: CommandParser | ArgumentParser) -> None:
        source = parser.add_mutually_exclusive_group()
        source.add_argument(
            "--from-export",
            metavar="DIR",
            type=Path,
            help="a directory of SciCat API answers saved as JSON (see demo/scicat-export)",
        )
        source.add_argument(
            "--full", action="store_true", help="read every record, not just what changed"
        )
        source.add_argument(
            "--since",
            metavar="ISO",
            type=_moment,
            help="read records changed since this time (the stored watermark is not moved back)",
        )
        source.add_argument(
            "--reconcile",
            action="store_true",
            help="list every public record and repair any difference (the nightly job)",
        )
        source.add_argument(
            "--embargo",
            action="store_true",
            help="bring in records whose embargo just ended (the hourly job)",
        )
        source.add_argument(
            "--pid",
            action="append",
            metavar="PID",
            help="sync this record (repeat for more)",
        )
        parser.add_argument(
            "--wait",
            type=float,
            default=0,
            metavar="SECONDS",
            help="wait this long for another running sync to finish (default: do not wait)",
        )
        parser.add_argument(
            "--allow-mass-withdrawal",
            action="store_true",
            help="withdraw what the catalogue no longer shows, even past SYNC_MAX_WITHDRAW_PERCENT",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["from_export"] is not None:
            self._export(options["from_export"], no_progress=options["no_progress"])
            return
        with tqdm(unit=" datasets", disable=options["no_progress"], file=self.stderr._out) as bar:

            def total(count: int | None) -> None:
                bar.total = count
                bar.refresh()

            def phase(name: str) -> None:
                bar.set_description(name)

            progress = runs.Progress(total=total, advance=bar.update, phase=phase)
            common: dict[str, Any] = {"trigger": "command", "wait": options["wait"]}
            try:
                if options["reconcile"]:
                    run = live.catalogue_reconcile(
                        **common,
                        progress=progress,
                        allow_mass_withdrawal=options["allow_mass_withdrawal"],
                    )
                elif options["embargo"]:
                    run = live.embargo_check(**common, progress=progress)
                elif options["pid"]:
                    run = live.records_sync(pids=options["pid"], **common)
                else:
                    run = live.catalogue_sync(
                        **common,
                        full=options["full"],
                        since=options["since"],
                        progress=progress,
                        allow_mass_withdrawal=options["allow_mass_withdrawal"],
                    )
            except (runs.SyncNotConfigured, SyncLockHeld) as exc:
                raise CommandError(str(exc)) from None
            except (CatalogueError, steps.WithdrawalRefused) as exc:
                last = SyncRun.objects.first()
                number = f" (run {last.pk}, see the admin)" if last else ""
                raise CommandError(f"sync failed{number}: {exc}") from None
        self._report(run)

    def _report(self, run: SyncRun) -> None:
        self.stdout.write(
            f"{run.get_kind_display()} {run.pk}: {run.get_status_display()}; "
            f"{run.fetched} records read; datasets: {run.created} created, "
            f"{run.updated} updated, {run.unchanged} unchanged, {run.withdrawn} withdrawn, "
            f"{run.failed} failed; {run.requests} requests ({run.retries} retried)"
        )
        if run.message:
            self.stdout.write(run.message)
        for error in run.errors:
            self.stderr.write(f"  {error}")
        if run.status == SyncStatus.PARTIAL:
            raise CommandError(
                f"{run.failed} record(s) could not be mapped; they are quarantined (listed above "
                "and in the admin) and retried by later runs"
            )

    def _export(self, path: Path, *, no_progress: bool) -> None:
        with tqdm(unit=" datasets", disable=no_progress, file=self.stderr._out) as bar:
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
