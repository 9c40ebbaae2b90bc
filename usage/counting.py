"""The COUNTER Code of Practice for Research Data, applied to one month of raw events.

Plain Python over event tuples (no database), so each rule is tested on its own:

* **Double clicks**: the same visitor, kind, item and part of the item (a file) again within
  30 seconds: the earlier one is not counted, the later one is (COUNTER's rule, so a burst of
  reloads counts once, at its end). An event in the last 30 seconds of a month is therefore judged
  with the first 30 seconds of the next one: :func:`count_month` takes events up to
  ``end + 30 s`` and counts those before ``end``.
* **Sessions**: a visitor (a salted hash of the user, or of IP address + user agent) within one
  clock hour (UTC). A unique investigation (request) is a session that investigated (requested)
  the item at least once.
* **Requests are investigations too** (COUNTER: every request is also an investigation).
* **Regular and machine access** are counted apart; robots never reach here (not recorded).
* **Per dataset and per DOI**: an event on a dataset also counts for each DOI publication holding
  it; the publication's uniques are sessions over its own page and all its datasets.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

DOUBLE_CLICK = timedelta(seconds=30)
INVESTIGATION = "investigation"
REQUEST = "request"

# (kind "d" or "p", id): a dataset or a publication.
Item = tuple[str, int]


@dataclass(frozen=True, slots=True)
class Event:
    occurred_at: datetime
    kind: str  # INVESTIGATION or REQUEST
    item: Item
    access_method: str
    visitor: str
    component: str = ""


@dataclass
class Tally:
    total_investigations: int = 0
    total_requests: int = 0
    investigation_sessions: set[tuple[str, int]] = field(default_factory=set)
    request_sessions: set[tuple[str, int]] = field(default_factory=set)

    @property
    def unique_investigations(self) -> int:
        return len(self.investigation_sessions)

    @property
    def unique_requests(self) -> int:
        return len(self.request_sessions)


def without_double_clicks(events: Iterable[Event]) -> Iterable[Event]:
    """``events`` (in time order) less each one repeated within 30 seconds by the same visitor."""
    pending: dict[tuple[str, str, Item, str], Event] = {}
    for event in events:
        key = (event.visitor, event.kind, event.item, event.component)
        earlier = pending.get(key)
        if earlier is not None and event.occurred_at - earlier.occurred_at > DOUBLE_CLICK:
            yield earlier
        pending[key] = event
    # What is left had no repeat within 30 seconds after it (as far as the events go).
    yield from sorted(pending.values(), key=lambda e: e.occurred_at)


def _session(event: Event) -> tuple[str, int]:
    hour = int(event.occurred_at.timestamp()) // 3600
    return (event.visitor, hour)


def count_month(
    events: Iterable[Event],
    *,
    end: datetime,
    publications_of: Callable[[int], Iterable[int]],
) -> dict[tuple[Item, str], Tally]:
    """The month's tallies per (item, access method).

    ``events``: in time order, from the month's start to ``end + 30 s`` (the month's end is
    exclusive); ``publications_of(dataset_id)``: the DOI publications holding a dataset.
    """
    tallies: dict[tuple[Item, str], Tally] = defaultdict(Tally)
    for event in without_double_clicks(events):
        if event.occurred_at >= end:
            continue  # next month's: only looked at for the double clicks
        items = [event.item]
        if event.item[0] == "d":
            items += [("p", pid) for pid in publications_of(event.item[1])]
        session = _session(event)
        for item in items:
            tally = tallies[(item, event.access_method)]
            tally.total_investigations += 1
            tally.investigation_sessions.add(session)
            if event.kind == REQUEST:
                tally.total_requests += 1
                tally.request_sessions.add(session)
    return dict(tallies)
