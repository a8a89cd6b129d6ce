"""Staff triage of the FAQ collation inbox in Teams.

"inbox" shows a card per group of similar questions; its buttons answer, merge,
dismiss or publish the group. Only staff (settings.bot.staff_ids) get the command
routed, and every button checks again here on the server: a forwarded card or a
hand-made submit from anyone else changes nothing.
"""
from __future__ import annotations

from typing import Optional

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.dialogs import DialogSet

from bot.cards import render_card
from bot.clock import british_datetime
from bot.router import CardAction, Fallback, Intent, Router
from bot.inbox.faq_document import topic_choices, topic_title
from bot.inbox.service import InboxService
from bot.inbox.views import ClusterView, InboxError
from bot.inbox.clusters import strip_tags
from bot.turn import Asker, acted_by, staff_asker

INBOX_PATTERNS = (r"^(show |open )?(me )?(the )?(faq )?inbox$", r"^triage$")


class InboxFeature:
    def __init__(
        self,
        inbox: InboxService,
        faq,
        *,
        staff_ids: frozenset[str],
        max_clusters: int,
        default_topic: str,
    ):
        self._inbox = inbox
        self._faq = faq
        self._staff_ids = staff_ids
        self._max_clusters = max_clusters
        self._default_topic = default_topic

    def install(self, router: Router, dialogs: DialogSet) -> None:
        router.add_intent(Intent(
            "inbox.show", self._on_inbox, patterns=INBOX_PATTERNS, command="inbox",
            description="questions waiting for the inclusion team, grouped (staff)", staff_only=True,
        ))
        # Registered second: staff match the intent above first; everyone else gets a polite refusal
        # instead of having "inbox" logged as a question.
        router.add_intent(Intent("inbox.refuse", self._on_refused, patterns=INBOX_PATTERNS))
        router.add_action(CardAction("inbox.page", self._on_page, staff_only=True))
        router.add_action(CardAction("inbox.answer", self._on_answer, staff_only=True))
        router.add_action(CardAction("inbox.merge", self._on_merge, staff_only=True))
        router.add_action(CardAction("inbox.dismiss", self._on_dismiss, staff_only=True))
        router.add_action(CardAction("inbox.publish", self._on_publish, staff_only=True))

    def answering(self, fallback: Fallback) -> Fallback:
        """The FAQ fallback, with published answers loaded from the database first (after a restart)."""
        async def answer(turn_context: TurnContext, asker: Asker, text: str) -> None:
            await self._inbox.publishing.ensure_published_loaded()
            await fallback(turn_context, asker, text)

        return answer

    # -- staff check -----------------------------------------------------------------------

    async def _staff(self, turn_context: TurnContext) -> Optional[Asker]:
        return await staff_asker(turn_context, self._staff_ids, "an inbox action")

    # -- the inbox command -----------------------------------------------------------------

    async def _on_refused(self, turn_context: TurnContext, dc, text: str) -> None:
        await turn_context.send_activity(
            "The inbox is for the inclusion team. If you have a question, just ask it here."
        )

    async def _on_inbox(self, turn_context: TurnContext, dc, text: str) -> None:
        await self._show_page(turn_context, 0)

    async def _on_page(self, turn_context: TurnContext, dc, data: dict) -> None:
        start = data.get("start")
        await self._show_page(turn_context, start if isinstance(start, int) and start >= 0 else 0)

    async def _show_page(self, turn_context: TurnContext, start: int) -> None:
        if await self._staff(turn_context) is None:
            return
        # Most asked first, then the longest waiting (Triage.clusters).
        views = await self._inbox.triage.clusters()
        if not views:
            await turn_context.send_activity("The inbox is empty: no questions are waiting for an answer.")
            return
        if start >= len(views):
            # The inbox shrank since the button was shown (groups answered, merged or dismissed).
            start = max(0, len(views) - self._max_clusters)
        shown = views[start: start + self._max_clusters]
        questions = sum(v.count for v in views)
        summary = (
            f"{len(views)} group{'s' if len(views) != 1 else ''} of questions "
            f"({questions} question{'s' if questions != 1 else ''}) "
            f"{'is' if len(views) == 1 else 'are'} waiting."
        )
        if len(views) > 1:
            summary += " Most asked first, then longest waiting."
        if len(shown) < len(views):
            summary += f" These are groups {start + 1} to {start + len(shown)}."
        topics = topic_choices(self._faq.answerer.kb, self._default_topic)
        cards = [CardFactory.adaptive_card(self._card(view, views, topics)) for view in shown]
        remaining = len(views) - (start + len(shown))
        if remaining > 0:
            cards.append(CardFactory.adaptive_card(_next_page_card(start + len(shown), remaining,
                                                                   self._max_clusters)))
        await turn_context.send_activity(MessageFactory.list(cards, text=summary))

    def _card(self, view: ClusterView, views: list[ClusterView], topics: list[dict]) -> dict:
        cluster = view.cluster
        merge_targets = [
            {"title": f"{_short(other.question)} (asked {other.count}×)", "value": other.id}
            for other in views
            if other.id != view.id
        ]
        status_line = ""
        if cluster.status == "answered" and cluster.answered_at:
            status_line = (f"Answered by {cluster.answered_by or 'the team'} on "
                           f"{british_datetime(cluster.answered_at)}; not yet published.")
        return render_card(
            "inbox_cluster",
            cluster={"id": cluster.id, "question": cluster.question, "status": cluster.status},
            asked_line=asked_line(view),
            status_line=status_line,
            wordings=[w for w in view.wordings if w != cluster.question],
            faq_question=strip_tags(cluster.question),
            answer=cluster.answer or "",
            topics=topics,
            default_topic=self._default_topic,
            merge_targets=merge_targets,
        )

    # -- card actions ----------------------------------------------------------------------

    async def _on_answer(self, turn_context: TurnContext, dc, data: dict) -> None:
        asker = await self._staff(turn_context)
        if asker is None:
            return
        cluster_id = _text(data, "cluster_id")
        try:
            outcome = await self._inbox.answers.answer(cluster_id, _text(data, "answer"), by=acted_by(asker),
                                               question=_text(data, "question") or None)
        except InboxError as exc:
            await turn_context.send_activity(str(exc))
            return
        delivery = outcome.delivery
        sent = delivery.teams + delivery.email
        if sent:
            parts = [f"Thanks, that's answered. I've sent it to {sent} {'person' if sent == 1 else 'people'}"
                     f" ({delivery.teams} in Teams, {delivery.email} by email)."]
        elif delivery.pending or delivery.undeliverable:
            # "Sent it to 0 people" read as a fault; say plainly that nobody has it yet, then why.
            parts = ["Thanks, that's answered, but nobody has been sent it yet."]
        else:
            # A second press, or an edit after sending: nobody is sent a second answer.
            parts = ["The answer is saved. Everyone in this group had already been sent an answer."]
        if delivery.pending:
            parts.append(f"{delivery.pending} couldn't be sent yet; I'll keep trying.")
        if delivery.undeliverable:
            parts.append(f"{delivery.undeliverable} can't be reached in Teams: they have no conversation with me "
                         "(they need to message me first).")
        if outcome.redactions:
            parts.append(f"I removed {outcome.redactions} piece{'s' if outcome.redactions != 1 else ''} "
                         "of personal data from the answer.")
        parts.append("Press Publish to add it to the FAQ.")
        await turn_context.send_activity(" ".join(parts))

    async def _on_merge(self, turn_context: TurnContext, dc, data: dict) -> None:
        asker = await self._staff(turn_context)
        if asker is None:
            return
        target = _text(data, "merge_into")
        if not target:
            await turn_context.send_activity("Choose which question it is the same as, then press Merge.")
            return
        try:
            view = await self._inbox.triage.merge(_text(data, "cluster_id"), target, by=acted_by(asker))
        except InboxError as exc:
            await turn_context.send_activity(str(exc))
            return
        await turn_context.send_activity(
            f"Merged. \"{_short(view.question)}\" has now been asked {view.count} "
            f"time{'s' if view.count != 1 else ''}."
        )

    async def _on_dismiss(self, turn_context: TurnContext, dc, data: dict) -> None:
        asker = await self._staff(turn_context)
        if asker is None:
            return
        try:
            await self._inbox.triage.dismiss(_text(data, "cluster_id"), by=acted_by(asker))
        except InboxError as exc:
            await turn_context.send_activity(str(exc))
            return
        await turn_context.send_activity("Dismissed. Those questions won't be answered from the inbox.")

    async def _on_publish(self, turn_context: TurnContext, dc, data: dict) -> None:
        asker = await self._staff(turn_context)
        if asker is None:
            return
        try:
            entry = await self._inbox.publishing.publish(
                _text(data, "cluster_id"),
                by=acted_by(asker),
                question=_text(data, "question") or None,
                topic=_text(data, "topic") or None,
                answer=_text(data, "answer") or None,
            )
        except InboxError as exc:
            await turn_context.send_activity(str(exc))
            return
        await turn_context.send_activity(
            f"Published \"{entry.question}\" under \"{topic_title(entry.tags[0])}\". "
            "I answer it from now on, and it will be in the next FAQ document."
        )


def asked_line(view: ClusterView) -> str:
    times = f"Asked {view.count} time{'s' if view.count != 1 else ''}"
    if view.askers != view.count:
        times += f" by {view.askers} {'person' if view.askers == 1 else 'people'}"
    where = ", ".join(
        f"{n} {'in Teams' if ch == 'teams' else 'by email' if ch == 'email' else 'in the ' + ch}"
        for ch, n in sorted(view.channels.items())
    )
    line = f"{times} ({where}). First asked {british_datetime(view.first_asked)}"
    if view.last_asked != view.first_asked:
        line += f", most recently {british_datetime(view.last_asked)}"
    return line + "."


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _text(data: dict, key: str) -> str:
    value = data.get(key)
    return value.strip() if isinstance(value, str) else ""


def _next_page_card(start: int, remaining: int, page: int) -> dict:
    following = min(remaining, page)
    return {
        "type": "AdaptiveCard", "$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "version": "1.5",
        "body": [{"type": "TextBlock", "wrap": True,
                  "text": f"{remaining} more group{'s' if remaining != 1 else ''} waiting."}],
        "actions": [{"type": "Action.Submit", "title": f"Show the next {following}",
                     "data": {"action": "inbox.page", "start": start}}],
    }
