"""The embedded default: tantivy in-process, one index per IndexName under a directory, no server.

Each searchable field is indexed as unigrams (`f__1`, frequencies) and bigrams with positions
(`f__2`), pre-cut by search.analysis and split by a whitespace tokenizer; a query word is a phrase
of its bigrams (see analysis). The original document is stored as JSON (`_source`) for highlights.

Two changes to what is indexed shape the ranking (search.manifest's INDEX_FORMAT_VERSION 2):

- a sentence end (。！？) is followed by SENTENCE_GAP filler positions, so that the query's words
  found "close together" (NEAR_SLOP) are in one sentence, not the end of one and the start of the next;
- a long text counts LENGTH_PAD units longer than it is (filler at its end): BM25 divides by the
  text's length relative to the average, which ranked a one-line article that mentions the words
  above the article that is about them (劳动法 第二十一条 over 劳动合同法 第十九条 for
  `劳动合同 试用期`); the padding softens that (b 0.75 becomes about 0.75 × 116 / 416 ≈ 0.2).
Writes run in one writer thread of the backend's own, under one lock; a batch is one commit, so it lands
whole or not at all. One thread, so that the writer is never used by two threads at once: a write whose
task is cancelled (a server stopping mid-build) still runs to its end in that thread — a batch being
added stops at its next document — and the rollback queues behind it ("Already borrowed" was a rollback
from another thread while a batch was still being added).

A search's facets are counted once per version of the index and kept for the searches that ask the same
(`_Index._counted`): the version is this process's last commit and the index's `meta.json` (another
process's commit), so a commit is counted by the very next search. `QINGQUAN_SEARCH_FACET_CACHE=0` keeps none
(every search counts its facets: what `bench/province.py` measures as the cold cost).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import logging
import os
import shutil
import socket
import threading
from collections.abc import AsyncIterable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import tantivy

from search import analysis
from search.backend import SearchBackend
from search.model import (
    SPECS,
    AnyOf,
    Between,
    Either,
    Filter,
    Ids,
    IndexChanges,
    IndexName,
    IndexSpec,
    QueryTerm,
    SearchHit,
    SearchRequest,
    SearchResult,
)

log = logging.getLogger("qingquan.search")
TOKENIZER = "qq_grams"
WRITER_HEAP = 200_000_000
#: The query's words in the order typed, at most NEAR_SLOP positions apart, count this much extra.
PHRASE_BOOST = 2.0
NEAR_SLOP = 4
#: A legal term standing for a word of the query (search.understand) scores this much of the word.
ALTERNATIVE_WEIGHT = 0.8
#: a statute's word near an everyday word of the question by meaning (search.nearby)
NEAR_WEIGHT = float(os.environ.get("QINGQUAN_SEARCH_NEAR_WEIGHT", "0.6"))
#: When any word will do: what each term found adds, whatever its frequency (a text with more of them first).
COVERAGE = 25.0
#: A word of n bigrams is a phrase whose weight is the sum of their n IDFs, so a long word (较大数额罚款)
#: outweighed the rest of the query: its score is divided by n ** LONG_WORD (√n).
LONG_WORD = 0.5
#: Index-time padding (see the module's doc); FILLER is a unit no query word can contain.
FILLER = analysis.FILLER
SENTENCE_END = frozenset("。！？")
SENTENCE_GAP = NEAR_SLOP + 2
LENGTH_PAD = {"text": 300}
#: A filter of up to this many keywords is a term query per keyword, whose postings tantivy skips through
#: to the text's matches; a term set query marks every document of the index that has one of them first,
#: which costs in proportion to the index, not to the matches: a public search's status, scope and
#: confidentiality each mark nearly the whole index (issue 20: 2 × the county's time in a province).
TERMS_SKIPPED = 16
#: Ids (the nearest texts by meaning, a page's hits) up to this many are a term query each, a few µs apiece; a
#: term set query of ids costs 0.2 ms for one id and grows with the index (1.2 ms for 100 of 26,000 articles).
IDS_SKIPPED = 256
#: The facets of this many searches are kept per version of an index (`_Index._counted`).
FACETS_KEPT = 256
Q = tantivy.Query


def _schema(spec: IndexSpec) -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_integer_field("id", stored=True, indexed=True, fast=True)
    for name in spec.text:
        b.add_text_field(f"{name}__1", tokenizer_name=TOKENIZER, index_option="freq")
        b.add_text_field(f"{name}__2", tokenizer_name=TOKENIZER, index_option="position")
    for name in spec.keywords:
        b.add_text_field(name, tokenizer_name="raw", fast=True)
    for name in spec.numbers:
        b.add_integer_field(name, indexed=True, fast=True)
    b.add_float_field("boost", fast=True)
    b.add_bytes_field("_source", stored=True)
    return b.build()


def indexed_units(text: str, pad: int = 0) -> list[str]:
    """The units of `text` as indexed: SENTENCE_GAP fillers after each sentence end, `pad` at the end."""
    out: list[str] = []
    for unit in analysis.units(text):
        out.append(unit)
        if unit in SENTENCE_END:
            out += [FILLER] * SENTENCE_GAP
    if out and pad:
        out += [FILLER] * pad
    return out


def _fingerprint(spec: IndexSpec) -> str:
    layout = [sorted(spec.text), list(spec.keywords), list(spec.numbers), TOKENIZER, 1]
    return hashlib.sha256(json.dumps(layout).encode()).hexdigest()[:16]


class _Index:
    """One tantivy index with its schema and spec."""

    def __init__(self, spec: IndexSpec, directory: Path | None, *, keep_facets: bool = True) -> None:
        self.spec = spec
        self.schema = _schema(spec)
        if directory is None:
            self.index = tantivy.Index(self.schema)
        else:
            stamp = directory / "qingquan-layout.txt"
            if directory.exists() and (not stamp.exists() or stamp.read_text().strip() != _fingerprint(spec)):
                log.warning("search index %s has an old layout: emptied, run `qingquan reindex`", directory)
                shutil.rmtree(directory)
            directory.mkdir(parents=True, exist_ok=True)
            self.index = tantivy.Index(self.schema, path=str(directory))
            stamp.write_text(_fingerprint(spec))
        self.index.register_tokenizer(
            TOKENIZER, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()
        )
        self.meta = directory / "meta.json" if directory is not None else None
        #: Bumped after each commit of this process is visible to its searchers (see `searcher`).
        self.generation = 0
        self._seen: tuple[int, bytes | None] | None = None
        self._facets: dict[SearchRequest, dict[str, list[tuple[str, int]]]] = {}
        self.keep_facets = keep_facets  # off: counted on every search (QINGQUAN_SEARCH_FACET_CACHE=0)
        self._lock = threading.Lock()

    def document(self, source: dict[str, Any]) -> tantivy.Document:
        doc = tantivy.Document()
        doc.add_integer("id", int(source["id"]))
        for name in self.spec.text:
            grams = indexed_units(str(source.get(name) or ""), LENGTH_PAD.get(name, 0))
            if grams:
                doc.add_text(f"{name}__1", analysis.unigrams(grams))
                if len(grams) > 1:
                    doc.add_text(f"{name}__2", analysis.bigrams(grams))
        for name in self.spec.keywords:
            if source.get(name) is not None:
                doc.add_text(name, str(source[name]))
        for name in self.spec.numbers:
            if source.get(name) is not None:
                doc.add_integer(name, int(source[name]))
        doc.add_float("boost", float(source.get("boost") or 0.0))
        doc.add_bytes("_source", json.dumps(source, ensure_ascii=False, default=str).encode())
        return doc

    # queries ---------------------------------------------------------------------------------

    def word_query(self, word: str) -> tantivy.Query:
        """A word in any searchable field, weighted by the field."""
        kind, grams = analysis.word_grams(word)
        suffix = "__1" if kind == "uni" else "__2"
        per_field = []
        for name, weight in self.spec.text.items():
            field = name + suffix
            if len(grams) == 1:
                q = Q.term_query(self.schema, field, grams[0])
            else:
                q = Q.phrase_query(self.schema, field, grams)
            per_field.append((tantivy.Occur.Should, Q.boost_query(q, weight)))
        query = Q.boolean_query(per_field)
        return Q.boost_query(query, len(grams) ** -LONG_WORD) if len(grams) > 1 else query

    def term_query(self, term: QueryTerm) -> tantivy.Query:
        """The term's word, or any of its alternatives (a little lower weighted)."""
        options = [(tantivy.Occur.Should, self.word_query(term.word))] if term.literal else []
        options += [
            (tantivy.Occur.Should, Q.boost_query(self.word_query(alt), ALTERNATIVE_WEIGHT))
            for alt in term.alternatives
        ]
        options += [(tantivy.Occur.Should, Q.boost_query(self.word_query(w), NEAR_WEIGHT)) for w in term.near]
        return options[0][1] if len(options) == 1 else Q.boolean_query(options)

    def phrase_query(self, words: list[str]) -> tantivy.Query | None:
        """The words in the order typed, close together (exactly adjacent scores best): one phrase of
        all their bigrams, each word at its offset, with some slop; None when a word is one unit."""
        grams: list[tuple[int, str]] = []
        offset = 0
        for word in words:
            kind, parts = analysis.word_grams(word)
            if kind == "uni":
                return None
            grams += [(offset + i, g) for i, g in enumerate(parts)]
            offset += len(parts) + 1
        per_field = [
            (
                tantivy.Occur.Should,
                Q.boost_query(Q.phrase_query(self.schema, f"{name}__2", grams, NEAR_SLOP), weight),
            )
            for name, weight in self.spec.text.items()
        ]
        return Q.boost_query(Q.boolean_query(per_field), PHRASE_BOOST)

    def text_query(self, terms: tuple[QueryTerm, ...], *, every_word: bool = True) -> tantivy.Query:
        """Every term (or, `every_word` False, any of them: each one found adds COVERAGE, so that a text
        with more of the terms ranks above one that repeats a single term often)."""
        if every_word:
            clauses = [(tantivy.Occur.Must, self.term_query(t)) for t in terms]
        else:
            clauses = []
            for term in terms:
                query = self.term_query(term)
                clauses.append((tantivy.Occur.Should, query))
                if len(terms) > 1:
                    clauses.append((tantivy.Occur.Should, Q.const_score_query(query, COVERAGE)))
        literal = [t.word for t in terms if t.literal]
        near = self.phrase_query(literal) if len(literal) > 1 else None
        if near is not None:
            clauses.append((tantivy.Occur.Should, near))
        return Q.boolean_query(clauses)

    def filter_query(self, f: Filter) -> tantivy.Query:
        if isinstance(f, AnyOf):
            return self.one_of(f.field, f.values, TERMS_SKIPPED)
        if isinstance(f, Between):
            if f.low is None and f.high is None:
                return Q.all_query()
            return Q.range_query(self.schema, f.field, tantivy.FieldType.Integer, f.low, f.high)
        if isinstance(f, Either):
            return Q.boolean_query([(tantivy.Occur.Should, self.all_of(c)) for c in f.clauses])
        if isinstance(f, Ids):
            return self.one_of("id", f.values, IDS_SKIPPED)
        raise TypeError(f"unknown filter {f!r}")

    def one_of(self, field: str, values: tuple[Any, ...], skipped: int) -> tantivy.Query:
        """`field` has one of `values`: a term query each up to `skipped` of them, else a term set query."""
        if not values:
            return Q.empty_query()
        if len(values) > skipped:
            return Q.term_set_query(self.schema, field, list(values))
        terms = [Q.term_query(self.schema, field, value) for value in values]
        return terms[0] if len(terms) == 1 else Q.boolean_query([(tantivy.Occur.Should, t) for t in terms])

    def all_of(self, filters: tuple[Filter, ...]) -> tantivy.Query:
        if not filters:
            return Q.all_query()
        return Q.boolean_query([(tantivy.Occur.Must, self.filter_query(f)) for f in filters])

    def query(
        self, terms: tuple[QueryTerm, ...], filters: tuple[Filter, ...], *, every_word: bool = True,
        also: tuple[int, ...] = (),
    ) -> tantivy.Query:
        text = self.text_query(terms, every_word=every_word) if terms else Q.all_query()
        if also and terms:  # or one of these documents (nearest by meaning), which the words do not score
            nearest = Q.const_score_query(self.filter_query(Ids(also)), 0.0)
            text = Q.boolean_query([(tantivy.Occur.Should, text), (tantivy.Occur.Should, nearest)])
        if not filters:
            return text
        # Filters select; they must not add to the score.
        return Q.boolean_query(
            [(tantivy.Occur.Must, text), (tantivy.Occur.Must, Q.boost_query(self.all_of(filters), 0.0))]
        )

    # search ----------------------------------------------------------------------------------

    def reloaded(self) -> None:
        """Show this process's commit to the searchers from now on (and forget the facets counted before)."""
        self.index.reload()
        self.generation += 1

    def searcher(self) -> tuple[tantivy.Searcher, tuple[int, bytes | None]]:
        """A searcher and the version of the index it shows at least: this process's last commit
        (`generation`) and the index's `meta.json` as another process (a host's indexer) last committed
        it (its segments and opstamp, which every commit changes: read whole, 10 µs, since a file's
        stat can repeat). Both are read before the searcher is taken, and a commit seen for the first time
        is loaded at once (not after the reader's own delay): what is counted under a version is never
        older than it."""
        stamp = None
        if self.meta is not None:
            try:
                stamp = self.meta.read_bytes()
            except FileNotFoundError:
                pass
        version = (self.generation, stamp)
        if version != self._seen:
            if self._seen is None or stamp != self._seen[1]:
                self.index.reload()
            with self._lock:
                self._seen = version
                self._facets.clear()
        return self.index.searcher(), version

    def search(self, request: SearchRequest) -> SearchResult:
        terms = request.query_terms()
        words = request.highlight_words()
        searcher, version = self.searcher()
        query = self.query(terms, request.filters, every_word=request.match_all, also=request.also)
        counting = None
        key = replace(request, limit=0, offset=0, crop=0, ids_only=False)  # the request but its page
        facets = self._counted(key, version) if request.facets else None
        if request.facets and facets is None:
            # one pass over the matches for every facet, on another core meanwhile
            size = request.facet_size
            aggregations = {name: {"terms": {"field": name, "size": size}} for name in request.facets}
            counting = _facet_pool().submit(searcher.aggregate, query, aggregations)
        found = searcher.search(
            query, limit=max(request.limit, 1), offset=request.offset, count=True, weight_by_field="boost"
        )
        if request.ids_only:  # the ids from their fast field (not the stored document), where they are kept to read
            ids = searcher.fast_field_values("id", [address for _, address in found.hits])
            hits = [
                SearchHit(id=int(i), score=float(score), ref=(searcher, address))
                for (score, address), i in zip(found.hits, ids, strict=True)
            ]
        else:
            hits = [self._hit(searcher, score, address, words, request.crop) for score, address in found.hits]
        result = SearchResult(hits=hits[: request.limit], total=found.count or 0)
        if counting is not None:
            agg = counting.result()
            facets = {
                name: [(str(b["key"]), int(b["doc_count"])) for b in agg[name]["buckets"]] for name in request.facets
            }
            self._keep(key, version, facets)
        result.facets.update(facets or {})
        return result

    def read(self, request: SearchRequest, hits: list[SearchHit]) -> list[SearchHit]:
        """Hits of an ids_only search read whole where it found them (the searcher it used: the same segments)."""
        words = request.highlight_words()
        return [self._hit(hit.ref[0], hit.score, hit.ref[1], words, request.crop) if hit.ref else hit for hit in hits]
    def _counted(self, key: SearchRequest, version: object) -> dict[str, list[tuple[str, int]]] | None:
        """The facets of a request counted before under this version of the index (issue 20: counting them is
        work per match, 0.7 ms of a province's search of 6,200 matches, and the next page, or the same search
        by another visitor, counts the same matches again). Kept under the whole request but its page: its
        words, its filters (the viewer's visibility among them), the nearest texts it adds, the facets asked."""
        with self._lock:
            return self._facets.get(key) if self._seen == version else None

    def _keep(self, key: SearchRequest, version: object, facets: dict[str, list[tuple[str, int]]]) -> None:
        """Keep facets counted under `version` while it is the index's (at most FACETS_KEPT, the oldest go)."""
        with self._lock:
            if self._seen != version or not self.keep_facets:
                return
            if len(self._facets) >= FACETS_KEPT:
                del self._facets[next(iter(self._facets))]
            self._facets[key] = facets

    def _hit(
        self, searcher: tantivy.Searcher, score: float, address: Any, words: list[str], crop: int
    ) -> SearchHit:
        source = json.loads(bytes(searcher.doc(address)["_source"][0]))
        hit = SearchHit(id=int(source["id"]), score=float(score), document_id=SearchHit.document_of(source))
        hit.matched = analysis.found_words([str(source.get(name) or "") for name in self.spec.text], words)
        for name in (*self.spec.highlighted, self.spec.snippet_field):
            value = str(source.get(name) or "")
            marked = analysis.highlight(value, words, crop if name == self.spec.snippet_field else None)
            if marked is not None:
                hit.highlights[name] = marked
        if self.spec.snippet_field:
            text = str(source.get(self.spec.snippet_field) or "")
            hit.snippet = hit.highlights.get(self.spec.snippet_field) or analysis.crop_text(text, crop)
        return hit

    # writes ----------------------------------------------------------------------------------

    def write(self, work: Callable[[Any], None]) -> None:
        writer = self.index.writer(heap_size=WRITER_HEAP, num_threads=2)
        try:
            work(writer)
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()
        self.reloaded()

    def apply(self, writer: Any, changes: IndexChanges) -> None:
        for field, values in changes.delete_where.items():
            for value in values:
                writer.delete_documents_by_term(field, str(value))
        for doc_id in [*changes.deletes, *(int(d["id"]) for d in changes.upserts)]:
            writer.delete_documents_by_term("id", int(doc_id))
        for source in changes.upserts:
            writer.add_document(self.document(source))


