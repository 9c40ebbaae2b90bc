"""What every browser test shares: Debian's chromium under Playwright, axe, the CSP listener.

The browser is never downloaded: a missing ``/usr/bin/chromium`` skips the test with the reason
(or fails it when ``PORTAL_TEST_REQUIRE_SERVICES`` is set, as in CI).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Records a policy violation even where the browser would not log one to the console.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} not found (Debian: apt-get install chromium); no browser is downloaded"
    if os.environ.get("PORTAL_TEST_REQUIRE_SERVICES", "") not in {"", "0"}:
        pytest.fail(reason)
    pytest.skip(reason)


@contextmanager
def chromium(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A launched chromium; on the way out, the live server's request threads are let finish."""
    require_chromium()
    # Playwright's sync API runs an event loop in this thread; Django's ORM is still called
    # synchronously here (by the test and the live server), which is safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            # The browser has closed its keep-alive sockets: let the request threads close
            # their database connections.
            for thread in threading.enumerate():
                if "process_request_thread" in thread.name:
                    thread.join(timeout=5)


@contextmanager
def desktop_page(
    monkeypatch: pytest.MonkeyPatch, *, permissions: tuple[str, ...] = ()
) -> Iterator[Any]:
    """A tab of a 1366 x 900 window in a launched chromium, with a 10 s default timeout."""
    with chromium(monkeypatch) as browser:
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        if permissions:
            context.grant_permissions(list(permissions))
        tab = context.new_page()
        tab.set_default_timeout(10_000)
        yield tab


# Visible text under 12 px on the portal's own pages (those with portal.css; the admin and the
# vendored API documentation are not ours): Lighthouse's "legible text" wants at least 12 px.
# SVG text counts at the size it is drawn on screen.
MIN_TEXT_PX = 12
SMALL_TEXT = """
(minimum) => {
  if (!document.querySelector('link[rel=stylesheet][href*="css/portal"]')) return [];
  const found = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || el.closest('.visually-hidden, [hidden]')) continue;
    // SVG text (the statistics' charts) is drawn scaled with its picture: the size on screen.
    const svg = el.closest('svg');
    const scale = svg && svg.getScreenCTM() ? Math.abs(svg.getScreenCTM().a) : 1;
    const size = parseFloat(style.fontSize) * scale;
    if (size < minimum) {
      const name = el.tagName.toLowerCase() + (el.className && typeof el.className === 'string'
        ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
      found.push(`${name} "${el.textContent.trim().slice(0, 30)}" ${size.toFixed(1)}px`);
    }
  }
  return found.slice(0, 10);
}
"""


def small_text(page: Any) -> list[str]:
    """Visible text on the page under :data:`MIN_TEXT_PX` (its element, text and size)."""
    return [f"small text: {found}" for found in page.evaluate(SMALL_TEXT, MIN_TEXT_PX)]


def serious_violations(page: Any) -> list[str]:
    """axe's serious and critical findings on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in results.response["violations"]
        if v.get("impact") in {"serious", "critical"}
    ]


class PageWatch:
    """What a browser test asserts about every page it visits.

    Console errors, uncaught page errors and CSP violations are collected as the test goes;
    ``check(name)`` adds axe's serious and critical findings for the page as it is now, any
    visible text under 12 px on the portal's own pages (:func:`small_text`) and a full-page
    screenshot (``/tmp/<prefix>-<name>.png``) for a human to look at.
    """

    def __init__(self, page: Any, prefix: str, *, expected_console: tuple[str, ...] = ()) -> None:
        self.page = page
        self.prefix = prefix
        self.errors: list[str] = []
        self.csp: list[str] = []
        self.findings: dict[str, list[str]] = {}

        def console(message: Any) -> None:
            if message.type == "error" and not any(e in message.text for e in expected_console):
                self.errors.append(f"{page.url}: {message.text}")

        page.on("console", console)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.add_init_script(CSP_LISTENER)

    def check(self, name: str) -> None:
        page = self.page
        page.wait_for_load_state("networkidle")
        self.findings[name] = serious_violations(page) + small_text(page)
        self.csp.extend(page.evaluate("window.__cspViolations || []"))
        page.screenshot(path=f"/tmp/{self.prefix}-{name}.png", full_page=True)
        # A full-page screenshot leaves an empty style="" behind; htmx would put it back from its
        # history snapshot on "back", and the policy (rightly) refuses it. Not the portal's doing.
        page.evaluate(
            "document.querySelectorAll('[style]').forEach(e => e.removeAttribute('style'))"
        )

    @property
    def serious(self) -> dict[str, list[str]]:
        """The checks that found something serious or critical."""
        return {name: found for name, found in self.findings.items() if found}
