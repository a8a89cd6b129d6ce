"""Statements over every feature's tables for retention and data-subject requests.

Each feature's repository answers its own feature's questions; finding, exporting and erasing one
person across all of them, and ageing records out by date, is this module's job. Plain data in and
out: rows come back as dicts, and every write says how many rows it touched.

A person is a ``Subject``: the Teams user ids they talked to the bot from, and the email addresses
they wrote from or booked with. Email addresses are compared without regard to case.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Optional, Sequence

from sqlalchemy import and_, delete, exists, func, literal, not_, or_, select, update

from integrations.db.bookings import bookings
from integrations.db.content_tables import content_items, content_revisions
from integrations.db.drafts import content_drafts, deck_imports
from integrations.db.host import bot_state, conversation_refs, processed_activities
from integrations.db.engine import Database
from integrations.db.evaluations import evaluation_participants, evaluation_responses
from integrations.db.inbox import inbox_clusters, inbox_published, inbox_queries
from integrations.db.mail import mail_outbox, mail_processed, mail_senders
from integrations.db.reminders import (
    delivery_attempts,
    outbound_messages,
    reminder_prompts,
    reminder_subscriptions,
    reminders,
    tribunal_cases,
)

# Rows whose person has been replaced carry this prefix instead of a user id or address.
ANONYMISED = "anonymised:"
ANONYMISED_NAME = "Anonymised"
# Who did a piece of the team's work, once that person is erased: the work stays, the person goes.
FORMER_STAFF = ANONYMISED + "staff"
STAFF_RECORD_KINDS = ("inbox_answers", "published_entries", "broadcasts", "content_changes", "deck_imports",
                      "draft_reviews")
FINISHED_MESSAGE_STATUSES = ("sent", "missed", "unreachable", "opted_out", "failed", "refused", "cancelled",
                             "undeliverable")


@dataclass(frozen=True)
class Subject:
    user_ids: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()     # lower case

    @property
    def empty(self) -> bool:
        return not self.user_ids and not self.emails

    @property
    def keys(self) -> tuple[str, ...]:
        """Everything that can stand for the person in a respondent or asker column."""
        return self.user_ids + self.emails


def _rows(result) -> list[dict]:
    return [dict(row._mapping) for row in result]


def _like_literal(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _person_column(column, subject: Subject):
    """column IN user ids, or lower(column) IN emails."""
    clauses = []
    if subject.user_ids:
        clauses.append(column.in_(subject.user_ids))
    if subject.emails:
        clauses.append(func.lower(column).in_(subject.emails))
    return or_(*clauses) if clauses else literal(False)


class PrivacyRepository:
    def __init__(self, database: Database):
        self._db = database

    # -- who is this ------------------------------------------------------------------------------

    async def user_ids_with_aad(self, aad_object_id: str) -> list[str]:
        refs = conversation_refs
        async with self._db.engine.connect() as conn:
            rows = await conn.execute(select(refs.c.user_id).where(refs.c.aad_object_id == aad_object_id))
            return [row.user_id for row in rows]

    # -- reading one person's records -------------------------------------------------------------

    async def references(self, subject: Subject) -> list[dict]:
        refs = conversation_refs
        if not subject.user_ids:
            return []
        async with self._db.engine.connect() as conn:
            return _rows(await conn.execute(select(refs).where(refs.c.user_id.in_(subject.user_ids))))

    def _state_condition(self, subject: Subject, conversation_keys: Sequence[str]):
        clauses = [bot_state.c.key.like("%/users/" + _like_literal(u), escape="\\") for u in subject.user_ids]
        if conversation_keys:
            clauses.append(bot_state.c.key.in_(list(conversation_keys)))
        return or_(*clauses) if clauses else literal(False)

    async def state_documents(self, subject: Subject, conversation_keys: Sequence[str]) -> list[dict]:
        async with self._db.engine.connect() as conn:
            return _rows(await conn.execute(
                select(bot_state.c.key, bot_state.c.document, bot_state.c.updated_at)
                .where(self._state_condition(subject, conversation_keys)).order_by(bot_state.c.key)
            ))

    async def queries(self, subject: Subject) -> list[dict]:
        q, c = inbox_queries, inbox_clusters
        async with self._db.engine.connect() as conn:
            return _rows(await conn.execute(
                select(q.c.id, q.c.asked_at, q.c.channel, q.c.asker_id, q.c.asker_name, q.c.text, q.c.subject,
                       q.c.outcome, q.c.faq_id, q.c.helpful, q.c.status, q.c.delivered_at,
                       c.c.answer.label("answer"))
                .select_from(q.outerjoin(c, c.c.id == q.c.cluster_id))
                .where(_person_column(q.c.asker_id, subject)).order_by(q.c.asked_at, q.c.id)
            ))

    async def bookings(self, subject: Subject) -> list[dict]:
        b = bookings
        condition = []
        if subject.user_ids:
            condition.append(b.c.user_id.in_(subject.user_ids))
        if subject.emails:
            condition.append(func.lower(b.c.email).in_(subject.emails))
        if not condition:
            return []
        async with self._db.engine.connect() as conn:
            return _rows(await conn.execute(select(b).where(or_(*condition)).order_by(b.c.id)))

    async def subscriptions(self, subject: Subject) -> list[dict]:
        s = reminder_subscriptions
        if not subject.user_ids:
            return []
        async with self._db.engine.connect() as conn:
            return _rows(await conn.execute(
                select(s).where(s.c.user_id.in_(subject.user_ids)).order_by(s.c.user_id, s.c.category)))

    async def prompts(self, subject: Subject) -> list[dict]:
        p = reminder_prompts
        if not subject.user_ids:
            return []
        async with self._db.engine.connect() as conn:
            return _rows(await conn.execute(select(p).where(p.c.user_id.in_(subject.user_ids))))

    async def tribunal_cases(self, subject: Subject) -> list[dict]:
        t = tribunal_cases
        if not subject.user_ids:
            return []
        async with self._db.engine.connect() as conn:
            return _rows(await conn.execute(
                select(t).where(t.c.user_id.in_(subject.user_ids)).order_by(t.c.created_at, t.c.id)))

    async def messages(self, subject: Subject) -> list[dict]:
        om = outbound_messages
        if not subject.user_ids:
            return []
        async with self._db.engine.connect() as conn:
            return _rows(await conn.execute(
                select(om.c.id, om.c.kind, om.c.user_id, om.c.text, om.c.status, om.c.not_before, om.c.created_at,
                       om.c.finished_at)
                .where(om.c.user_id.in_(subject.user_ids)).order_by(om.c.created_at, om.c.id)))

    async def evaluation_responses(self, subject: Subject) -> list[dict]:
        r = evaluation_responses
        async with self._db.engine.connect() as conn:
            return _rows(await conn.execute(
                select(r).where(_person_column(r.c.respondent, subject)).order_by(r.c.forum_id)))

    async def evaluation_participation(self, subject: Subject) -> list[dict]:
        p = evaluation_participants
        async with self._db.engine.connect() as conn:
            return _rows(await conn.execute(
                select(p).where(_person_column(p.c.respondent, subject)).order_by(p.c.forum_id)))

    async def unsent_mail(self) -> list[dict]:
        """Replies still waiting in the mail outbox; only these hold an address (in their content)."""
        o = mail_outbox
        async with self._db.engine.connect() as conn:
            return _rows(await conn.execute(
                select(o.c.id, o.c.created_at, o.c.content).where(o.c.sent_at.is_(None), o.c.content.is_not(None))))

    async def reply_windows(self, sender_hashes: Sequence[str]) -> list[dict]:
        s = mail_senders
        if not sender_hashes:
            return []
        async with self._db.engine.connect() as conn:
            return _rows(await conn.execute(select(s).where(s.c.sender_hash.in_(list(sender_hashes)))))

    async def staff_labels(self, subject: Subject) -> tuple[str, ...]:
        """Every value that can stand for the person in a "who did it" column, lower case.

        Staff actions record the Teams display name when there is one ("Clara Green"), otherwise the
        Entra ID object id or Teams id; the command line records whatever --by said. So the person's
        ids, addresses, and the display names and object ids their Teams conversations were seen
        with all count. A display name is only known while the person's conversation reference is
        kept; after that, give the name itself as the identifier.
        """
        labels = {key.lower() for key in subject.keys if key}
        for ref in await self.references(subject):
            for value in (ref.get("user_name"), ref.get("aad_object_id")):
                if value and value.strip():
                    labels.add(value.strip().lower())
        return tuple(sorted(labels))

    async def staff_records(self, labels: Sequence[str]) -> dict[str, list[dict]]:
        """The team's work the person did: inbox answers and dismissals, published entries, broadcasts,
        changes to the knowledge base (`sencobot content …`, corrections) and deck imports and draft
        reviews."""
        if not labels:
            return {key: [] for key in STAFF_RECORD_KINDS}
        c, p, r = inbox_clusters, inbox_published, reminders
        wanted = [label.lower() for label in labels]
        async with self._db.engine.connect() as conn:
            answers = _rows(await conn.execute(
                select(c.c.id, c.c.status, c.c.question, c.c.answer, c.c.answered_by, c.c.answered_at)
                .where(func.lower(c.c.answered_by).in_(wanted)).order_by(c.c.answered_at, c.c.id)))
            published = _rows(await conn.execute(
                select(p.c.faq_id, p.c.question, p.c.published_by, p.c.published_at)
                .where(func.lower(p.c.published_by).in_(wanted)).order_by(p.c.published_at, p.c.faq_id)))
            broadcasts = _rows(await conn.execute(
                select(r.c.key, r.c.category, r.c.text, r.c.created_by, r.c.created_at, r.c.due_at, r.c.status)
                .where(r.c.kind == "broadcast", func.lower(r.c.created_by).in_(wanted))
                .order_by(r.c.created_at, r.c.key)))
            cr, d, di = content_revisions, content_drafts, deck_imports
            changes = _rows(await conn.execute(
                select(cr.c.id, cr.c.kind, cr.c.key, cr.c.action, cr.c.changed_by, cr.c.changed_at, cr.c.why)
                .where(func.lower(cr.c.changed_by).in_(wanted)).order_by(cr.c.changed_at, cr.c.id)))
            imports = _rows(await conn.execute(
                select(di.c.id, di.c.file_name, di.c.forum_id, di.c.drafts, di.c.imported_by, di.c.imported_at)
                .where(func.lower(di.c.imported_by).in_(wanted)).order_by(di.c.imported_at, di.c.id)))
            drafts = _rows(await conn.execute(
                select(d.c.id, d.c.kind, d.c.title, d.c.status, d.c.edited_by, d.c.edited_at, d.c.decided_by,
                       d.c.decided_at, d.c.decision_note)
                .where(or_(func.lower(d.c.edited_by).in_(wanted), func.lower(d.c.decided_by).in_(wanted)))
                .order_by(d.c.created_at, d.c.id)))
        return {"inbox_answers": answers, "published_entries": published, "broadcasts": broadcasts,
                "content_changes": changes, "deck_imports": imports, "draft_reviews": drafts}

    # -- erasing one person -----------------------------------------------------------------------

    async def erase(self, subject: Subject, *, conversation_keys: Sequence[str], sender_hashes: Sequence[str],
                    mail_ids: Sequence[str], staff_labels: Sequence[str] = (),
                    pseudonymised: Optional[dict[str, int]] = None) -> dict[str, int]:
        """Deletes everything keyed by the person except bookings (the service decides those), and takes
        their name off the team's work they did (``pseudonymised`` gets those counts). One transaction."""
        counts: dict[str, int] = {}
        ids = list(subject.user_ids)
        async with self._db.begin() as conn:
            if staff_labels:
                found = await _pseudonymise_staff(conn, [label.lower() for label in staff_labels])
                if pseudonymised is not None:
                    pseudonymised.update({name: n for name, n in found.items() if n})
            async def run(name, statement):
                counts[name] = (await conn.execute(statement)).rowcount

            q = inbox_queries
            cluster_ids = [row.cluster_id for row in await conn.execute(
                select(q.c.cluster_id).where(_person_column(q.c.asker_id, subject), q.c.cluster_id.is_not(None))
            )]
            await run("inbox_queries", delete(q).where(_person_column(q.c.asker_id, subject)))
            counts["inbox_clusters"] = await _delete_empty_clusters(conn, set(cluster_ids))
            if ids:
                om = outbound_messages
                mine = select(om.c.id).where(om.c.user_id.in_(ids))
                await run("delivery_attempts",
                          delete(delivery_attempts).where(delivery_attempts.c.message_id.in_(mine)))
                await run("outbound_messages", delete(om).where(om.c.user_id.in_(ids)))
                await run("reminder_subscriptions",
                          delete(reminder_subscriptions).where(reminder_subscriptions.c.user_id.in_(ids)))
                await run("reminder_prompts", delete(reminder_prompts).where(reminder_prompts.c.user_id.in_(ids)))
                await run("tribunal_cases", delete(tribunal_cases).where(tribunal_cases.c.user_id.in_(ids)))
                await run("conversation_refs", delete(conversation_refs).where(conversation_refs.c.user_id.in_(ids)))
            await run("evaluation_responses", delete(evaluation_responses).where(
                _person_column(evaluation_responses.c.respondent, subject)))
            await run("evaluation_participants", delete(evaluation_participants).where(
                _person_column(evaluation_participants.c.respondent, subject)))
            await run("bot_state", delete(bot_state).where(self._state_condition(subject, conversation_keys)))
            if sender_hashes:
                await run("mail_senders",
                          delete(mail_senders).where(mail_senders.c.sender_hash.in_(list(sender_hashes))))
            if mail_ids:
                await run("mail_outbox", delete(mail_outbox).where(mail_outbox.c.id.in_(list(mail_ids))))
        return {name: n for name, n in counts.items() if n}

    async def anonymise_bookings(self, booking_ids: Iterable[int]) -> int:
        ids = list(booking_ids)
        if not ids:
            return 0
        b = bookings
        async with self._db.begin() as conn:
            result = await conn.execute(
                update(b).where(b.c.id.in_(ids), not_(b.c.user_id.startswith(ANONYMISED)))
                .values(user_id=literal(ANONYMISED) + b.c.ref, name=ANONYMISED_NAME, school="", email="")
            )
            return result.rowcount

    async def delete_bookings(self, booking_ids: Iterable[int]) -> int:
        ids = list(booking_ids)
        if not ids:
            return 0
        async with self._db.begin() as conn:
            return (await conn.execute(delete(bookings).where(bookings.c.id.in_(ids)))).rowcount

    # -- retention --------------------------------------------------------------------------------

    async def purge_queries(self, asked_before: datetime) -> dict[str, int]:
        q = inbox_queries
        async with self._db.begin() as conn:
            cluster_ids = {row.cluster_id for row in await conn.execute(
                select(q.c.cluster_id).distinct().where(q.c.asked_at < asked_before, q.c.cluster_id.is_not(None)))}
            deleted = (await conn.execute(delete(q).where(q.c.asked_at < asked_before))).rowcount
            clusters = await _delete_empty_clusters(conn, cluster_ids)
        return {"inbox_queries": deleted, "inbox_clusters": clusters}

    async def purge_mail(self, before: datetime) -> dict[str, int]:
        o, s = mail_outbox, mail_senders
        async with self._db.begin() as conn:
            # A reply never sent in all this time is given up: it would only arrive absurdly late.
            outbox = (await conn.execute(delete(o).where(func.coalesce(o.c.sent_at, o.c.created_at) < before))).rowcount
            senders = (await conn.execute(delete(s).where(s.c.last_reply_at < before))).rowcount
        return {"mail_outbox": outbox, "mail_senders": senders}

    async def purge_processed(self, before: datetime, now: datetime) -> dict[str, int]:
        async with self._db.begin() as conn:
            mail = (await conn.execute(delete(mail_processed).where(mail_processed.c.processed_at < before))).rowcount
            activities = (await conn.execute(
                delete(processed_activities).where(processed_activities.c.expires_at <= now))).rowcount
        return {"mail_processed": mail, "processed_activities": activities}

    async def anonymise_evaluations(self, before: datetime) -> dict[str, int]:
        r, p = evaluation_responses, evaluation_participants
        async with self._db.begin() as conn:
            responses = (await conn.execute(
                update(r).where(r.c.updated_at < before, not_(r.c.respondent.startswith(ANONYMISED)))
                .values(respondent=literal(ANONYMISED) + r.c.id, most_useful=None, could_be_better=None,
                        topics_other=None)
            )).rowcount
            participants = (await conn.execute(
                update(p).where(p.c.created_at < before, not_(p.c.respondent.startswith(ANONYMISED)))
                .values(respondent=literal(ANONYMISED) + p.c.id)
            )).rowcount
        return {"evaluation_responses": responses, "evaluation_participants": participants}

    async def purge_closed_cases(self, closed_before: datetime) -> dict[str, int]:
        t = tribunal_cases
        async with self._db.begin() as conn:
            result = await conn.execute(delete(t).where(t.c.status == "closed", t.c.updated_at < closed_before))
        return {"tribunal_cases": result.rowcount}

    async def bookings_to_anonymise(self, *, past_events: Sequence[str], known_events: Sequence[str],
                                    unknown_before: datetime) -> list[int]:
        """Bookings for events that ended long enough ago, and for events the catalogue no longer has
        whose last recorded change is that old."""
        b = bookings
        last_change = func.coalesce(b.c.cancelled_at, b.c.confirmed_at, b.c.created_at)
        unknown = and_(b.c.event_id.not_in(list(known_events)), last_change < unknown_before) if known_events \
            else last_change < unknown_before
        condition = or_(b.c.event_id.in_(list(past_events)), unknown) if past_events else unknown
        async with self._db.engine.connect() as conn:
            rows = await conn.execute(
                select(b.c.id).where(condition, not_(b.c.user_id.startswith(ANONYMISED))).order_by(b.c.id))
            return [row.id for row in rows]

    async def purge_delivery_log(self, finished_before: datetime) -> dict[str, int]:
        om, da = outbound_messages, delivery_attempts
        old = select(om.c.id).where(om.c.status.in_(FINISHED_MESSAGE_STATUSES), om.c.finished_at < finished_before)
        async with self._db.begin() as conn:
            attempts = (await conn.execute(delete(da).where(da.c.message_id.in_(old)))).rowcount
            messages = (await conn.execute(
                delete(om).where(om.c.status.in_(FINISHED_MESSAGE_STATUSES), om.c.finished_at < finished_before)
            )).rowcount
        return {"outbound_messages": messages, "delivery_attempts": attempts}

    async def purge_inactive_references(self, seen_before: datetime) -> dict[str, int]:
        """References of people not heard from since ``seen_before`` who have nothing that still needs them."""
        refs, s, t, b, om = conversation_refs, reminder_subscriptions, tribunal_cases, bookings, outbound_messages
        still_needed = or_(
            exists().where(s.c.user_id == refs.c.user_id, s.c.active.is_(True)),
            exists().where(t.c.user_id == refs.c.user_id, t.c.status == "open"),
            exists().where(b.c.user_id == refs.c.user_id, b.c.status.in_(("confirmed", "waitlisted"))),
            exists().where(om.c.user_id == refs.c.user_id, om.c.status.in_(("pending", "claimed"))),
        )
        async with self._db.begin() as conn:
            result = await conn.execute(delete(refs).where(refs.c.updated_at < seen_before, not_(still_needed)))
        return {"conversation_refs": result.rowcount}

    async def purge_state(self, updated_before: datetime) -> dict[str, int]:
        async with self._db.begin() as conn:
            result = await conn.execute(delete(bot_state).where(bot_state.c.updated_at < updated_before))
        return {"bot_state": result.rowcount}


