"""From slides to drafts: the forum, its next forum, events, deadlines and candidate FAQ entries.

Pure logic over ``Slide`` lists. Everything drafted is read from the deck: titles, answers and
details are the deck's own lines (bullets stripped), and every date keeps the words it was read
from. Where a reading needed a guess, the draft says so in ``flags`` rather than guessing quietly.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Iterable, Optional

from knowledge.deck_import.dates import DateContext, DateMention, find_dates, find_times, term_spans
from knowledge.deck_import.models import (DeadlineDraft, DeckDrafts, DraftSource, EventDraft, FaqDraft, ForumDraft,
                                          SessionDraft)
from knowledge.deck_import.readers import Slide

AREAS = ("North", "South", "East", "West")
ANSWER_WORDS = 120
_BULLET = re.compile(r"^(?:[-•·*–]|\d+\.(?=\s))\s*")
_MINUTES = re.compile(r"\((\d+)\s*mins?\)", re.IGNORECASE)
_URL = re.compile(r"https?://\S+")
_URL_CONTINUATION = re.compile(r"^[\w%./?=&;:#~+-]+(?: [\w%./?=&;:#~+-]+)?$")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_STOP = {"and", "of", "the", "for", "to", "a", "in", "on", "–", "-", "&"}
_CLOSING = re.compile(r"\b(evaluation|thank you|many thanks)\b", re.IGNORECASE)
_DEADLINE_VERBS = re.compile(r"\b(start|starts|begin|begins|end|ends|cease|ceases|stop|stops|close|closes|open|"
                             r"opens|deadline|due|finalised|published|until|by)\b", re.IGNORECASE)
_THIS_TERM = re.compile(r"\b(?:end (?:of )?)?this term\b", re.IGNORECASE)
_TERM_HEADING = re.compile(r"\bTerm\s+([1-6])\s*\(", re.IGNORECASE)


class DeckFormatError(ValueError):
    """The file was read but is not a forum deck this importer understands (no agenda, no date)."""


@dataclass(frozen=True)
class Line:
    slide: int
    index: int          # line number within its slide
    text: str


@dataclass
class Section:
    session: str
    presenter: Optional[str]
    item: Optional[int]
    role: Optional[str]
    minutes: Optional[int]
    lines: list[Line]
    agenda_text: str = ""

    @property
    def slides(self) -> tuple[int, ...]:
        return tuple(sorted({line.slide for line in self.lines}))


def strip_bullet(text: str) -> str:
    return _BULLET.sub("", text).strip()


def slug(text: str, limit: int = 6) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())
    words = [w for w in words if w not in _STOP] or ["item"]
    return "-".join(words[:limit])


# -- the forum: title slide, presenters, agenda ------------------------------------------------


def _forum_days(slides: list[Slide]) -> tuple[list[dict], int, Optional[int], str]:
    """The forum's days from the first slide that names them ("Secondary 19th March 2025 Primary 20th…")."""
    for slide in slides[:3]:
        for line in slide.lines:
            mentions = [m for m in find_dates(line, DateContext(year=1900)) if m.precision == "day" and m.on]
            years = [m.on.year for m in mentions if re.search(r"\d{4}", m.text)]
            if not mentions or not years:
                continue
            year = years[0]
            context = DateContext(year=year)
            days = []
            for m in find_dates(line, context):
                if m.on is None or m.precision != "day":
                    continue
                before = line[: m.start]
                phase = re.findall(r"\b(secondary|primary)\b", before, re.IGNORECASE)
                days.append({"phase": phase[-1].lower() if phase else None, "date": m.on})
            term = re.search(r"\bTerm\s+([1-6])\b", line, re.IGNORECASE)
            return days, year, int(term.group(1)) if term else None, slide.title
    raise DeckFormatError("no forum date found on the first slides (e.g. 'Term 4 Secondary 19th March 2025')")


def _presenters(slides: list[Slide]) -> list[dict]:
    for slide in slides[:6]:
        if "presenter" in slide.title.lower():
            found = []
            for line in slide.lines[1:]:
                name, _, role = strip_bullet(line).partition(":")
                if name and role:
                    found.append({"name": name.strip(), "role": role.strip()})
            return found
    return []


