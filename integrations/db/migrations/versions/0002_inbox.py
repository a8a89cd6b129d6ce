"""inbox: query log, clusters, published entries, digest runs

Revision ID: 0002_inbox
Revises: 0001_foundation
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

from integrations.db.types import UtcDateTime

revision = "0002_inbox"
down_revision = "0001_foundation"
branch_labels = ("inbox",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox_clusters",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("answer", sa.Text, nullable=True),
        sa.Column("answered_by", sa.String(256), nullable=True),
        sa.Column("answered_at", UtcDateTime, nullable=True),
        sa.Column("faq_id", sa.String(128), nullable=True),
        sa.Column("merged_into", sa.String(32), nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_inbox_clusters"),
    )
    op.create_index("ix_inbox_clusters_status", "inbox_clusters", ["status"])
    op.create_table(
        "inbox_queries",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("asked_at", UtcDateTime, nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("asker_id", sa.String(320), nullable=False),
        sa.Column("asker_name", sa.String(256), nullable=False, server_default=""),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("faq_id", sa.String(128), nullable=True),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("helpful", sa.Boolean, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("needs_answer", sa.Boolean, nullable=False, server_default="0"),
        sa.Column("cluster_id", sa.String(32), nullable=True),
        sa.Column("message_id", sa.String(998), nullable=True),
        sa.Column("subject", sa.String(998), nullable=True),
        sa.Column("delivered_at", UtcDateTime, nullable=True),
        sa.Column("digested_at", UtcDateTime, nullable=True),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_inbox_queries"),
        sa.ForeignKeyConstraint(
            ["cluster_id"], ["inbox_clusters.id"], name="fk_inbox_queries_cluster_id_inbox_clusters"
        ),
    )
    op.create_index("ix_inbox_queries_asked_at", "inbox_queries", ["asked_at"])
    op.create_index("ix_inbox_queries_asker_id", "inbox_queries", ["asker_id"])
    op.create_index("ix_inbox_queries_status", "inbox_queries", ["status"])
    op.create_index("ix_inbox_queries_cluster_id", "inbox_queries", ["cluster_id"])
    op.create_table(
        "inbox_published",
        sa.Column("faq_id", sa.String(128), nullable=False),
        sa.Column("cluster_id", sa.String(32), nullable=True),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("alternatives", sa.Text, nullable=False),
        sa.Column("tags", sa.Text, nullable=False),
        sa.Column("session", sa.String(256), nullable=False),
        sa.Column("presenter", sa.String(256), nullable=True),
        sa.Column("forum", sa.String(64), nullable=False),
        sa.Column("published_at", UtcDateTime, nullable=False),
        sa.Column("published_by", sa.String(256), nullable=False),
        sa.PrimaryKeyConstraint("faq_id", name="pk_inbox_published"),
        sa.ForeignKeyConstraint(
            ["cluster_id"], ["inbox_clusters.id"], name="fk_inbox_published_cluster_id_inbox_clusters"
        ),
    )
    op.create_table(
        "inbox_digests",
        sa.Column("slot", sa.String(40), nullable=False),
        sa.Column("claimed_at", UtcDateTime, nullable=False),
        sa.Column("sent_at", UtcDateTime, nullable=True),
        sa.Column("question_count", sa.Integer, nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("slot", name="pk_inbox_digests"),
    )


def downgrade() -> None:
    op.drop_table("inbox_digests")
    op.drop_table("inbox_published")
    op.drop_index("ix_inbox_queries_cluster_id", "inbox_queries")
    op.drop_index("ix_inbox_queries_status", "inbox_queries")
    op.drop_index("ix_inbox_queries_asker_id", "inbox_queries")
    op.drop_index("ix_inbox_queries_asked_at", "inbox_queries")
    op.drop_table("inbox_queries")
    op.drop_index("ix_inbox_clusters_status", "inbox_clusters")
    op.drop_table("inbox_clusters")
