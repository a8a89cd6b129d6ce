"""Background work that runs while the web app serves (aiohttp ``cleanup_ctx`` callables).

Every feature's periodic job goes through ``periodic``: one place decides how a job is
started, how a failing round is logged (its type only: rounds handle personal data) and
how it is stopped at shutdown without holding the process up.
"""
from __future__ import annotations

import asyncio
import inspect
import logging
from typing import Any, AsyncIterator, Awaitable, Callable, Optional, Union

from bot.clock import Clock

log = logging.getLogger(__name__)

BackgroundTask = Callable[[Any], AsyncIterator[None]]
STOP_TIMEOUT_SECONDS = 5.0


def periodic(
    name: str,
    tick: Callable[[], Any],
    every: Union[float, Callable[[], float]],
    *,
    clock: Clock,
    before: Optional[Callable[[], Awaitable[Any]]] = None,
) -> BackgroundTask:
    """Runs ``tick`` (sync or async) now and then every ``every`` seconds; ``before`` runs once at start-up,
    before the app takes requests. A failing round is logged and retried next time. The wait is on the
    process clock, so a test moves the loop on by advancing its fake clock instead of sleeping."""

    async def loop():
        while True:
            try:
                result = tick()
                if inspect.isawaitable(result):
                    await result
            except Exception as exc:
                log.warning("%s failed, trying again later: %s", name, type(exc).__name__)
            await clock.sleep(every() if callable(every) else every)

    async def run(app):
        if before is not None:
            try:
                await before()
            except Exception as exc:
                log.warning("%s start-up step failed: %s", name, type(exc).__name__)
        task = asyncio.create_task(loop(), name=name)
        yield
        await stop(task)

    run.background_name = name  # lets operators' tools and tests find a job by name
    return run


def while_serving(name: str, make_coroutine: Callable[[], Awaitable[Any]]) -> BackgroundTask:
    """Runs a long-lived worker coroutine for as long as the app serves."""

    async def run(app):
        task = asyncio.create_task(make_coroutine(), name=name)
        yield
        await stop(task)

    run.background_name = name
    return run


async def stop(task: asyncio.Task) -> None:
    task.cancel()
    # A round blocked in a worker thread cannot be cancelled; do not hold shutdown hostage to it.
    done, _ = await asyncio.wait({task}, timeout=STOP_TIMEOUT_SECONDS)
    if not done:
        log.warning("background task %s did not stop within %.0f s", task.get_name(), STOP_TIMEOUT_SECONDS)
