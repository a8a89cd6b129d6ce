"""Parsing incoming mail: bodies, charsets, quotes, signatures, attachments and the loop guard."""
from __future__ import annotations

import pytest

from bot.mail.service import first_name, question_sentences, reply_subject
from integrations.mail.imap import _uid_set
from integrations.mail.parse import html_to_text, loop_reason, parse_message, strip_reply
from tests.mail.conftest import email_bytes

TEAM = "inclusion@kent.gov.uk"


def parsed(*args, **kwargs):
    return parse_message(email_bytes(*args, **kwargs))


@pytest.mark.parametrize("text, expected", [
    ("When is the forum?\n\nOn Mon, 3 Mar 2025 at 10:00, Inclusion <inclusion@kent.gov.uk> wrote:\n> old", "When is the forum?"),
    ("When is the forum?\n\n-----Original Message-----\nFrom: x\nold", "When is the forum?"),
    ("When is the forum?\n\nFrom: Inclusion team <inclusion@kent.gov.uk>\nSent: 3 March 2025\nTo: me\nold", "When is the forum?"),
    ("When is the forum?\n________________________________\nFrom: someone\nold", "When is the forum?"),
    ("When is the forum?\n\nKind regards,\nSam\nSENCO, Joy Lane Primary", "When is the forum?"),
    ("When is the forum?\n\n-- \nSam Senco\n01234 567890", "When is the forum?"),
    ("When is the forum?\n\nSent from my iPhone", "When is the forum?"),
    ("When is the forum?\n\nThis email and any attachments are confidential and intended solely for the addressee.",
     "When is the forum?"),
    ("> quoted line\nMy new question?", "My new question?"),
])
def test_strip_reply(text, expected):
    assert strip_reply(text) == expected


def test_a_thanks_inside_the_text_is_kept_when_the_text_goes_on():
    text = "Thanks\n" + "\n".join(f"line {i} of a long question" for i in range(20))
    assert strip_reply(text).startswith("Thanks\nline 0")


def test_html_to_text_drops_scripts_and_quotes_and_keeps_line_breaks():
    html = ("<p>First&nbsp;line</p><script>alert(1)</script><p>Second<br>third</p>"
            "<blockquote type='cite'>quoted</blockquote><div class='gmail_quote'>old</div>")
    assert html_to_text(html) == "First line\n\nSecond\nthird"


def test_outlook_border_top_marks_the_quote():
    html = ("<div>New question?</div><div style='border:none; border-top:solid #E1E1E1 1.0pt'>"
            "<p><b>From:</b> x</p></div><p>old text</p>")
    assert html_to_text(html) == "New question?"


def test_headers_threading_and_sender():
    mail = parsed(message_id="<m1@x>", headers={"References": "<a@x> <b@x>", "In-Reply-To": "<b@x>"},
                  sender='"Senco, Sam" <Sam.Senco@School.Kent.Sch.UK>')
    assert mail.message_id == "<m1@x>"
    assert mail.references == ("<a@x>", "<b@x>")
    assert mail.sender == "sam.senco@school.kent.sch.uk"
    assert first_name(mail.sender_name) == "Sam"


def test_the_same_message_id_gives_the_same_key_and_none_hashes_the_bytes():
    assert parsed(message_id="<Same@X>").key == parsed("other", message_id="<same@x>").key
    raw = email_bytes().replace(b"Message-ID:", b"X-Old-Id:")
    assert parse_message(raw).key.startswith("raw:")


def test_undeclared_8bit_text_falls_back_to_windows_1252():
    raw = email_bytes("x").replace(b"x\n", "Caf\u00e9 \u2013 when?\n".encode("cp1252"))
    raw = raw.replace(b'Content-Type: text/plain; charset="utf-8"', b"Content-Type: text/plain")
    assert "Caf\u00e9 \u2013 when?" in parse_message(raw).body


def test_unknown_charset_label_does_not_fail():
    raw = email_bytes("hello?", charset="utf-8").replace(b'charset="utf-8"', b'charset="x-nonsense"')
    assert parse_message(raw).body == "hello?"