def _bare_name(name: str) -> str:
    return re.sub(r"^(?:Dr|Mr|Mrs|Ms|Miss|Prof)\.?\s+", "", name).strip()


def _agenda(slides: list[Slide], presenters: list[dict]) -> tuple[int, list[dict]]:
    for slide in slides:
        if not re.match(r"^item\s+topic\b", slide.title, re.IGNORECASE):
            continue
        rows = []
        for line in slide.lines[1:]:
            m = re.match(r"^(\d{1,2})\s+(.+)$", line)
            if not m:
                continue
            item, rest = int(m.group(1)), m.group(2)
            minutes = _MINUTES.search(rest)
            body = _MINUTES.sub("", rest).strip()
            row = {"item": item, "title": body, "presenter": None, "role": None,
                   "minutes": int(minutes.group(1)) if minutes else None, "text": line}
            for person in presenters:
                bare = _bare_name(person["name"])
                at = body.find(bare)
                if at > 0:
                    row["title"] = body[:at].rstrip(" -–:")
                    row["presenter"] = person["name"]
                    role = body[at + len(bare):].strip(" -–:")
                    row["role"] = role.strip("()").strip() or None
                    break
            if row["presenter"] is None and ":" in body:
                row["title"] = body.split(":", 1)[0].strip()
            rows.append(row)
        if rows:
            return slide.number, rows
    raise DeckFormatError("no agenda slide found (a slide starting 'Item Topic …' with numbered rows)")


# -- sessions: where each agenda item's slides start --------------------------------------------


def _initials(text: str) -> str:
    return "".join(w[0] for w in re.findall(r"[A-Za-z][\w'’-]*", text) if w[0].isupper())


def _title_matches(title: str, line: str) -> bool:
    words = {w.lower() for w in re.findall(r"[\w']+", line)}
    initials = _initials(line)
    tokens = [t for t in re.findall(r"[\w']+", title) if t.lower() not in _STOP]
    if not tokens:
        return False
    for token in tokens:
        if token.lower() in words:
            continue
        if len(token) >= 2 and token.isupper() and token in initials:
            continue
        return False
    return True


def _opens_with_title(title: str, line: str) -> bool:
    """The line is the title as a heading, not a sentence that mentions it ("Allocations through Communities…")."""
    if not _title_matches(title, line):
        return False
    first = re.findall(r"[\w']+", title)[0]
    if first.isupper() and len(first) >= 2:
        return _initials(line).startswith(first)
    return line.lower().startswith(first.lower())


def _section_start(row: dict, lines: list[Line], after: int, slide_first: dict[int, int]) -> Optional[int]:
    """Index into ``lines`` where an agenda item's slides begin: its presenter's name or its title as a heading."""
    bare = _bare_name(row["presenter"]) if row["presenter"] else None
    for position in range(after, len(lines)):
        line = lines[position]
        if bare and bare in line.text and len(line.text) < 100:
            # The presenter's name sits under the section's title: start at the title line above it.
            if line.index <= 2:
                return slide_first[line.slide]
            return position - 1
        if line.index <= 1 and len(line.text) < 100 and _title_matches(row["title"], line.text):
            return slide_first[line.slide]
        if line.index > 1 and _is_heading(line.text) and _opens_with_title(row["title"], line.text):
            # A title slide the plain-text deck ran into the slide before it.
            return position
    return None


def _sections(slides: list[Slide], agenda_slide: int, rows: list[dict]) -> list[Section]:
    lines = [Line(s.number, i, text) for s in slides for i, text in enumerate(s.lines)]
    slide_first: dict[int, int] = {}
    for position, line in enumerate(lines):
        slide_first.setdefault(line.slide, position)
    after_agenda = next((i for i, l in enumerate(lines) if l.slide > agenda_slide), len(lines))
    starts: list[tuple[int, dict]] = []
    # The opening slides (title, presenters, agenda) belong to the first item, the welcome.
    if rows:
        starts.append((0, rows[0]))
    cursor = after_agenda
    unplaced = []
    for row in rows[1:]:
        start = _section_start(row, lines, cursor, slide_first)
        if start is None:
            unplaced.append(row)
            continue
        starts.append((start, row))
        cursor = start + 1
    # After the last agenda item, closing slides (evaluation, thanks) stand on their own, without a presenter.
    last_start = starts[-1][0] if starts else 0
    closing: list[tuple[int, dict]] = []
    for slide in slides:
        first = slide_first.get(slide.number)
        if first is None or first <= last_start or not _CLOSING.search(slide.title):
            continue
        if len(slide.lines) == 1 and closing:
            continue          # a title-only "Many thanks!" joins the closing section before it
        closing.append((first, {"item": None, "title": slide.title, "presenter": None, "role": None,
                                "minutes": None, "text": ""}))
    starts.extend(closing)
    starts.sort(key=lambda pair: pair[0])
    sections = []
    for n, (start, row) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        sections.append(Section(row["title"], row["presenter"], row["item"], row["role"], row["minutes"],
                                lines[start:end], row["text"]))
    for row in unplaced:
        sections.append(Section(row["title"], row["presenter"], row["item"], row["role"], row["minutes"], [],
                                row["text"]))
    return sections


