"""Review tokens never reach a log line (lib/log_redaction.py, on every handler)."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings

from lib.log_redaction import ReviewTokenFilter, redact

TOKEN = "q8Jc1nD0lZ3yM6Wc9hX2tB7vR4pK5sE0aF1gH2iJ3kL"


def test_a_request_line_loses_its_token() -> None:
    line = f'"GET /review/{TOKEN}/export/bibtex HTTP/1.1" 404 179'
    assert redact(line) == '"GET /review/[token]/export/bibtex HTTP/1.1" 404 179'


def test_the_filter_rewrites_the_formatted_message() -> None:
    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Not Found: %s",
        (f"/review/{TOKEN}/",),
        None,
    )
    assert ReviewTokenFilter().filter(record)
    assert record.getMessage() == "Not Found: /review/[token]/"
    assert TOKEN not in record.getMessage()


def test_every_configured_handler_carries_the_filter() -> None:
    config: dict[str, Any] = settings.LOGGING
    handlers = config["handlers"]
    assert handlers
    for name, handler in handlers.items():
        assert "review_tokens" in handler.get("filters", []), name
    assert config["loggers"]["django"]["handlers"] == []
