"""``sencobot teams-package``: the zip an administrator uploads to Teams."""
from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

from bot.cli import settings_from


def register(sub) -> None:
    package = sub.add_parser(
        "teams-package",
        help="write the Teams app package (manifest.json and icons, zipped)",
        description="Writes the zip to upload in the Teams admin centre (or Teams > Apps > Manage your apps).",
    )
    package.add_argument("--app-id", default=None,
                         help="the Azure bot's Microsoft App ID (a GUID); default: MicrosoftAppId")
    package.add_argument("--bot-domain", required=True,
                         help="host name the bot is served from, e.g. sencobot.example.org")
    package.add_argument("--out", default="sencobot.zip", help="where to write the zip (default: sencobot.zip)")
    package.add_argument("--teams-app-id", default=None,
                         help="the Teams app's own id (a GUID); default: the same as --app-id")
    package.add_argument("--version", dest="app_version", default=None,
                         help="app version in the manifest (major.minor.patch); default: this release's")
    package.set_defaults(func=cmd_teams_package)


def cmd_teams_package(args) -> int:
    from bot.app import app_version
    from integrations.teams_package import AppDetails, PackageError, build_package

    settings = settings_from(args)
    app_id = args.app_id or settings.bot.app_id
    if not app_id:
        print("sencobot: --app-id is required (or set MicrosoftAppId)", file=sys.stderr)
        return 2
    details = AppDetails(**dataclasses.asdict(settings.teams_app),
                         version=args.app_version or _release_version(app_version()))
    try:
        data = build_package(app_id=app_id, bot_domain=args.bot_domain, details=details,
                             teams_app_id=args.teams_app_id)
    except PackageError as exc:
        print(f"sencobot: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(f"wrote {out} ({len(data):,} bytes): manifest.json, color.png, outline.png")
    print(f"messaging endpoint to set on the Azure bot: https://{args.bot_domain.split('://')[-1].rstrip('/')}/api/messages")
    return 0


def _release_version(version: str) -> str:
    # Teams wants plain major.minor.patch; a local or development version falls back to 1.0.0.
    parts = version.split(".")
    if len(parts) == 3 and all(part.isdigit() for part in parts):
        return version
    return "1.0.0"
