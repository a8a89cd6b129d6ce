"""The FAQ collation inbox: every question is logged (redacted), similar open questions are
grouped, staff answer a group once, every asker gets the answer back, and an answered group
can be published as a knowledge entry that the answerer uses at once.

Each job is its own class in its own module; `InboxService` holds one of each, built together:

- `questions.QuestionLog` — logging questions (the `QueryRecorder` every channel calls)
- `triage.Triage` — the groups staff see; merging and dismissing them
- `answers.AnswerBack` — staff answers, and delivering them to every asker
- `publishing.Publisher` — answered groups as knowledge entries, live at once
- `export.Export` — listing the logged questions, and the CSV export

Plain Python: no botbuilder. Staff identity is checked by the callers (Teams feature, CLI);
these classes trust them and are told who acted only for the record.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from bot.clock import Clock
from bot.inbox.answers import AnswerBack
from bot.inbox.export import Export
from bot.inbox.ports import InboxStore
from bot.inbox.publishing import Publisher
from bot.inbox.questions import QuestionLog
from bot.inbox.triage import Triage
from bot.notify import Notifier


@dataclass(frozen=True)
class InboxService:
    repo: InboxStore
    log: QuestionLog
    triage: Triage
    answers: AnswerBack
    publishing: Publisher
    export: Export

    @classmethod
    def build(
        cls,
        repo: InboxStore,
        *,
        redactor,
        faq,
        clock: Clock,
        team_name: str,
        team_mailbox: str,
        forum: str,
        default_topic: str,
        cluster_threshold: float,
        notifier: Optional[Notifier],
        mail: Optional[Any],
        references: Optional[Any] = None,
    ) -> "InboxService":
        answers = AnswerBack(repo, redactor=redactor, clock=clock, team_name=team_name, team_mailbox=team_mailbox,
                             notifier=notifier, mail=mail, references=references)
        return cls(
            repo=repo,
            log=QuestionLog(repo, redactor=redactor, clock=clock, cluster_threshold=cluster_threshold),
            triage=Triage(repo, clock=clock, answers=answers),
            answers=answers,
            publishing=Publisher(repo, redactor=redactor, faq=faq, clock=clock, forum=forum,
                                 default_topic=default_topic, answers=answers),
            export=Export(repo),
        )
