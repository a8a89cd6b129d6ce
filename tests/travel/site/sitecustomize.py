"""Moves this Python process's real clock when ``TIME_TRAVEL_TO`` is set (see tests/travel)."""
from __future__ import annotations

import os


def travel_from_environ():
    instant = os.environ.get("TIME_TRAVEL_TO")
    if not instant:
        return None
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    import time_machine

    destination = datetime.fromisoformat(instant)
    if destination.tzinfo is None:
        destination = destination.replace(tzinfo=ZoneInfo("Europe/London"))
    # Children started later must share the parent's timeline, not each restart at the instant:
    # the parent records where real time stood when it travelled.
    started = os.environ.get("TIME_TRAVEL_STARTED")
    if started:
        import time

        destination = destination + timedelta(seconds=time.time() - float(started))
    else:
        import time

        os.environ["TIME_TRAVEL_STARTED"] = repr(time.time())
    traveller = time_machine.travel(destination, tick=True)
    traveller.start()
    return traveller


_traveller = travel_from_environ()
