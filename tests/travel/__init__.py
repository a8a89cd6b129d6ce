"""``pytest --travel-to 2031-01-06T08:05``: run the suite with the process clock moved to another instant.

A test that passes only because of today's date is a time bomb. This plugin moves the real clock
(``time.time``, ``datetime.now`` …, via time-machine) of the test process *and of every Python process
the tests start* (servers, workers) to the given instant, and lets it keep ticking from there.
Child processes pick it up through ``sitecustomize`` in ``tests/travel/site``, which the plugin puts
on ``PYTHONPATH`` together with the instant in ``TIME_TRAVEL_TO``.
"""
from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

TRAVEL_VARIABLE = "TIME_TRAVEL_TO"
SITE_DIR = Path(__file__).resolve().parent / "site"


def pytest_addoption(parser):
    parser.addoption("--travel-to", metavar="INSTANT", default=None,
                     help="run with the real clock moved to this London time (e.g. 2031-01-06T08:05), ticking on")


def pytest_configure(config):
    instant = config.getoption("--travel-to")
    if not instant:
        return
    datetime.fromisoformat(instant)  # a typo fails here, not as a puzzling clock later
    os.environ[TRAVEL_VARIABLE] = instant
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SITE_DIR), os.environ.get("PYTHONPATH")]))
    # Importing the module travels once (as sitecustomize does in child processes); travelling a second
    # time here would start from the already-moved clock and put this process months ahead of its children.
    from tests.travel.site import sitecustomize as site

    config._travel = site._traveller


def pytest_report_header(config):
    instant = config.getoption("--travel-to")
    if instant:
        return f"travelling: the real clock starts at {instant} Europe/London and ticks on"


def pytest_unconfigure(config):
    traveller = getattr(config, "_travel", None)
    if traveller is not None:
        traveller.stop()
