"""Whether a request asks htmx for part of a page (lib/htmx_request.py), without Django."""

from __future__ import annotations

from types import SimpleNamespace

from lib.htmx_request import wants_partial


def _htmx(**flags: bool) -> SimpleNamespace:
    class Details(SimpleNamespace):
        def __bool__(self) -> bool:
            return True

    return Details(**({"history_restore_request": False, "boosted": False} | flags))


def test_a_plain_request_wants_the_whole_page() -> None:
    assert not wants_partial(SimpleNamespace())


def test_a_request_htmx_did_not_send_wants_the_whole_page() -> None:
    class NotHtmx:
        def __bool__(self) -> bool:
            return False

    assert not wants_partial(SimpleNamespace(htmx=NotHtmx()))


def test_an_htmx_swap_wants_a_part() -> None:
    assert wants_partial(SimpleNamespace(htmx=_htmx()))


def test_a_history_restore_wants_the_whole_page() -> None:
    assert not wants_partial(SimpleNamespace(htmx=_htmx(history_restore_request=True)))


def test_a_boosted_link_wants_the_whole_page() -> None:
    assert not wants_partial(SimpleNamespace(htmx=_htmx(boosted=True)))