# -- events ---------------------------------------------------------------------------------------


def _join_url(lines: list[Line], position: int) -> Optional[str]:
    """A link the deck splits over lines ("…/meetup-" then "join/19%3a…"), put back together."""
    for offset in range(position, min(position + 3, len(lines))):
        m = _URL.search(lines[offset].text)
        if not m:
            continue
        url = m.group(0)
        nxt = offset + 1
        while url.endswith(("-", "/", "%", "_")) and nxt < len(lines) and _URL_CONTINUATION.match(lines[nxt].text):
            # The deck wraps a long address and once leaves a stray space inside it; an address has no spaces.
            url += lines[nxt].text.replace(" ", "")
            nxt += 1
        return url
    return None


def _event_kind(lines: list[Line], position: int) -> tuple[str, Optional[str]]:
    for back in range(position, max(-1, position - 25), -1):
        text = lines[back].text
        low = text.lower()
        if "webinar" in low:
            return "webinar", strip_bullet(text)
        if "induction" in low and back != position:
            return "induction", re.sub(r"^dates for\s+", "", strip_bullet(text), flags=re.IGNORECASE)
    return "event", None


def _events(section: Section, source: DraftSource, context: DateContext, used: set[int]) -> list[EventDraft]:
    drafts = []
    lines = section.lines
    for position, line in enumerate(lines):
        dates = [d for d in find_dates(line.text, context) if d.on and d.precision == "day"]
        times = find_times(line.text)
        if len(dates) != 1 or not times:
            continue
        mention = dates[0]
        after = [t for t in times if t[1] >= mention.end]
        if not after:
            continue
        start = after[0][0]
        end = after[1][0] if len(after) > 1 else None
        venue_text = line.text[after[min(1, len(after) - 1)][2]:].strip(" -–,:") if len(after) <= 2 else ""
        label = strip_bullet(line.text[: mention.start]).strip(" -–:")
        area = label if label in AREAS else None
        kind, heading = _event_kind(lines, position)
        url = None
        if position + 1 < len(lines) and not venue_text:
            following = lines[position + 1: position + 4]
            if following and not any(find_dates(l.text, context) for l in following[:1]):
                url = _join_url(lines, position + 1)
        flags = list(mention.flags)
        online = bool(url) and not venue_text
        if end is None:
            flags.append("the deck gives no end time")
        if not venue_text and not url:
            flags.append("the deck gives neither a venue nor a joining link")
        if end is not None and end <= start:
            flags.append(f"the end time {end:%H:%M} is not after the start {start:%H:%M}")
        title = heading or section.session
        if area and area.lower() not in title.lower():
            title = f"{title} – {area}"
        event_id = f"{kind}-{area.lower() + '-' if area else ''}{mention.on.isoformat()}"
        used.add(id(line))
        drafts.append(EventDraft(
            id=event_id, kind_of_event=kind, title=title, description=strip_bullet(line.text), day=mention.on,
            start=start, end=end, venue=venue_text or None, online=online, booking_url=url, area=area,
            deck_text=line.text, source=DraftSource(source.forum, source.session, source.presenter, (line.slide,)),
            flags=tuple(flags)))
    return drafts


# -- deadlines -----------------------------------------------------------------------------------

