"""The COUNTER rules on plain events (usage/counting.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from usage.counting import INVESTIGATION, REQUEST, Event, count_month

T0 = datetime(2026, 5, 10, 12, 0, 0, tzinfo=UTC)
END = datetime(2026, 6, 1, tzinfo=UTC)
D1 = ("d", 1)


def _event(
    seconds: float,
    *,
    kind: str = INVESTIGATION,
    item: tuple[str, int] = D1,
    method: str = "regular",
    visitor: str = "v1",
    component: str = "",
    start: datetime = T0,
) -> Event:
    return Event(start + timedelta(seconds=seconds), kind, item, method, visitor, component)


def _count(events: list[Event], holding: dict[int, list[int]] | None = None):
    return count_month(
        sorted(events, key=lambda e: e.occurred_at),
        end=END,
        publications_of=lambda d: (holding or {}).get(d, []),
    )


def test_double_click_within_30_seconds_counts_once() -> None:
    tally = _count([_event(0), _event(10), _event(29)])[(D1, "regular")]
    assert tally.total_investigations == 1


def test_clicks_more_than_30_seconds_apart_count_twice() -> None:
    tally = _count([_event(0), _event(31)])[(D1, "regular")]
    assert tally.total_investigations == 2


def test_a_burst_of_reloads_counts_once_however_long() -> None:
    # Each within 30 s of the one before: COUNTER keeps only the last.
    tally = _count([_event(s) for s in range(0, 200, 20)])[(D1, "regular")]
    assert tally.total_investigations == 1


def test_double_clicks_are_per_visitor_and_per_file() -> None:
    events = [
        _event(0, visitor="a"),
        _event(1, visitor="b"),
        _event(2, kind=REQUEST, component="f1"),
        _event(3, kind=REQUEST, component="f2"),
        _event(4, kind=REQUEST, component="f2"),
    ]
    tally = _count(events)[(D1, "regular")]
    assert tally.total_requests == 2
    assert tally.total_investigations == 4  # requests are investigations too


def test_unique_counts_one_per_visitor_and_hour() -> None:
    events = [
        _event(0, visitor="a"),
        _event(600, visitor="a"),  # same hour: same session
        _event(3600, visitor="a"),  # the next hour: a new session
        _event(60, visitor="b"),
    ]
    tally = _count(events)[(D1, "regular")]
    assert tally.total_investigations == 4
    assert tally.unique_investigations == 3


def test_unique_requests_count_sessions_that_downloaded() -> None:
    events = [
        _event(0, visitor="a"),
        _event(5, kind=REQUEST, component="f1", visitor="a"),
        _event(9, kind=REQUEST, component="f2", visitor="a"),
        _event(0, visitor="b"),
    ]
    tally = _count(events)[(D1, "regular")]
    assert (tally.total_requests, tally.unique_requests) == (2, 1)
    assert tally.unique_investigations == 2


def test_machine_access_is_counted_apart() -> None:
    tallies = _count([_event(0, method="machine", visitor="m"), _event(0)])
    assert tallies[(D1, "machine")].total_investigations == 1
    assert tallies[(D1, "regular")].total_investigations == 1


def test_a_dataset_event_counts_for_its_doi_too() -> None:
    events = [
        _event(0, item=("d", 1), visitor="a"),
        _event(5, item=("d", 2), visitor="a"),
        _event(9, item=("p", 7), visitor="a"),
    ]
    tallies = _count(events, holding={1: [7], 2: [7]})
    publication = tallies[(("p", 7), "regular")]
    assert publication.total_investigations == 3
    assert publication.unique_investigations == 1  # one session over the DOI and its datasets
    assert tallies[(("d", 1), "regular")].total_investigations == 1


def test_month_boundary_double_click_counts_in_the_later_month() -> None:
    last = END - timedelta(seconds=10)
    events = [_event(0, start=last), _event(15, start=last)]  # 00:00:05 of the next month
    assert _count(events) == {}
    next_month = count_month(events[1:], end=END + timedelta(days=30), publications_of=lambda d: [])
    assert next_month[(D1, "regular")].total_investigations == 1


def test_last_event_of_a_month_counts_in_it() -> None:
    last = END - timedelta(seconds=1)
    assert _count([_event(0, start=last)])[(D1, "regular")].total_investigations == 1
