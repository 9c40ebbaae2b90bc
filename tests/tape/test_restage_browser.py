"""The restage request form in a real browser: asked on the landing page (htmx swaps the answer
in place), a bad address refused next to its field, the e-mailed link confirmed; axe finds
nothing serious and the Content-Security-Policy nothing to refuse at every step."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tape.models import RestageRequest, RestageState
from tests.browser import PageWatch, desktop_page
from tests.servers import SmtpSink
from tests.standins.tape import TapeStandIn
from tests.tape.conftest import tape_dataset, token_from


@pytest.fixture
def browser_page(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with desktop_page(monkeypatch) as page:
        yield page


@pytest.mark.browser
def test_visitor_requests_a_dataset_from_tape(
    transactional_db: None,
    tape: TapeStandIn,
    mailbox: SmtpSink,
    live_server: Any,
    browser_page: Any,
    settings: Any,
) -> None:
    settings.PORTAL_BASE_URL = live_server.url
    dataset = tape_dataset(tape)
    page = browser_page
    watch = PageWatch(page, "portal-restage")
    page.goto(f"{live_server.url}/datasets/{dataset.pid}")
    # The restage part arrives by htmx after the (cacheable) page: wait for it to show.
    page.get_by_role("heading", name="Request this data from tape").wait_for(state="visible")
    watch.check("form")

    field = page.get_by_label("Your e-mail address")
    field.fill("reader@example")  # the browser lets it through; the server refuses it
    page.get_by_role("button", name="Request from tape").click()
    page.wait_for_selector(".field-error")
    assert "not an e-mail address" in page.locator(".field-error").inner_text()
    assert page.url.endswith(dataset.pid)  # swapped in place, the page stayed
    watch.check("bad-address")

    page.get_by_label("Your e-mail address").fill("reader@example.org")
    page.get_by_role("button", name="Request from tape").click()
    page.wait_for_selector(".restage .message-success")
    watch.check("sent")

    token = token_from(mailbox, "reader@example.org")
    page.goto(f"{live_server.url}/restage/verify/{token}")
    page.get_by_role("button", name="Confirm the request").click()
    page.wait_for_selector(".message-success")
    watch.check("confirmed")
    assert RestageRequest.objects.get().state == RestageState.STAGING

    page.goto(f"{live_server.url}/datasets/{dataset.pid}")
    page.get_by_text("Being restored from tape").wait_for(state="visible")
    watch.check("restoring")

    assert watch.errors == [e for e in watch.errors if "400" in e]
    assert watch.csp == []
    assert watch.serious == {}
