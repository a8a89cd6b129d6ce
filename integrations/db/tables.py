"""Imports every table module so the shared metadata is complete (for migrations and tests)."""
from integrations.db import core_tables  # noqa: F401
from integrations.db import booking_tables  # noqa: F401
from integrations.db import inbox_tables  # noqa: F401
from integrations.db import evaluation_tables  # noqa: F401
from integrations.db import reminder_tables  # noqa: F401
from integrations.db import mail_tables  # noqa: F401
from integrations.db import rate_limits  # noqa: F401