async def _pseudonymise_staff(conn, labels: list[str]) -> dict[str, int]:
    """Answers, published entries and broadcasts stay (other people rely on them); who wrote them goes."""
    c, p, r = inbox_clusters, inbox_published, reminders
    answered = await conn.execute(update(c).where(func.lower(c.c.answered_by).in_(labels)).values(answered_by=None))
    published = await conn.execute(
        update(p).where(func.lower(p.c.published_by).in_(labels)).values(published_by=FORMER_STAFF))
    broadcasts = await conn.execute(
        update(r).where(func.lower(r.c.created_by).in_(labels)).values(created_by=None))
    # The knowledge base's history and the deck imports keep what changed and why; who did it goes.
    ci, cr, d, di = content_items, content_revisions, content_drafts, deck_imports
    items = await conn.execute(
        update(ci).where(func.lower(ci.c.updated_by).in_(labels)).values(updated_by=FORMER_STAFF))
    changes = await conn.execute(
        update(cr).where(func.lower(cr.c.changed_by).in_(labels)).values(changed_by=FORMER_STAFF))
    imports = await conn.execute(
        update(di).where(func.lower(di.c.imported_by).in_(labels)).values(imported_by=FORMER_STAFF))
    edited = await conn.execute(update(d).where(func.lower(d.c.edited_by).in_(labels)).values(edited_by=None))
    decided = await conn.execute(update(d).where(func.lower(d.c.decided_by).in_(labels)).values(decided_by=None))
    return {"inbox_clusters": answered.rowcount, "inbox_published": published.rowcount,
            "reminders": broadcasts.rowcount, "content_items": items.rowcount,
            "content_revisions": changes.rowcount, "deck_imports": imports.rowcount,
            "content_drafts": edited.rowcount + decided.rowcount}


async def _delete_empty_clusters(conn, cluster_ids: set) -> int:
    """Groups left without questions go too, unless a published FAQ entry came from them."""
    cluster_ids = {c for c in cluster_ids if c}
    if not cluster_ids:
        return 0
    c, q, p = inbox_clusters, inbox_queries, inbox_published
    result = await conn.execute(
        delete(c).where(
            c.c.id.in_(list(cluster_ids)),
            not_(exists().where(q.c.cluster_id == c.c.id)),
            not_(exists().where(p.c.cluster_id == c.c.id)),
        )
    )
    return result.rowcount

