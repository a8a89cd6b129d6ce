"""One typed Settings object, read once from app.yaml and the environment.

Only the process entry point (``bot.cli``) reads the real environment; everything
else receives a Settings instance, so tests build settings from plain mappings.

Environment overrides: ``SENCOBOT_<SECTION>__<KEY>`` (e.g. ``SENCOBOT_SERVER__PORT``),
plus the Bot Framework's own names and ``DATABASE_URL`` (see ``_WELL_KNOWN_ENV``).
Secrets are accepted only from the environment and masked when printed.
"""
from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from integrations.teams_package import Publisher

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = REPO_ROOT / "app.yaml"


class SettingsError(ValueError):
    """A missing or invalid setting; the message is one line naming the key."""


def secret(default: str = "") -> Any:
    return field(default=default, metadata={"secret": True})


@dataclass(frozen=True)
class ServerSettings:
    host: str = "127.0.0.1"
    port: int = 3978
    # Anonymous mode (no app id) accepts unauthenticated requests, so only loopback is safe.
    allow_anonymous_non_loopback: bool = False
    max_body_bytes: int = 262144
    public_base_url: str = "http://127.0.0.1:3978"


@dataclass(frozen=True)
class DatabaseSettings:
    url: str = "sqlite+aiosqlite:///var/sencobot.db"
    echo: bool = False


@dataclass(frozen=True)
class BotSettings:
    app_id: str = ""
    app_password: str = secret()
    # New multi-tenant bots can no longer be registered in Azure, so single-tenant is the default.
    app_type: str = "SingleTenant"
    app_tenant_id: str = ""
    # UserAssignedMSI: the platform's managed identity endpoint (App Service/Container Apps set these; empty on a
    # VM means the instance metadata endpoint).
    identity_endpoint: str = ""
    identity_header: str = secret()
    # How long an activity id is remembered so a Teams retry is not processed twice.
    dedupe_ttl_seconds: int = 86400
    max_message_chars: int = 4000
    rate_limit_per_minute: int = 30
    allowed_tenants: list[str] = field(default_factory=list)
    staff_ids: list[str] = field(default_factory=list)
    # Members of this Team (its id, "19:...@thread.tacv2") are staff too; checked against the Teams roster.
    staff_team_id: str = ""
    # How long a roster answer (member or not) is trusted before Teams is asked again.
    staff_team_cache_seconds: int = 600
    openid_metadata_url: str = ""
    # Issuer the Bot Connector's tokens must carry; empty = the public cloud's (api.botframework.com).
    token_issuer: str = ""
    # Named in the polite refusal sent to people from a tenant outside allowed_tenants.
    service_area: str = "Kent"


@dataclass(frozen=True)
class KnowledgeSettings:
    data_dir: str = ""
    answer_threshold: float = 0.60   # chosen by `python -m knowledge.train` (knowledge/model/decision.json)
    suggest_threshold: float = 0.59
    reload_check_seconds: float = 5.0
    content_poll_seconds: float = 1.0
    # Staff confirmations "this declined question is entry X" (sencobot kb confirm, the close-calls card);
    # empty = knowledge/training/confirmed.jsonl, which `sencobot kb train` reads.
    confirmed_file: str = ""


@dataclass(frozen=True)
class MailSettings:
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 587
    smtp_starttls: bool = True
    smtp_tls: bool = False
    smtp_username: str = ""
    smtp_password: str = secret()
    smtp_timeout_seconds: float = 30.0
    enabled: bool = False
    # Reading the team mailbox (the email assistant); an empty imap_host leaves it off.
    imap_host: str = ""
    imap_port: int = 993
    imap_tls: bool = True
    imap_username: str = ""
    imap_password: str = secret()
    imap_folder: str = "INBOX"
    imap_poll_seconds: float = 60.0
    imap_idle: bool = True
    imap_timeout_seconds: float = 30.0
    imap_mark_seen: bool = True
    imap_batch_size: int = 50
    # OAuth2 client credentials (Exchange Online): an empty oauth_token_url means password logins.
    oauth_token_url: str = ""
    oauth_client_id: str = ""
    oauth_client_secret: str = secret()
    oauth_imap_scope: str = "https://outlook.office365.com/.default"
    oauth_smtp_scope: str = "https://outlook.office365.com/.default"
    auto_reply_window_hours: float = 24.0
    auto_reply_max_per_window: int = 5
    # Auto-replies to everyone together per hour; a flood of forged senders stops here. 0 = no ceiling.
    auto_reply_max_per_hour: int = 500
    booking_link: str = ""

    def __post_init__(self):
        if self.auto_reply_window_hours <= 0:
            raise SettingsError("mail.auto_reply_window_hours: must be more than 0")
        if self.auto_reply_max_per_window < 1:
            raise SettingsError("mail.auto_reply_max_per_window: must be at least 1")
        if self.imap_poll_seconds <= 0:
            raise SettingsError("mail.imap_poll_seconds: must be more than 0")
        if self.imap_batch_size < 1:
            raise SettingsError("mail.imap_batch_size: must be at least 1")


