"""The email assistant's storage on SQLite and PostgreSQL: decisions once, the window, the outbox, the lease."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from integrations.db.mail import MailRepository, PlannedReply, ReplyWindow
from integrations.db.migrate import current_revisions

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)
WINDOW = ReplyWindow(timedelta(hours=24), 3)


def reply(confident=False, n=1):
    return PlannedReply(reply_message_id=f"<r{n}@kent.gov.uk>", content=b"To: a@b\r\n\r\nhi",
                        confident=confident, decision="answer" if confident else "acknowledge")


async def decide(repo, key, sender="s1", planned=None, reason=None, now=NOW):
    return await repo.decide(message_key=key, sender_hash=sender, reply=planned, no_reply_reason=reason,
                             window=WINDOW, now=now)


async def test_the_mail_migration_is_a_head(any_db):
    assert "0005_mail" in await current_revisions(any_db)


async def test_a_message_is_decided_once_with_its_reply(any_db):
    repo = MailRepository(any_db)
    first = await decide(repo, "k1", planned=reply())
    assert first.created and first.decision == "acknowledge" and first.outbox_id
    again = await decide(repo, "k1", planned=reply(n=2))
    assert not again.created and again.decision == "acknowledge"
    (item,) = await repo.unsent()
    assert item.reply_message_id == "<r1@kent.gov.uk>" and item.content.startswith(b"To:")


async def test_the_window_allows_one_reply_then_only_confident_ones_up_to_the_cap(any_db):
    repo = MailRepository(any_db)
    assert (await decide(repo, "a", planned=reply())).decision == "acknowledge"
    later = NOW + timedelta(hours=1)
    second = await decide(repo, "b", planned=reply(), now=later)
    assert (second.decision, second.reason, second.outbox_id) == ("log", "reply-window", None)
    assert (await decide(repo, "c", planned=reply(True), now=later)).decision == "answer"
    assert (await decide(repo, "d", planned=reply(True), now=later)).decision == "answer"
    assert (await decide(repo, "e", planned=reply(True), now=later)).reason == "reply-window", "capped at 3"
    assert (await decide(repo, "f", sender="other", planned=reply(), now=later)).decision == "acknowledge"
    assert (await decide(repo, "g", planned=reply(), now=NOW + timedelta(hours=24))).decision == "acknowledge"
    assert len(await repo.unsent()) == 5


async def test_no_reply_reasons_are_kept(any_db):
    repo = MailRepository(any_db)
    decided = await decide(repo, "k", reason="auto-submitted")
    assert (decided.decision, decided.reason) == ("log", "auto-submitted")
    assert (await repo.processed("k")).reason == "auto-submitted"
    assert await repo.unsent() == []


async def test_sent_replies_are_blanked_and_purged(any_db):
    repo = MailRepository(any_db)
    decided = await decide(repo, "k", planned=reply())
    await repo.note_failure(decided.outbox_id, "SMTPServerDisconnected", NOW)
    (item,) = await repo.unsent()
    assert item.attempts == 1 and item.last_attempt_at == NOW
    assert await repo.mark_sent(decided.outbox_id, NOW)
    assert not await repo.mark_sent(decided.outbox_id, NOW), "marked once"
    assert await repo.unsent() == []
    assert await repo.purge_sent(NOW + timedelta(days=31)) == 1
    counts = await repo.counts()
    assert counts["processed"] == 1 and counts["queued"] == 0


async def test_logged_marks(any_db):
    repo = MailRepository(any_db)
    await decide(repo, "k", planned=reply())
    assert (await repo.processed("k")).logged_at is None
    await repo.mark_logged("k", "q" * 40, NOW)
    found = await repo.processed("k")
    assert found.logged_at == NOW and found.query_id == "q" * 32


async def test_one_worker_holds_a_mailbox_until_its_lease_runs_out(any_db):
    repo = MailRepository(any_db)
    lease = timedelta(minutes=2)
    cursor = await repo.acquire("imap:box", "w1", NOW, lease)
    assert cursor is not None and cursor.position is None
    assert await repo.acquire("imap:box", "w2", NOW + timedelta(minutes=1), lease) is None
    assert await repo.advance("imap:box", "w1", "7:42", NOW)
    assert not await repo.advance("imap:box", "w2", "7:99", NOW)
    taken = await repo.acquire("imap:box", "w2", NOW + timedelta(minutes=3), lease)
    assert taken is not None and taken.position == "7:42"
    assert await repo.acquire("imap:box", "w1", NOW + timedelta(minutes=3), lease) is None
    await repo.release("imap:box", "w2")
    assert (await repo.acquire("imap:box", "w1", NOW + timedelta(minutes=3), lease)).position == "7:42"