_CATEGORY_WORDS = (
    ("funding", r"\b(fund\w*|claims?|top-?up|lift|stls|allocation|money|budget)\b"),
    ("training", r"\b(npq|training|qualification|course|apply|application)\b"),
    ("tribunal", r"\b(tribunal|appeal|hearing|mediation)\b"),
)


def _category(text: str) -> str:
    for name, pattern in _CATEGORY_WORDS:
        if re.search(pattern, text, re.IGNORECASE):
            return name
    return "forum"


def _this_term(lines: list[Line], position: int, context: DateContext) -> tuple[Optional[dt.date], str]:
    """'end of this term' in a flattened timeline: the nearest term heading above, on the same slide."""
    slide = lines[position].slide
    for back in range(position - 1, -1, -1):
        if lines[back].slide != slide:
            break
        headings = _TERM_HEADING.findall(lines[back].text)
        if len(headings) == 1:
            number = int(headings[0])
            span = context.terms.get(number)
            if span:
                return span[1], (f"'this term' read as Term {number} from the nearest heading above "
                                 f"(ends {span[1].day} {span[1]:%B %Y}); the slide is a table, check the column")
            return None, f"'this term' read as Term {number}, for which the deck gives no end date"
        if len(headings) > 1:
            return None, "'this term' sits under several term headings; the slide does not say which"
    return None, "'this term' with no term heading above it"


def _deadlines(section: Section, source: DraftSource, context: DateContext, used: set[int],
               forum_days: set[dt.date], agenda_slide: int) -> list[DeadlineDraft]:
    drafts = []
    lines = section.lines
    for position, line in enumerate(lines):
        if id(line) in used or line.slide == agenda_slide:
            continue          # the agenda's dates are the next forum's, drafted with it
        if _TERM_HEADING.search(line.text) and re.search(r"\(\s*\d", line.text):
            continue
        text = strip_bullet(line.text)
        mentions = find_dates(line.text, context)
        for mention in mentions:
            if mention.on in forum_days and mention.precision == "day":
                continue          # the forum's own days: drafted as the forum
            if mention.precision == "term" and not _DEADLINE_VERBS.search(line.text):
                continue          # "Term 4 - 6" in passing is not a dated item
            drafts.append(_deadline(mention.on, mention.precision, mention.text, list(mention.flags), text, line,
                                    source))
        if not mentions and _THIS_TERM.search(line.text) and _DEADLINE_VERBS.search(line.text):
            on, reason = _this_term(lines, position, context)
            drafts.append(_deadline(on, "day" if on else "term", _THIS_TERM.search(line.text).group(0), [reason],
                                    text, line, source))
    return drafts


def _deadline(on, precision, as_written, flags, text, line: Line, source: DraftSource) -> DeadlineDraft:
    title = text if len(text) <= 90 else text[:90].rsplit(" ", 1)[0] + "…"
    return DeadlineDraft(
        id=f"{slug(text, 5)}-{on.isoformat() if on else 'undated'}", category=_category(text), title=title, on=on,
        precision=precision, until=None, as_written=as_written, detail=text,
        source=DraftSource(source.forum, source.session, source.presenter, (line.slide,)), flags=tuple(flags))


# -- FAQ candidates --------------------------------------------------------------------------------


def _is_heading(text: str) -> bool:
    return (len(text) <= 80 and not _BULLET.match(text) and not text.endswith((".", ";", ","))
            and not _URL.search(text) and not _EMAIL.search(text) and len(text.split()) <= 10)


def _topics(section: Section) -> list[tuple[str, list[Line]]]:
    """The section's slides grouped under their headings ("Why?", "Route to Key Decision"…)."""
    topics: list[tuple[str, list[Line]]] = []
    for line in section.lines:
        if line is section.lines[0]:
            # The section's own title slide: its topic is the session itself.
            topics.append((section.session, [] if _is_heading(line.text) else [line]))
            continue
        if line.index == 0 and _is_heading(line.text) and "continued" not in line.text.lower():
            topics.append((line.text.rstrip(":").strip(), []))
            continue
        if not topics:
            topics.append((section.session, []))
        topics[-1][1].append(line)
    return topics


