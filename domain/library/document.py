"""What an importer hands to the store: a parsed document version with its articles."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from dataclasses import field as dc_field
from datetime import date
from pathlib import Path

from domain.enums import ArticleKind, LegalLevel, LegalSource, LegalStatus


@dataclass
class ParsedArticle:
    """A 第X条 article or a numbered paragraph, in document order."""

    label: str
    text: str
    kind: ArticleKind = ArticleKind.ARTICLE
    number: int | None = None
    chapter_path: str = ""


@dataclass
class ParsedDocument:
    """One version of a legal document as read from a source, before it is stored.

    `status` is None when the source does not state it: the store then derives it from the
    work's versions (the newest in force, older ones historical).
    """

    title: str
    level: LegalLevel
    source: LegalSource
    source_ref: str
    version_date: date | None = None
    status: LegalStatus | None = None
    subtitle: str = ""
    doc_type: str = ""
    doc_number: str = ""
    issuer: str = ""
    field: str = ""
    promulgation_date: date | None = None
    effective_date: date | None = None
    repeal_date: date | None = None
    history: str = ""
    body: str = ""
    articles: list[ParsedArticle] = dc_field(default_factory=list)

    def content_hash(self) -> str:
        """SHA-256 of everything the store writes: equal hashes mean nothing to update."""
        payload = asdict(self)
        payload["articles"] = [
            [a.label, a.text, str(a.kind), a.number, a.chapter_path] for a in self.articles
        ]
        data = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)
        return hashlib.sha256(data.encode("utf-8")).hexdigest()


@dataclass
class ImportFailure:
    """A file or source record that could not be imported, and why."""

    path: str
    reason: str


@dataclass
class ImportReport:
    """What an import did: counts by outcome, failures with reasons, duplicates skipped."""

    source: LegalSource
    root: str = ""
    files: int = 0
    documents: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0
    articles_written: int = 0
    statuses_changed: int = 0
    seconds: float = 0.0
    failures: list[ImportFailure] = dc_field(default_factory=list)
    duplicates: list[tuple[str, str]] = dc_field(default_factory=list)
    notes: list[str] = dc_field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def fail(self, path: str | Path, reason: str) -> None:
        self.failures.append(ImportFailure(str(path), reason))


class ParseError(ValueError):
    """A file that cannot be read as a legal document; the message says why."""
