"""Booking emails (confirmation, cancellation, changes) with the calendar file attached.

Each template in bot/bookings/templates/email/booking_*.txt.j2 sets ``subject`` at the top and renders the
body. A mail failure never undoes a booking: ``send`` reports False and the caller carries on
(the Teams card has the same calendar link).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Optional

from bot.rendering import environment as _environment

log = logging.getLogger(__name__)




def render_email(template: str, context: dict) -> tuple[str, str]:
    """(subject, body) of ``email/<template>.txt.j2``."""
    module = _environment().get_template(f"email/{template}.txt.j2").make_module(context)
    subject = " ".join(str(getattr(module, "subject", "")).split())
    return subject, str(module).lstrip("\n")


@dataclass(frozen=True)
class CalendarAttachment:
    content: bytes
    method: str            # REQUEST | CANCEL
    filename: str


class BookingMailer:
    def __init__(self, sender, *, from_address: str, from_name: str):
        self._sender = sender
        self._from = formataddr((from_name, from_address))
        self._domain = from_address.rsplit("@", 1)[-1]

    def compose(self, template: str, *, to_name: str, to_address: str, context: dict,
                attachment: Optional[CalendarAttachment]) -> EmailMessage:
        subject, body = render_email(template, context)
        message = EmailMessage()
        message["From"] = self._from
        message["To"] = formataddr((to_name, to_address))
        message["Subject"] = subject
        message["Message-ID"] = make_msgid(domain=self._domain)
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(body)
        if attachment is not None:
            # method= on the part is what makes Outlook treat it as an invitation, not a file.
            message.add_attachment(
                attachment.content, maintype="text", subtype="calendar",
                params={"method": attachment.method, "charset": "utf-8"}, filename=attachment.filename,
            )
        return message

    async def deliver(self, message: EmailMessage) -> bool:
        """Sends a message composed (and queued) earlier."""
        try:
            await self._sender.send(message)
            return True
        except Exception as exc:
            log.warning("queued booking email not sent: %s", type(exc).__name__)
            return False

    async def send(self, template: str, *, to_name: str, to_address: str, context: dict,
                   attachment: Optional[CalendarAttachment] = None) -> bool:
        try:
            message = self.compose(template, to_name=to_name, to_address=to_address, context=context,
                                   attachment=attachment)
            await self._sender.send(message)
            return True
        except Exception as exc:
            # The address is personal data: log only the kind of email and the failure.
            log.warning("booking email %s not sent: %s", template, type(exc).__name__)
            return False
