"""Tables of the FAQ collation inbox: the query log, clusters of similar questions,
entries published from answered clusters, and digest runs.

Only redacted text is ever stored here.
"""
from sqlalchemy import Boolean, Column, Float, ForeignKey, Integer, String, Table, Text

from integrations.db.metadata import metadata
from integrations.db.types import UtcDateTime

# A group of similar open questions that staff answer once for every asker.
inbox_clusters = Table(
    "inbox_clusters",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("question", Text, nullable=False),          # the representative (redacted) wording
    Column("status", String(16), nullable=False, index=True),  # open|answered|published|dismissed|merged
    Column("answer", Text, nullable=True),
    Column("answered_by", String(256), nullable=True),
    Column("answered_at", UtcDateTime, nullable=True),
    Column("faq_id", String(128), nullable=True),
    Column("merged_into", String(32), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

inbox_queries = Table(
    "inbox_queries",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("asked_at", UtcDateTime, nullable=False, index=True),
    Column("channel", String(16), nullable=False),      # teams|email|console
    Column("asker_id", String(320), nullable=False, index=True),  # Teams user id or email address
    Column("asker_name", String(256), nullable=False, server_default=""),
    Column("text", Text, nullable=False),               # after redaction
    Column("outcome", String(16), nullable=False),      # answer|suggest|decline
    Column("faq_id", String(128), nullable=True),
    Column("confidence", Float, nullable=False),
    Column("helpful", Boolean, nullable=True),
    Column("status", String(16), nullable=False, index=True),  # new|answered|published|duplicate|dismissed
    Column("needs_answer", Boolean, nullable=False, server_default="0"),
    Column("cluster_id", String(32), ForeignKey("inbox_clusters.id"), nullable=True, index=True),
    # Email askers: the original Message-ID and (redacted) subject, to thread the staff answer.
    Column("message_id", String(998), nullable=True),
    Column("subject", String(998), nullable=True),
    Column("delivered_at", UtcDateTime, nullable=True),
    Column("digested_at", UtcDateTime, nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
)

# Knowledge entries made from answered clusters; loaded into the answerer at start-up.
inbox_published = Table(
    "inbox_published",
    metadata,
    Column("faq_id", String(128), primary_key=True),
    Column("cluster_id", String(32), ForeignKey("inbox_clusters.id"), nullable=True),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("alternatives", Text, nullable=False),       # JSON list of strings
    Column("tags", Text, nullable=False),               # JSON list of strings
    Column("session", String(256), nullable=False),
    Column("presenter", String(256), nullable=True),
    Column("forum", String(64), nullable=False),
    Column("published_at", UtcDateTime, nullable=False),
    Column("published_by", String(256), nullable=False),
)

# One row per digest period: whoever inserts the row sends that period's digest.
inbox_digests = Table(
    "inbox_digests",
    metadata,
    Column("slot", String(40), primary_key=True),
    Column("claimed_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime, nullable=True),
    Column("question_count", Integer, nullable=False, server_default="0"),
)
