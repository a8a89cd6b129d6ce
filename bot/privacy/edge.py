"""The one place typed text is cleaned on its way in.

Every channel that keeps or forwards free text a person typed calls ``scrub`` (or uses the
redactor from ``redactor_for``) before the text reaches the database, a queued message, an email,
a CSV or a card that is sent on: Teams and console questions, email bodies and subjects (and the
subject echoed in the auto-reply), evaluation comments from the card and the web form, tribunal
case references, staff broadcasts, staff answers in the inbox.  Text a person gives about
themselves on purpose (their own name and school in a booking form) is not free text and is not
scrubbed.

One redactor per team mailbox, built once per process: construction compiles the allow-lists,
and every channel then treats the team's own published address the same way.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Optional

from bot.privacy.redaction import Redactor

__all__ = ["redactor_for", "shared_redactor", "scrub", "scrub_message"]


@lru_cache(maxsize=8)
def shared_redactor(public_emails: tuple[str, ...] = ()) -> Redactor:
    return Redactor.default(public_emails=[e for e in public_emails if e])


def redactor_for(settings) -> Redactor:
    """The redactor every channel of this deployment uses (the team mailbox is a published contact)."""
    mailbox = getattr(settings, "team_mailbox", "") or ""
    return shared_redactor((mailbox.strip().lower(),) if mailbox.strip() else ())


def scrub(text: Optional[str], redactor: Optional[Redactor] = None) -> Optional[str]:
    """``text`` without personal data; None and empty text come back unchanged."""
    if not text:
        return text
    return (redactor or shared_redactor()).redact(text)


# An invisible separator no message contains: subject and body are redacted as one text.
_SEPARATOR = "\n\n\u2063\n\n"


def scrub_message(subject: Optional[str], body: Optional[str],
                  redactor: Optional[Redactor] = None) -> tuple[Optional[str], str]:
    """An email's subject and body, redacted together, so a child named with a cue in the body is
    also caught in the subject ("Tyler Brooks, DOB ...") where nothing introduces the name."""
    redactor = redactor or shared_redactor()
    body = body or ""
    if not subject:
        return (subject or None), redactor.redact(body)
    joined = redactor.redact(subject + _SEPARATOR + body)
    if joined.count(_SEPARATOR) == 1:
        head, tail = joined.split(_SEPARATOR)
        return head, tail
    return redactor.redact(subject), redactor.redact(body)
