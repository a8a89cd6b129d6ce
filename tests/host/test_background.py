"""Background jobs: a failing round is logged by type only and retried; shutdown never hangs.

The loops wait on the process clock, so these tests advance a fake clock instead of sleeping.
"""
import asyncio
import logging
from datetime import timedelta

from bot import background
from bot.background import periodic, while_serving


async def settle():
    for _ in range(5):
        await asyncio.sleep(0)


async def test_a_failing_round_is_logged_without_its_message_and_the_job_keeps_running(caplog, clock):
    rounds = []

    async def tick():
        rounds.append(len(rounds))
        if len(rounds) == 1:
            raise RuntimeError("pupil Jamie Hollis, 07700 900123")

    job = periodic("test job", tick, 30, clock=clock)
    running = job(None)
    with caplog.at_level(logging.WARNING):
        await running.__anext__()
        await settle()
        assert len(rounds) == 1, "the next round waits for the clock"
        for _ in range(2):
            clock.advance(timedelta(seconds=30))
            await settle()
        await running.aclose()
    assert len(rounds) == 3
    assert "test job failed" in caplog.text and "RuntimeError" in caplog.text
    assert "Jamie" not in caplog.text and "07700" not in caplog.text
    assert job.background_name == "test job"


async def test_a_round_does_not_run_before_its_interval_has_passed(clock):
    rounds = []
    job = periodic("paced job", lambda: rounds.append(1), 60, clock=clock)
    running = job(None)
    await running.__anext__()
    await settle()
    clock.advance(timedelta(seconds=59))
    await settle()
    assert len(rounds) == 1
    clock.advance(timedelta(seconds=1))
    await settle()
    assert len(rounds) == 2
    await running.aclose()


async def test_a_sync_tick_and_a_before_step_both_run(clock):
    calls = []

    async def before():
        calls.append("before")

    job = periodic("sync job", lambda: calls.append("tick"), 10, before=before, clock=clock)
    running = job(None)
    await running.__anext__()
    await settle()
    await running.aclose()
    assert calls[:2] == ["before", "tick"]


async def test_shutdown_does_not_wait_forever_for_a_job_that_ignores_cancellation(monkeypatch):
    monkeypatch.setattr(background, "STOP_TIMEOUT_SECONDS", 0.1)

    async def stubborn():
        # Waits that never end on their own: they stand for a round stuck in a worker thread.
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            pass  # ignores the first cancellation, like a round blocked in a worker thread
        await asyncio.Event().wait()

    job = while_serving("stubborn", stubborn)
    running = job(None)
    await running.__anext__()
    started = asyncio.get_running_loop().time()
    await running.aclose()
    assert asyncio.get_running_loop().time() - started < 1.0
    # The job outlived shutdown on purpose; end it here rather than leave the loop's teardown waiting on it.
    leftovers = [task for task in asyncio.all_tasks() if task.get_name() == "stubborn"]
    for task in leftovers:
        task.cancel()
    await asyncio.gather(*leftovers, return_exceptions=True)
    assert leftovers
