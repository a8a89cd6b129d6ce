"""Turning a raw email into what the assistant needs: who sent it, how it threads, whether it
came from a robot, and the question itself (quoted replies, signatures and disclaimers removed).

Pure Python on the standard library's email package plus BeautifulSoup for HTML bodies.
Nothing here logs: message text and addresses are personal data.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from typing import Iterable, Optional

from bs4 import BeautifulSoup

__all__ = ["Attachment", "ParsedMail", "parse_message", "loop_reason", "strip_reply", "html_to_text"]

# Longest question text kept; a forwarded thread can be megabytes.
MAX_BODY_CHARS = 20_000


@dataclass(frozen=True)
class Attachment:
    filename: Optional[str]
    content_type: str
    size: int


@dataclass(frozen=True)
class ParsedMail:
    key: str                      # dedupe key: a hash of the Message-ID and sender (or of the bytes without one)
    message_id: Optional[str]     # "<...>" as sent
    sender: Optional[str]         # lower-cased address from From
    sender_name: str
    return_path: Optional[str]    # "" for the null sender <>, None when absent
    subject: str
    date: Optional[datetime]
    references: tuple[str, ...]   # References + In-Reply-To of the incoming message, oldest first
    body: str                     # the new text only: quotes, signature and disclaimer removed
    html_only: bool
    attachments: tuple[Attachment, ...]
    headers: dict[str, str]       # the loop-relevant headers, lower-case names

    @property
    def has_text(self) -> bool:
        return bool(self.body.strip())


_LOOP_HEADERS = (
    "auto-submitted", "precedence", "list-id", "list-unsubscribe", "list-post", "x-autoreply", "x-autorespond",
    "x-auto-response-suppress", "x-loop", "content-type", "x-senco-assistant",
)


def parse_message(raw: bytes) -> ParsedMail:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    message_id = _clean_header(message, "message-id")
    message_id = message_id.split()[0] if message_id else None
    sender_name, sender = _first_address(message, "from")
    if message_id:
        # With the sender: a Message-ID reused by someone else is someone else's message, not a duplicate.
        seen_as = message_id.strip("<>").strip().lower() + "|" + (sender or "")
        key = "mid:" + hashlib.sha256(seen_as.encode("utf-8", "replace")).hexdigest()
    else:
        key = "raw:" + hashlib.sha256(raw).hexdigest()
    return_path = _return_path(message)
    body, html_only, attachments = _body_and_attachments(message)
    references = tuple(_ids(_clean_header(message, "references"))) + tuple(
        i for i in _ids(_clean_header(message, "in-reply-to")) if i not in _ids(_clean_header(message, "references"))
    )
    headers = {name: _readable(_clean_header(message, name)) for name in _LOOP_HEADERS
               if message.get(name) is not None}
    return ParsedMail(
        key=key,
        message_id=_readable(message_id) if message_id else message_id,
        sender=_readable(sender) if sender else sender,
        sender_name=_readable(sender_name),
        return_path=_readable(return_path) if return_path else return_path,
        subject=_readable(" ".join(_clean_header(message, "subject").split())),
        date=_date(message),
        references=tuple(_readable(r) for r in references),
        body=_readable(strip_reply(body)[:MAX_BODY_CHARS]),
        html_only=html_only,
        attachments=tuple(attachments),
        headers=headers,
    )


# A wrong declared charset leaves lone surrogates (and sometimes NUL) that no database or SMTP server
# accepts; the rest of the text can still be read, so they become the replacement character.
_UNSTORABLE = re.compile("[\ud800-\udfff]")


def _readable(text: str) -> str:
    if not isinstance(text, str):
        return text
    return _UNSTORABLE.sub("\ufffd", text).replace("\x00", "")


# -- loops ---------------------------------------------------------------------------------------

_ROBOT_LOCALPARTS = re.compile(
    r"^(mailer-daemon|postmaster|no[-_.]?reply|do[-_.]?not[-_.]?reply|bounces?|bounce[-+].*|.*[-+]bounces?|"
    r"noreply[-+].*|notifications?|auto[-_.]?reply|autoresponder)$",
    re.IGNORECASE,
)


def loop_reason(mail: ParsedMail, own_addresses: Iterable[str]) -> Optional[str]:
    """Why answering this message could start a mail loop or a storm (RFC 3834 §2), or None."""
    h = mail.headers
    auto = h.get("auto-submitted", "").split(";")[0].strip().lower()
    if auto and auto != "no":
        return "auto-submitted"
    if h.get("precedence", "").strip().lower() in ("bulk", "list", "junk"):
        return "precedence"
    if "list-id" in h or "list-unsubscribe" in h or "list-post" in h:
        return "mailing-list"
    if "x-autoreply" in h or "x-autorespond" in h:
        return "auto-submitted"
    suppress = {part.strip().lower() for part in h.get("x-auto-response-suppress", "").split(",")}
    if suppress & {"all", "autoreply", "oof"}:
        return "responses-suppressed"
    if "x-senco-assistant" in h:
        return "own-message"
    content_type = h.get("content-type", "").lower()
    if content_type.startswith("multipart/report"):
        return "delivery-report"
    if mail.return_path == "":
        return "null-sender"
    if not mail.sender:
        return "no-sender"
    own = {a.strip().lower() for a in own_addresses if a and a.strip()}
    if mail.sender in own:
        return "own-address"
    localpart = mail.sender.split("@", 1)[0]
    if _ROBOT_LOCALPARTS.match(localpart):
        return "robot-sender"
    return None


# -- headers ---------------------------------------------------------------------------------------


def _clean_header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # a malformed header the parser could not model
        value = None
    if value is None:
        return ""
    text = str(value)
    # Undecodable 8-bit header bytes come back as surrogates; give them a readable form.
    if _has_surrogates(text):
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return _c1_as_cp1252(text)


_C1 = re.compile("[\x80-\x9f]")


def _c1_as_cp1252(text: str) -> str:
    """Text labelled Latin-1 that carries C1 controls was really Windows-1252 (curly quotes, dashes)."""
    if not _C1.search(text):
        return text
    return _C1.sub(lambda m: bytes([ord(m.group())]).decode("cp1252", "replace"), text)


def _has_surrogates(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def _first_address(message: Message, name: str) -> tuple[str, Optional[str]]:
    try:
        header = message.get(name)
        addresses = getattr(header, "addresses", None)
        if addresses:
            first: Address = addresses[0]
            address = (first.addr_spec or "").strip().lower()
            return first.display_name or "", address if "@" in address else None
    except Exception:
        pass
    pairs = getaddresses([_clean_header(message, name)])
    for display, address in pairs:
        address = address.strip().lower()
        if "@" in address:
            return display, address
    return "", None


def _return_path(message: Message) -> Optional[str]:
    value = _clean_header(message, "return-path")
    if not value and message.get("return-path") is None:
        return None
    value = value.strip()
    if value in ("<>", ""):
        return ""
    return value.strip("<>").strip().lower()


_ID = re.compile(r"<[^<>\s]+>")


def _ids(value: str) -> list[str]:
    return _ID.findall(value or "")


def _date(message: Message) -> Optional[datetime]:
    value = _clean_header(message, "date")
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else None


# -- bodies ----------------------------------------------------------------------------------------


def _body_and_attachments(message: Message) -> tuple[str, bool, list[Attachment]]:
    plain: list[str] = []
    html: list[str] = []
    attachments: list[Attachment] = []
    for part in _leaves(message):
        content_type = part.get_content_type()
        disposition = (part.get_content_disposition() or "").lower()
        if content_type in ("message/delivery-status", "message/disposition-notification"):
            continue
        if disposition == "attachment" or content_type not in ("text/plain", "text/html"):
            attachments.append(Attachment(_readable(_filename(part)) if _filename(part) else None, _readable(content_type), _size(part)))
            continue
        text = decode_part(part)
        (plain if content_type == "text/plain" else html).append(text)
    if plain:
        return "\n\n".join(plain), False, attachments
    if html:
        return "\n\n".join(html_to_text(h) for h in html), True, attachments
    return "", False, attachments


def _leaves(part: Message):
    """Leaf parts in order; an attached email (message/rfc822) is one leaf, not more body text."""
    if part.get_content_type() == "message/rfc822" or not part.is_multipart():
        yield part
        return
    for child in part.get_payload():
        if isinstance(child, Message):
            yield from _leaves(child)


def _size(part: Message) -> int:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if payload is None:
        return len(str(part.get_payload()))
    return len(payload)


def _filename(part: Message) -> Optional[str]:
    try:
        return part.get_filename()
    except Exception:
        return None


# Labels that mean "Windows-1252 in practice": mail clients label cp1252 text as Latin-1 (as browsers assume).
_CHARSET_ALIASES = {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252",
                    "ascii": "cp1252", "iso_8859-1": "cp1252", "unknown-8bit": "utf-8", "x-unknown": "utf-8"}


def decode_part(part: Message) -> str:
    """The text of a part in whatever charset it declares (or, failing that, the likely one)."""
    payload = part.get_payload(decode=True)
    if payload is None:
        raw = part.get_payload()
        return raw if isinstance(raw, str) else ""
    declared = (part.get_content_charset() or "").strip().lower()
    candidates = [_CHARSET_ALIASES.get(declared, declared)] if declared else []
    candidates += ["utf-8", "cp1252"]
    for charset in candidates:
        try:
            return payload.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("latin-1")  # every byte maps; never fails


# Containers that hold only the quoted earlier message.
_HTML_QUOTES = (
    ("div", {"class": "gmail_quote"}),
    ("div", {"class": "gmail_extra"}),
    ("div", {"class": "moz-cite-prefix"}),
    ("div", {"class": "yahoo_quoted"}),
    ("blockquote", {}),
)
# Markers after which everything is the quoted earlier message (Outlook puts the quote after them,
# not inside them).
_HTML_CUTS = (
    ("div", {"id": "divRplyFwdMsg"}),
    ("div", {"id": "appendonsend"}),
    ("hr", {}),
)
_BLOCKS = ("p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "hr")


def _first_cut(soup):
    candidates = [tag for name, attrs in _HTML_CUTS for tag in soup.find_all(name, attrs=attrs)]
    candidates += [tag for tag in soup.find_all("div")
                   if "border-top:solid" in (tag.get("style") or "").replace(" ", "").lower()]
    if not candidates:
        return None
    order = {id(tag): index for index, tag in enumerate(soup.find_all())}
    return min(candidates, key=lambda tag: order.get(id(tag), 0))


def html_to_text(html: str) -> str:
    """Readable text of an HTML body, with quoted earlier messages dropped."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "head", "title", "meta"]):
        tag.decompose()
    for name, attrs in _HTML_QUOTES:
        for tag in soup.find_all(name, attrs=attrs):
            tag.decompose()
    cut = _first_cut(soup)
    if cut is not None:
        for text in list(cut.find_all_next(string=True)):
            text.extract()
        for later in list(cut.find_all_next()):
            later.decompose()
        cut.decompose()
    for tag in soup.find_all("br"):
        tag.replace_with("\n")
    for tag in soup.find_all(_BLOCKS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    text = soup.get_text()
    lines = [" ".join(line.replace("\xa0", " ").split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# -- quotes and signatures ---------------------------------------------------------------------------

_QUOTE_HEADERS = (
    re.compile(r"^\s*On\b.{0,200}\bwrote:?\s*$", re.IGNORECASE),
    re.compile(r"^\s*Le\b.{0,200}\ba écrit\s*:\s*$", re.IGNORECASE),
    re.compile(r"^\s*-{2,}\s*Original Message\s*-{2,}\s*$", re.IGNORECASE),
    re.compile(r"^\s*-{2,}\s*Forwarded message\s*-{2,}\s*$", re.IGNORECASE),
    re.compile(r"^\s*_{10,}\s*$"),
    re.compile(r"^\s*Begin forwarded message:\s*$", re.IGNORECASE),
)
_OUTLOOK_FROM = re.compile(r"^\s*\*?From:\*?\s", re.IGNORECASE)
_OUTLOOK_NEXT = re.compile(r"^\s*\*?(Sent|Date|To|Subject|Cc):\*?\s", re.IGNORECASE)
_SIGNOFF = re.compile(
    r"^\s*(kind(est)? regards|warm(est)? regards|best regards|regards|best wishes|many thanks|thanks( so much)?|"
    r"thank you( very much)?|cheers|with thanks|yours sincerely|yours faithfully|all the best|best)\s*[,.!]?\s*$",
    re.IGNORECASE,
)
_DEVICE_FOOTER = re.compile(
    r"^\s*(sent from my \w+|sent from (outlook|mail) for \w+|get outlook for \w+|sent from yahoo mail.*)\s*$",
    re.IGNORECASE,
)
_DISCLAIMER = re.compile(
    r"^\s*(disclaimer\b|confidentiality\b|this (e-?mail|message)\b.{0,80}\b(confidential|intended (solely )?for)|"
    r"the information (contained )?in this (e-?mail|message)|if you (have received|are not the intended))",
    re.IGNORECASE,
)
# A sign-off further up than this many lines is taken as part of the text ("thanks, also ...").
SIGNOFF_WINDOW = 12


def strip_reply(text: str) -> str:
    """The new part of a message: cut at the first quoted earlier message, then drop the signature."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        if any(p.match(line) for p in _QUOTE_HEADERS):
            break
        if _OUTLOOK_FROM.match(line) and any(_OUTLOOK_NEXT.match(n) for n in lines[index + 1:index + 4]):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    kept = _drop_signature(kept)
    text = "\n".join(line.rstrip() for line in kept)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _drop_signature(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        if line.rstrip() in ("--", "-- ") or _DEVICE_FOOTER.match(line) or _DISCLAIMER.match(line):
            return lines[:index]
    content = [i for i, line in enumerate(lines) if line.strip()]
    if not content:
        return lines
    last = content[-1]
    for index in content:
        if index < last - SIGNOFF_WINDOW:
            continue
        if _SIGNOFF.match(lines[index]):
            return lines[:index]
    return lines
