"""Tables for event bookings: the live state of each catalogue event, and the bookings.

``booking_events`` mirrors what bookings need from knowledge/data/events.yaml (capacity,
status, a fingerprint of time and place) and is the row every booking change locks, so
capacity is enforced under any concurrency. ``bookings.id`` is the joining order: the
waitlist is promoted by it.
"""
from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Integer, String, Table, text

from integrations.db.metadata import metadata
from integrations.db.types import UtcDateTime

BOOKING_STATUSES = ("confirmed", "waitlisted", "cancelled")
ACTIVE_STATUSES = ("confirmed", "waitlisted")

booking_events = Table(
    "booking_events",
    metadata,
    Column("event_id", String(100), primary_key=True),
    Column("capacity", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    # Hash of what a calendar invite shows (title, times, place): a change means "send an update".
    Column("fingerprint", String(64), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

_ACTIVE = text("status IN ('confirmed', 'waitlisted')")

bookings = Table(
    "bookings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ref", String(32), nullable=False, unique=True),
    Column("event_id", String(100), ForeignKey("booking_events.event_id"), nullable=False),
    Column("user_id", String(256), nullable=False),
    Column("name", String(200), nullable=False),
    Column("school", String(200), nullable=False),
    Column("email", String(320), nullable=False),
    Column("status", String(16), nullable=False),
    # The invite's SEQUENCE: raised on every change the booker's calendar must hear about.
    Column("sequence", Integer, nullable=False, server_default="0"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("confirmed_at", UtcDateTime, nullable=True),
    Column("cancelled_at", UtcDateTime, nullable=True),
    Column("cancelled_by", String(16), nullable=True),
    CheckConstraint("status IN ('confirmed', 'waitlisted', 'cancelled')", name="status"),
    Index("ix_bookings_event_status", "event_id", "status", "id"),
    Index("ix_bookings_user_id", "user_id"),
    # One active booking per person per event; cancelled rows stay as history.
    Index(
        "uq_bookings_active_person", "event_id", "user_id", unique=True,
        sqlite_where=_ACTIVE, postgresql_where=_ACTIVE,
    ),
)
