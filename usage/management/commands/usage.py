"""``python manage.py usage``: the usage figures by hand (the nightly job and more).

    usage aggregate                   # drain the buffer; the months due (as nightly)
    usage aggregate --month 2026-11   # one month (UTC); again gives the same numbers
    usage drain                       # buffered events into the database now
    usage report --month 2026-11      # the month's COUNTER report to DataCite (again: updated)

``report`` lives in usage/management/report.py.
"""

from __future__ import annotations

import re
from argparse import ArgumentParser
from datetime import UTC, date, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from usage.management.report import add_report_parser, send_report
from usage.services import months_due, usage_events_drain, usage_month_aggregate

_MONTH = re.compile(r"(\d{4})-(\d{2})")


def parse_month(value: str) -> date:
    """``YYYY-MM`` as the month's first day; CommandError with the reason otherwise."""
    match = _MONTH.fullmatch(value.strip())
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise CommandError(f"--month: expected YYYY-MM such as 2026-11, got {value!r}")
    return date(int(match.group(1)), int(match.group(2)), 1)


class Command(BaseCommand):
    help = (
        "Usage counting (COUNTER): aggregate monthly figures, drain buffered events, "
        "send the DataCite usage report."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, parser_class=ArgumentParser)
        aggregate = actions.add_parser("aggregate", help="build the monthly figures")
        aggregate.add_argument(
            "--month",
            help="YYYY-MM (UTC); default: earlier months not closed, last month and this one",
        )
        aggregate.add_argument("--no-progress", action="store_true")
        drain = actions.add_parser("drain", help="store the buffered events now")
        drain.add_argument("--no-progress", action="store_true")
        add_report_parser(actions)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "drain":
            self.stdout.write(f"{usage_events_drain()} events stored")
        elif action == "aggregate":
            self._aggregate(options.get("month"), progress=not options["no_progress"])
        elif action == "report":
            send_report(self, parse_month(options["month"]), progress=not options["no_progress"])

    def _aggregate(self, month_text: str | None, *, progress: bool) -> None:
        now = datetime.now(UTC)
        this_month = now.date().replace(day=1)
        if month_text:
            months = [parse_month(month_text)]
            if months[0] > this_month:
                raise CommandError(f"--month: {month_text} has not begun")
        else:
            months = months_due(now=now)
        stored = usage_events_drain()
        self.stdout.write(f"{stored} buffered events stored")
        for month in months:
            with tqdm(
                desc=f"{month:%Y-%m}", unit=" events", disable=not progress, file=self.stderr
            ) as bar:
                result = usage_month_aggregate(month=month, now=now, progress=bar.update)
            if result.unchanged:
                self.stdout.write(f"{month:%Y-%m}: closed, figures unchanged")
            else:
                state = " (closed: raw events deleted)" if result.closed else ""
                self.stdout.write(
                    f"{month:%Y-%m}: {result.events} events, {result.rows} rows{state}"
                )
