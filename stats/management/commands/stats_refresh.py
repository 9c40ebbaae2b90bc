"""``python manage.py stats_refresh``: rebuild the statistics page's figures now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from tqdm import tqdm

from stats.charts import charts_warm
from stats.services import figures_refresh


class Command(BaseCommand):
    help = (
        "Rebuild the statistics page's aggregates from the public catalogue (the sync does this)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        steps = ["aggregates", "charts"]
        with tqdm(
            total=len(steps), unit=" steps", disable=options["no_progress"], file=self.stderr._out
        ) as bar:
            bar.set_description(steps[0])
            done = figures_refresh()
            bar.update()
            bar.set_description(steps[1])
            charts_warm()
            bar.update()
        self.stdout.write(
            f"statistics refreshed: {done.datasets} public datasets counted in {done.seconds:.2f} s"
        )
