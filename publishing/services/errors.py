"""What the publishing services raise for staff to read."""

from __future__ import annotations


class PublicationError(Exception):
    """A request staff cannot have: the message says why, in words for them."""
