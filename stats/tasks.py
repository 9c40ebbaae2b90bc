"""Background work for the statistics: a thin adapter from a queue message to the refresh.

Queued by ``stats.services.figures_refresh_after_commit`` at the end of a sync that changed
something; ``python manage.py stats_refresh`` does the same by hand.
"""

from __future__ import annotations

from celery import shared_task

from stats.charts import charts_warm
from stats.services import figures_refresh as refresh


@shared_task
def figures_refresh() -> int:
    """Rebuild the aggregates and draw the unfiltered charts; returns the datasets counted."""
    done = refresh()
    charts_warm()
    return done.datasets
