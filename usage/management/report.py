"""``usage report --month YYYY-MM``: the month's COUNTER report sent to DataCite.

The ``usage`` command adds this sub-command with :func:`add_report_parser` and runs it with
:func:`send_report`; the work is :func:`usage.reporting.usage_report_send`.
"""

from __future__ import annotations

from argparse import _SubParsersAction
from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from usage.datacite_usage import ReportFailure
from usage.reporting import usage_report_send
from usage.selectors import aggregated_months


def add_report_parser(actions: _SubParsersAction[Any]) -> None:
    report = actions.add_parser(
        "report", help="send a month's usage report to DataCite (DATACITE_USAGE_URL)"
    )
    report.add_argument("--month", required=True, help="YYYY-MM (UTC), a month that is over")
    report.add_argument("--no-progress", action="store_true")


def send_report(command: BaseCommand, month: date, *, progress: bool) -> None:
    """Check that ``month`` can be reported, send it, say what DataCite did."""
    if month >= timezone.now().date().replace(day=1):
        raise CommandError(f"--month: {month:%Y-%m} is not over yet; report it once it is")
    if not settings.DATACITE_USAGE_URL:
        raise CommandError("DATACITE_USAGE_URL is not set: there is nowhere to send the report")
    if not aggregated_months().filter(month=month).exists():
        raise CommandError(
            f"--month: {month:%Y-%m} has no figures yet; "
            f"run `usage aggregate --month {month:%Y-%m}` first"
        )
    with tqdm(
        desc=f"{month:%Y-%m}", unit=" datasets", disable=not progress, file=command.stderr
    ) as bar:
        try:
            sent = usage_report_send(month=month, on_part=bar.update)
        except ReportFailure as exc:
            raise CommandError(str(exc)) from exc
    done = "created" if sent.created else "updated"
    command.stdout.write(
        f"{month:%Y-%m}: report {sent.report_id} {done} at DataCite, "
        f"{sent.items} datasets in {sent.parts} part{'s' if sent.parts != 1 else ''}"
    )