@functools.cache
def _facet_pool() -> ThreadPoolExecutor:
    """Threads that count a search's facets while the request's own thread ranks and reads its hits:
    tantivy lets go of the GIL while it works, so the two passes take one pass's time on two cores."""
    return ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="qq-facets")


class EmbeddedBackend(SearchBackend):
    """tantivy in this process; `directory=None` keeps the indexes in memory."""

    name = "embedded"
    nearest = True

    def __init__(self, directory: str | Path | None, *, keep_facets: bool = True) -> None:
        self.directory = Path(directory) if directory is not None else None
        self.keep_facets = keep_facets  # QINGQUAN_SEARCH_FACET_CACHE
        self._indexes: dict[IndexName, _Index] = {}
        self._lock = asyncio.Lock()
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qq-index-writer")
        self._manifest_seen: tuple[tuple[int, int, int], dict[str, Any] | None] | None = None

    @property
    def manifest_path(self) -> Path | None:
        return self.directory / "manifest.json" if self.directory is not None else None

    async def read_manifest(self, *, fresh: bool = False) -> dict[str, Any] | None:
        """`manifest.json` of the directory, read again only when the file changed (searches ask each time)."""
        path = self.manifest_path
        if path is None:
            return await super().read_manifest()
        try:
            stat = path.stat()
        except FileNotFoundError:
            return None
        key = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if self._manifest_seen is None or self._manifest_seen[0] != key:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = None  # unreadable: as good as none, the index is rebuilt
            self._manifest_seen = (key, data if isinstance(data, dict) else None)
        return self._manifest_seen[1]

    async def write_manifest(self, manifest: dict[str, Any]) -> None:
        path = self.manifest_path
        if path is None:
            await super().write_manifest(manifest)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".json.tmp")
        temporary.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(temporary, path)  # readers see the old manifest or the new one, never half of one

    @property
    def consumer(self) -> str:
        """One per host and index directory (a host that loses its directory rebuilds under the same name)."""
        if self.directory is None:
            return super().consumer
        digest = hashlib.sha256(str(self.directory.resolve()).encode()).hexdigest()[:16]
        return f"embedded:{socket.gethostname()}:{digest}"

    def _index(self, name: IndexName) -> _Index:
        if name not in self._indexes:
            path = self.directory / name.value if self.directory is not None else None
            self._indexes[name] = _Index(SPECS[name], path, keep_facets=self.keep_facets)
        return self._indexes[name]

    async def _write(self, work: Callable[[], Any]) -> Any:
        """`work` in the writer thread. Cancelled, the await ends at once but the work runs to its end, and
        whatever is written next waits for it there."""
        return await asyncio.get_running_loop().run_in_executor(self._writer, work)

    async def apply(self, index: IndexName, changes: IndexChanges) -> None:
        if not changes:
            return
        target = self._index(index)
        async with self._lock:
            await self._write(lambda: target.write(lambda writer: target.apply(writer, changes)))

    async def rebuild(self, index: IndexName, batches: AsyncIterable[list[dict[str, Any]]]) -> int:
        """Replace the whole index in one commit: searches see the old index until it is done. Cancelled,
        the batch being added stops at its next document and the writer rolls back."""
        target = self._index(index)
        stop = threading.Event()

        def add(batch: list[dict[str, Any]]) -> None:
            for source in batch:
                if stop.is_set():
                    return
                writer.add_document(target.document(source))

        count = 0
        async with self._lock:
            writer = await self._write(lambda: target.index.writer(WRITER_HEAP, 2))
            try:
                await self._write(writer.delete_all_documents)
                async for batch in batches:
                    await self._write(functools.partial(add, batch))
                    count += len(batch)
                await self._write(writer.commit)
            except BaseException:
                stop.set()
                await self._write(writer.rollback)
                raise
            finally:
                await self._write(writer.wait_merging_threads)
            target.reloaded()
        return count

    async def search(self, index: IndexName, request: SearchRequest) -> SearchResult:
        # Queries take well under a millisecond: run them inline rather than pay for a thread hop.
        return self._index(index).search(request)

    async def read(self, index: IndexName, request: SearchRequest, hits: list[SearchHit]) -> list[SearchHit]:
        return self._index(index).read(request, hits)

    async def clear(self, index: IndexName | None = None) -> None:
        for name in [index] if index else list(IndexName):
            target = self._index(name)
            async with self._lock:
                await self._write(functools.partial(target.write, lambda writer: writer.delete_all_documents()))

    async def health(self) -> bool:
        return True
