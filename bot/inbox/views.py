"""What the inbox's jobs hand back: a group as staff see it, and how answers went out."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from bot.inbox.clusters import distinct_wordings
from integrations.db.inbox import Cluster, Query

CHANNELS = ("teams", "email", "console")
OPEN_CLUSTER_STATUSES = ("open", "answered")
MAX_WORDINGS = 6


class InboxError(Exception):
    """A triage action that cannot be done; the message is safe to show to staff."""


@dataclass(frozen=True)
class ClusterView:
    cluster: Cluster
    count: int                   # questions in the group (duplicates included, dismissed not)
    askers: int                  # distinct people
    channels: dict[str, int]
    first_asked: datetime
    last_asked: datetime
    wordings: tuple[str, ...]    # distinct redacted phrasings, first asked first

    @property
    def id(self) -> str:
        return self.cluster.id

    @property
    def question(self) -> str:
        return self.cluster.question

    @property
    def status(self) -> str:
        return self.cluster.status

    @staticmethod
    def of(cluster: Cluster, members: list[Query]) -> "ClusterView":
        return ClusterView(
            cluster=cluster,
            count=len(members),
            askers=len({m.asker_id for m in members}),
            channels=dict(Counter(m.channel for m in members)),
            first_asked=min(m.asked_at for m in members),
            last_asked=max(m.asked_at for m in members),
            wordings=tuple(distinct_wordings([m.text for m in members], MAX_WORDINGS)),
        )


@dataclass(frozen=True)
class Delivery:
    teams: int = 0
    email: int = 0
    pending: int = 0             # could not be sent now; retried by the background task
    # Queued for Teams, but nobody can be reached there: no stored conversation, or Teams refused it before.
    undeliverable: int = 0
    # Asked in the terminal chat: it has no connector, so nothing can be sent there later.
    offline: int = 0

    def __add__(self, other: "Delivery") -> "Delivery":
        return Delivery(self.teams + other.teams, self.email + other.email, self.pending + other.pending,
                        self.undeliverable + other.undeliverable, self.offline + other.offline)


@dataclass(frozen=True)
class AnswerOutcome:
    cluster: Cluster
    delivery: Delivery
    redactions: int              # pieces of personal data removed from the staff answer
