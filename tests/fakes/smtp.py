"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""
from __future__ import annotations

import asyncio
import email
import socket
from email.message import EmailMessage
from email import policy

from aiosmtpd.controller import Controller


class _Collector:
    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.refuse = 0  # answer this many DATA commands with a temporary failure

    async def handle_DATA(self, server, session, envelope):
        if self.refuse > 0:
            self.refuse -= 1
            return "451 Try again later"
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(message)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self._collector = _Collector()
        self._controller: Controller | None = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self._collector.messages

    def refuse_next(self, count: int) -> None:
        self._collector.refuse = count

    def start(self) -> "SmtpServer":
        self._controller = Controller(self._collector, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller:
            self._controller.stop()
            self._controller = None

    async def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        async def enough():
            while len(self.messages) < count:
                await asyncio.sleep(0.005)

        await asyncio.wait_for(enough(), timeout)
        return self.messages
