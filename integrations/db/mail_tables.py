"""Tables of the email assistant: which incoming messages were handled, the replies waiting to be
sent (the outbox), how many auto-replies each sender had lately, and where the mailbox was read up to.

No message text or address is stored here except inside an outbox reply until it is sent; senders
are kept as a hash so the reply window works without a list of addresses.
"""
from sqlalchemy import Column, Integer, LargeBinary, String, Table

from integrations.db.metadata import metadata
from integrations.db.types import UtcDateTime

# One row per incoming message (keyed by a hash of its Message-ID): written in the same transaction
# as its outbox reply, so a message is decided once whatever crashes afterwards.
mail_processed = Table(
    "mail_processed",
    metadata,
    Column("message_key", String(80), primary_key=True),
    Column("processed_at", UtcDateTime, nullable=False),
    Column("decision", String(16), nullable=False),          # answer|suggest|acknowledge|log|ignore
    Column("reason", String(32), nullable=True),             # why there was no reply (loop guard, window)
    Column("query_id", String(32), nullable=True),           # the inbox query it was logged as
    Column("logged_at", UtcDateTime, nullable=True, index=True),
)

# Replies to send: the whole MIME message with its final Message-ID, blanked once sent.
mail_outbox = Table(
    "mail_outbox",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("message_key", String(80), nullable=False, unique=True),
    Column("reply_message_id", String(255), nullable=False),
    Column("content", LargeBinary, nullable=True),
    Column("created_at", UtcDateTime, nullable=False, index=True),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_attempt_at", UtcDateTime, nullable=True),
    Column("last_error", String(64), nullable=True),
    Column("sent_at", UtcDateTime, nullable=True, index=True),
)

# The auto-reply window per sender (a keyed hash of the address, never the address).
mail_senders = Table(
    "mail_senders",
    metadata,
    Column("sender_hash", String(64), primary_key=True),
    Column("window_started_at", UtcDateTime, nullable=False),
    Column("replies", Integer, nullable=False),
    Column("last_reply_at", UtcDateTime, nullable=False),
)

# Where each mailbox was read up to (an opaque position: for IMAP "UIDVALIDITY:UID"), and which worker
# holds it: one worker reads a mailbox at a time, whichever replica that is.
mail_cursors = Table(
    "mail_cursors",
    metadata,
    Column("mailbox", String(255), primary_key=True),
    Column("position", String(512), nullable=True),
    Column("holder", String(64), nullable=True),
    Column("lease_until", UtcDateTime, nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
)
