"""`sencobot teams-package` writes a zip Teams accepts: a schema-valid manifest and two correct icons."""
import io
import json
import zipfile
from pathlib import Path

import jsonschema
import pytest
from PIL import Image

from bot.cli import main
from bot.handler import ASK_WORDS, HELP_WORDS
from bot.assistant import build_assistant
from bot.core import build_core
from integrations.teams_package import (
    COMMANDS,
    AppDetails,
    PackageError,
    build_manifest,
    build_package,
    color_icon,
    outline_icon,
)

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas" / "teams"
APP_ID = "8f0e6a52-3b1d-4c7e-9a21-5d6c7b8e9f01"


def validator_for(version: str) -> jsonschema.protocols.Validator:
    """The official schema of one manifest version.

    It says draft-04 but also uses ``const`` and ``if``/``then`` from later drafts,
    which Microsoft's own validator honours; so do we, or ``const`` would be ignored.
    """
    path = SCHEMAS / f"v{version}" / "MicrosoftTeams.schema.json"
    assert path.exists(), f"no official schema kept for manifestVersion {version}"
    schema = json.loads(path.read_text(encoding="utf-8"))
    draft4 = jsonschema.Draft4Validator
    later = jsonschema.Draft7Validator.VALIDATORS
    validator_class = jsonschema.validators.extend(draft4, {"const": later["const"], "if": later["if"]})
    return validator_class(schema, format_checker=draft4.FORMAT_CHECKER)


def errors(manifest: dict, version: str | None = None) -> list[str]:
    """Schema errors, against the version the manifest declares unless told which."""
    validator = validator_for(version or manifest["manifestVersion"])
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(manifest)]