def _answer(lines: Iterable[Line], people: Iterable[str] = ()) -> tuple[str, tuple[int, ...]]:
    chosen, slides, words = [], [], 0
    for line in lines:
        text = strip_bullet(line.text)
        if any(person in text for person in people) and len(text.split()) <= 10:
            continue          # a presenter's byline under a title
        if len(text.split()) < 4 or _URL.fullmatch(text) or _URL_CONTINUATION.match(text):
            continue          # labels ("Timeline"), bare links and wrapped link halves are not answers
        count = len(text.split())
        if words and words + count > ANSWER_WORDS:
            break
        if not words and count > ANSWER_WORDS:
            # One very long line: keep whole sentences from its start.
            sentences = re.split(r"(?<=[.!?])\s+", text)
            text = ""
            for sentence in sentences:
                if text and len((text + " " + sentence).split()) > ANSWER_WORDS:
                    break
                text = f"{text} {sentence}".strip()
            count = len(text.split())
        chosen.append(text)
        slides.append(line.slide)
        words += count
    # One deck line per answer line: joining bullets into prose would need words the deck does not have.
    return "\n".join(chosen), tuple(sorted(set(slides)))


def _question(topic: str, session: str) -> str:
    topic = topic.strip(" -–:?")
    if topic.lower() in {"what", "why", "who", "how", "where", "when"}:
        return f"{topic.capitalize()} — {session}?"
    if not topic or topic.lower() == session.lower():
        return f"What did the forum say about {session}?"
    return f"What did the forum say about {topic} ({session})?"


_ACRONYM = re.compile(r"\b[A-Z][A-Za-z]{0,5}[A-Z]s?\b")


def _missing_terms(text: str, known: set[str], deck_words: set[str]) -> tuple[str, ...]:
    found = []
    for token in _ACRONYM.findall(text):
        base = token[:-1] if token.endswith("s") and token[:-1].isupper() else token
        if base.upper() in known or token.upper() in known:
            continue
        if base.lower() in deck_words:
            continue          # an ordinary word in capitals ("WHAT?", "TERM"), not a term of art
        if base not in found:
            found.append(base)
    return tuple(found)


def _faqs(section: Section, source: DraftSource, glossary: set[str], deck_words: set[str],
          people: tuple[str, ...]) -> list[FaqDraft]:
    drafts = []
    topics = _topics(section) if section.lines else [(section.session, [])]
    for topic, lines in topics:
        answer, slides = _answer(lines, people)
        if not answer and not section.lines and section.agenda_text:
            answer = strip_bullet(section.agenda_text)          # an agenda item with no slides of its own
        if not answer:
            continue
        flags = [] if section.lines else ["the deck has no slides for this item: the answer is its agenda line"]
        drafts.append(FaqDraft(
            id=f"{slug(section.session, 4)}-{slug(topic, 4)}", question=_question(topic, section.session),
            answer=answer, topic=topic,
            source=DraftSource(source.forum, section.session, section.presenter, slides or source.slides),
            missing_glossary_terms=_missing_terms(answer, glossary, deck_words), flags=tuple(flags)))
    return drafts


# -- the whole deck -------------------------------------------------------------------------------


def draft_deck(slides: list[Slide], *, file: str = "", glossary: Iterable[str] = ()) -> DeckDrafts:
    days, year, term, name = _forum_days(slides)
    presenters = _presenters(slides)
    agenda_slide, rows = _agenda(slides, presenters)
    all_lines = [line for s in slides for line in s.lines]
    context = DateContext(year=year, forum_day=days[0]["date"] if days else None, terms=term_spans(all_lines, year))
    forum_id = f"term{term}-{year}" if term else f"forum-{days[0]['date'].isoformat()}"
    sections = _sections(slides, agenda_slide, rows)
    known = {g.upper() for g in glossary}
    deck_words = {w for line in all_lines for w in re.findall(r"\b[a-z]+\b", line)}
    forum_days = {d["date"] for d in days}
    people = tuple(_bare_name(p["name"]) for p in presenters)

    events, deadlines, faqs, session_drafts = [], [], [], []
    used: set[int] = set()
    for section in sections:
        source = DraftSource(forum_id, section.session, section.presenter, section.slides)
        if section.item is not None:
            session_drafts.append(SessionDraft(section.item, section.session, section.presenter, section.role,
                                               section.minutes, (section.slides[0], section.slides[-1])
                                               if section.slides else ()))
        events += _events(section, source, context, used)
        deadlines += _deadlines(section, source, context, used, forum_days, agenda_slide)
        faqs += _faqs(section, source, known, deck_words, people)

    forum = _forum_draft(slides, forum_id, name, year, days, session_drafts, presenters, agenda_slide)
    next_forum, next_deadline = _next_forum(rows, context, forum_id, name, agenda_slide)
    if next_deadline:
        deadlines.append(next_deadline)
    session_drafts.sort(key=lambda s: (s.item if s.item is not None else 99))
    return DeckDrafts(file=file, year=year, slide_count=len(slides), forum=forum, next_forum=next_forum,
                      events=tuple(events), deadlines=tuple(_unique_ids(deadlines)), faqs=tuple(_unique_ids(faqs)))


