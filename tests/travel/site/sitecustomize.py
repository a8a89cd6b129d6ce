"""Moves this Python process's real clock when ``TIME_TRAVEL_TO`` is set (see tests/travel)."""
from __future__ import annotations

import os


def travel_from_environ():
    instant = os.environ.get("TIME_TRAVEL_TO")
    if not instant:
        return None
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import time_machine

    destination = datetime.fromisoformat(instant)
    if destination.tzinfo is None:
        destination = destination.replace(tzinfo=ZoneInfo("Europe/London"))
    traveller = time_machine.travel(destination, tick=True)
    traveller.start()
    return traveller


_traveller = travel_from_environ()
