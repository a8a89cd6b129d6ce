"""Database edge: engine, tables, migrations and small async repositories.

ORM/Core rows stay in here; callers receive plain dicts and dataclasses.
"""
from integrations.db.engine import Database, normalise_url

__all__ = ["Database", "normalise_url"]
