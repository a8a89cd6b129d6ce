"""A real IMAP server on loopback for tests: pymap's in-memory "dict" backend, run as a subprocess.

Tests deliver mail with APPEND (as a mail server would) and read flags back; each test can use its
own folder on one shared server, so the server starts once per session.
"""
from __future__ import annotations

import asyncio
import re
import socket
import subprocess
import sys
import time
import uuid
from typing import Optional

import aioimaplib

USER = "inclusion@kent.gov.uk"
PASSWORD = "imap-test-password"

_LAUNCH = "import sys; from pymap.main import main; sys.argv[0] = 'pymap'; main()"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ImapServer:
    def __init__(self, port: Optional[int] = None):
        self.port = port or free_port()
        self.host = "127.0.0.1"
        self.user = USER
        self.password = PASSWORD
        self._process: Optional[subprocess.Popen] = None

    def start(self, timeout: float = 20.0) -> "ImapServer":
        self._process = subprocess.Popen(
            [sys.executable, "-c", _LAUNCH, "--host", self.host, "--port", str(self.port), "--no-tls",
             "dict", "--demo-user", self.user, "--demo-password", self.password],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError("pymap exited at start-up")
            try:
                with socket.create_connection((self.host, self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.005)
        self.stop()
        raise RuntimeError("pymap did not start listening in time")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)

    async def client(self) -> aioimaplib.IMAP4:
        client = aioimaplib.IMAP4(host=self.host, port=self.port, timeout=10)
        await client.wait_hello_from_server()
        response = await client.login(self.user, self.password)
        assert response.result == "OK", response
        return client

    async def new_folder(self) -> str:
        name = f"T{uuid.uuid4().hex[:12]}"
        client = await self.client()
        try:
            response = await client.create(name)
            assert response.result == "OK", response
        finally:
            await client.logout()
        return name

    async def deliver(self, folder: str, *messages: bytes) -> None:
        """APPENDs messages to a folder, as the mail server delivering them would."""
        client = await self.client()
        try:
            for raw in messages:
                response = await client.append(raw, mailbox=folder)
                assert response.result == "OK", response
        finally:
            await client.logout()

    async def flags(self, folder: str) -> dict[int, set[str]]:
        client = await self.client()
        try:
            await client.select(folder)
            response = await client.uid("fetch", "1:*", "(UID FLAGS)")
        finally:
            await client.logout()
        found = {}
        for line in response.lines:
            if isinstance(line, (bytes, bytearray)):
                match = re.search(rb"UID (\d+) FLAGS \(([^)]*)\)", bytes(line)) or \
                    re.search(rb"FLAGS \(([^)]*)\) UID (\d+)", bytes(line))
                if match and match.re.pattern.startswith(b"UID"):
                    found[int(match.group(1))] = set(match.group(2).decode().split())
                elif match:
                    found[int(match.group(2))] = set(match.group(1).decode().split())
        return found


async def wait_until(predicate, timeout: float = 10.0) -> None:
    async def loop():
        while not predicate():
            await asyncio.sleep(0.005)

    await asyncio.wait_for(loop(), timeout)
