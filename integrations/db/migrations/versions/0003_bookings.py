"""bookings: live event state and bookings with a waitlist

Revision ID: 0003_bookings
Revises: 0001_foundation
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

from integrations.db.types import UtcDateTime

revision = "0003_bookings"
down_revision = "0001_foundation"
branch_labels = ("bookings",)
depends_on = None

_ACTIVE = sa.text("status IN ('confirmed', 'waitlisted')")


def upgrade() -> None:
    op.create_table(
        "booking_events",
        sa.Column("event_id", sa.String(100), nullable=False),
        sa.Column("capacity", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="pk_booking_events"),
    )
    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("ref", sa.String(32), nullable=False),
        sa.Column("event_id", sa.String(100), nullable=False),
        sa.Column("user_id", sa.String(256), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("school", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("confirmed_at", UtcDateTime, nullable=True),
        sa.Column("cancelled_at", UtcDateTime, nullable=True),
        sa.Column("cancelled_by", sa.String(16), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_bookings"),
        sa.UniqueConstraint("ref", name="uq_bookings_ref"),
        sa.ForeignKeyConstraint(["event_id"], ["booking_events.event_id"],
                                name="fk_bookings_event_id_booking_events"),
        sa.CheckConstraint("status IN ('confirmed', 'waitlisted', 'cancelled')", name="status"),
    )
    op.create_index("ix_bookings_event_status", "bookings", ["event_id", "status", "id"])
    op.create_index("ix_bookings_user_id", "bookings", ["user_id"])
    op.create_index("uq_bookings_active_person", "bookings", ["event_id", "user_id"], unique=True,
                    sqlite_where=_ACTIVE, postgresql_where=_ACTIVE)


def downgrade() -> None:
    op.drop_index("uq_bookings_active_person", "bookings")
    op.drop_index("ix_bookings_user_id", "bookings")
    op.drop_index("ix_bookings_event_status", "bookings")
    op.drop_table("bookings")
    op.drop_table("booking_events")
