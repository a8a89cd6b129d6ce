"""Evaluation results as files staff can read at a glance: a CSV, a summary and a chart.

``summarise`` turns the stored responses into numbers (count and rate, mean and distribution
of every rating question, overall and per phase, topic counts); ``write_report`` writes
responses.csv (free text redacted), summary.json, summary.txt and chart.png.

The chart is drawn with matplotlib's object API on the Agg canvas (no pyplot, no display, no
global state), so the bot can draw one inside a request without disturbing anything else.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterable, Optional, Sequence

RATINGS = (1, 2, 3, 4, 5)
PHASES = (("primary", "Primary"), ("secondary", "Secondary"), (None, "Phase not given"))


@dataclass(frozen=True)
class ReportSpec:
    """What the survey asked, in plain data (the report knows nothing of forms or cards)."""

    forum_id: str
    title: str
    items: tuple[tuple[str, str], ...]          # (agenda item id, label) in running order
    topics: tuple[tuple[str, str], ...] = ()    # (next forum's agenda item id, title)


@dataclass(frozen=True)
class QuestionSummary:
    key: str                      # "overall" or an agenda item id
    label: str
    answers: int
    mean: Optional[float]         # None when nobody answered
    distribution: dict            # {1: n, ..., 5: n}


@dataclass(frozen=True)
class GroupSummary:
    label: str                    # "All responses", "Primary", ...
    responses: int
    overall: QuestionSummary
    items: tuple[QuestionSummary, ...]


@dataclass(frozen=True)
class Summary:
    forum_id: str
    title: str
    responses: int
    asked: int
    rate: Optional[float]         # responses / asked, None when nobody was asked
    groups: tuple[GroupSummary, ...]    # all responses first, then each phase that answered
    topics: tuple[tuple[str, int], ...]  # (title, times chosen), most wanted first
    other_topics: int             # responses that wrote their own topics

    @property
    def everyone(self) -> GroupSummary:
        return self.groups[0]

    def as_dict(self) -> dict:
        return asdict(self)


def _question(key: str, label: str, values: Iterable[Optional[int]]) -> QuestionSummary:
    given = [v for v in values if v in RATINGS]
    distribution = {rating: given.count(rating) for rating in RATINGS}
    mean = round(sum(given) / len(given), 2) if given else None
    return QuestionSummary(key=key, label=label, answers=len(given), mean=mean, distribution=distribution)


def _group(label: str, spec: ReportSpec, responses: Sequence) -> GroupSummary:
    return GroupSummary(
        label=label,
        responses=len(responses),
        overall=_question("overall", "Overall rating", (r.overall for r in responses)),
        items=tuple(_question(item_id, item_label, (r.ratings.get(item_id) for r in responses))
                    for item_id, item_label in spec.items),
    )


def summarise(spec: ReportSpec, responses: Sequence, asked: int) -> Summary:
    groups = [_group("All responses", spec, responses)]
    for phase, label in PHASES:
        members = [r for r in responses if r.phase == phase]
        if members:
            groups.append(_group(label, spec, members))
    titles = dict(spec.topics)
    counts = {topic_id: 0 for topic_id, _ in spec.topics}
    for response in responses:
        for topic_id in response.topics:
            if topic_id in counts:
                counts[topic_id] += 1
    order = [topic_id for topic_id, _ in spec.topics]
    topics = sorted(counts.items(), key=lambda pair: (-pair[1], order.index(pair[0])))
    asked = max(asked, len(responses))
    return Summary(
        forum_id=spec.forum_id,
        title=spec.title,
        responses=len(responses),
        asked=asked,
        rate=round(len(responses) / asked, 4) if asked else None,
        groups=tuple(groups),
        topics=tuple((titles[topic_id], count) for topic_id, count in topics),
        other_topics=sum(1 for r in responses if r.topics_other),
    )


# -- CSV -----------------------------------------------------------------------------------------

def write_csv(path: Path, spec: ReportSpec, responses: Sequence, redact: Callable[[str], str]) -> None:
    """One row per response. Respondents are numbered, never named; free text goes through ``redact``."""
    header = ["response", "phase", "overall"] + [f"usefulness: {label}" for _, label in spec.items]
    header += ["most useful", "could be better", "topics wanted", "other topics", "channel", "last changed (UTC)"]
    titles = dict(spec.topics)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for number, r in enumerate(responses, start=1):
            writer.writerow(
                [number, r.phase or "", r.overall or ""]
                + [r.ratings.get(item_id, "") for item_id, _ in spec.items]
                + [_safe_cell(redact(r.most_useful)) if r.most_useful else "",
                   _safe_cell(redact(r.could_be_better)) if r.could_be_better else "",
                   "; ".join(titles.get(t, t) for t in r.topics),
                   _safe_cell(redact(r.topics_other)) if r.topics_other else "",
                   r.channel,
                   r.updated_at.strftime("%Y-%m-%d %H:%M")]
            )


def _safe_cell(text: str) -> str:
    # A cell starting with = + - @ is run as a formula by spreadsheet programs.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# -- summary text --------------------------------------------------------------------------------

def _distribution(q: QuestionSummary) -> str:
    return "  ".join(f"{rating}: {q.distribution[rating]}" for rating in RATINGS)


def _mean(q: QuestionSummary) -> str:
    return f"{q.mean:.2f}" if q.mean is not None else "–"


def summary_text(summary: Summary) -> str:
    lines = [f"{summary.title}: evaluation summary", ""]
    if summary.rate is None:
        lines.append(f"Responses: {summary.responses} (nobody was invited, so there is no response rate)")
    else:
        lines.append(f"Responses: {summary.responses} of {summary.asked} asked ({summary.rate:.0%})")
    for group in summary.groups:
        lines += ["", f"{group.label} ({group.responses} response{'s' if group.responses != 1 else ''})"]
        lines.append(f"  Overall rating: mean {_mean(group.overall)} from {group.overall.answers} answers"
                     f"   [{_distribution(group.overall)}]")
        lines.append("  Usefulness of each session (mean from answers, then how many gave 1 to 5):")
        for item in group.items:
            lines.append(f"    {item.label}: {_mean(item)} from {item.answers}   [{_distribution(item)}]")
    if summary.topics:
        lines += ["", "Topics wanted for next time:"]
        lines += [f"  {title}: {count}" for title, count in summary.topics]
    lines.append(f"  Other topics written in: {summary.other_topics} response(s) (see the CSV)")
    return "\n".join(lines) + "\n"


# -- chart -----------------------------------------------------------------------------------------

def _wrap(label: str, width: int = 34) -> str:
    words, lines, current = label.split(), [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    lines.append(current)
    return "\n".join(lines)


def render_chart(summary: Summary, *, dpi: int = 100) -> bytes:
    """PNG: mean usefulness per agenda item (with how many answered) and the overall rating distribution."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    group = summary.everyone
    items = list(group.items)
    height = max(4.0, 0.55 * len(items) + 2.2)
    figure = Figure(figsize=(11, height), dpi=dpi, layout="constrained")
    FigureCanvasAgg(figure)
    left, right = figure.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})

    labels = [_wrap(item.label) for item in items]
    means = [item.mean or 0 for item in items]
    positions = list(range(len(items)))
    bars = left.barh(positions, means, color="#1f5f8b")
    left.set_yticks(positions, labels, fontsize=8)
    left.invert_yaxis()
    left.set_xlim(0, 5.6)
    left.set_xticks(range(0, 6))
    left.set_xlabel("Mean usefulness (1 = not useful, 5 = extremely useful)")
    left.set_title("How useful was each session?", fontsize=11)
    for bar, item in zip(bars, items):
        text = f"{item.mean:.1f}  (n={item.answers})" if item.mean is not None else "no answers"
        left.text(bar.get_width() + 0.08, bar.get_y() + bar.get_height() / 2, text, va="center", fontsize=8)

    counts = [group.overall.distribution[rating] for rating in RATINGS]
    right.bar(list(RATINGS), counts, color="#e07b00")
    right.set_xticks(list(RATINGS))
    right.set_xlabel("Overall rating (1 = poor, 5 = excellent)")
    right.set_ylabel("Responses")
    mean = f"mean {group.overall.mean:.2f}" if group.overall.mean is not None else "no answers yet"
    right.set_title(f"Overall rating ({mean}, n={group.overall.answers})", fontsize=11)
    right.set_ylim(0, max(counts + [1]) * 1.2)
    right.yaxis.get_major_locator().set_params(integer=True)
    for index, count in enumerate(counts):
        right.text(RATINGS[index], count, str(count), ha="center", va="bottom", fontsize=9)

    rate = f", {summary.rate:.0%} of {summary.asked} asked" if summary.rate is not None else ""
    figure.suptitle(f"{summary.title}: {summary.responses} responses{rate}", fontsize=12)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


# -- all of it -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReportFiles:
    csv: Path
    summary_json: Path
    summary_text: Path
    chart: Path


def write_report(out_dir: Path, spec: ReportSpec, responses: Sequence, *, asked: int,
                 redact: Callable[[str], str]) -> tuple[Summary, ReportFiles]:
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = summarise(spec, responses, asked)
    files = ReportFiles(
        csv=out_dir / f"{spec.forum_id}-responses.csv",
        summary_json=out_dir / f"{spec.forum_id}-summary.json",
        summary_text=out_dir / f"{spec.forum_id}-summary.txt",
        chart=out_dir / f"{spec.forum_id}-chart.png",
    )
    write_csv(files.csv, spec, responses, redact)
    files.summary_json.write_text(json.dumps(summary.as_dict(), indent=2, ensure_ascii=False), encoding="utf-8")
    files.summary_text.write_text(summary_text(summary), encoding="utf-8")
    files.chart.write_bytes(render_chart(summary))
    return summary, files
