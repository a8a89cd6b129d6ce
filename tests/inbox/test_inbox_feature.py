"""Staff triage in Teams beyond the main flow: merge and dismiss from cards, help, an empty inbox."""
from __future__ import annotations

from dataclasses import replace
from bot.console import Conversation
from bot.notify import RecordingNotifier
from bot.assistant import build_assistant
from bot.core import build_core


async def test_staff_merge_then_dismiss_from_the_cards(settings, sqlite_db, clock):
    services = build_core(settings.replace(**{"bot.staff_ids": ["aad-staff"]}), clock=clock, database=sqlite_db)
    # Observe the notices; queueing and sending them is the reminder scheduler's job.
    services = replace(services, notifier=RecordingNotifier())
    bot = build_assistant(services).bot
    askers = [Conversation(bot, user_id=f"29:s{n}", name=f"Senco {n}", aad_object_id=f"aad-{n}", channel_id="msteams")
              for n in range(2)]
    officer = Conversation(bot, user_id="29:officer", name="Olu Officer", aad_object_id="aad-staff",
                           channel_id="msteams")
    assert "The inbox is empty" in (await officer.says("inbox"))[-1].text

    await askers[0].says("Is there free parking at the venue?")
    await askers[1].says("Can we bring a teaching assistant along to the forum?")
    replies = await officer.says("show inbox")
    cards = [r for r in replies if r.card]
    assert "2 groups of questions (2 questions) are waiting." in replies[-1].text
    assert len(cards) == 2 and all("Merge" in [t for t, _ in c.choices] for c in cards)

    # Staff decide the second is the same question as the first.
    first, second = cards
    merge_data = dict(second.choices[1][1])
    target = first.choices[0][1]["cluster_id"]
    replies = await officer.presses({**merge_data, "merge_into": target})
    assert "has now been asked 2 times" in replies[-1].text
    replies = await officer.presses(merge_data)
    assert "Choose which question" in replies[-1].text

    replies = await officer.says("inbox")
    [card] = [r for r in replies if r.card]
    assert "Asked 2 times (2 in Teams)" in card.text
    await officer.button("Dismiss")
    assert "Dismissed" in officer.replies[-1].text
    assert "The inbox is empty" in (await officer.says("inbox"))[-1].text
    assert services.notifier.notices == []


async def test_help_lists_the_inbox_for_staff_only(settings, sqlite_db, clock):
    services = build_core(settings.replace(**{"bot.staff_ids": ["aad-staff"]}), clock=clock, database=sqlite_db)
    # Observe the notices; queueing and sending them is the reminder scheduler's job.
    services = replace(services, notifier=RecordingNotifier())
    bot = build_assistant(services).bot
    staff = Conversation(bot, user_id="29:o", name="Olu", aad_object_id="aad-staff", channel_id="msteams")
    senco = Conversation(bot, user_id="29:s", name="Sam", aad_object_id="aad-sam", channel_id="msteams")
    assert "inbox" in (await staff.says("help"))[-1].text
    assert "inbox" not in (await senco.says("help"))[-1].text
