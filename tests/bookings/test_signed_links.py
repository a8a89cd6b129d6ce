"""Signed links: genuine tokens verify, anything altered, expired or for another purpose does not."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import pytest

from bot.signed_links import LinkSigner

NOW = datetime(2025, 4, 1, 9, 0, tzinfo=timezone.utc)


def test_a_token_round_trips_until_it_expires():
    signer = LinkSigner("key")
    token = signer.sign("calendar", {"b": "abc", "n": 3}, NOW + timedelta(hours=1))
    assert all(c.isalnum() or c in "-_." for c in token)  # safe in a URL path
    assert signer.verify("calendar", token, NOW) == {"b": "abc", "n": 3}
    assert signer.verify("calendar", token, NOW + timedelta(minutes=59)) == {"b": "abc", "n": 3}
    assert signer.verify("calendar", token, NOW + timedelta(hours=1)) is None


def test_altered_foreign_and_malformed_tokens_are_refused():
    signer = LinkSigner("key")
    token = signer.sign("calendar", {"b": "abc"}, NOW + timedelta(days=1))
    payload, signature = token.split(".")
    other_payload = LinkSigner("key").sign("calendar", {"b": "xyz"}, NOW + timedelta(days=1)).split(".")[0]

    assert signer.verify("evaluation", token, NOW) is None
    assert LinkSigner("another key").verify("calendar", token, NOW) is None
    assert signer.verify("calendar", f"{other_payload}.{signature}", NOW) is None
    assert signer.verify("calendar", f"{payload}.{signature[:-1]}", NOW) is None
    for garbage in ("", ".", "abc", "a.b.c", "é.é", payload, "x" * 5000):
        assert signer.verify("calendar", garbage, NOW) is None


def test_reserved_keys_and_naive_expiry_are_rejected():
    signer = LinkSigner("key")
    with pytest.raises(ValueError):
        signer.sign("calendar", {"_e": 1}, NOW)
    with pytest.raises(ValueError):
        signer.sign("calendar", {}, datetime(2025, 4, 1))


def test_without_a_configured_key_a_random_one_is_used_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="bot.signed_links"):
        first, second = LinkSigner.from_settings_key(""), LinkSigner.from_settings_key("")
    assert "link_signing_key is not set" in caplog.text
    token = first.sign("calendar", {"b": "abc"}, NOW + timedelta(days=1))
    assert first.verify("calendar", token, NOW) == {"b": "abc"}
    assert second.verify("calendar", token, NOW) is None
    assert LinkSigner.from_settings_key("configured").verify("calendar", token, NOW) is None
