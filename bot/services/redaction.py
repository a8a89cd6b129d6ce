"""Compatibility shim: the redactor lives in `bot.privacy.redaction`.

Kept so that modules written before the per-feature layout still import it
from here; new code should import `bot.privacy.redaction`.
"""

from bot.privacy.redaction import *  # noqa: F401,F403
from bot.privacy.redaction import __all__, nhs_number_is_valid  # noqa: F401