@pytest.fixture
def package(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("MicrosoftAppId", raising=False)
    monkeypatch.setenv("SENCOBOT_TEAMS_APP__VALID_DOMAINS", "forms.example.org")
    out = tmp_path / "dist" / "sencobot.zip"
    code = main(["teams-package", "--app-id", APP_ID, "--bot-domain", "sencobot.example.org", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    assert "https://sencobot.example.org/api/messages" in capsys.readouterr().out
    return zipfile.ZipFile(out)


def test_the_zip_holds_exactly_the_manifest_and_two_icons_at_its_root(package):
    assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
    assert package.testzip() is None


def test_the_manifest_is_valid_against_the_official_schema_of_its_version(package):
    manifest = json.loads(package.read("manifest.json"))
    assert manifest["manifestVersion"] == "1.30"
    assert manifest["$schema"].endswith("/v1.30/MicrosoftTeams.schema.json")
    assert errors(manifest) == []


def test_the_manifest_describes_one_bot_for_chats_and_teams_with_the_main_commands(package):
    manifest = json.loads(package.read("manifest.json"))
    assert manifest["id"] == APP_ID
    assert manifest["name"] == {"short": "SENCO Forum", "full": "SENCO Forum Assistant"}
    [bot] = manifest["bots"]
    assert bot["botId"] == APP_ID
    assert sorted(bot["scopes"]) == ["personal", "team"]
    [commands] = bot["commandLists"]
    assert sorted(commands["scopes"]) == ["personal", "team"]
    titles = [command["title"] for command in commands["commands"]]
    assert titles == ["ask", "book", "my bookings", "my tribunal dates", "reminders", "evaluate", "help"]
    assert manifest["validDomains"] == ["sencobot.example.org", "forms.example.org"]
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}


def test_the_schema_check_would_catch_a_broken_manifest():
    good = build_manifest(app_id=APP_ID, bot_domain="sencobot.example.org")
    assert errors(good) == []
    broken = [
        {**good, "manifestVersion": "1.29"},
        {**good, "id": "not-a-guid"},
        {**good, "bots": [{**good["bots"][0], "scopes": ["personal", "everywhere"]}]},
        {**good, "name": {"short": "x" * 31, "full": good["name"]["full"]}},
        {**good, "surprise": True},
        {key: value for key, value in good.items() if key != "developer"},
    ]
    for manifest in broken:
        assert errors(manifest, version="1.30"), manifest


def test_the_colour_icon_is_192_square_and_opaque(package):
    image = Image.open(io.BytesIO(package.read("color.png")))
    assert image.format == "PNG" and image.size == (192, 192)
    assert image.mode == "RGB", "no transparency in the colour icon"
    colours = image.getcolors(maxcolors=192 * 192)
    assert len(colours) > 2, "a symbol on a background, not a blank square"


def test_the_outline_icon_is_32_square_white_on_transparent(package):
    image = Image.open(io.BytesIO(package.read("outline.png")))
    assert image.format == "PNG" and image.size == (32, 32) and image.mode == "RGBA"
    raw = image.tobytes()
    pixels = [tuple(raw[i:i + 4]) for i in range(0, len(raw), 4)]
    alphas = [a for _, _, _, a in pixels]
    assert min(alphas) == 0 and max(alphas) == 255
    assert sum(1 for a in alphas if a == 0) > len(pixels) // 3, "mostly transparent"
    assert all((r, g, b) == (255, 255, 255) for r, g, b, a in pixels if a > 0), "only white is drawn"
    for corner in ((0, 0), (31, 0), (0, 31), (31, 31)):
        assert image.getpixel(corner)[3] == 0


def test_the_package_is_reproducible():
    first = build_package(app_id=APP_ID, bot_domain="sencobot.example.org")
    assert first == build_package(app_id=APP_ID, bot_domain="sencobot.example.org")
    assert color_icon() == color_icon() and outline_icon() == outline_icon()


def test_a_scheme_and_trailing_slash_on_the_domain_are_tolerated():
    manifest = build_manifest(app_id=APP_ID, bot_domain="https://SENCOBOT.example.org/")
    assert manifest["validDomains"] == ["sencobot.example.org"]


@pytest.mark.parametrize("changes, message", [
    ({"app_id": "my-bot"}, "not a GUID"),
    ({"bot_domain": "sencobot.example.org/api/messages"}, "host name only"),
    ({"bot_domain": "localhost"}, "host name only"),
    ({"details": AppDetails(privacy_url="http://insecure.example.org")}, "https://"),
    ({"details": AppDetails(short_name="A much longer name than Teams allows")}, "30"),
    ({"details": AppDetails(version="0.1.0.dev1")}, "major.minor.patch"),
])
def test_inputs_teams_would_reject_fail_with_a_clear_message(changes, message):
    arguments = {"app_id": APP_ID, "bot_domain": "sencobot.example.org", **changes}
    with pytest.raises(PackageError, match=message):
        build_manifest(**arguments)


def test_the_command_refuses_a_bad_app_id_with_exit_2(tmp_path, capsys):
    out = tmp_path / "x.zip"
    assert main(["teams-package", "--app-id", "nope", "--bot-domain", "a.example.org", "--out", str(out)]) == 2
    assert "not a GUID" in capsys.readouterr().err and not out.exists()


async def test_every_command_in_the_menu_is_understood_by_the_bot(settings, clock, sqlite_db):
    assistant = build_assistant(build_core(settings, clock=clock, database=sqlite_db))
    for title, _ in COMMANDS:
        understood = (title in HELP_WORDS or title in ASK_WORDS
                      or assistant.bot.router.best(title, is_staff=False) is not None)
        assert understood, f"the Teams menu offers {title!r} but no feature claims it"


async def test_choosing_ask_from_the_menu_invites_a_question(settings, clock, sqlite_db):
    from bot.console import Conversation

    assistant = build_assistant(build_core(settings, clock=clock, database=sqlite_db))
    [reply] = await Conversation(assistant.bot, user_id="29:menu", channel_id="msteams").says("ask")
    assert reply.text.startswith("What would you like to know?")
