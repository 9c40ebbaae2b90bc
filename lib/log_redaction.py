"""A logging filter that blanks review link tokens (``/review/<token>/``) in every log line.

A review link's token is its only secret; request logs (Django's "Not Found: /review/...",
the development server's access log) would otherwise keep it. Installed on every handler in
``portal/settings.py``; plain Python, so it is also usable by a WSGI server's logging config.
"""

from __future__ import annotations

import logging
import re

_TOKEN = re.compile(r"(/review/)[^/\s\"'?#]+")
REDACTED = r"\1[token]"


def redact(text: str) -> str:
    return _TOKEN.sub(REDACTED, text) if "/review/" in text else text


class ReviewTokenFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        if "/review/" in message:
            record.msg = redact(message)
            record.args = ()
        return True
