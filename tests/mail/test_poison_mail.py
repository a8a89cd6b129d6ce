"""Mail that cannot be handled never stops the mail behind it: lenient decoding where the text can still be
read, quarantine (kept for staff, with the reason) after bounded tries. And the review's minor mail items:
a crashed worker's lease, a Message-ID reused by someone else, a ceiling on auto-replies, a keyed hash."""
from __future__ import annotations

import base64
import hashlib
import socket
import subprocess
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.mail.install import mail_worker
from bot.mail.service import sender_hash
from integrations.db.mail import MailRepository, mail_senders
from tests.mail.conftest import email_bytes

# A display name in a charset Python does not know: its bytes decode to lone surrogates.
BAD_NAME = "=?x-unknown?B?" + base64.b64encode(b"\xff\xfeSam").decode() + "?= <sam.senco@school.kent.sch.uk>"


async def test_a_badly_encoded_sender_name_is_answered_logged_and_does_not_block_later_mail(world):
    await world.deliver(email_bytes("When is the next SENCO forum?", sender=BAD_NAME),
                        email_bytes("When is the next SENCO forum?", sender="Jo <jo@school.kent.sch.uk>"))
    report = await world.worker.poll_once()
    assert report.new == 2 and report.quarantined == 0
    assert len(world.smtp.messages) == 2
    queries = await world.queries()
    assert len(queries) == 2


async def test_a_message_that_always_fails_is_quarantined_after_three_tries_and_kept_for_staff(world):
    poison = email_bytes("Poison", subject="this one breaks the assistant")
    await world.deliver(poison, email_bytes("When is the next SENCO forum?"))
    handle = world.assistant.handle

    async def breaks_on_poison(raw):
        if b"breaks the assistant" in raw:
            raise RuntimeError("cannot store this")
        return await handle(raw)

    world.assistant.handle = breaks_on_poison
    for _ in range(2):
        with pytest.raises(RuntimeError):
            await world.worker.poll_once()
    report = await world.worker.poll_once()
    assert report.quarantined == 1 and report.new == 1
    assert len(world.smtp.messages) == 1, "the good mail behind it was answered"
    [kept] = await MailRepository(world.services.core.database).quarantined()
    assert kept.tries == 3 and kept.raw == poison
    assert kept.reason.startswith("RuntimeError in test_poison_mail.py")
    assert "cannot store" not in kept.reason, "the reason never quotes the message"
    report = await world.worker.poll_once()
    assert report.quarantined == 0 and report.fetched == 0


def test_staff_list_and_save_quarantined_mail_from_the_cli(tmp_path, monkeypatch, capsys, clock):
    from bot.cli import main
    from integrations.db import Database
    from integrations.db.migrate import upgrade
    from tests.conftest import run_in_fresh_loop

    poison = email_bytes("Poison", subject="kept for staff")
    url = f"sqlite:///{tmp_path}/cli.db"

    async def quarantine():
        database = Database(url)
        await upgrade(database)
        repo = MailRepository(database)
        for _ in range(3):
            await repo.failed("sha256:" + hashlib.sha256(poison).hexdigest(), poison, "ValueError in x.py:1",
                              clock.now(), 3)
        await database.dispose()

    run_in_fresh_loop(quarantine)
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["mail", "quarantine", "--save", str(tmp_path / "kept")]) == 0
    out = capsys.readouterr().out
    assert "after 3 tries: ValueError in x.py:1" in out
    [saved] = list((tmp_path / "kept").glob("*.eml"))
    assert saved.read_bytes() == poison


async def test_a_restarted_worker_takes_over_a_dead_workers_lease_at_once(world):
    dead = subprocess.Popen(["true"])
    dead.wait()
    crashed = mail_worker(world.services.core, world.assistant, world.mailbox())
    crashed.holder = f"{socket.gethostname()[:30]}:{dead.pid}:crashed"
    await world.deliver(email_bytes("When is the next SENCO forum?"))
    assert not (await crashed.poll_once()).held_elsewhere
    await world.deliver(email_bytes("Where is the SEND policy template?"))
    # No clock advance: the restarted process does not wait for the dead one's lease to run out.
    report = await world.new_worker().poll_once()
    assert not report.held_elsewhere and report.new == 1


async def test_a_live_workers_lease_is_respected(world):
    await world.worker.poll_once()
    assert (await world.new_worker().poll_once()).held_elsewhere


async def test_a_message_id_reused_by_a_different_sender_is_not_a_duplicate(world):
    await world.deliver(email_bytes("When is the next SENCO forum?", message_id="<same@x>"),
                        email_bytes("Where is the SEND policy template?", message_id="<same@x>",
                                    sender="Jo <jo@school.kent.sch.uk>"))
    report = await world.worker.poll_once()
    assert report.new == 2
    assert len(await world.queries()) == 2


async def test_auto_replies_to_everyone_together_stop_at_the_hourly_ceiling(world, clock):
    config = world.assistant._config
    world.assistant._config = replace(config, window=replace(config.window, max_per_hour=2))
    await world.deliver(*(email_bytes("When is the next SENCO forum?", sender=f"forged{n}@example.org")
                          for n in range(4)))
    report = await world.worker.poll_once()
    assert report.new == 4 and len(world.smtp.messages) == 2
    assert len(await world.queries()) == 4, "every message is still logged for staff"
    clock.advance(timedelta(hours=1, minutes=1))
    await world.deliver(email_bytes("When is the next SENCO forum?", sender="later@example.org"))
    await world.worker.poll_once()
    assert len(world.smtp.messages) == 3


async def test_the_stored_sender_hash_is_keyed(world):
    world.assistant._config = replace(world.assistant._config, sender_key="the shared key")
    await world.deliver(email_bytes("When is the next SENCO forum?"))
    await world.worker.poll_once()
    async with world.services.core.database.engine.connect() as conn:
        [stored] = (await conn.execute(mail_senders.select())).fetchall()
    unkeyed = hashlib.sha256(b"sencobot-mail-window:sam.senco@school.kent.sch.uk").hexdigest()
    assert stored.sender_hash != unkeyed
    assert stored.sender_hash == sender_hash("sam.senco@school.kent.sch.uk", "the shared key")
    assert sender_hash("sam.senco@school.kent.sch.uk", "another key") != stored.sender_hash
