"""Race benchmark: 500 people book a 50-place event at the same moment, then 20 cancel at once.

    python bench/booking_race.py [--db sqlite|postgresql|both] [--attempts 500] [--capacity 50] [--cancel 20]

Expected on both databases: exactly 50 confirmed and 450 waitlisted, no errors, nothing lost;
the 20 cancellations promote exactly the first 20 people on the waiting list, in joining order.
Each database's run ends with one machine-readable line:

    booking_race db=sqlite confirmed=50 waitlisted=450 errors=0 lost=0 promoted_in_order=20 p50_ms=… p99_ms=…

PostgreSQL: a throwaway database is created on SENCOBOT_BENCH_PG (default
postgresql://postgres@127.0.0.1:5432/test) and dropped afterwards.
"""
from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.bookings.service import BookingService, EventCatalogue, Person  # noqa: E402
from bot.notify import RecordingNotifier  # noqa: E402
from bot.signed_links import LinkSigner  # noqa: E402
from integrations.db import Database  # noqa: E402
from integrations.db.bookings import BookingRepository  # noqa: E402
from integrations.db.migrate import upgrade  # noqa: E402
from knowledge.events import (DEFAULT_EVENTS_FILE, event_to_raw, load_events, render_entry,  # noqa: E402
                              replace_entry_text)

EVENT_ID = "induction-west-2025-05-02"
# While bookings for the deck's events were open (the forum was on 19 March 2025).
BOOKING_DAY = datetime(2025, 4, 1, 9, 0, tzinfo=timezone.utc)
PG_ADMIN_URL = os.environ.get("SENCOBOT_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")


class RunningClock:
    """Real time moved back to the booking window, so timestamps still order the promotions."""

    def __init__(self, start: datetime):
        self._start = start
        self._origin = time.perf_counter()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.perf_counter() - self._origin)


def events_file(folder: Path, capacity: int) -> Path:
    path = folder / "events.yaml"
    event = dataclasses.replace(load_events().get(EVENT_ID), capacity=capacity)
    path.write_text(replace_entry_text(DEFAULT_EVENTS_FILE.read_text(encoding="utf-8"), EVENT_ID,
                                       render_entry(event_to_raw(event))), encoding="utf-8")
    return path


def service_for(database: Database, events_path: Path, notifier: RecordingNotifier) -> BookingService:
    return BookingService(
        BookingRepository(database), EventCatalogue(events_path, default_capacity=60), RunningClock(BOOKING_DAY),
        notifier=notifier, signer=LinkSigner("bench"), public_base_url="http://127.0.0.1:3978",
        organizer_email="inclusion@kent.gov.uk", organizer_name="Inclusion team",
    )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def race(database: Database, label: str, attempts: int, capacity: int, cancellations: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        notifier = RecordingNotifier()
        service = service_for(database, events_file(Path(folder), capacity), notifier)
        await service.refresh()  # the catalogue is in the database before the clock starts

        start = asyncio.Event()
        latencies: list[float] = []

        async def attempt(n: int):
            await start.wait()
            began = time.perf_counter()
            try:
                return await service.book(EVENT_ID, Person(f"29:race-{n}", f"SENCO {n}", f"School {n}",
                                                           f"senco{n}@school{n}.kent.sch.uk"))
            finally:
                latencies.append((time.perf_counter() - began) * 1000)

        tasks = [asyncio.create_task(attempt(n)) for n in range(attempts)]
        await asyncio.sleep(0)
        wall = time.perf_counter()
        start.set()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        wall = time.perf_counter() - wall

        errors = [r for r in results if isinstance(r, BaseException) or r.outcome not in ("confirmed", "waitlisted")]
        reported = {r.booking.ref: r.outcome for r in results if not isinstance(r, BaseException) and r.booking}
        rows = await service.bookings_for(EVENT_ID)
        stored = {b.ref: b.status for b in rows}
        lost = sum(1 for ref, status in reported.items() if stored.get(ref) != status)
        lost += sum(1 for ref in stored if ref not in reported)
        confirmed = sum(1 for s in stored.values() if s == "confirmed")
        waitlisted = sum(1 for s in stored.values() if s == "waitlisted")
        for error in errors[:3]:
            print(f"  error: {error!r}"[:300])
        print(f"{label}: {attempts} concurrent attempts in {wall:.2f} s -> {confirmed} confirmed, "
              f"{waitlisted} waitlisted, {len(errors)} errors, {lost} lost")

        # Twenty confirmed people cancel at the same moment.
        waiting_before = [b for b in rows if b.status == "waitlisted"]  # joining order
        leaving = [b for b in rows if b.status == "confirmed"][:cancellations]
        cancelled = await asyncio.gather(*(service.cancel(b.ref, user_id=b.user_id) for b in leaving),
                                         return_exceptions=True)
        cancel_errors = [c for c in cancelled if isinstance(c, BaseException) or c.outcome != "cancelled"]
        promoted = sorted((p for c in cancelled if not isinstance(c, BaseException) for p in c.promoted),
                          key=lambda b: (b.confirmed_at, b.id))
        in_order = sum(1 for got, expected in zip(promoted, waiting_before) if got.id == expected.id)
        after = await service.bookings_for(EVENT_ID)
        confirmed_after = sum(1 for b in after if b.status == "confirmed")
        notices = sum(1 for n in notifier.notices if n.kind == "booking.promoted")
        print(f"{label}: {len(leaving)} concurrent cancellations -> {len(promoted)} promoted "
              f"({in_order} in joining order), {notices} promotion notices, {len(cancel_errors)} errors; "
              f"now {confirmed_after} confirmed")
        p50, p99 = percentile(latencies, 0.50), percentile(latencies, 0.99)
        print(f"{label}: booking latency p50 {p50:.1f} ms, p99 {p99:.1f} ms, mean {statistics.mean(latencies):.1f} ms")
        return dict(confirmed=confirmed, waitlisted=waitlisted, errors=len(errors) + len(cancel_errors), lost=lost,
                    promoted_in_order=in_order if confirmed_after == capacity else 0, p50_ms=round(p50, 1),
                    p99_ms=round(p99, 1))


async def run_sqlite(args) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        database = Database(f"sqlite+aiosqlite:///{folder}/race.db")
        try:
            await upgrade(database)
            return await race(database, "sqlite", args.attempts, args.capacity, args.cancel)
        finally:
            await database.dispose()


async def run_postgresql(args) -> dict:
    import asyncpg

    admin = PG_ADMIN_URL.replace("postgresql://", "postgres://")
    name = f"booking_race_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(admin)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    database = Database(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}")
    try:
        await upgrade(database)
        return await race(database, "postgresql", args.attempts, args.capacity, args.cancel)
    finally:
        await database.dispose()
        conn = await asyncpg.connect(admin)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--attempts", type=int, default=500)
    parser.add_argument("--capacity", type=int, default=50)
    parser.add_argument("--cancel", type=int, default=20)
    args = parser.parse_args(argv)
    ok = True
    for db in (("sqlite", "postgresql") if args.db == "both" else (args.db,)):
        figures = asyncio.run(run_sqlite(args) if db == "sqlite" else run_postgresql(args))
        print("booking_race db=" + db + " " + " ".join(f"{k}={v}" for k, v in figures.items()), flush=True)
        ok &= (figures["confirmed"] == args.capacity
               and figures["waitlisted"] == args.attempts - args.capacity
               and figures["errors"] == 0 and figures["lost"] == 0
               and figures["promoted_in_order"] == min(args.cancel, args.attempts - args.capacity))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
