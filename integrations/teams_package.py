"""The Teams app package: manifest.json plus two icons, zipped flat, ready to upload to Teams.

The icons are drawn here (a speech bubble) and written with a small PNG encoder,
so building a package needs nothing beyond the standard library. The output is
byte-for-byte reproducible for the same inputs.
"""
from __future__ import annotations

import io
import json
import math
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Callable, Iterable

MANIFEST_VERSION = "1.30"
MANIFEST_SCHEMA_URL = f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
COLOR_ICON = "color.png"
OUTLINE_ICON = "outline.png"

# What Teams lists when someone types "/" or opens the bot's command menu. Choosing one
# sends its title to the bot as a message, so each title must be something the bot understands.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("ask", "Ask a question about anything the SENCO Forum covered"),
    ("book", "Book a webinar or a Community of Schools induction meeting"),
    ("my bookings", "See or cancel the places you have booked"),
    ("my tribunal dates", "Your tribunal cases, their milestones and reminders"),
    ("reminders", "Choose which reminders you get"),
    ("evaluate", "Give feedback on the latest SENCO Forum"),
    ("help", "Everything the assistant can do"),
)

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DOMAIN = re.compile(r"^(\*\.)?([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}(:\d{1,5})?$")
_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class PackageError(ValueError):
    """An input that would make Teams reject the package; the message names it."""


@dataclass(frozen=True)
class Publisher:
    """What the Teams app package (manifest.json) says about the app and its publisher: the ``teams_app``
    section of the settings (bot.settings), so the settings and the package share one model."""

    short_name: str = "SENCO Forum"
    full_name: str = "SENCO Forum Assistant"
    developer_name: str = "Kent County Council"
    website_url: str = "https://www.kent.gov.uk"
    privacy_url: str = "https://www.kent.gov.uk"
    terms_url: str = "https://www.kent.gov.uk"
    accent_color: str = "#1F5C99"
    # Domains (besides the bot's own) that Teams may open from the app's cards.
    valid_domains: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class AppDetails(Publisher):
    version: str = "1.0.0"
    short_description: str = "Answers from the Countywide SENCO Forum, event bookings and reminders."
    full_description: str = (
        "The SENCO Forum Assistant answers SENCOs' questions from what the Countywide SENCO Forum "
        "covered, with the source of each answer; passes anything it cannot answer to the inclusion "
        "team; books places at forum webinars and Community of Schools induction meetings; sends "
        "reminders of bookings, deadlines and your own tribunal dates; and collects the forum "
        "evaluation. Please do not include children's names or other personal details in questions."
    )


def normalise_domain(value: str) -> str:
    """A bare host name as the manifest wants it; accepts and strips a scheme and a trailing slash."""
    domain = value.strip().lower()
    for prefix in ("https://", "http://"):
        if domain.startswith(prefix):
            domain = domain[len(prefix):]
    domain = domain.rstrip("/")
    if not _DOMAIN.match(domain):
        raise PackageError(f"bot domain {value!r}: give the host name only, e.g. sencobot.example.org")
    return domain


def build_manifest(*, app_id: str, bot_domain: str, details: AppDetails = AppDetails(),
                   teams_app_id: str | None = None) -> dict:
    """manifest.json for one bot (the Azure bot's MicrosoftAppId) in personal chats and teams."""
    for name, value in (("app id", app_id), ("Teams app id", teams_app_id or app_id)):
        if not _GUID.match(value or ""):
            raise PackageError(f"{name} {value!r} is not a GUID (the bot's MicrosoftAppId looks like "
                               "00000000-0000-0000-0000-000000000000)")
    if not _SEMVER.match(details.version):
        raise PackageError(f"version {details.version!r}: Teams needs major.minor.patch, e.g. 1.0.0")
    if not _COLOUR.match(details.accent_color):
        raise PackageError(f"accent colour {details.accent_color!r}: expected #RRGGBB")
    for name, url in (("website", details.website_url), ("privacy", details.privacy_url),
                      ("terms of use", details.terms_url)):
        if not url.startswith("https://"):
            raise PackageError(f"{name} URL {url!r} must start with https://")
    _check_length("short name", details.short_name, 30)
    _check_length("full name", details.full_name, 100)
    _check_length("short description", details.short_description, 80)
    _check_length("full description", details.full_description, 4000)
    domains = _unique([normalise_domain(bot_domain), *(normalise_domain(d) for d in details.valid_domains)])
    return {
        "$schema": MANIFEST_SCHEMA_URL,
        "manifestVersion": MANIFEST_VERSION,
        "version": details.version,
        "id": (teams_app_id or app_id).lower(),
        "developer": {
            "name": details.developer_name,
            "websiteUrl": details.website_url,
            "privacyUrl": details.privacy_url,
            "termsOfUseUrl": details.terms_url,
        },
        "name": {"short": details.short_name, "full": details.full_name},
        "description": {"short": details.short_description, "full": details.full_description},
        "icons": {"color": COLOR_ICON, "outline": OUTLINE_ICON},
        "accentColor": details.accent_color.upper(),
        "bots": [
            {
                "botId": app_id.lower(),
                "scopes": ["personal", "team"],
                "isNotificationOnly": False,
                "supportsFiles": False,
                "supportsCalling": False,
                "supportsVideo": False,
                "commandLists": [
                    {
                        "scopes": ["personal", "team"],
                        "commands": [{"title": title, "description": text} for title, text in COMMANDS],
                    }
                ],
            }
        ],
        "validDomains": domains,
    }


