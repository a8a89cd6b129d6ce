"""Export: the logged questions as a list, or as a CSV file staff open in Excel."""
from __future__ import annotations

import csv
import io
from typing import Optional

from bot.clock import british_datetime
from bot.inbox.views import InboxError
from bot.inbox.ports import ExportStore
from integrations.db.inbox import QUERY_STATUSES, Query


class Export:
    def __init__(self, repo: ExportStore):
        self._repo = repo

    async def list_queries(self, *, status: Optional[str] = None, include_all: bool = False) -> list[Query]:
        """Questions needing an answer (or every logged query with include_all), oldest first."""
        if status is not None and status not in QUERY_STATUSES:
            raise InboxError(f"Unknown status {status!r}; use one of {', '.join(QUERY_STATUSES)}.")
        return await self._repo.list_queries(
            statuses=(status,) if status else None,
            needs_answer=None if include_all else True,
        )

    async def export_csv(self, *, include_all: bool = True) -> str:
        queries = await self.list_queries(include_all=include_all)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["id", "asked_at_utc", "asked_local", "channel", "asker", "asker_name", "question",
                         "outcome", "matched_entry", "confidence", "helpful", "needs_answer", "status", "cluster"])
        for q in queries:
            writer.writerow([
                q.id, q.asked_at.isoformat(), british_datetime(q.asked_at), q.channel, _cell(q.asker_id),
                _cell(q.asker_name), _cell(q.text), q.outcome, q.faq_id or "", f"{q.confidence:.2f}",
                "" if q.helpful is None else ("yes" if q.helpful else "no"),
                "yes" if q.needs_answer else "no", q.status, q.cluster_id or "",
            ])
        return buffer.getvalue()


def _cell(value: str) -> str:
    # Spreadsheets run cells starting with these as formulas; staff open this file in Excel.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
