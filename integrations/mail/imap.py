"""Reading the team mailbox over IMAP (aioimaplib), behind the small ``Mailbox`` interface the email
assistant uses, so a Microsoft Graph mailbox can stand in for it later.

Messages are found by UID: after the first connection, everything with a UID above the stored
position; on the very first connection (or when the server's UIDVALIDITY changes) the unread
messages. The position is kept by the caller in the database, never trusted to \\Seen flags that
staff reading the shared mailbox also set. New mail is awaited with IDLE where the server offers
it, otherwise by polling.
"""
from __future__ import annotations

import asyncio
import logging
import re
import ssl
from dataclasses import dataclass
from typing import Awaitable, Callable, Optional, Protocol, Sequence

import aioimaplib

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IncomingMail:
    ref: str            # the mailbox's own reference (IMAP: the UID)
    raw: bytes
    position: str       # the cursor to store once this message (and all before it) is handled


@dataclass(frozen=True)
class MailBatch:
    messages: tuple[IncomingMail, ...]
    position: Optional[str]   # where reading stands after this batch (also when it is empty)


class MailboxUnavailable(Exception):
    """The mailbox could not be reached or refused a command; try again later."""


class Mailbox(Protocol):
    name: str   # stable id for the stored cursor ("imap:user@host/INBOX")

    async def fetch_new(self, position: Optional[str], limit: int) -> MailBatch: ...

    async def mark_processed(self, refs: Sequence[str]) -> None: ...

    async def wait_for_new(self, timeout: float) -> None: ...

    async def close(self) -> None: ...


@dataclass(frozen=True)
class ImapConfig:
    host: str
    port: int = 993
    tls: bool = True
    username: str = ""
    password: str = ""
    folder: str = "INBOX"
    timeout: float = 30.0
    idle: bool = True
    mark_seen: bool = True
    ssl_context: Optional[ssl.SSLContext] = None


TokenProvider = Callable[[], Awaitable[str]]

_UIDVALIDITY = re.compile(rb"UIDVALIDITY (\d+)")
_UIDNEXT = re.compile(rb"UIDNEXT (\d+)")
_FETCH_HEAD = re.compile(rb"^\d+ FETCH \(")
_UID = re.compile(rb"UID (\d+)")
_LITERAL = re.compile(rb"\{(\d+)\}$")