@dataclass(frozen=True)
class BookingSettings:
    default_capacity: int = 60
    reminder_lead_times: list[str] = field(default_factory=lambda: ["1 day", "1 hour"])
    events_file: str = ""
    calendar_link_days: int = 30
    email_confirmations: bool = True
    catalogue_check_seconds: float = 5.0


@dataclass(frozen=True)
class EvaluationSettings:
    # After the forum's last session ends the survey is pushed; one reminder goes this many days later.
    reminder_after_days: int = 7
    # The survey stays open until the end of this many days after the forum's last day...
    close_after_days: int = 21
    # ...unless a forum has its own closing date here: "forum-id=YYYY-MM-DD" (open through that day).
    close_dates: list[str] = field(default_factory=list)
    # When a session's end time is not known (the Term 4 deck gives none), it counts as over at this London time.
    end_time_if_unknown: str = "16:00"
    # Reminder categories whose subscribers count as a forum's attendees and are invited.
    subscriber_categories: list[str] = field(default_factory=lambda: ["forum"])
    check_interval_seconds: float = 300.0
    chart_link_minutes: int = 60


@dataclass(frozen=True)
class InboxSettings:
    # rapidfuzz token_set_ratio (0-100) at which two open questions count as the same question.
    cluster_threshold: int = 80
    max_clusters_shown: int = 10
    forum: str = "term4-2025"
    default_topic: str = "questions-from-schools"
    digest_enabled: bool = True
    digest_interval_hours: int = 24
    digest_time: str = "08:00"
    digest_to: str = ""
    check_seconds: float = 60.0

    def __post_init__(self):
        if not 0 <= self.cluster_threshold <= 100:
            raise SettingsError("inbox.cluster_threshold: must be between 0 and 100")
        if self.digest_interval_hours < 1:
            raise SettingsError("inbox.digest_interval_hours: must be at least 1")
        parts = self.digest_time.split(":")
        if len(parts) != 2 or not all(p.isdigit() for p in parts) or int(parts[0]) > 23 or int(parts[1]) > 59:
            raise SettingsError(f"inbox.digest_time: expected HH:MM (24-hour), got {self.digest_time!r}")


# The Teams app package's publisher details: one model, declared with the package it describes.
TeamsAppSettings = Publisher


@dataclass(frozen=True)
class RemindersSettings:
    enabled: bool = True
    send_time: str = "09:00"
    deadline_lead_days: list[int] = field(default_factory=lambda: [7, 1])
    tribunal_lead_days: list[int] = field(default_factory=lambda: [7, 1])
    late_after_minutes: int = 15
    broadcast_expiry_hours: int = 72
    poll_seconds: float = 5.0
    lease_seconds: int = 60
    batch_size: int = 50
    max_concurrent_sends: int = 8
    scrub_after_days: int = 30
    conversation_per_second: int = 7
    conversation_per_2_seconds: int = 8
    conversation_per_30_seconds: int = 60
    conversation_per_hour: int = 1800
    tenant_per_second: float = 50.0
    tenant_headroom: float = 0.95
    max_throttle_retries: int = 8
    max_transient_retries: int = 3
    backoff_base_seconds: float = 1.0
    backoff_max_seconds: float = 60.0
    request_timeout_seconds: float = 30.0
    token_url: str = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"
    token_scope: str = "https://api.botframework.com/.default"


@dataclass(frozen=True)
class Retention:
    """How long each kind of record is kept, in days; ``sencobot privacy purge`` (also run daily) applies them.
    The one model of it: ``PrivacySettings`` adds when the purge runs, ``bot.privacy.service`` applies it."""

    queries_days: int = 365
    mail_outbox_days: int = 30
    processed_ids_days: int = 90
    evaluation_days: int = 730
    tribunal_closed_days: int = 90
    bookings_past_days: int = 365
    delivery_log_days: int = 90
    inactive_user_days: int = 365
    bot_state_days: int = 90

    @classmethod
    def from_settings(cls, privacy: "Retention") -> "Retention":
        """Just the retention periods of the privacy settings (which carry more)."""
        return cls(**{f.name: getattr(privacy, f.name) for f in dataclasses.fields(cls)})


