"""Imports every feature's storage module so the shared metadata is complete (for migrations and tests)."""
from integrations.db import host  # noqa: F401
from integrations.db import bookings  # noqa: F401
from integrations.db import inbox  # noqa: F401
from integrations.db import evaluations  # noqa: F401
from integrations.db import reminders  # noqa: F401
from integrations.db import mail  # noqa: F401
from integrations.db import drafts  # noqa: F401
from integrations.db import content_tables  # noqa: F401
from integrations.db import rate_limits  # noqa: F401
