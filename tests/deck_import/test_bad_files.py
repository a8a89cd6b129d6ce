"""A damaged or password-protected .pptx, .pdf or .docx gives one clear line through `sencobot import deck`
and changes nothing: the review queue, the content store and the knowledge folder stay as they were.

The bad files are made from the generated March deck fixtures: cut short (a download that stopped half-way),
or encrypted with a password the way PowerPoint, Word (ECMA-376 agile encryption) and Acrobat do it."""
from __future__ import annotations

import io

import pytest

from bot.cli import main
from bot.clock import FixedClock
from tests.conftest import TEST_NOW


def _truncated(source, target):
    data = source.read_bytes()
    target.write_bytes(data[: len(data) // 2])
    return target


def _office_locked(source, target):
    from msoffcrypto.format.ooxml import OOXMLFile

    with source.open("rb") as plain, target.open("wb") as locked:
        OOXMLFile(plain).encrypt("forum2025", locked)
    return target


def _pdf_locked(source, target):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(str(source)))
    writer.encrypt("forum2025")
    with target.open("wb") as handle:
        writer.write(handle)
    return target


CASES = [
    (".pptx", _truncated, "not a valid PowerPoint file"),
    (".pptx", _office_locked, "password-protected"),
    (".docx", _truncated, "not a valid Word file"),
    (".docx", _office_locked, "password-protected"),
    (".pdf", _truncated, "not a valid PDF file"),
    (".pdf", _pdf_locked, "password-protected"),
]


@pytest.fixture
def cli(tmp_path, data_dir, monkeypatch):
    monkeypatch.setenv("SENCOBOT_DATABASE__URL", f"sqlite:///{tmp_path}/cli.db")
    monkeypatch.setenv("SENCOBOT_KNOWLEDGE__DATA_DIR", str(data_dir))

    def run(*args) -> tuple[int, str, str]:
        import contextlib

        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args), clock=FixedClock(TEST_NOW))
        return code, out.getvalue(), err.getvalue()

    return run


def _state(tmp_path, data_dir) -> tuple:
    """Everything an import could change: the queue, the content store, the knowledge folder's files."""
    import asyncio

    from integrations.db import Database
    from integrations.db.content import ContentRepository
    from integrations.db.drafts import DraftRepository

    async def read():
        database = Database(f"sqlite+aiosqlite:///{tmp_path}/cli.db")
        try:
            drafts = await DraftRepository(database).list(status=None)
            imports = await DraftRepository(database).imports()
            version = await ContentRepository(database).version()
            return [(d.id, d.status, d.revision) for d in drafts], [i.id for i in imports], version
        finally:
            await database.dispose()

    files = {str(p.relative_to(data_dir)): p.read_bytes() for p in sorted(data_dir.rglob("*")) if p.is_file()}
    return asyncio.run(read()), files


@pytest.mark.timeout(300)
@pytest.mark.parametrize("suffix,spoil,message", CASES, ids=[f"{s}-{f.__name__.strip('_')}" for s, f, _ in CASES])
def test_a_bad_deck_gives_a_clear_error_and_changes_nothing(cli, deck_files, tmp_path, data_dir, suffix, spoil,
                                                            message):
    # A good import first, so "nothing changed" is checked against a queue that has something in it.
    code, _, err = cli("import", "deck", str(deck_files[".txt"]), "--by", "Clara Green")
    assert code == 0, err
    before = _state(tmp_path, data_dir)
    bad = spoil(deck_files[suffix], tmp_path / f"bad{suffix}")
    code, out, err = cli("import", "deck", str(bad), "--by", "Clara Green")
    assert code == 1
    [line] = err.strip().splitlines()
    assert line.startswith(f"sencobot import deck: bad{suffix}: ") and message in line
    assert line.endswith("Nothing was imported."), line
    assert "Traceback" not in out + err
    assert _state(tmp_path, data_dir) == before