@dataclass(frozen=True)
class PrivacySettings(Retention):
    # When the daily purge runs (London time); every replica may run it, it is idempotent.
    purge_time: str = "03:30"

    def __post_init__(self):
        for f in dataclasses.fields(self):
            if f.name.endswith("_days") and getattr(self, f.name) < 1:
                raise SettingsError(f"privacy.{f.name}: must be at least 1 day")
        parts = self.purge_time.split(":")
        if len(parts) != 2 or not all(p.isdigit() for p in parts) or int(parts[0]) > 23 or int(parts[1]) > 59:
            raise SettingsError(f"privacy.purge_time: expected HH:MM (24-hour), got {self.purge_time!r}")


@dataclass(frozen=True)
class Settings:
    timezone: str = "Europe/London"
    team_mailbox: str = "inclusion@kent.gov.uk"
    team_name: str = "Inclusion team"
    # Signs links the bot hands out (calendar files, evaluation forms); from the environment only.
    link_signing_key: str = secret()
    server: ServerSettings = field(default_factory=ServerSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    bot: BotSettings = field(default_factory=BotSettings)
    knowledge: KnowledgeSettings = field(default_factory=KnowledgeSettings)
    mail: MailSettings = field(default_factory=MailSettings)
    inbox: InboxSettings = field(default_factory=InboxSettings)
    bookings: BookingSettings = field(default_factory=BookingSettings)
    evaluations: EvaluationSettings = field(default_factory=EvaluationSettings)
    teams_app: TeamsAppSettings = field(default_factory=TeamsAppSettings)
    reminders: RemindersSettings = field(default_factory=RemindersSettings)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)

    def __repr__(self) -> str:
        return f"Settings({_describe(self)})"

    __str__ = __repr__

    def masked(self) -> dict:
        return _as_masked_dict(self)

    def replace(self, **changes) -> "Settings":
        """A copy with dotted keys changed: ``settings.replace(**{"server.port": 0})``."""
        raw = dataclasses.asdict(self)
        for dotted, value in changes.items():
            target = raw
            *parents, leaf = dotted.split(".")
            for part in parents:
                target = target[part]
            target[leaf] = value
        return _build(Settings, raw, "")


_WELL_KNOWN_ENV = {
    "DATABASE_URL": "database.url",
    "MicrosoftAppId": "bot.app_id",
    "MicrosoftAppPassword": "bot.app_password",
    "MicrosoftAppType": "bot.app_type",
    "MicrosoftAppTenantId": "bot.app_tenant_id",
    "IDENTITY_ENDPOINT": "bot.identity_endpoint",
    "IDENTITY_HEADER": "bot.identity_header",
}
_ENV_PREFIX = "SENCOBOT_"
# Read by bot.clock, not a setting: the moved clock is for tests and rehearsals, never part of a deployment.
_NOT_SETTINGS = frozenset({"SENCOBOT_NOW"})


