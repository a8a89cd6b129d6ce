"""deck drafts: imports of forum decks and the review queue of their drafts

Revision ID: 0007_deck_drafts
Revises: 0001_foundation
Create Date: 2026-12-05
"""
import sqlalchemy as sa
from alembic import op

from integrations.db.types import UtcDateTime

revision = "0007_deck_drafts"
down_revision = "0001_foundation"
branch_labels = ("deck_drafts",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deck_imports",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("file_name", sa.String(300), nullable=False),
        sa.Column("forum_id", sa.String(64), nullable=False),
        sa.Column("drafts", sa.Integer, nullable=False),
        sa.Column("imported_by", sa.String(200), nullable=False),
        sa.Column("imported_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_deck_imports"),
    )
    op.create_table(
        "content_drafts",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("import_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("draft_key", sa.String(200), nullable=False),
        sa.Column("title", sa.String(400), nullable=False),
        sa.Column("original", sa.Text, nullable=False),
        sa.Column("current", sa.Text, nullable=False),
        sa.Column("flags", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("edited_by", sa.String(200), nullable=True),
        sa.Column("edited_at", UtcDateTime, nullable=True),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column("decided_at", UtcDateTime, nullable=True),
        sa.Column("decision_note", sa.Text, nullable=True),
        sa.Column("published_as", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_content_drafts"),
        sa.CheckConstraint("kind IN ('forum', 'event', 'deadline', 'faq')", name="ck_content_drafts_kind"),
        sa.CheckConstraint("status IN ('pending', 'accepted', 'rejected')", name="ck_content_drafts_status"),
    )
    op.create_index("ix_content_drafts_status", "content_drafts", ["status", "created_at"])
    op.create_index("ix_content_drafts_import_id", "content_drafts", ["import_id"])


def downgrade() -> None:
    op.drop_index("ix_content_drafts_import_id", table_name="content_drafts")
    op.drop_index("ix_content_drafts_status", table_name="content_drafts")
    op.drop_table("content_drafts")
    op.drop_table("deck_imports")
