"""Alembic environment: always handed a live connection by integrations.db.migrate."""
from alembic import context

import integrations.db.tables  # noqa: F401  (registers every table on the metadata)
from integrations.db.metadata import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `sencobot db upgrade`, which supplies the connection")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite needs batch mode for ALTER
)
with context.begin_transaction():
    context.run_migrations()
