"""The search thesaurus as mutations: `setThesaurusEntry` and `removeThesaurusEntry` for admins. A change
applies to the next search, in every process. The types and `searchThesaurus` are in schema.library.thesaurus."""

from __future__ import annotations

import strawberry

from domain import thesaurus
from domain.errors import DomainError
from schema.context import Info
from schema.library.thesaurus import RemovedThesaurusEntry, ThesaurusEntry
from schema.mutation_base import failure, result

SetThesaurusEntryResult = result("SetThesaurusEntryResult", ThesaurusEntry)
RemoveThesaurusEntryResult = result("RemoveThesaurusEntryResult", RemovedThesaurusEntry)


@strawberry.type
class ThesaurusMutations:
    @strawberry.mutation(
        description="Add an everyday word and its legal terms, or change or switch off one (admins); no reindex needed"
    )
    async def set_thesaurus_entry(
        self, info: Info, word: str, terms: list[str], enabled: bool = True, note: str = ""
    ) -> SetThesaurusEntryResult:
        try:
            entry = await thesaurus.set_entry(info.context.viewer, word, terms[: thesaurus.MAX_TERMS + 1],
                                              enabled=enabled, note=note)  # fmt: skip
        except DomainError as exc:
            return failure(exc)
        return ThesaurusEntry.of(entry)

    @strawberry.mutation(description="Remove an admin's thesaurus entry; a curated word comes back as shipped (admins)")
    async def remove_thesaurus_entry(self, info: Info, word: str) -> RemoveThesaurusEntryResult:
        try:
            await thesaurus.remove_entry(info.context.viewer, word)
        except DomainError as exc:
            return failure(exc)
        return RemovedThesaurusEntry(word=word.strip())
