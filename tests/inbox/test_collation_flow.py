"""Done when: a declined Teams question and a similar email question are collated, answered by
staff in Teams, delivered to both askers, published, answered by the assistant next time, and in
the exported FAQ document. Nobody but staff can see or change the inbox."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import docx
import pytest

from bot.console import Conversation
from bot.notify import RecordingNotifier
from bot.assistant import build_assistant
from bot.core import build_core

TEAMS_QUESTION = "Can my pupil Jamie Hollis borrow a laptop from the council to help with his dyslexia?"
EMAIL_QUESTION = "Hello, can pupils with dyslexia get a laptop from the council? Thanks, Mrs Patel (07700 900123)"
STAFF_ANSWER = (
    "The council does not lend laptops to individual pupils. Schools fund assistive technology from "
    "their notional SEN budget; the STLS Physical and Sensory Service can advise on suitable equipment."
)


@pytest.fixture
def inbox_settings(settings, smtp):
    return settings.replace(**{
        "bot.staff_ids": ["aad-staff"],
        "mail.enabled": True,
        "mail.smtp_host": "127.0.0.1",
        "mail.smtp_port": smtp.port,
        "mail.smtp_starttls": False,
    })


def observed_assistant(settings, database, clock):
    """The assistant with a recording notifier (queueing and sending notices is the reminder scheduler's job),
    its inbox, and Sam, a SENCO in Teams."""
    services = replace(build_core(settings, clock=clock, database=database), notifier=RecordingNotifier())
    assistant = build_assistant(services)
    sam = Conversation(assistant.bot, user_id="29:sam", name="Sam Senco", aad_object_id="aad-sam",
                       channel_id="msteams")
    return services, assistant, assistant.features.inbox.service, sam


async def test_question_is_collated_answered_delivered_published_and_exported(
    inbox_settings, sqlite_db, clock, smtp, tmp_path
):
    services, assistant, inbox, sam = observed_assistant(inbox_settings, sqlite_db, clock)
    officer = Conversation(assistant.bot, user_id="29:officer", name="Olu Officer", aad_object_id="aad-staff",
                           channel_id="msteams")

    # 1. Asked in Teams: the assistant does not know, and says it has passed the question on.
    replies = await sam.says(TEAMS_QUESTION)
    assert "I don't know" in replies[-1].text
    assert "passed your question" in replies[-1].text

    # 2. In the inbox, redacted: the child's name never reaches storage.
    [logged] = await inbox.export.list_queries()
    assert logged.channel == "teams" and logged.outcome == "decline" and logged.needs_answer
    assert "Jamie" not in logged.text and "Hollis" not in logged.text and "[name]" in logged.text
    assert logged.asker_id == "29:sam" and logged.asker_name == "Sam Senco"

    # 3. A similar question arrives by email (the mail poller calls record) and joins the same group.
    clock.advance(timedelta(hours=2))
    email_id = await inbox.log.record(
        channel="email", asker_id="senco@oakfield.kent.sch.uk", asker_name="Priya Patel",
        text=EMAIL_QUESTION, result=services.answerer.ask(EMAIL_QUESTION),
        message_id="<question-1@oakfield.kent.sch.uk>", subject="Laptops for dyslexia",
    )
    emailed = await inbox.repo.get_query(email_id)
    assert "07700" not in emailed.text and "[phone]" in emailed.text
    assert emailed.cluster_id == logged.cluster_id is not None

    # 4. A staff officer opens the inbox in Teams: one card for the group, "asked 2 times".
    replies = await officer.says("inbox")
    cards = [r for r in replies if r.card]
    assert len(cards) == 1
    assert "Asked 2 times" in cards[0].text and "1 in Teams" in cards[0].text and "1 by email" in cards[0].text
    assert "[name]" in cards[0].text and "Jamie" not in cards[0].text
    assert [title for title, _ in cards[0].choices] == ["Answer", "Dismiss", "Publish"]

    # 5. The officer writes the answer on the card and presses Answer.
    answer_data = dict(cards[0].choices[0][1])
    replies = await officer.presses({**answer_data, "answer": STAFF_ANSWER,
                                     "question": "Can the council lend a laptop to a pupil with dyslexia?"})
    assert "sent it to 2 people (1 in Teams, 1 by email)" in replies[-1].text

    # 6. Both askers get it: a proactive notice for Sam, a threaded email for the email asker.
    [notice] = services.notifier.notices
    assert notice.user_id == "29:sam" and notice.kind == "inbox.answer"
    assert STAFF_ANSWER in notice.text
    assert notice.idempotency_key == f"inbox.answer.{logged.id}"
    [mail] = await smtp.wait_for(1)
    assert mail["To"] == "senco@oakfield.kent.sch.uk"
    assert mail["Subject"] == "Re: Laptops for dyslexia"
    assert mail["In-Reply-To"] == "<question-1@oakfield.kent.sch.uk>"
    assert mail["References"] == "<question-1@oakfield.kent.sch.uk>"
    assert "notional SEN budget" in mail.get_content()
    assert {q.status for q in await inbox.export.list_queries()} == {"answered"}

    # Pressing Answer again (a double click, or an edit) sends nobody a second answer.
    replies = await officer.presses({**answer_data, "answer": STAFF_ANSWER})
    assert "already been sent an answer" in replies[-1].text
    assert len(services.notifier.notices) == 1 and len(smtp.messages) == 1

    # 7. Publish (topic chosen on the card): live for the answerer at once, and stored.
    publish_data = dict(cards[0].choices[2][1])
    replies = await officer.presses({**publish_data, "answer": STAFF_ANSWER, "topic": "stls",
                                     "question": "Can the council lend a laptop to a pupil with dyslexia?"})
    assert "Published" in replies[-1].text
    assert {q.status for q in await inbox.export.list_queries()} == {"published"}

    # 8. The next time someone asks, the assistant answers directly, citing the inclusion team.
    alex = Conversation(assistant.bot, user_id="29:alex", name="Alex Head", aad_object_id="aad-alex",
                        channel_id="msteams")
    replies = await alex.says("can a pupil with dyslexia get a laptop from the council?")
    assert "notional SEN budget" in replies[-1].text
    assert "Inclusion team answer, 26 November 2026" in replies[-1].text

    # ...also after a restart: the published entry is loaded from the database.
    restarted = build_core(inbox_settings, clock=clock, database=sqlite_db)
    again = Conversation(build_assistant(restarted).bot, user_id="29:alex", name="Alex Head",
                         aad_object_id="aad-alex", channel_id="msteams")
    replies = await again.says("can pupils with dyslexia borrow a laptop from the council?")
    assert "notional SEN budget" in replies[-1].text

    # 9. The FAQ document includes it, marked new, in md, html and docx.
    from bot.inbox.commands import export_faq

    for fmt in ("md", "html", "docx"):
        out = tmp_path / f"faq.{fmt}"
        await export_faq(assistant, fmt, out)
        if fmt == "docx":
            text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
        else:
            text = out.read_text(encoding="utf-8")
        assert "Can the council lend a laptop to a pupil with dyslexia?" in text
        assert "notional SEN budget" in text
        assert "Inclusion team answer, 26 November 2026" in text
        assert "New" in text
        assert "Contents" in text


async def test_non_staff_cannot_see_or_change_the_inbox(inbox_settings, sqlite_db, clock):
    services, assistant, inbox, sam = observed_assistant(inbox_settings, sqlite_db, clock)
    await sam.says(TEAMS_QUESTION)
    [view] = await inbox.triage.clusters()
    other = await inbox.log.record(channel="teams", asker_id="29:kim", asker_name="Kim", text="Is there parking?",
                               result=services.answerer.ask("Is there parking at the venue?"))
    target = (await inbox.repo.get_query(other)).cluster_id

    replies = await sam.says("inbox")
    assert not any(r.card for r in replies)
    assert "for the inclusion team" in replies[-1].text
    assert len(await inbox.export.list_queries(include_all=True)) == 2, "'inbox' must not be logged as a question"

    attempts = [
        {"action": "inbox.answer", "cluster_id": view.id, "answer": "Hijacked answer"},
        {"action": "inbox.merge", "cluster_id": view.id, "merge_into": target},
        {"action": "inbox.dismiss", "cluster_id": view.id},
        {"action": "inbox.publish", "cluster_id": view.id, "answer": "Hijacked answer", "topic": "stls"},
    ]
    # Once through the handler's check, and once with it switched off, to prove each action re-checks.
    for bypass_router in (False, True):
        if bypass_router:
            from bot.router import CardAction

            router = assistant.bot.router
            for data in attempts:
                action = router.action(data["action"])
                router._actions[data["action"]] = CardAction(action.name, action.handle, staff_only=False)
        for data in attempts:
            replies = await sam.presses(data)
            assert replies[-1].text == "Sorry, only the inclusion team can do that."

    [after] = [v for v in await inbox.triage.clusters() if v.id == view.id]
    assert after.status == "open" and after.cluster.answer is None and after.count == 1
    assert await inbox.publishing.published_entries() == []
    assert services.notifier.notices == []
