"""Merging groups, publishing, correcting and unpublishing inbox answers: in Teams end to end over HTTP, and in
the CLI. Published answers are FAQ items in the shared content store, credited to the inclusion team with the
date, so a reworded repeat is answered from them; unpublishing withdraws them. Every action records who and when.
"""
from __future__ import annotations

import subprocess

import pytest

from bot.app import create_app
from bot.content.store import ContentStore
from integrations.db.content import ContentRepository
from integrations.db.inbox import InboxRepository
from tests.content.conftest import SENCOBOT, cli_env, sencobot
from tests.e2e.conftest import serve_bot
from tests.support.teams import STAFF, STAFF_CHAT, as_staff, button, cards, inputs, text_of

FIRST = "Is there free parking at the venue?"
SECOND = "Can I bring my car and leave it somewhere for the day?"
ANSWER = "Yes: parking at Discovery Park is free for forum delegates."


def choices(card, input_id) -> list[dict]:
    return next(i["choices"] for i in card["body"] if i.get("id") == input_id)


class Chat:
    def __init__(self, bot):
        self.bot = bot
        self.seen = 0

    async def send(self, text="", value=None, staff=False, user=None) -> dict:
        changes = {"from": STAFF, "conversation": STAFF_CHAT} if staff else {}
        if user:
            changes = {"from": {"id": user, "name": "A Senco", "aadObjectId": f"aad-{user}"},
                       "conversation": {"conversationType": "personal", "id": f"a:{user}",
                                        "tenantId": STAFF_CHAT["tenantId"]}}
        if value is not None:
            changes["value"] = value
        status, _ = await self.bot.say(text, **changes)
        assert status in (200, 201)
        self.seen += 1
        return (await self.bot.connector.wait_for(self.seen))[-1]


@pytest.fixture
async def chat(settings, clock, sqlite_db):
    app = create_app(as_staff(settings), clock=clock, database=sqlite_db, run_background=False)
    async with serve_bot(app) as running:
        yield Chat(running)


async def test_merge_publish_correct_and_unpublish_in_teams(chat, sqlite_db, clock):
    store = ContentStore(ContentRepository(sqlite_db), clock)
    repo = InboxRepository(sqlite_db)
    await chat.send(FIRST, user="29:amy")
    await chat.send(SECOND, user="29:ben")

    # Merge: the two groups are the same question.
    listing = await chat.send("inbox", staff=True)
    shown = cards(listing)
    assert len([c for c in shown if "Merge" in {a["title"] for a in c["actions"]}]) == 2, listing["text"]
    # Each card is headed by its group's question (the other group appears in its "Same question as" list).
    second = next(c for c in shown if c["body"][0]["text"] == SECOND)
    first_id = next(ch["value"] for ch in choices(second, "merge_into") if "free parking" in ch["title"])
    merged = await chat.send(value={**button(second, "Merge"), **inputs(second), "merge_into": first_id}, staff=True)
    assert "has now been asked 2 times" in merged["text"]
    [(source, by, at)] = await repo.merges(first_id)
    assert (by, at) == ("Clara Green", clock.now()) and source == button(second, "Merge")["cluster_id"]

    # Publish with the answer typed in the card: sent to both askers and answered at once, from the store.
    listing = await chat.send("inbox", staff=True)
    [group] = cards(listing)
    published = await chat.send(value={**button(group, "Publish"), **inputs(group), "answer": ANSWER},
                                staff=True)
    assert "Published" in published["text"] and "I answer it from now on" in published["text"]
    [entry] = await repo.published_entries()
    item = await store.get("faq", entry.faq_id)
    assert item.doc["entry"]["answer"] == ANSWER
    assert item.doc["entry"]["source"]["session"] == "Inclusion team answer, 26 November 2026"
    assert SECOND in item.doc["entry"]["alternatives"]            # the other wording finds it too
    [change] = [c for c in await store.history(kind="faq", key=entry.faq_id)]
    assert (change.action, change.changed_by, change.changed_at) == ("add", "Clara Green", clock.now())
    repeat = text_of(await chat.send("Is parking free at the venue?", user="29:cat"))
    assert ANSWER in repeat and "Inclusion team answer, 26 November 2026" in repeat

    # Correct it from the "published answers" card: a reason is required; the new answer is given at once.
    listing = await chat.send("published answers", staff=True)
    [card] = cards(listing)
    corrected = "Yes: parking is free, but the car park fills by 9am."
    refused = await chat.send(value={**button(card, "Save correction"), **inputs(card), "f_answer": corrected},
                              staff=True)
    assert "say why" in refused["text"]
    done = await chat.send(value={**button(card, "Save correction"), **inputs(card), "f_answer": corrected,
                                  "why": "the car park fills early"}, staff=True)
    assert "Corrected" in done["text"], done["text"]
    assert corrected in text_of(await chat.send("Is parking free at the venue?", user="29:dan"))
    assert (await repo.published_entries())[0].answer == corrected

    # Unpublish: no longer answered; the group is back in the inbox as answered; who, when and why kept.
    listing = await chat.send("published answers", staff=True)
    [card] = cards(listing)
    gone = await chat.send(value={**button(card, "Unpublish"), **inputs(card), "why": "the venue changed"},
                           staff=True)
    assert "Unpublished" in gone["text"], gone["text"]
    assert await store.get("faq", entry.faq_id) is None
    latest = (await store.history(kind="faq", key=entry.faq_id))[0]
    assert (latest.action, latest.changed_by, latest.why) == ("withdraw", "Clara Green", "the venue changed")
    after = text_of(await chat.send("Is parking free at the venue?", user="29:eve"))
    assert corrected not in after
    assert [c.status for c in await repo.clusters(("answered",))] == ["answered"]
    assert await repo.published_entries() == []

    # Someone who is not staff presses a card: refused, nothing changes.
    refused = await chat.send(value={**button(card, "Unpublish"), "why": "x"}, user="29:amy")
    assert "only the inclusion team" in refused["text"]


