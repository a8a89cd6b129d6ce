"""Background jobs: a failing round is logged by type only and retried; shutdown never hangs."""
import asyncio
import logging

from bot import background
from bot.background import periodic, while_serving


async def test_a_failing_round_is_logged_without_its_message_and_the_job_keeps_running(caplog):
    rounds = []

    async def tick():
        rounds.append(len(rounds))
        if len(rounds) == 1:
            raise RuntimeError("pupil Jamie Hollis, 07700 900123")

    job = periodic("test job", tick, 0.01)
    running = job(None)
    with caplog.at_level(logging.WARNING):
        await running.__anext__()
        for _ in range(100):
            if len(rounds) >= 3:
                break
            await asyncio.sleep(0.01)
        await running.aclose()
    assert len(rounds) >= 3
    assert "test job failed" in caplog.text and "RuntimeError" in caplog.text
    assert "Jamie" not in caplog.text and "07700" not in caplog.text
    assert job.background_name == "test job"


async def test_a_sync_tick_and_a_before_step_both_run():
    calls = []

    async def before():
        calls.append("before")

    job = periodic("sync job", lambda: calls.append("tick"), 10, before=before)
    running = job(None)
    await running.__anext__()
    await asyncio.sleep(0.01)
    await running.aclose()
    assert calls[:2] == ["before", "tick"]


async def test_shutdown_does_not_wait_forever_for_a_job_that_ignores_cancellation(monkeypatch):
    monkeypatch.setattr(background, "STOP_TIMEOUT_SECONDS", 0.1)

    async def stubborn():
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            pass  # ignores the first cancellation, like a round blocked in a worker thread
        await asyncio.sleep(10)  # the test loop's own clean-up cancels this second wait

    job = while_serving("stubborn", stubborn)
    running = job(None)
    await running.__anext__()
    started = asyncio.get_running_loop().time()
    await running.aclose()
    assert asyncio.get_running_loop().time() - started < 1.0
