"""``python manage.py tape``: the tape archive by hand (the periodic jobs and a look around).

tape status [--dataset PID]     # restage requests by state, bytes today, metrics; one dataset
tape poll                       # submit due requests, poll staging ones, expire (as beat does)
tape locality [--dataset PID]   # ask archiveinfo for the datasets due (or one, or --all)
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from catalogue.models import Dataset
from tape import locality, restage
from tape.models import DatasetLocality, RestageRequest
from tape.selectors import tape_metrics


class Command(BaseCommand):
    help = "The tape archive: status of restage requests, polling the storage, data locality."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, parser_class=ArgumentParser)
        status = actions.add_parser("status", help="restage requests and localities")
        status.add_argument("--dataset", help="one dataset's PID")
        poll = actions.add_parser("poll", help="submit, poll and expire restage requests now")
        poll.add_argument("--no-progress", action="store_true")
        where = actions.add_parser("locality", help="ask the storage where files are")
        where.add_argument("--dataset", help="one dataset's PID")
        where.add_argument("--all", action="store_true", help="every public dataset, not only due")
        where.add_argument("--no-progress", action="store_true")

    def _dataset(self, pid: str) -> Dataset:
        dataset = Dataset.objects.filter(pid=pid).first()
        if dataset is None:
            raise CommandError(f"--dataset: no dataset with PID {pid!r}")
        return dataset

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "status":
            self._status(options.get("dataset"))
            return
        if not settings.PORTAL_TAPE_REST_URL:
            raise CommandError("PORTAL_TAPE_REST_URL is not set: no storage system to ask")
        progress = not options["no_progress"]
        if action == "poll":
            queued, staging = restage.restages_due()
            with tqdm(
                total=len(queued) + len(staging),
                unit=" requests",
                disable=not progress,
                file=self.stderr,
            ) as bar:
                counts = restage.restages_work(on_progress=bar.update)
            self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
        elif action == "locality":
            if options.get("dataset"):
                ids = [self._dataset(options["dataset"]).pk]
            elif options["all"]:
                ids = list(Dataset.objects.public().order_by("pk").values_list("pk", flat=True))
            else:
                ids = locality.localities_due()
            with tqdm(
                total=len(ids), unit=" datasets", disable=not progress, file=self.stderr
            ) as bar:
                report = locality.datasets_locality_check(dataset_ids=ids, on_progress=bar.update)
            self.stdout.write(
                f"checked {report.checked}, changed {report.changed}, "
                f"without files {report.skipped}, errors {len(report.errors)}"
            )
            for error in report.errors[:10]:
                self.stderr.write(error)
            if report.errors:
                raise CommandError("the storage system did not answer every batch")

    def _status(self, pid: str | None) -> None:
        if pid:
            dataset = self._dataset(pid)
            where = DatasetLocality.objects.filter(dataset=dataset).first()
            self.stdout.write(f"{dataset.pid}: data location {dataset.data_location}")
            if where:
                self.stdout.write(
                    f"  storage: {where.files_on_disk}/{where.files_total} files on disk, "
                    f"{where.files_unavailable} unavailable, "
                    f"checked {where.checked_at:%Y-%m-%d %H:%M} UTC"
                )
            for item in RestageRequest.objects.filter(dataset=dataset)[:10]:
                self.stdout.write(
                    f"  request {item.pk}: {item.state}, {item.files} files, {item.bytes} bytes, "
                    f"created {item.created:%Y-%m-%d %H:%M}, {item.requesters.count()} requester(s)"
                    + (f", error: {item.last_error}" if item.last_error else "")
                )
            return
        if not settings.PORTAL_TAPE_REST_URL:
            self.stdout.write("tape: off (PORTAL_TAPE_REST_URL is not set)")
        for name, value in tape_metrics().items():
            self.stdout.write(f"{name} {value}")
