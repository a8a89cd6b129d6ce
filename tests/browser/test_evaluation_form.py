"""The evaluation form in a real headless browser: Debian's Chromium driven by Playwright.

Chromium comes from the distribution (tests/browser/ensure_chromium.sh, run by `make test`); a
browser is never downloaded. JavaScript is switched off: the form must work without it.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.evaluations.conftest import FORUM

CHROMIUM = Path(os.environ.get("SENCOBOT_CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]

playwright_api = pytest.importorskip(
    "playwright.async_api", reason="the playwright package is not installed (pip install -e '.[dev]')")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"Debian's Chromium is not installed at {CHROMIUM} and could not be installed here "
           "(tests/browser/ensure_chromium.sh runs `apt-get install -y chromium` where it can)",
)


@pytest.fixture
async def browser():
    async with playwright_api.async_playwright() as playwright:
        instance = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            yield instance
        finally:
            await instance.close()


async def test_a_senco_fills_in_the_form_in_a_browser_and_the_answers_are_stored(web_bot, browser, tmp_path):
    service = web_bot.evaluations
    link = await service.form_link(service.forum(FORUM), "29:browser-user", channel="teams")
    url = web_bot.url + link[len("http://bot.test"):]
    context = await browser.new_context(java_script_enabled=False)
    page = await context.new_page()

    response = await page.goto(url)
    assert response.status == 200
    assert await page.title() == "Evaluation: Countywide SENCO Forum, March 2025 – Inclusion team"

    # Found the way assistive technology finds them: radio groups by their legend, fields by their label.
    await page.get_by_role("group", name="Which forum did you attend?").get_by_label("Secondary").check()
    await page.get_by_role("group", name="Overall, how would you rate the forum?").get_by_label("4 – Very good").check()
    tribunal = page.get_by_role("group", name="Tribunal – the role of the school (Georgette Williams)")
    await tribunal.get_by_label("5 – Extremely useful").check()
    await page.get_by_role("group", name="STLS Update (Samantha Sheppard)").get_by_label("3 – Useful").check()
    await page.get_by_label("What was most useful?").fill("The countdown to a tribunal hearing")
    await page.get_by_label("What could be better?").fill("More time for questions")
    topics = page.get_by_role("group", name="Which topics would you like at the next forum?")
    await topics.get_by_label("EHCP").check()
    await topics.get_by_label("Transition Plans").check()
    await page.get_by_label("Other topics you would like next time").fill("Attendance")
    await page.get_by_role("button", name="Send my answers").click()

    await page.get_by_role("heading", name="Thank you: your answers are saved").wait_for()
    assert page.url.endswith("/thanks")
    await page.screenshot(path=str(tmp_path / "thanks.png"))

    stored = await service.answers_of(FORUM, "29:browser-user")
    assert (stored.phase, stored.overall) == ("secondary", 4)
    assert dict(stored.ratings) == {"tribunal": 5, "stls-update": 3}
    assert stored.most_useful == "The countdown to a tribunal hearing"
    assert stored.could_be_better == "More time for questions"
    assert stored.topics == ("transition-plans", "ehcp") and stored.topics_other == "Attendance"

    # Following "change your answers" shows the form again with the stored answers ticked.
    await page.get_by_role("link", name="change your answers").click()
    assert await page.get_by_role("group", name="Overall, how would you rate the forum?").get_by_label(
        "4 – Very good").is_checked()
    await context.close()
