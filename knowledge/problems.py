"""A problem found in the knowledge files: what ``sencobot kb check`` reports.

Its own module because the catalogues (events, forums, deadlines) report problems and knowledge.check
lists their checkers: with Problem here, neither side imports the other's module back.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    severity: str          # "error" | "warning"
    file: str              # path relative to the data directory
    where: str             # entry id, "#3" for an entry without id, or "" for the file
    message: str

    def __str__(self) -> str:
        where = f" {self.where}:" if self.where else ""
        return f"{self.severity}: {self.file}:{where} {self.message}"
