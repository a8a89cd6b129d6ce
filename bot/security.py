"""Start-up safety checks for where and how the bot listens."""
from __future__ import annotations

import ipaddress
import logging

from bot.settings import Settings, SettingsError

log = logging.getLogger(__name__)


def is_loopback(host: str) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_listen_address(settings: Settings) -> None:
    """Anonymous mode has no authentication, so it may only listen on loopback unless told otherwise."""
    if settings.bot.app_id:
        return
    if is_loopback(settings.server.host):
        log.info("anonymous mode (no MicrosoftAppId): listening on loopback only, for local use")
        return
    if settings.server.allow_anonymous_non_loopback:
        log.warning("anonymous mode on a non-loopback address: requests are NOT authenticated")
        return
    raise SettingsError(
        f"server.host: anonymous mode (no MicrosoftAppId) listens only on loopback, not {settings.server.host}; "
        "set MicrosoftAppId, or server.allow_anonymous_non_loopback: true behind your own authentication"
    )
