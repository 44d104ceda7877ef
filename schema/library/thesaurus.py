"""The search thesaurus (domain.thesaurus): `searchThesaurus` for staff, `setThesaurusEntry` and
`removeThesaurusEntry` for admins (in thesaurus_mutations). A change applies to the next search, in every
process."""

from __future__ import annotations

from enum import Enum

import strawberry

from domain import thesaurus
from schema.context import Info


@strawberry.enum(description="Where a thesaurus word comes from")
class ThesaurusSource(Enum):
    CURATED = "curated"
    ADMIN = "admin"
    CHANGED = "changed"


@strawberry.type(description="An everyday word and the legal terms a search for it looks for as well.")
class ThesaurusEntry:
    word: str
    terms: list[str]
    enabled: bool = strawberry.field(description="false: the word is switched off (expands to nothing)")
    source: ThesaurusSource = strawberry.field(
        description="CURATED: shipped with the software; ADMIN: added here; CHANGED: a curated word changed here"
    )
    note: str
    updated_by: str

    @classmethod
    def of(cls, entry: thesaurus.Entry) -> ThesaurusEntry:
        return cls(word=entry.word, terms=list(entry.terms), enabled=entry.enabled,
                   source=ThesaurusSource(entry.source), note=entry.note, updated_by=entry.updated_by)  # fmt: skip


@strawberry.type(description="What removeThesaurusEntry removed.")
class RemovedThesaurusEntry:
    word: str


@strawberry.type
class ThesaurusQuery:
    @strawberry.field(description="The search's thesaurus (staff): every word, or those containing `word`")
    async def search_thesaurus(self, info: Info, word: str | None = None) -> list[ThesaurusEntry]:
        return [ThesaurusEntry.of(e) for e in await thesaurus.entries(info.context.viewer, word=(word or "")[:40])]