def load_settings(
    config_path: Path | str | None = DEFAULT_CONFIG,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Settings from app.yaml, then the environment, then explicit overrides."""
    raw: dict = {}
    if config_path is not None:
        path = Path(config_path)
        if not path.exists():
            raise SettingsError(f"config file {path} does not exist")
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise SettingsError(f"config file {path} is not valid YAML: {exc}".splitlines()[0]) from None
        if not isinstance(raw, dict):
            raise SettingsError(f"config file {path} must be a mapping of settings")
        for key in _secret_keys(Settings):
            if _lookup(raw, key) not in (None, ""):
                raise SettingsError(f"{key}: secrets come only from the environment, not from {path.name}")
    for name, value in (environ or {}).items():
        dotted = _WELL_KNOWN_ENV.get(name)
        if dotted is None and name.startswith(_ENV_PREFIX) and name not in _NOT_SETTINGS:
            dotted = name[len(_ENV_PREFIX):].lower().replace("__", ".")
        if dotted:
            _assign(raw, dotted, value)
    for dotted, value in (overrides or {}).items():
        _assign(raw, dotted, value)
    settings = _build(Settings, raw, "")
    _validate(settings)
    return settings


def _validate(settings: Settings) -> None:
    if not 0 <= settings.server.port <= 65535:
        raise SettingsError(f"server.port: {settings.server.port} is not a port number")
    if settings.bot.app_type not in ("MultiTenant", "SingleTenant", "UserAssignedMSI"):
        raise SettingsError("bot.app_type: must be SingleTenant, UserAssignedMSI or MultiTenant")
    if settings.bot.app_type in ("SingleTenant", "UserAssignedMSI") and settings.bot.app_id and not settings.bot.app_tenant_id:
        raise SettingsError(f"bot.app_tenant_id: required when MicrosoftAppType is {settings.bot.app_type}")
    if settings.bot.app_type == "SingleTenant" and settings.bot.app_id and not settings.bot.app_password:
        raise SettingsError("bot.app_password: MicrosoftAppPassword is required when MicrosoftAppType is SingleTenant")
    if settings.bot.rate_limit_per_minute < 0:
        raise SettingsError("bot.rate_limit_per_minute: must be 0 (no limit) or more")
    if not settings.database.url:
        raise SettingsError("database.url: must not be empty (set DATABASE_URL or database.url)")
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(settings.timezone)
    except Exception:
        raise SettingsError(f"timezone: unknown time zone {settings.timezone!r}") from None
    k = settings.knowledge
    if not 0 <= k.suggest_threshold <= k.answer_threshold <= 1:
        raise SettingsError("knowledge.suggest_threshold: must be between 0 and knowledge.answer_threshold (≤ 1)")


def _assign(raw: dict, dotted: str, value: Any) -> None:
    target = raw
    *parents, leaf = dotted.split(".")
    for part in parents:
        nxt = target.setdefault(part, {})
        if not isinstance(nxt, dict):
            raise SettingsError(f"{dotted}: {part} is not a section")
        target = nxt
    target[leaf] = value


def _lookup(raw: dict, dotted: str) -> Any:
    value: Any = raw
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _build(cls, raw: Any, prefix: str):
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise SettingsError(f"{prefix.rstrip('.') or 'settings'}: expected a section of settings")
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise SettingsError(f"{prefix}{unknown[0]}: unknown setting")
    values = {}
    for f in dataclasses.fields(cls):
        if f.name not in raw:
            continue
        key = f"{prefix}{f.name}"
        values[f.name] = _coerce(hints[f.name], raw[f.name], key)
    return cls(**values)


def _coerce(hint, value, key):
    if dataclasses.is_dataclass(hint):
        return _build(hint, value, key + ".")
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if value is None or value == "":
            return None
        return _coerce(args[0], value, key)
    if origin is list:
        (item,) = typing.get_args(hint)
        if value is None:
            return []
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if not isinstance(value, list):
            raise SettingsError(f"{key}: expected a list, got {value!r}")
        return [_coerce(item, v, key) for v in value]
    if hint is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off"):
            return False
        raise SettingsError(f"{key}: expected true or false, got {value!r}")
    if hint is int:
        if isinstance(value, bool):
            raise SettingsError(f"{key}: expected a whole number, got {value!r}")
        try:
            return int(str(value).strip())
        except ValueError:
            raise SettingsError(f"{key}: expected a whole number, got {value!r}") from None
    if hint is float:
        try:
            return float(str(value).strip())
        except ValueError:
            raise SettingsError(f"{key}: expected a number, got {value!r}") from None
    if hint is str:
        if value is None:
            return ""
        if isinstance(value, (dict, list)):
            raise SettingsError(f"{key}: expected text, got {value!r}")
        return str(value)
    return value


def _secret_keys(cls, prefix: str = "") -> list[str]:
    keys = []
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        if f.metadata.get("secret"):
            keys.append(prefix + f.name)
        elif dataclasses.is_dataclass(hints[f.name]):
            keys.extend(_secret_keys(hints[f.name], prefix + f.name + "."))
    return keys


def _mask_url(url: str) -> str:
    # A database URL may carry a password: user:password@host.
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        if ":" in creds:
            return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}"
    return url


def _as_masked_dict(obj) -> dict:
    out = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if f.metadata.get("secret"):
            out[f.name] = "***" if value else ""
        elif dataclasses.is_dataclass(value):
            out[f.name] = _as_masked_dict(value)
        elif f.name == "url" and isinstance(value, str):
            out[f.name] = _mask_url(value)
        else:
            out[f.name] = value
    return out


def _describe(obj) -> str:
    return repr(_as_masked_dict(obj))
