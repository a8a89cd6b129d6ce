"""content: the shared content store (items, revisions, a version number replicas poll)

Revision ID: 0007_content
Revises: 0001_foundation
Create Date: 2026-12-05

Seeding from knowledge/data/ is `sencobot kb import` (run by `sencobot serve` when the store is
empty), not this migration: the seed is the installed package's YAML, which the migration must not
depend on, and an import records who and why like any other change.
"""
import sqlalchemy as sa
from alembic import op

from integrations.db.types import UtcDateTime

revision = "0007_content"
down_revision = "0001_foundation"
branch_labels = ("content",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "content_items",
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key", sa.String(160), nullable=False),
        sa.Column("doc", sa.Text, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("kind", "key", name="pk_content_items"),
    )
    op.create_table(
        "content_revisions",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key", sa.String(160), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("doc", sa.Text, nullable=True),
        sa.Column("previous", sa.Text, nullable=True),
        sa.Column("changed_by", sa.String(200), nullable=False),
        sa.Column("changed_at", UtcDateTime, nullable=False),
        sa.Column("why", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_content_revisions"),
    )
    op.create_index("ix_content_revisions_kind", "content_revisions", ["kind"])
    op.create_index("ix_content_revisions_key", "content_revisions", ["key"])
    op.create_table(
        "content_version",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("changed_at", UtcDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_content_version"),
    )
    op.bulk_insert(sa.table("content_version", sa.column("id", sa.Integer), sa.column("version", sa.Integer)),
                   [{"id": 1, "version": 0}])


def downgrade() -> None:
    op.drop_table("content_version")
    op.drop_index("ix_content_revisions_key", "content_revisions")
    op.drop_index("ix_content_revisions_kind", "content_revisions")
    op.drop_table("content_revisions")
    op.drop_table("content_items")
