"""The ``sencobot`` command. The only place (with ``__main__``) that reads the real environment."""
from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from bot.clock import Clock, clock_from_environ
from bot.settings import SettingsError, load_settings

# The host's own commands; each feature's come from its bot/<feature>/commands.py (bot.features finds them),
# so a new feature edits nothing here.
HOST_COMMANDS = ("bot.commands.host", "bot.commands.teams_package")


def build_parser() -> argparse.ArgumentParser:
    from bot.features import feature_modules

    parser = argparse.ArgumentParser(prog="sencobot", description="SENCO Forum Assistant")
    parser.add_argument("--config", default=None, help="path to app.yaml (default: the repository's)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for module in [importlib.import_module(name) for name in HOST_COMMANDS] + feature_modules("commands"):
        module.register(sub)
    return parser


def settings_from(args):
    from bot.settings import DEFAULT_CONFIG

    return load_settings(args.config or DEFAULT_CONFIG, environ=os.environ)


# These keep running, so their moved clock (SENCOBOT_NOW) ticks on; one-shot commands see one fixed instant.
LONG_RUNNING_COMMANDS = frozenset({"serve", "chat"})


def main(argv: list[str] | None = None, *, clock: Clock | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        args.clock = clock or clock_from_environ(os.environ, ticking=args.command in LONG_RUNNING_COMMANDS)
    except ValueError as exc:
        print(f"sencobot: {exc}", file=sys.stderr)
        return 2
    try:
        return int(args.func(args) or 0)
    except SettingsError as exc:
        print(f"sencobot: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
