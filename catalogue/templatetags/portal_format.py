"""Template filters for showing catalogue values to visitors: sizes, people, links, free text.

The plain helpers live on the ground floor (:mod:`lib.sizes`, :mod:`lib.links`, :mod:`lib.terms`);
Python code imports them from there, templates use them through these filters.
"""

from __future__ import annotations

import re
from typing import Any

from django import template

from catalogue.sizes import human_size
from lib.links import orcid_url, safe_url
from lib.terms import words

register = template.Library()

# Anything shaped like an e-mail address; free text must never show one.
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
EMAIL_MASK = "[e-mail address removed]"


def mask_emails(value: Any) -> str:
    """``value`` as text with anything that looks like an e-mail address replaced."""
    if value is None:
        return ""
    return _EMAIL.sub(EMAIL_MASK, str(value))


register.filter("human_size", human_size)
register.filter("mask_emails", mask_emails)
register.filter("safe_url", safe_url)
register.filter("orcid_url", orcid_url)
register.filter("words", words)
