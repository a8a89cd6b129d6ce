"""The web form over real HTTP: GET shows it, POST stores it, bad links and closed surveys say so."""
import re
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser

from bot.signed_links import LinkSigner
from tests.evaluations.conftest import FORUM, local_path, senco


class FormReader(HTMLParser):
    """Collects the form's controls, labels and fieldset legends as a browser would see them."""

    def __init__(self):
        super().__init__()
        self.controls, self.labels, self.legends, self.fieldsets = [], {}, [], 0
        self._label_for, self._in_legend, self._text = None, False, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("input", "textarea", "select"):
            self.controls.append(attrs)
        elif tag == "label":
            self._label_for, self._text = attrs.get("for"), []
        elif tag == "legend":
            self._in_legend, self._text = True, []
        elif tag == "fieldset":
            self.fieldsets += 1
        elif tag == "script":
            raise AssertionError("the form must work without JavaScript")

    def handle_data(self, data):
        self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "label" and self._label_for:
            self.labels[self._label_for] = " ".join("".join(self._text).split())
            self._label_for = None
        elif tag == "legend":
            self.legends.append(" ".join("".join(self._text).split()))
            self._in_legend = False


async def form_link(web_bot, user="29:web-1"):
    service = web_bot.evaluations
    return local_path(await service.form_link(service.forum(FORUM), user, channel="teams"))


async def test_the_form_is_accessible_and_needs_no_javascript(web_bot):
    path = await form_link(web_bot)
    async with web_bot.session.get(web_bot.url + path) as response:
        assert response.status == 200
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "no-store"
        html = await response.text()
    assert '<html lang="en-GB">' in html
    reader = FormReader()
    reader.feed(html)
    assert "Which forum did you attend?" in reader.legends
    assert "Tribunal – the role of the school (Georgette Williams)" in reader.legends
    assert "Which topics would you like at the next forum?" in reader.legends
    visible = [c for c in reader.controls if c.get("type") != "hidden"]
    assert visible and all(c.get("id") in reader.labels for c in visible)     # every control has a label
    assert reader.labels["overall-5"] == "5 – Excellent"
    assert reader.labels["most_useful"] == "What was most useful?"
    assert {c["type"] for c in visible if c.get("type")} == {"radio", "checkbox", "text"}
    assert re.search(r'<form method="post"', html)


async def test_posting_the_form_stores_the_answers_and_shows_the_thank_you_page(web_bot):
    path = await form_link(web_bot)
    fields = [("phase", "secondary"), ("overall", "5"), ("item__continuum", "4"), ("topics", "ehcp"),
              ("topics", "health"), ("most_useful", "Continuum case studies"), ("could_be_better", ""),
              ("topics_other", "")]
    async with web_bot.session.post(web_bot.url + path, data=fields) as response:
        assert response.status == 200
        assert str(response.url).endswith(path + "/thanks")
        html = await response.text()
    assert "Thank you: your answers are saved" in html
    assert "change your answers" in html and "Thursday 10 April 2025" in html
    stored = await web_bot.evaluations.answers_of(FORUM, "29:web-1")
    assert (stored.phase, stored.overall, dict(stored.ratings)) == ("secondary", 5, {"continuum": 4})
    assert stored.topics == ("ehcp", "health") and stored.most_useful == "Continuum case studies"
    [response] = await web_bot.evaluations._responses.for_forum(FORUM)
    assert response.channel == "web"


async def test_the_card_and_the_web_form_store_the_same_response(web_bot):
    """One person answers in Teams, another in the browser, with the same answers: the rows match."""
    from bot.assistant import build_assistant

    assistant = build_assistant(web_bot.services)
    await senco(assistant, 1).presses({
        "action": "evaluation.submit", "forum_id": FORUM, "phase": "primary", "overall": "3", "item__welcome": "2",
        "item__npq-for-sencos": "5", "most_useful": "NPQ", "could_be_better": "Longer STLS slot",
        "topics": "phase-transfer-team,ehcp", "topics_other": "Attendance"})
    path = await form_link(web_bot, "29:web-2")
    fields = [("phase", "primary"), ("overall", "3"), ("item__welcome", "2"), ("item__npq-for-sencos", "5"),
              ("most_useful", "NPQ"), ("could_be_better", "Longer STLS slot"), ("topics", "phase-transfer-team"),
              ("topics", "ehcp"), ("topics_other", "Attendance")]
    async with web_bot.session.post(web_bot.url + path, data=fields) as response:
        assert response.status == 200
    by_person = {r.respondent: r for r in await web_bot.evaluations._responses.for_forum(FORUM)}
    card, web = by_person["29:senco-1"], by_person["29:web-2"]
    shape = ("phase", "overall", "ratings", "most_useful", "could_be_better", "topics", "topics_other")
    assert [getattr(card, f) for f in shape] == [getattr(web, f) for f in shape]
    assert (card.channel, web.channel) == ("teams", "web")


