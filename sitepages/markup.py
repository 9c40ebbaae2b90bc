"""Markdown for staff-written pages, rendered so that nothing in it can run.

Markdown rather than restricted HTML: staff write prose, and with markdown-it-py's raw HTML
switched off (``html: False``) every ``<`` they type is escaped by construction, so there is no
sanitiser to keep up to date. Links are kept only with an ``http``, ``https`` or ``mailto`` scheme
or a relative address (no ``javascript:``, ``data:`` ...); images are off (the Content-Security-
Policy would block other hosts' images anyway). Headings move so that the body's highest one is
an ``<h2>`` (``#`` or ``##`` alike) and none skips a level: the page's title is its only ``<h1>``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from markdown_it import MarkdownIt

_SCHEMES = {"", "http", "https", "mailto"}


def _safe_link(url: str) -> bool:
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return False
    return scheme in _SCHEMES


def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.enable(["table", "strikethrough"])
    parser.disable("image")
    parser.validateLink = _safe_link  # type: ignore[method-assign]
    return parser


_PARSER = _parser()


def render_markdown(text: str) -> str:
    """``text`` as HTML: safe to mark safe in a template."""
    tokens = _PARSER.parse(text)
    headings = [t for t in tokens if t.type in {"heading_open", "heading_close"}]
    # Each level used, in order, becomes h2, h3 ...: no heading skips one (axe's heading-order).
    levels = sorted({int(t.tag[1]) for t in headings})
    new_level = {level: min(index + 2, 6) for index, level in enumerate(levels)}
    for token in headings:
        token.tag = f"h{new_level[int(token.tag[1])]}"
    return _PARSER.renderer.render(tokens, _PARSER.options, {})
