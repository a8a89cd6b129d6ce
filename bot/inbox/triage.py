"""Clustering and triage: the groups staff see, most asked first, and merging or dismissing them."""
from __future__ import annotations

from typing import Iterable, Optional

from bot.clock import Clock
from bot.inbox.answers import AnswerBack
from bot.inbox.views import OPEN_CLUSTER_STATUSES, ClusterView, InboxError
from bot.inbox.ports import TriageStore
from integrations.db.inbox import Query


class Triage:
    def __init__(self, repo: TriageStore, *, clock: Clock, answers: AnswerBack):
        self._repo = repo
        self._clock = clock
        self._answers = answers     # a merge into an answered group sends its answer to the newcomers

    async def clusters(self, statuses: Iterable[str] = OPEN_CLUSTER_STATUSES) -> list[ClusterView]:
        """Groups to triage, most asked first, then oldest first."""
        clusters = await self._repo.clusters(tuple(statuses))
        members = await self._repo.members([c.id for c in clusters])
        by_cluster: dict[str, list[Query]] = {c.id: [] for c in clusters}
        for member in members:
            if member.status != "dismissed":
                by_cluster[member.cluster_id].append(member)
        views = [ClusterView.of(c, by_cluster[c.id]) for c in clusters if by_cluster[c.id]]
        views.sort(key=lambda v: (-v.count, v.first_asked, v.id))
        return views

    async def cluster(self, cluster_id: str) -> Optional[ClusterView]:
        cluster = await self._repo.get_cluster(cluster_id)
        if cluster is None:
            return None
        members = [m for m in await self._repo.members([cluster.id]) if m.status != "dismissed"]
        return ClusterView.of(cluster, members) if members else None

    async def group_id(self, ident: str) -> str:
        """A group's full id from the start of it (as `inbox list` prints them)."""
        found = await self._repo.find_clusters(ident)
        exact = [c for c in found if c.id == ident.strip().lower()]
        if exact or len(found) == 1:
            return (exact or found)[0].id
        raise InboxError(f"No group has the id {ident!r}." if not found
                         else f"More than one group starts with {ident!r}: give more of the id.")

    async def merge(self, source_id: str, target_id: str, *, by: Optional[str] = None) -> ClusterView:
        """Moves a group's questions into another group (answered once, counted together); who and when are
        kept on the merged group."""
        target = await self._repo.merge_cluster(source_id, target_id, self._clock.now(), by=by)
        if target is None:
            raise InboxError("Those questions can't be merged: one of them was answered, dismissed or merged.")
        await self._mark_repeats(target.id)
        if target.status == "answered":
            await self._answers.deliver_pending(cluster_id=target.id)
        view = await self.cluster(target.id)
        if view is None:
            raise InboxError("That group has no questions left.")
        return view

    async def _mark_repeats(self, cluster_id: str) -> None:
        seen: set[str] = set()
        repeats = []
        for member in await self._repo.members([cluster_id]):
            if member.status not in ("new", "answered"):
                continue
            if member.asker_id in seen:
                repeats.append(member.id)
            seen.add(member.asker_id)
        await self._repo.set_query_status(repeats, "duplicate", self._clock.now())

    async def dismiss(self, cluster_id: str, *, by: str) -> None:
        if not await self._repo.dismiss_cluster(cluster_id, by, self._clock.now()):
            raise InboxError("That question can't be dismissed: it was already answered, merged or dismissed.")