async def test_an_edit_through_the_link_replaces_the_teams_answers_and_shows_them_first(web_bot):
    from bot.assistant import build_assistant

    assistant = build_assistant(web_bot.services)
    await senco(assistant, 1).presses({"action": "evaluation.submit", "forum_id": FORUM, "overall": "2",
                                       "most_useful": "Tribunal <b>process</b>"})
    path = await form_link(web_bot, "29:senco-1")
    async with web_bot.session.get(web_bot.url + path) as response:
        html = await response.text()
    assert 'id="overall-2" name="overall" value="2" checked' in html
    assert "Tribunal &lt;b&gt;process&lt;/b&gt;" in html and "<b>process" not in html   # escaped, not markup
    async with web_bot.session.post(web_bot.url + path, data={"overall": "4"}) as response:
        assert response.status == 200
    [stored] = await web_bot.evaluations._responses.for_forum(FORUM)
    assert (stored.overall, stored.most_useful, stored.edits) == (4, None, 1)


async def test_an_invalid_post_keeps_what_was_typed_and_says_what_is_wrong(web_bot):
    path = await form_link(web_bot)
    fields = {"overall": "9", "most_useful": "Kept text", "item__tribunal": "4"}
    async with web_bot.session.post(web_bot.url + path, data=fields) as response:
        assert response.status == 400
        html = await response.text()
    assert "There is a problem" in html and 'href="#overall-1"' in html and "Choose a rating from 1 to 5." in html
    assert "Kept text" in html and 'id="item__tribunal-4" name="item__tribunal" value="4" checked' in html
    assert await web_bot.evaluations.answers_of(FORUM, "29:web-1") is None
    async with web_bot.session.post(web_bot.url + path, data={"item__not-an-item": "3"}) as response:
        assert response.status == 400
        assert "does not ask" in await response.text()


async def test_forged_and_expired_links_get_a_clear_page(web_bot, clock):
    path = await form_link(web_bot)
    token = path.rsplit("/", 1)[-1]
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    other_key = LinkSigner("someone else's key").sign("evaluation.form", {"p": "x" * 32},
                                                      clock.now() + timedelta(days=1))
    for bad in (forged, other_key, "not-a-token"):
        for method in ("GET", "POST"):
            async with web_bot.session.request(method, f"{web_bot.url}/evaluate/{bad}", data={"overall": "5"}) as r:
                assert r.status == 404
                assert "This evaluation link does not work" in await r.text()
    clock.set(datetime(2026, 1, 1, tzinfo=timezone.utc))     # long after the link's expiry
    async with web_bot.session.get(web_bot.url + path) as response:
        assert response.status == 404
    assert await web_bot.evaluations._responses.for_forum(FORUM) == []


async def test_a_closed_survey_gets_a_closed_page_and_nothing_is_stored(web_bot, clock):
    path = await form_link(web_bot)
    clock.set(datetime(2025, 4, 11, 8, 0, tzinfo=timezone.utc))
    async with web_bot.session.get(web_bot.url + path) as response:
        assert response.status == 410
        html = await response.text()
    assert "This evaluation has closed" in html and "Thursday 10 April 2025" in html
    async with web_bot.session.post(web_bot.url + path, data={"overall": "5"}) as response:
        assert response.status == 410
    assert await web_bot.evaluations.answers_of(FORUM, "29:web-1") is None


async def test_the_chart_link_serves_a_png_and_a_forged_one_does_not(web_bot):
    service = web_bot.evaluations
    await service.submit(FORUM, "29:a", {"overall": "4", "item__tribunal": "5"}, channel="teams")
    link = local_path(service.chart_link(service.forum(FORUM), minutes=60))
    async with web_bot.session.get(web_bot.url + link) as response:
        assert response.status == 200 and response.content_type == "image/png"
        assert (await response.read()).startswith(b"\x89PNG\r\n\x1a\n")
    forged = link.replace("chart/", "chart/x")
    async with web_bot.session.get(web_bot.url + forged) as response:
        assert response.status == 404
    # A form link is not a chart link: tokens are signed for one purpose.
    form = (await form_link(web_bot)).rsplit("/", 1)[-1]
    async with web_bot.session.get(f"{web_bot.url}/evaluations/chart/{form}.png") as response:
        assert response.status == 404
