"""lib.prefetch: the same items in order, read ahead in a thread; errors and early exits."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from lib.prefetch import prefetched


def test_items_come_in_order() -> None:
    assert list(prefetched(iter(range(50)))) == list(range(50))


def test_nothing_in_is_nothing_out() -> None:
    assert list(prefetched(iter([]))) == []


def test_the_next_item_is_read_in_another_thread() -> None:
    readers: list[str] = []

    def items() -> Iterator[int]:
        for n in range(3):
            readers.append(threading.current_thread().name)
            yield n

    assert list(prefetched(items(), thread_name="reader")) == [0, 1, 2]
    assert set(readers) == {"reader"}


def test_an_error_comes_out_at_the_item_it_concerns() -> None:
    def items() -> Iterator[int]:
        yield 1
        raise ValueError("page 2 unreadable")

    pages = prefetched(items())

    assert next(pages) == 1
    with pytest.raises(ValueError, match="page 2 unreadable"):
        next(pages)


def test_leaving_early_stops_the_thread() -> None:
    started = threading.active_count()

    for item in prefetched(iter(range(1000)), thread_name="early-exit"):
        if item == 2:
            break

    assert "early-exit" not in {t.name for t in threading.enumerate()}
    assert threading.active_count() <= started