@pytest.mark.timeout(400)
async def test_merge_publish_correct_and_unpublish_from_the_cli(settings, sqlite_db, clock):
    from bot.assistant import build_assistant
    from bot.console import Conversation
    from bot.core import build_core

    url = settings.database.url

    def cli(*args):
        return sencobot(url, *args, SENCOBOT_NOW=clock.now().isoformat())
    core = build_core(settings, clock=clock, database=sqlite_db)
    bot = build_assistant(core).bot
    for user, text in (("29:amy", FIRST), ("29:ben", SECOND)):
        await Conversation(bot, user_id=user, name="A Senco", channel_id="msteams").says(text)
    repo = InboxRepository(sqlite_db)
    groups = cli("inbox", "groups").stdout
    assert "2 groups waiting." in groups
    ids = {c.question: c.id for c in await repo.clusters(("open",))}
    merged = cli("inbox", "merge", ids[SECOND][:8], ids[FIRST][:8], "--by", "Ruth Gately").stdout
    assert "has now been asked 2 times" in merged
    [(_, by, _)] = await repo.merges(ids[FIRST])
    assert by == "Ruth Gately"

    published = cli("inbox", "publish", ids[FIRST][:8], "--answer", ANSWER, "--topic", "Venues",
                         "--by", "Ruth Gately").stdout
    assert "Published \"Is there free parking at the venue?\"" in published
    assert "Inclusion team answer, 26 November 2026" in published
    listed = cli("inbox", "published").stdout
    [entry] = await repo.published_entries()
    assert entry.faq_id in listed and "published by Ruth Gately" in listed

    cli("inbox", "edit", entry.faq_id, "--answer", "Free, until 9am.", "--why", "car park fills",
             "--by", "Ruth Gately")
    store = ContentStore(ContentRepository(sqlite_db), clock)
    assert (await store.get("faq", entry.faq_id)).doc["entry"]["answer"] == "Free, until 9am."
    assert (await store.get("faq", entry.faq_id)).doc["topic"] == "venues"
    unpublished = cli("inbox", "unpublish", ids[FIRST][:8], "--why", "venue changed",
                           "--by", "Ruth Gately").stdout
    assert f"Unpublished {entry.faq_id}" in unpublished
    assert await store.get("faq", entry.faq_id) is None
    history = [(c.action, c.changed_by) for c in await store.history(kind="faq", key=entry.faq_id)]
    assert history == [("withdraw", "Ruth Gately"), ("edit", "Ruth Gately"), ("add", "Ruth Gately")]
    failed = subprocess.run([*SENCOBOT, "inbox", "unpublish", "nope", "--why", "x"], env=cli_env(url, SENCOBOT_NOW=clock.now().isoformat()),
                            capture_output=True, text=True, timeout=120)
    assert failed.returncode == 1 and "No published answer has the id 'nope'" in failed.stderr


async def test_answers_published_before_the_store_held_them_move_in_once(settings, sqlite_db, clock):
    """An entry published by the old code path (only in inbox_published) is answered from the store after an
    upgrade, credited as before, and not added twice."""
    from datetime import timedelta

    from bot.assistant import build_assistant
    from bot.console import Conversation
    from bot.core import build_core
    from integrations.db.inbox import PublishedEntry

    repo = InboxRepository(sqlite_db)
    cluster = await repo.create_cluster(FIRST, clock.now() - timedelta(days=30))
    await repo.answer_cluster(cluster.id, ANSWER, "Olu", clock.now() - timedelta(days=30))
    await repo.publish_cluster(cluster.id, PublishedEntry(
        faq_id="inbox-is-there-free-parking-at-the-venue-abc123", cluster_id=cluster.id, question=FIRST,
        answer=ANSWER, alternatives=(), tags=("questions-from-schools", "inbox"),
        session="Inclusion team answer, 27 October 2026", presenter=None, forum="term4-2025",
        published_at=clock.now() - timedelta(days=30), published_by="Olu"))
    assistant = build_assistant(build_core(settings, clock=clock, database=sqlite_db))
    senco = Conversation(assistant.bot, user_id="29:s", name="Sam", channel_id="msteams")
    assert ANSWER in (await senco.says("Is there free parking at the venue?"))[-1].text
    store = ContentStore(ContentRepository(sqlite_db), clock)
    [change] = await store.history(kind="faq", key="inbox-is-there-free-parking-at-the-venue-abc123")
    assert change.changed_by == "Olu"
    assert await assistant.features.inbox.service.publishing.sync_published() == 0