def _unique_ids(drafts: list) -> list:
    import dataclasses
    seen: dict[str, int] = {}
    out = []
    for draft in drafts:
        n = seen.get(draft.id, 0)
        seen[draft.id] = n + 1
        out.append(draft if n == 0 else dataclasses.replace(draft, id=f"{draft.id}-{n + 1}"))
    return out


def _forum_draft(slides, forum_id, name, year, days, sessions, presenters, agenda_slide) -> ForumDraft:
    evaluation = contact = subject = None
    for slide in slides:
        if "evaluation" in slide.title.lower():
            evaluation = next((l for l in slide.lines[1:] if re.search(r"\d{4}", l)), None)
        for position, line in enumerate(slide.lines):
            if re.search(r"please email", line, re.IGNORECASE) or (line.lower().startswith("if you have any questions")):
                emails = _EMAIL.findall(" ".join(slide.lines[position: position + 2]))
                contact = emails[0] if emails else contact
            m = re.search(r"subject(?: title)?:\s*(.+)$", line, re.IGNORECASE)
            if m:
                subject = m.group(1).strip()
    first = days[0]["date"]
    flags = ["the deck gives no venue and does not say whether the forum is online"]
    return ForumDraft(
        id=forum_id, title=f"{name}, Term {forum_id[4:].split('-')[0]} {year}" if forum_id.startswith("term")
        else name, display=f"{name}, {first:%B %Y}", status="held",
        days=tuple(days), venue=None, online=None, sessions=tuple(sessions), presenters=tuple(presenters),
        evaluation_title=evaluation, contact_email=contact, contact_subject=subject,
        source=DraftSource(forum_id, "Agenda", None, (1, agenda_slide)), flags=tuple(flags))


def _next_forum(rows, context: DateContext, forum_id: str, name: str, agenda_slide: int):
    for row in rows:
        m = re.search(r"\bproposed\s+term\s+([1-6])\b", row["text"], re.IGNORECASE)
        if not m:
            continue
        term = int(m.group(1))
        mentions = [d for d in find_dates(row["text"], context) if d.on and d.precision == "day"]
        if not mentions:
            return None, None
        tail = row["text"][mentions[-1].end:]
        items = [strip_bullet(part).strip() for part in re.split(r"\s(?=\d+\.\s)", tail) if part.strip()]
        year = mentions[0].on.year
        flags = [f for d in mentions for f in d.flags]
        flags.append("proposed: the deck gives no times or venue, and does not say which day is secondary or primary")
        source = DraftSource(forum_id, row["title"], row["presenter"], (agenda_slide,))
        sessions = tuple(SessionDraft(n, title, None, None, None, ()) for n, title in enumerate(items, start=1))
        draft = ForumDraft(
            id=f"term{term}-{year}", title=f"{name}, Term {term} {year}", display=f"{name}, {mentions[0].on:%B %Y}",
            status="proposed", days=tuple({"phase": None, "date": d.on} for d in mentions), venue=None, online=None,
            sessions=sessions, presenters=(), evaluation_title=None, contact_email=None, contact_subject=None,
            source=source, flags=tuple(flags))
        deadline = DeadlineDraft(
            id=f"term{term}-forum", category="forum", title=f"{row['title']}", on=mentions[0].on, precision="day",
            until=mentions[-1].on if len(mentions) > 1 else None,
            as_written=row["text"][mentions[0].start:mentions[-1].end], detail=strip_bullet(row["text"]),
            source=source, flags=tuple(f for d in mentions for f in d.flags))
        return draft, deadline
    return None, None
