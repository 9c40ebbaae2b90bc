"""The portal's one embargo policy: which catalogue records may be public.

A record is public when the catalogue has published it (``isPublished``), or, where the facility
publishes on the embargo end date (``PORTAL_PUBLISH_ON_EMBARGO_END=true``), once its embargo end
has passed. Nothing else in the code decides this.

The embargo end is only ever a date the facility really set:

* ``PORTAL_EMBARGO_PERIOD`` (an ISO 8601 period such as ``P3Y``): the record's ``endTime`` (else
  its ``creationTime``) plus that period;
* ``datasetlifecycle.dateOfPublishing``, but only where it is later than the date SciCat fills in
  by itself. SciCat (4.x and 5.x) gives every dataset created without one a default: midnight of
  ``Date(year + POLICY_PUBLICATION_SHIFT, month, weekday)`` of the moment the record was created,
  i.e. within a week of ``createdAt`` (``SCICAT_POLICY_PUBLICATION_SHIFT`` years on). A date in
  that window cannot be told from the default, so it is not trusted; a later one can only have
  been set on purpose.

With both, the later date wins (a curator may extend an embargo, never shorten the period).
Without either, nothing is published on a date: only ``isPublished`` counts.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

# SciCat's default lies at most 6 days and a time zone's 14 hours after the creation moment.
DEFAULT_WINDOW = timedelta(days=8)


@dataclass(frozen=True, slots=True)
class Period:
    """A calendar period: years, months and days (``P3Y``, ``P1Y6M``, ``P90D``)."""

    years: int = 0
    months: int = 0
    days: int = 0

    def after(self, moment: datetime) -> datetime:
        return add_months(moment, self.years * 12 + self.months) + timedelta(days=self.days)

    def before(self, moment: datetime) -> datetime:
        return add_months(moment - timedelta(days=self.days), -(self.years * 12 + self.months))

    def __bool__(self) -> bool:
        return bool(self.years or self.months or self.days)


@dataclass(frozen=True, slots=True)
class EmbargoDates:
    """What a catalogue record says about its embargo (parsed at the edge, see sync.scicat)."""

    date_of_publishing: datetime | None = None
    created_at: datetime | None = None  # when the catalogue record was made (``createdAt``)
    creation_time: datetime | None = None  # when the data were taken (``creationTime``)
    end_time: datetime | None = None


def add_months(moment: datetime, months: int) -> datetime:
    """The same day ``months`` later (the month's last day where it is shorter)."""
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _trusted_date(dates: EmbargoDates, shift_years: int) -> datetime | None:
    published = dates.date_of_publishing
    if published is None or dates.created_at is None:
        return None  # without createdAt a default cannot be told from a real date
    latest_default = add_months(dates.created_at, 12 * shift_years) + DEFAULT_WINDOW
    return published if published > latest_default else None


def configured_period() -> Period:
    return Period(*settings.PORTAL_EMBARGO_PERIOD)


def embargo_end(
    dates: EmbargoDates,
    *,
    period: Period | None = None,
    shift_years: int | None = None,
) -> datetime | None:
    """When the embargo of a record ends by the facility's own rules; None when nothing says."""
    if period is None:
        period = configured_period()
    if shift_years is None:
        shift_years = settings.SCICAT_POLICY_PUBLICATION_SHIFT
    found = []
    start = dates.end_time or dates.creation_time
    if period and start is not None:
        found.append(period.after(start))
    if (trusted := _trusted_date(dates, shift_years)) is not None:
        found.append(trusted)
    return max(found) if found else None


def is_public(
    *,
    is_published: bool,
    embargo_end: datetime | None,
    now: datetime,
    publish_on_embargo_end: bool | None = None,
) -> bool:
    if is_published:
        return True
    if publish_on_embargo_end is None:
        publish_on_embargo_end = settings.PORTAL_PUBLISH_ON_EMBARGO_END
    return bool(publish_on_embargo_end and embargo_end is not None and embargo_end <= now)
