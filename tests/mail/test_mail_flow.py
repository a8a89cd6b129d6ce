"""End to end over real servers on loopback: mail APPENDed to a pymap IMAP folder, the worker reads it,
replies reach an aiosmtpd SMTP server, and every message lands in the real FAQ collation inbox."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.mail.conftest import TEAM, email_bytes, html_of, text_of

SENDER = "sam.senco@school.kent.sch.uk"


async def poll(world):
    return await world.worker.poll_once()


async def reply_to(world, *mails: bytes):
    """Delivers ``mails``, polls once and returns the one reply that was sent."""
    await world.deliver(*mails)
    await poll(world)
    (reply,) = world.smtp.messages
    return reply


def words_of(reply) -> str:
    """The plain-text body with its line breaks folded, so a phrase is found wherever the lines were wrapped."""
    return " ".join(text_of(reply).split())


async def test_a_question_the_forum_answered_gets_a_threaded_auto_reply(world):
    raw = email_bytes("Hello,\n\nWhen is the next SENCO forum?\n\nKind regards,\nSam\nSENCO, Joy Lane",
                      message_id="<q1@school.kent.sch.uk>")
    await world.deliver(raw)
    report = await poll(world)
    assert (report.new, report.replied, report.sent) == (1, 1, 1)
    (reply,) = world.smtp.messages
    expected = world.services.core.answerer.ask("When is the next SENCO forum?")
    assert expected.outcome == "answer"
    assert reply["To"] == SENDER
    assert TEAM in reply["From"]
    assert reply["Subject"] == "Re: Forum question"
    assert reply["In-Reply-To"] == "<q1@school.kent.sch.uk>"
    assert reply["References"] == "<q1@school.kent.sch.uk>"
    assert reply["Auto-Submitted"] == "auto-replied"
    text = text_of(reply)
    assert text.startswith("Dear Sam,")
    assert expected.answer_text.split(";")[0] in " ".join(text.split())
    assert "Source: " + expected.source_line in text
    assert expected.source_line in html_of(reply).replace("\n", " ") or "Source:" in html_of(reply)
    (query,) = await world.queries()
    assert (query.channel, query.asker_id, query.outcome) == ("email", SENDER, "answer")
    assert query.message_id == "<q1@school.kent.sch.uk>"
    assert "Kind regards" not in query.text and "Joy Lane" not in query.text
    flags = await world.imap.flags(world.folder)
    assert all("\\Seen" in f for f in flags.values())


async def test_an_unknown_question_is_acknowledged_and_waits_for_the_team(world):
    reply = await reply_to(world, email_bytes("Can the county reimburse our minibus fuel for the trip to the zoo?"))
    text = words_of(reply)
    assert "logged for the inclusion team" in text
    assert "Frequently Asked Questions document" in text
    (query,) = await world.queries()
    assert query.needs_answer and query.cluster_id is not None and query.outcome == "decline"


async def test_an_html_only_mail_is_read_as_text(world):
    html = ("<html><body><div>Hi team,</div><div><b>Where can I find the SEND policy template?</b></div>"
            "<div id='divRplyFwdMsg'>From: Someone<br>Sent: yesterday</div><div>old thread</div></body></html>")
    reply = await reply_to(world, email_bytes(None, html=html))
    expected = world.services.core.answerer.ask("Where can I find the SEND policy template?")
    assert expected.outcome == "answer"
    assert expected.entry.question in text_of(reply)
    (query,) = await world.queries()
    assert "SEND policy template" in query.text and "old thread" not in query.text


async def test_a_windows_1252_mail_is_decoded(world):
    body = "When\u2019s the next SENCO forum? It\u2019s for our caf\u00e9 meeting \u2013 thanks"
    raw = email_bytes(body, charset="windows-1252")
    assert "\u2019".encode("cp1252") in raw  # really 8-bit cp1252 on the wire
    reply = await reply_to(world, raw)
    assert "Source:" in text_of(reply)
    (query,) = await world.queries()
    assert "When\u2019s the next SENCO forum?" in query.text and "caf\u00e9" in query.text


async def test_a_latin_1_label_on_windows_1252_bytes_still_decodes(world):
    raw = email_bytes("When\u2019s the next SENCO forum?", charset="windows-1252")
    raw = raw.replace(b"charset=\"windows-1252\"", b"charset=\"iso-8859-1\"")
    await world.deliver(raw)
    await poll(world)
    (query,) = await world.queries()
    assert "When\u2019s" in query.text


async def test_an_empty_mail_is_acknowledged_and_logged(world):
    reply = await reply_to(world, email_bytes("", subject=""))
    assert "could not find a question" in words_of(reply)
    assert reply["Subject"] == "Re: your question to the SENCO Forum"
    assert len(await world.queries()) == 1


async def test_an_attachment_only_mail_is_noted_not_read(world):
    raw = email_bytes(None, subject="", attachments=(("Tyler-Brooks-EHCP.pdf", "application/pdf", b"%PDF-1.4 x"),))
    reply = await reply_to(world, raw)
    text = words_of(reply)
    assert "does not read attachments" in text
    (query,) = await world.queries()
    assert "application/pdf" in query.text and "Tyler" not in query.text


async def test_an_auto_reply_gets_no_response_but_is_logged(world):
    await world.deliver(email_bytes("I am out of the office until Monday.", subject="Automatic reply: Forum question",
                                    headers={"Auto-Submitted": "auto-replied"}))
    report = await poll(world)
    assert report.new == 1 and report.replied == 0
    assert world.smtp.messages == []
    (query,) = await world.queries()
    assert not query.needs_answer and query.cluster_id is None


async def test_a_mailing_list_message_gets_no_response(world):
    await world.deliver(email_bytes("When is the next SENCO forum?",
                                    headers={"List-Id": "SEND news <send-news.lists.example.org>"}))
    await poll(world)
    assert world.smtp.messages == []
    assert len(await world.queries()) == 1


async def test_bounces_and_our_own_address_get_no_response(world):
    await world.deliver(
        email_bytes("Delivery failed", sender="Mail Delivery System <MAILER-DAEMON@mx.example.org>"),
        email_bytes("When is the next SENCO forum?", sender=f"Inclusion team <{TEAM}>"),
        email_bytes("When is the next SENCO forum?", sender="no-reply@portal.example.org"),
        email_bytes("When is the next SENCO forum?", headers={"Precedence": "bulk"}),
    )
    report = await poll(world)
    assert report.new == 4 and report.replied == 0
    assert world.smtp.messages == []
    assert len(await world.queries()) == 4


async def test_the_same_sender_twice_in_the_window(world, clock):
    unknown = "Can the county reimburse our minibus fuel for the trip to the zoo?"
    await world.deliver(email_bytes(unknown))
    await poll(world)
    assert len(world.smtp.messages) == 1
    clock.advance(timedelta(hours=2))
    await world.deliver(email_bytes("Also, who pays for the coach to the farm visit?"))
    await poll(world)
    assert len(world.smtp.messages) == 1, "a second unconfident reply in the window"
    await world.deliver(email_bytes("When is the next SENCO forum?"))
    await poll(world)
    assert len(world.smtp.messages) == 2, "a confident answer goes out even within the window"
    assert "Source:" in text_of(world.smtp.messages[-1])
    clock.advance(timedelta(hours=23))
    await world.deliver(email_bytes("Who pays for the coach to the farm visit next term?"))
    await poll(world)
    assert len(world.smtp.messages) == 3, "a new window allows an acknowledgement again"
    queries = await world.queries()
    assert len(queries) == 4
    # The forum answer is about a date that has passed at the tests' instant, so it waits for staff too.
    assert sum(q.needs_answer for q in queries) == 4


async def test_a_storm_of_confident_questions_is_capped(world):
    world.assistant._config = type(world.assistant._config)(
        **{**world.assistant._config.__dict__, "window": world.assistant._config.window.__class__(
            timedelta(hours=24), 2)})
    await world.deliver(*(email_bytes("When is the next SENCO forum?") for _ in range(4)))
    await poll(world)
    assert len(world.smtp.messages) == 2
    assert len(await world.queries()) == 4


async def test_a_crash_between_sending_and_marking_sent_resends_the_same_message_once(world, clock):
    await world.deliver(email_bytes("When is the next SENCO forum?"))

    async def crash(outbox_id):
        raise SystemExit("killed after the SMTP server accepted the reply")

    world.assistant._after_send = crash
    try:
        await poll(world)
    except SystemExit:
        pass
    assert len(world.smtp.messages) == 1
    # The restarted process: a new worker, a new assistant, after the dead worker's lease ran out.
    del world.assistant._after_send
    clock.advance(timedelta(minutes=10))
    report = await world.new_worker().poll_once()
    assert report.new == 0 and report.sent == 1
    first, second = world.smtp.messages
    assert first["Message-ID"] == second["Message-ID"]
    await world.new_worker().poll_once()
    clock.advance(timedelta(minutes=10))
    await world.new_worker().poll_once()
    assert len(world.smtp.messages) == 2
    assert len(await world.queries()) == 1


async def test_a_crash_after_queueing_the_reply_before_sending_loses_nothing(world, clock):
    await world.deliver(email_bytes("When is the next SENCO forum?"), email_bytes("Where is the SEND policy template?"))
    calls = {"n": 0}
    original = world.assistant.flush_outbox

    async def crash(limit=200):
        calls["n"] += 1
        if calls["n"] == 2:  # the first flush (left-overs) runs; the one after the batch dies
            raise SystemExit("killed after the outbox transaction, before SMTP")
        return await original(limit)

    world.assistant.flush_outbox = crash
    try:
        await poll(world)
    except SystemExit:
        pass
    assert world.smtp.messages == []
    assert len(await world.queries()) == 2
    del world.assistant.flush_outbox
    clock.advance(timedelta(minutes=10))
    report = await world.new_worker().poll_once()
    assert report.new == 0 and report.sent == 2
    assert len(world.smtp.messages) == 2 and len(await world.queries()) == 2


async def test_a_crash_before_the_inbox_log_logs_it_on_restart_without_a_second_reply(world, clock):
    await world.deliver(email_bytes("When is the next SENCO forum?"))
    inbox = world.services.features.inbox.service.log
    original = inbox.record

    async def crash(**kwargs):
        raise SystemExit("killed after the outbox transaction, before the inbox log")

    inbox.record = crash
    try:
        await poll(world)
    except SystemExit:
        pass
    inbox.record = original
    assert await world.queries() == []
    clock.advance(timedelta(minutes=10))
    await world.new_worker().poll_once()
    assert len(await world.queries()) == 1
    assert len(world.smtp.messages) == 1


async def test_smtp_down_then_up_sends_each_reply_once(world, clock):
    world.smtp.refuse_next(100)
    await world.deliver(email_bytes("When is the next SENCO forum?"))
    report = await poll(world)
    assert report.sent == 0 and report.send_failed == 1
    assert len(await world.queries()) == 1
    report = await poll(world)
    assert report.sent == 0, "retries wait for the backoff"
    world.smtp.refuse_next(0)
    clock.advance(timedelta(minutes=5))
    report = await poll(world)
    assert report.sent == 1
    await poll(world)
    assert len(world.smtp.messages) == 1


async def test_imap_down_then_up(settings, clock, sqlite_db, smtp):
    from bot.assistant import build_assistant
    from bot.core import build_core
    from bot.mail.install import mail_worker
    from integrations.mail.imap import MailboxUnavailable
    from tests.fakes.imap import ImapServer
    from tests.mail.conftest import mail_settings, make_mailbox

    server = ImapServer()
    services = build_core(mail_settings(settings, server, smtp), clock=clock, database=sqlite_db)
    worker = mail_worker(services, build_assistant(services).features.mail.assistant, make_mailbox(server, "INBOX"))
    try:
        await worker.poll_once()
        raise AssertionError("no server is listening yet")
    except MailboxUnavailable:
        pass
    server.start()
    try:
        await server.deliver("INBOX", email_bytes("When is the next SENCO forum?"))
        report = await worker.poll_once()
        assert report.new == 1
        await smtp.wait_for(1)
    finally:
        server.stop()


async def test_restart_and_redelivery_never_duplicate(world, clock):
    raw = email_bytes("When is the next SENCO forum?", message_id="<dup@school.kent.sch.uk>")
    await world.deliver(raw)
    await poll(world)
    await world.deliver(raw)  # the same message delivered again (a retrying sender, a copy into the folder)
    clock.advance(timedelta(minutes=10))
    report = await world.new_worker().poll_once()
    assert report.fetched == 1 and report.new == 0
    assert len(world.smtp.messages) == 1 and len(await world.queries()) == 1


async def test_staff_answer_reaches_the_email_asker_in_their_thread(world):
    await world.deliver(email_bytes("Can the county reimburse our minibus fuel for the trip to the zoo?",
                                    subject="Minibus fuel", message_id="<fuel@school.kent.sch.uk>"))
    await poll(world)
    inbox = world.services.features.inbox.service
    (view,) = await inbox.triage.clusters()
    outcome = await inbox.answers.answer(view.id, "No: trips are funded by the school.", by="Clara")
    assert outcome.delivery.email == 1
    staff = world.smtp.messages[-1]
    assert staff["To"] == SENDER
    assert staff["In-Reply-To"] == "<fuel@school.kent.sch.uk>"
    assert staff["Subject"] == "Re: Minibus fuel"
    assert "trips are funded by the school" in staff.get_body(("plain",)).get_content()


async def test_idle_brings_new_mail_without_waiting_for_the_poll(world):
    import asyncio

    from tests.fakes.imap import wait_until

    mailbox = world.worker._mailbox
    task = asyncio.create_task(world.worker.run())
    try:
        # The worker has polled once and the server has acknowledged its IDLE ("+ idling"): mail appended
        # before that acknowledgement could be missed by the server's IDLE, which is not what this tests.
        # The reply must come before the next poll (30 s) would have found the mail; the rest of that margin
        # is for a loaded machine.
        await wait_until(lambda: mailbox._client is not None and mailbox._client.has_pending_idle()
                         and mailbox._client.protocol._idle_event.is_set(), timeout=60)
        await world.deliver(email_bytes("When is the next SENCO forum?"))
        await world.smtp.wait_for(1, timeout=25)
    finally:
        # A worker stopped in the middle of IDLE may need a second cancellation to leave its clean-up waits;
        # either way the test ends instead of holding the loop for ever.
        for _ in range(2):
            task.cancel()
            done, _ = await asyncio.wait({task}, timeout=10)
            if done:
                break


async def test_links_to_book_open_events(world, clock):
    clock.set(datetime(2025, 4, 1, 9, 0, tzinfo=timezone.utc))
    reply = await reply_to(world, email_bytes("How do I join the SEND QA webinar?"))
    text = text_of(reply)
    assert "You can book" in text
    assert "https://teams.microsoft.com/l/chat/0/0?users=28:" in text
    assert "Wednesday 30 April 2025, 16:00" in text


async def test_no_booking_links_when_nothing_is_open(world):
    await world.deliver(email_bytes("How do I join the SEND QA webinar?"))
    await poll(world)
    assert "You can book" not in text_of(world.smtp.messages[0])


async def test_the_forum_covered_a_date_now_passed_so_the_question_still_waits_for_the_team(world):
    # The deck's continuum publication date (May 2025) is long past at the tests' fixed instant (2026).
    reply = await reply_to(world, email_bytes("When will the Continuum of Need and Provision be published?"))
    text = words_of(reply)
    assert "has already covered this" in text
    assert "has passed" in text and "who will reply with what is next" in text
    (query,) = await world.queries()
    assert query.needs_answer and query.cluster_id is not None


def test_a_yes_or_no_opening_is_dropped_under_a_question_that_is_not_yes_or_no():
    from bot.mail.service import without_stray_yes_no

    assert without_stray_yes_no("When does LIFT end?", "Yes. LIFT ends in July.") == "LIFT ends in July."
    assert without_stray_yes_no("Do claims renew?", "Yes. They renew each term.") == "Yes. They renew each term."
    assert without_stray_yes_no("When does LIFT end?", "Yesterday's update says July.") == \
        "Yesterday's update says July."
