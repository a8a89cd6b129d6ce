"""``sencobot`` subcommands: the host's here, each feature's in ``bot/<feature>/commands.py`` (found by
``bot.features``, as the assistant finds the feature's ``install``); every module exposes ``register(subparsers)``. The two helpers below are the shapes every module repeats."""
from __future__ import annotations


def group(sub, name: str, help: str, *, metavar: str = "ACTION"):
    """A command with actions (``sencobot NAME ACTION``); returns the actions' subparsers. Several features may
    add actions to one command (``kb``, ``faq``): the first to register it gives its help, the others join it."""
    import argparse

    existing = sub.choices.get(name)
    if existing is not None:
        for known in existing._actions:
            if isinstance(known, argparse._SubParsersAction):
                return known
        raise ValueError(f"sencobot {name} is a command without actions; it cannot be a group")
    actions = sub.add_parser(name, help=help).add_subparsers(dest=f"{name}_command", metavar=metavar)
    actions.required = True
    return actions


def action(actions, name: str, func, help: str):
    """One action (or command) that runs ``func(args)``; returns its parser for the arguments."""
    parser = actions.add_parser(name, help=help)
    parser.set_defaults(func=func)
    return parser


def write_out(out: str, text: str, written: str) -> None:
    """``text`` to standard output when ``out`` is "-", else to the file ``out`` (then ``written`` is printed)."""
    import sys
    from pathlib import Path

    if out == "-":
        sys.stdout.write(text)
    else:
        Path(out).write_text(text, encoding="utf-8")
        print(written)


def assignments(values, command: str):
    """``--set FIELD=VALUE`` options as a dict, or None (with the complaint printed) when one has no "="."""
    import sys

    changes = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep:
            print(f"sencobot {command}: --set needs FIELD=VALUE, got {item!r}", file=sys.stderr)
            return None
        changes[name.strip()] = value
    return changes


def correction_options(parser, *, why: str, by: str, notify: str) -> None:
    """--why (required), --by and --no-notify: every correction staff make to what people were told."""
    parser.add_argument("--why", required=True, help=why)
    parser.add_argument("--by", default=None, help=by)
    parser.add_argument("--no-notify", action="store_true", help=notify)
