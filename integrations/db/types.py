"""Column types shared by every table module."""
from datetime import datetime, timezone

from sqlalchemy import DateTime
from sqlalchemy import String as _String, Text as _Text
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator):
    """Stores aware instants as UTC; SQLite forgets the zone, so it is put back on read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


# -- the input contract -------------------------------------------------------------------------
# PostgreSQL refuses a NUL in text and a string longer than its column; SQLite stores both. Every
# table module takes String and Text from here, so what SQLite accepts PostgreSQL accepts too: NUL
# is dropped and a value is cut to its column's size. The web edge refuses over-long ids with a
# clear message first (bot/app.py); this is the net under everything else a user can type.

class String(TypeDecorator):
    impl = _String
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if isinstance(value, str):
            if "\x00" in value:
                value = value.replace("\x00", "")
            if self.impl.length is not None and len(value) > self.impl.length:
                value = value[: self.impl.length]
        return value


class Text(TypeDecorator):
    impl = _Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if isinstance(value, str) and "\x00" in value:
            value = value.replace("\x00", "")
        return value