def build_package(*, app_id: str, bot_domain: str, details: AppDetails = AppDetails(),
                  teams_app_id: str | None = None) -> bytes:
    """The zip Teams accepts: manifest.json, color.png and outline.png, all at the root."""
    manifest = build_manifest(app_id=app_id, bot_domain=bot_domain, details=details, teams_app_id=teams_app_id)
    files = {
        "manifest.json": json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8") + b"\n",
        COLOR_ICON: color_icon(details.accent_color),
        OUTLINE_ICON: outline_icon(),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            # A fixed timestamp keeps the package identical from one build to the next.
            info = zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def _check_length(name: str, value: str, limit: int) -> None:
    if not value.strip():
        raise PackageError(f"{name} must not be empty")
    if len(value) > limit:
        raise PackageError(f"{name} is {len(value)} characters; Teams allows {limit}")


def _unique(items: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


# -- icons -------------------------------------------------------------------------------------------
# Shapes are signed distance functions (negative inside, in pixels), so each pixel's
# coverage is one evaluation and edges come out smooth without supersampling.

Sdf = Callable[[float, float], float]


def _rounded_box(cx: float, cy: float, half_w: float, half_h: float, radius: float) -> Sdf:
    def distance(x: float, y: float) -> float:
        qx = abs(x - cx) - (half_w - radius)
        qy = abs(y - cy) - (half_h - radius)
        outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
        return outside + min(max(qx, qy), 0.0) - radius

    return distance


def _circle(cx: float, cy: float, radius: float) -> Sdf:
    return lambda x, y: math.hypot(x - cx, y - cy) - radius


def _triangle(a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]) -> Sdf:
    edges = []
    for (x1, y1), (x2, y2), (ox, oy) in ((a, b, c), (b, c, a), (c, a, b)):
        nx, ny = y2 - y1, x1 - x2
        length = math.hypot(nx, ny)
        nx, ny = nx / length, ny / length
        if (ox - x1) * nx + (oy - y1) * ny > 0:  # make the normal point away from the third corner
            nx, ny = -nx, -ny
        edges.append((x1, y1, nx, ny))

    def distance(x: float, y: float) -> float:
        return max((x - x1) * nx + (y - y1) * ny for x1, y1, nx, ny in edges)

    return distance


def _union(*shapes: Sdf) -> Sdf:
    return lambda x, y: min(shape(x, y) for shape in shapes)


def _coverage(distance: float) -> float:
    return min(1.0, max(0.0, 0.5 - distance))


def _speech_bubble(size: float) -> tuple[Sdf, list[Sdf]]:
    """The bubble and its three dots, laid out in a size×size square."""
    s = size / 192.0
    body = _rounded_box(96 * s, 84 * s, 64 * s, 46 * s, 22 * s)
    tail = _triangle((54 * s, 112 * s), (92 * s, 118 * s), (44 * s, 158 * s))
    dots = [_circle(x * s, 84 * s, 10 * s) for x in (64, 96, 128)]
    return _union(body, tail), dots


def color_icon(accent: str = "#1F5C99", size: int = 192) -> bytes:
    """Full-bleed accent colour with a white speech bubble inside Teams' central safe area."""
    background = tuple(int(accent[i:i + 2], 16) for i in (1, 3, 5))
    bubble, dots = _speech_bubble(size)
    dots_shape = _union(*dots)
    rows = []
    for y in range(size):
        row = bytearray()
        for x in range(size):
            px, py = x + 0.5, y + 0.5
            white = _coverage(bubble(px, py)) * (1.0 - _coverage(dots_shape(px, py)))
            row.extend(round(c + (255 - c) * white) for c in background)
        rows.append(bytes(row))
    return encode_png(size, size, rows, alpha=False)


def outline_icon(size: int = 32) -> bytes:
    """White outline of the same bubble on a transparent background, as Teams requires."""
    bubble, dots = _speech_bubble(size)
    stroke = 1.0  # half the line width, in pixels
    scale = size / 192.0
    small_dots = [_circle(x * scale, 84 * scale, 2.0) for x in (64, 96, 128)]
    rows = []
    for y in range(size):
        row = bytearray()
        for x in range(size):
            px, py = x + 0.5, y + 0.5
            line = _coverage(abs(bubble(px, py)) - stroke)
            dot = max(_coverage(d(px, py)) for d in small_dots)
            alpha = max(line, dot)
            row.extend((255, 255, 255, round(255 * alpha)))
        rows.append(bytes(row))
    return encode_png(size, size, rows, alpha=True)


def encode_png(width: int, height: int, rows: list[bytes], *, alpha: bool) -> bytes:
    """8-bit truecolour PNG (RGB, or RGBA with ``alpha``) from raw rows of pixels."""
    channels = 4 if alpha else 3
    if len(rows) != height or any(len(row) != width * channels for row in rows):
        raise ValueError("rows do not match the image size")
    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 on every row

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6 if alpha else 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))