def test_encoded_subject_in_latin1_label_with_cp1252_dash():
    raw = email_bytes(subject="placeholder").replace(
        b"Subject: placeholder", b"Subject: =?iso-8859-1?q?Forum_date_=96_question?=")
    assert parse_message(raw).subject == "Forum date \u2013 question"


def test_attachments_are_listed_not_read():
    mail = parsed("Question?", attachments=(("report.pdf", "application/pdf", b"%PDF"),
                                            ("photo.png", "image/png", b"\x89PNG")))
    assert mail.body == "Question?"
    assert [(a.filename, a.content_type) for a in mail.attachments] == [
        ("report.pdf", "application/pdf"), ("photo.png", "image/png")]


def test_a_forwarded_email_attachment_is_not_read_as_body():
    inner = email_bytes("secret inner text", subject="inner")
    raw = email_bytes("Please see below?", attachments=())
    from email import message_from_bytes, policy

    message = message_from_bytes(raw, policy=policy.default)
    message.add_attachment(message_from_bytes(inner, policy=policy.default))
    mail = parse_message(bytes(message))
    assert "secret inner text" not in mail.body
    assert [a.content_type for a in mail.attachments] == ["message/rfc822"]


@pytest.mark.parametrize("headers, sender, reason", [
    ({"Auto-Submitted": "auto-replied"}, None, "auto-submitted"),
    ({"Auto-Submitted": "auto-generated; owner-email=x@y"}, None, "auto-submitted"),
    ({"Precedence": "bulk"}, None, "precedence"),
    ({"Precedence": "junk"}, None, "precedence"),
    ({"Precedence": "list"}, None, "precedence"),
    ({"List-Id": "<news.example.org>"}, None, "mailing-list"),
    ({"List-Unsubscribe": "<mailto:u@example.org>"}, None, "mailing-list"),
    ({"X-Autoreply": "yes"}, None, "auto-submitted"),
    ({"X-Auto-Response-Suppress": "All"}, None, "responses-suppressed"),
    ({"Return-Path": "<>"}, None, "null-sender"),
    ({}, "MAILER-DAEMON@mx.example.org", "robot-sender"),
    ({}, "postmaster@school.kent.sch.uk", "robot-sender"),
    ({}, "no-reply@portal.example.org", "robot-sender"),
    ({}, "noreply@portal.example.org", "robot-sender"),
    ({}, "donotreply@portal.example.org", "robot-sender"),
    ({}, "Inclusion@Kent.gov.uk", "own-address"),
    ({"X-Senco-Assistant": "auto-reply"}, None, "own-message"),
])
def test_loop_guard(headers, sender, reason):
    kwargs = {"headers": headers}
    if sender:
        kwargs["sender"] = sender
    assert loop_reason(parsed(**kwargs), [TEAM]) == reason


@pytest.mark.parametrize("headers", [{"Auto-Submitted": "no"}, {"Precedence": "first-class"}, {}])
def test_ordinary_mail_passes_the_loop_guard(headers):
    assert loop_reason(parsed(headers=headers), [TEAM]) is None


def test_a_delivery_report_is_never_answered():
    raw = email_bytes("x").replace(b'Content-Type: text/plain; charset="utf-8"',
                                  b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"')
    assert loop_reason(parse_message(raw), [TEAM]) == "delivery-report"


def test_question_sentences():
    text = "Hi, I hope you're well. I was wondering when the next forum is? Also, where is the policy template? Ok?"
    assert question_sentences(text) == ["I was wondering when the next forum is?", "Also, where is the policy template?"]


@pytest.mark.parametrize("subject, expected", [
    ("Forum question", "Re: Forum question"), ("RE: Forum", "RE: Forum"), ("", "Re: your question to the SENCO Forum"),
])
def test_reply_subject(subject, expected):
    assert reply_subject(subject) == expected


@pytest.mark.parametrize("display, expected", [("Sam Senco", "Sam"), ("Senco, Sam", "Sam"), ("", ""),
                                               ("sam@x.org", ""), ("'", "")])
def test_first_name(display, expected):
    assert first_name(display) == expected


def test_uid_sets_are_compact():
    assert _uid_set([9, 3, 4, 5, 11, 12]) == "3:5,9,11:12"
    assert _uid_set([7]) == "7"
