"""Local stand-ins for the services the bot talks to (Bot Connector, SMTP, IMAP, OpenID, HTTP)."""
from __future__ import annotations


def running(stand_in):
    """Starts a thread-backed stand-in and stops it afterwards, for a fixture: ``yield from running(...)``."""
    stand_in.start()
    try:
        yield stand_in
    finally:
        stand_in.stop()
