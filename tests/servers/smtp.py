"""A real SMTP server on loopback that keeps what it receives (aiosmtpd, in a thread).

The portal sends through Django's SMTP backend to it, so a test sees the messages as a mail
server would: envelope, headers, body, after a real SMTP conversation::

    with SmtpSink() as sink:
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        ...
        sink.messages[0]["To"], sink.messages[0].get_content()

:meth:`SmtpSink.refuse` makes the next delivery fail with an SMTP error (a mail server down).
"""

from __future__ import annotations

import email
import email.policy
import logging
import threading
from email.message import EmailMessage
from types import TracebackType
from typing import Any, Self

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.servers.base import free_port

# aiosmtpd logs every SMTP command at INFO: the messages are what a test reads.
logging.getLogger("mail.log").setLevel(logging.WARNING)


class _Handler:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refusals = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self.lock:
            if self.refusals:
                self.refusals -= 1
                return "451 Requested action aborted: local error in processing"
            raw = envelope.content if isinstance(envelope.content, bytes) else b""
            message = email.message_from_bytes(raw, policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            self.messages.append(message)
        return "250 Message accepted for delivery"


class SmtpSink:
    name = "SMTP sink"

    def __init__(self) -> None:
        self._handler = _Handler()
        self.port = 0
        self._controller: Controller | None = None

    def start(self) -> Self:
        self.port = free_port()
        self._controller = Controller(self._handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def messages(self) -> list[EmailMessage]:
        with self._handler.lock:
            return list(self._handler.messages)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]

    def refuse(self, times: int = 1) -> None:
        with self._handler.lock:
            self._handler.refusals += times

    def clear(self) -> None:
        with self._handler.lock:
            self._handler.messages.clear()
            self._handler.refusals = 0

    def settings(self) -> dict[str, Any]:
        """The Django settings that send mail here."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": self.port,
            "EMAIL_USE_TLS": False,
            "EMAIL_USE_SSL": False,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
        }
