"""One clock: product code never reads the real clock except through ``bot.clock``.

A date rule that reads the real clock passes today and breaks on some later day (a time bomb);
this test finds such a read the moment it is written.
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("bot", "dialogs", "knowledge", "integrations")
THE_CLOCK_MODULE = ROOT / "bot" / "clock.py"
# attribute calls that read the wall clock, whatever the module was imported as
REAL_CLOCK_READS = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"),
                    ("time", "time"), ("time", "time_ns"), ("time", "localtime"), ("time", "gmtime")}


def real_clock_reads(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        owner = node.func.value
        owner_name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", None)
        if (owner_name, node.func.attr) in REAL_CLOCK_READS:
            found.append((node.lineno, f"{owner_name}.{node.func.attr}()"))
    return found


def product_files():
    for folder in PRODUCT:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path != THE_CLOCK_MODULE and "migrations" not in path.parts:
                yield path


def test_no_product_module_reads_the_real_clock():
    offenders = [f"{path.relative_to(ROOT)}:{line}: {call}"
                 for path in product_files() for line, call in real_clock_reads(path.read_text())]
    assert offenders == [], "read the injected Clock instead:\n" + "\n".join(offenders)


@pytest.mark.parametrize("source", [
    "import datetime\nstamp = datetime.datetime.now()",
    "from datetime import datetime, timezone\nstamp = datetime.now(timezone.utc)",
    "from datetime import date\ntoday = date.today()",
    "import time\nstarted = time.time()",
    "import datetime as dt\ntoday = dt.date.today()",
])
def test_the_check_catches_every_way_of_reading_the_clock(source):
    assert real_clock_reads(source), source


def test_the_check_leaves_clock_arithmetic_alone():
    assert real_clock_reads("stamp = clock.now()\nlater = stamp + timedelta(days=1)\nzone = when.astimezone(LONDON)") == []
