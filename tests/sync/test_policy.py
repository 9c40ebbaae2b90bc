"""The embargo policy: only a date the facility really set ends an embargo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.env import env_period
from sync.policy import EmbargoDates, Period, add_months, embargo_end, is_public

CREATED = datetime(2026, 12, 2, 20, 57, tzinfo=UTC)
# What SciCat 4.17 / 5.2 filled in for a dataset created at CREATED (Date(2026, 11, weekday 3)).
SCICAT_DEFAULT = datetime(2026, 12, 3, tzinfo=UTC)


def test_scicats_default_date_of_publishing_is_not_an_embargo_end() -> None:
    dates = EmbargoDates(date_of_publishing=SCICAT_DEFAULT, created_at=CREATED)

    assert embargo_end(dates, period=Period(), shift_years=0) is None


@pytest.mark.parametrize("days", [-1, 0, 1, 6, 7])
def test_any_date_in_the_default_window_is_not_trusted(days: int) -> None:
    dates = EmbargoDates(date_of_publishing=CREATED + timedelta(days=days), created_at=CREATED)

    assert embargo_end(dates, period=Period(), shift_years=0) is None


def test_a_date_later_than_the_default_window_is_the_facilitys() -> None:
    chosen = datetime(2029, 12, 1, tzinfo=UTC)
    dates = EmbargoDates(date_of_publishing=chosen, created_at=CREATED)

    assert embargo_end(dates, period=Period(), shift_years=0) == chosen


def test_the_catalogues_publication_shift_moves_the_default_window() -> None:
    shifted_default = datetime(2029, 12, 3, tzinfo=UTC)  # POLICY_PUBLICATION_SHIFT=3
    dates = EmbargoDates(date_of_publishing=shifted_default, created_at=CREATED)

    assert embargo_end(dates, period=Period(), shift_years=3) is None
    assert embargo_end(dates, period=Period(), shift_years=0) == shifted_default


def test_a_date_without_created_at_cannot_be_told_from_the_default() -> None:
    dates = EmbargoDates(date_of_publishing=datetime(2030, 1, 1, tzinfo=UTC))

    assert embargo_end(dates, period=Period(), shift_years=0) is None


def test_the_period_runs_from_the_end_time_else_the_creation_time() -> None:
    creation = datetime(2024, 2, 29, 10, tzinfo=UTC)
    end = datetime(2024, 3, 2, 10, tzinfo=UTC)

    assert embargo_end(
        EmbargoDates(creation_time=creation, end_time=end), period=Period(years=3), shift_years=0
    ) == datetime(2027, 3, 2, 10, tzinfo=UTC)
    assert embargo_end(
        EmbargoDates(creation_time=creation), period=Period(years=3), shift_years=0
    ) == datetime(2027, 2, 28, 10, tzinfo=UTC)


def test_with_both_the_later_date_wins() -> None:
    later = datetime(2031, 1, 1, tzinfo=UTC)
    dates = EmbargoDates(
        date_of_publishing=later, created_at=CREATED, creation_time=datetime(2026, 1, 1, tzinfo=UTC)
    )

    assert embargo_end(dates, period=Period(years=1), shift_years=0) == later
    early = EmbargoDates(
        date_of_publishing=datetime(2027, 6, 1, tzinfo=UTC),
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        creation_time=datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert embargo_end(early, period=Period(years=3), shift_years=0) == datetime(
        2029, 1, 1, tzinfo=UTC
    )


def test_nothing_set_means_no_publication_on_a_date() -> None:
    now = datetime(2100, 1, 1, tzinfo=UTC)

    assert embargo_end(EmbargoDates(created_at=CREATED), period=Period(), shift_years=0) is None
    assert not is_public(is_published=False, embargo_end=None, now=now, publish_on_embargo_end=True)
    assert is_public(is_published=True, embargo_end=None, now=now, publish_on_embargo_end=False)


def test_months_are_added_by_the_calendar() -> None:
    assert add_months(datetime(2025, 1, 31, tzinfo=UTC), 1) == datetime(2025, 2, 28, tzinfo=UTC)
    assert add_months(datetime(2025, 3, 31, tzinfo=UTC), -13) == datetime(2024, 2, 29, tzinfo=UTC)
    period = Period(years=1, months=2, days=3)
    moment = datetime(2025, 5, 10, tzinfo=UTC)
    assert period.before(period.after(moment)) == moment


@pytest.mark.parametrize(
    ("value", "expected"),
    [("P3Y", (3, 0, 0)), ("p1y6m", (1, 6, 0)), ("P90D", (0, 0, 90)), ("", (0, 0, 0))],
)
def test_embargo_period_setting(
    value: str, expected: tuple[int, int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTAL_EMBARGO_PERIOD", value)

    assert env_period("PORTAL_EMBARGO_PERIOD") == expected


@pytest.mark.parametrize("value", ["3y", "P", "P3W", "PT3H", "P-1Y"])
def test_a_bad_embargo_period_names_the_variable(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTAL_EMBARGO_PERIOD", value)

    with pytest.raises(ImproperlyConfigured, match="PORTAL_EMBARGO_PERIOD"):
        env_period("PORTAL_EMBARGO_PERIOD")