class ImapMailbox:
    def __init__(self, config: ImapConfig, *, oauth_token: Optional[TokenProvider] = None):
        self._config = config
        self._oauth_token = oauth_token
        self._client: Optional[aioimaplib.IMAP4] = None
        self._validity: Optional[str] = None
        self._uidnext = 1
        self.name = f"imap:{config.username}@{config.host}/{config.folder}"

    @property
    def supports_idle(self) -> bool:
        return bool(self._client and self._client.has_capability("IDLE"))

    # -- connection -------------------------------------------------------------------------

    async def _connected(self) -> aioimaplib.IMAP4:
        if self._client is not None and self._client.get_state() == "SELECTED":
            return self._client
        await self._drop()
        config = self._config
        try:
            if config.tls:
                context = config.ssl_context or ssl.create_default_context()
                client = aioimaplib.IMAP4_SSL(host=config.host, port=config.port, timeout=config.timeout,
                                              ssl_context=context)
            else:
                client = aioimaplib.IMAP4(host=config.host, port=config.port, timeout=config.timeout)
            self._client = client
            await client.wait_hello_from_server()
            if self._oauth_token is not None:
                response = await client.xoauth2(config.username, await self._oauth_token())
            else:
                response = await client.login(config.username, config.password)
            _ok(response, "login")
            response = await client.select(_quote(config.folder))
            _ok(response, "select")
        except MailboxUnavailable:
            await self._drop()
            raise
        except Exception as exc:
            await self._drop()
            raise MailboxUnavailable(type(exc).__name__) from exc
        self._validity = _validity(response.lines)
        self._uidnext = _uidnext(response.lines)
        return client

    async def _drop(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            if client.get_state() in ("AUTH", "SELECTED"):
                await asyncio.wait_for(client.logout(), 5)
        except Exception:
            pass
        transport = getattr(client.protocol, "transport", None)
        if transport is not None:
            transport.close()

    async def close(self) -> None:
        await self._drop()

    async def _run(self, what: str, command):
        """One IMAP command; any failure drops the connection so the next call starts afresh."""
        client = await self._connected()
        try:
            response = await command(client)
        except Exception as exc:
            await self._drop()
            raise MailboxUnavailable(f"{what}: {type(exc).__name__}") from exc
        if response.result != "OK":
            await self._drop()
            raise MailboxUnavailable(f"{what}: {response.result}")
        return response

    # -- Mailbox ----------------------------------------------------------------------------

    async def fetch_new(self, position: Optional[str], limit: int) -> MailBatch:
        fresh = self._client is None or self._client.get_state() != "SELECTED"
        await self._connected()
        if not fresh:
            # A selected folder's view is only brought up to date by a command; NOOP is the cheapest.
            await self._run("noop", lambda c: c.noop())
        validity = self._validity or "0"
        stored_validity, _, stored_uid = (position or "").partition(":")
        if position and stored_validity == validity and stored_uid.isdigit():
            after = int(stored_uid)
            response = await self._run("search", lambda c: c.uid_search(f"UID {after + 1}:*", charset=None))
        else:
            # First connection, or the server renumbered the folder: take what nobody has read.
            after = 0
            response = await self._run("search", lambda c: c.uid_search("UNSEEN", charset=None))
        uids = sorted(uid for uid in _numbers(response.lines) if uid > after)
        if not uids:
            if after:
                return MailBatch((), position)
            # Nothing unread: from now on read by UID, so staff opening a message first cannot hide it.
            return MailBatch((), f"{validity}:{max(self._uidnext - 1, 0)}")
        chosen = uids[:limit]
        fetched = await self._fetch(chosen)
        messages = tuple(
            IncomingMail(ref=str(uid), raw=fetched[uid], position=f"{validity}:{uid}") for uid in chosen if uid in fetched
        )
        return MailBatch(messages, messages[-1].position if messages else position)

    async def _fetch(self, uids: list[int]) -> dict[int, bytes]:
        response = await self._run(
            "fetch", lambda c: c.uid("fetch", _uid_set(uids), "(UID BODY.PEEK[])"))
        found: dict[int, bytes] = {}
        lines = response.lines
        index = 0
        while index < len(lines):
            line = lines[index]
            if isinstance(line, (bytes, bytearray)) and _FETCH_HEAD.match(bytes(line)):
                head = bytes(line)
                uid_match = _UID.search(head)
                literal = _LITERAL.search(head)
                body = b""
                if literal and index + 1 < len(lines):
                    body = bytes(lines[index + 1])
                    index += 1
                    if uid_match is None and index + 1 < len(lines):
                        uid_match = _UID.search(bytes(lines[index + 1]))
                if uid_match is not None:
                    found[int(uid_match.group(1))] = body
            index += 1
        return found

    async def mark_processed(self, refs: Sequence[str]) -> None:
        if not refs or not self._config.mark_seen:
            return
        uids = sorted(int(ref) for ref in refs)
        await self._run("store", lambda c: c.uid("store", _uid_set(uids), "+FLAGS", r"(\Seen)"))

    async def wait_for_new(self, timeout: float) -> None:
        """Returns when new mail may have arrived, or after ``timeout`` seconds at the latest."""
        try:
            client = await self._connected()
        except MailboxUnavailable:
            await asyncio.sleep(timeout)
            raise
        if not (self._config.idle and client.has_capability("IDLE")):
            await asyncio.sleep(timeout)
            return
        try:
            idle = await client.idle_start(timeout=timeout)
            try:
                while True:
                    pushed = await client.wait_server_push(timeout=timeout + 1)
                    if pushed == aioimaplib.STOP_WAIT_SERVER_PUSH or any(
                        isinstance(line, (bytes, bytearray)) and b"EXISTS" in line for line in pushed
                    ):
                        break
            finally:
                client.idle_done()
                await asyncio.wait_for(idle, self._config.timeout)
        except asyncio.TimeoutError:
            await self._drop()
        except Exception as exc:
            await self._drop()
            raise MailboxUnavailable(f"idle: {type(exc).__name__}") from exc


def imap_config_from(settings) -> ImapConfig:
    mail = settings.mail
    return ImapConfig(
        host=mail.imap_host,
        port=mail.imap_port,
        tls=mail.imap_tls,
        username=mail.imap_username,
        password=mail.imap_password,
        folder=mail.imap_folder,
        timeout=mail.imap_timeout_seconds,
        idle=mail.imap_idle,
        mark_seen=mail.imap_mark_seen,
    )


def _ok(response, what: str) -> None:
    if response.result != "OK":
        raise MailboxUnavailable(f"{what}: {response.result}")


def _validity(lines) -> Optional[str]:
    for line in lines:
        if isinstance(line, (bytes, bytearray)):
            match = _UIDVALIDITY.search(bytes(line))
            if match:
                return match.group(1).decode()
    return None


def _uidnext(lines) -> int:
    for line in lines:
        if isinstance(line, (bytes, bytearray)):
            match = _UIDNEXT.search(bytes(line))
            if match:
                return int(match.group(1))
    return 1


def _numbers(lines) -> list[int]:
    numbers: list[int] = []
    for line in lines[:-1]:  # the last line is the tagged completion
        if isinstance(line, (bytes, bytearray)):
            numbers.extend(int(n) for n in bytes(line).split() if n.isdigit())
    return numbers


def _uid_set(uids: Sequence[int]) -> str:
    """Compact UID set: 3,4,5,9 -> "3:5,9" (a 1,000-message backlog stays one short command)."""
    ranges: list[str] = []
    start = prev = None
    for uid in sorted(uids):
        if start is None:
            start = prev = uid
        elif uid == prev + 1:
            prev = uid
        else:
            ranges.append(f"{start}:{prev}" if start != prev else str(start))
            start = prev = uid
    if start is not None:
        ranges.append(f"{start}:{prev}" if start != prev else str(start))
    return ",".join(ranges)


def _quote(name: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9_.\-/]+", name):
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
