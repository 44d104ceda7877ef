"""Search by meaning beside search by words: the vectors of articles and powers, how they are made, kept
and searched (issue 22).

**Texts.** An article is read as its law's title, its label and its text; a power as its name, category,
unit, its bases' text and its flow chart's conditions; both cut to TEXT_CHARS characters (the model's cost
grows faster than the text).

**Stored where every host gets them.** One row per (kind, entity, model) in `search_embedding`, with the
hash of the text it is the vector of (int8, scaled to ±127). The embedder (`Embedder`) runs once per
database (the server's background job, or `qingquan embed`): it follows the change feed as a consumer of
its own (`consumer_name()`), drops the vectors whose text changed or whose row is gone, and embeds what has none,
a small batch at a time, so it is resumable (the rows are the progress) and idempotent (a text embedded
twice is the same row). An unchanged text reuses the vector it has (a new version of a law repeats most of
its articles), and the vectors shipped with the package (`search/demo_vectors.npz`, the demo county's
powers) are taken as they are, so the quick start has the demo's meaning at once.

**Searched in memory.** Each process keeps, per kind, a matrix of the vectors read from the table and
reads the rows added since at most every REFRESH seconds (a search's cost: one small statement); a
query's vector times the matrix gives the nearest texts. The search's filters (visibility, versions in
force …) are applied to those by the search engine, exactly as to the words' hits (resolvers/search.py).

Meaning is used only when the model is installed and the kind's vectors are (nearly) complete
(MIN_COVERAGE); otherwise the search ranks by words and says why (`Coverage.reason`).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np
import threadpoolctl
from tortoise import connections
from tortoise.transactions import in_transaction

from domain import change_feed as feed
from domain.enums import SearchEntity
from domain.models import FlowChart, FlowStep, LegalArticle, Power, PowerBasis, Unit
from domain.search_models import Embedding
from search import embedding

log = logging.getLogger("qingquan.search")

ARTICLE = "article"
POWER = "power"
KINDS = (POWER, ARTICLE)
#: A text is cut to this many characters: e5's cost grows faster than the text; the static model reads
#: an article whole (its mean over words costs little; 2,000 characters hold all but the longest articles).
TEXT_CHARS = {"e5": 256, "static": 2000}
#: Texts embedded per step of the embedder: e5 runs one at a time through the model (a stop waits for one
#: only); the static model takes a batch in one call off the event loop.
BATCH = {"e5": 8, "static": 500}
#: How nice (the scheduler's priority, 0–19) the thread running e5 over passages is: a long job beside
#: requests, it takes only the CPU they leave.
NICE = 10
#: Meaning is used when at least this share of a kind's texts has a vector (the default of the setting
#: QINGQUAN_SEARCH_MEANING_MIN_COVERAGE).
MIN_COVERAGE = 0.99
#: Up to this many vectors, the nearest texts are searched on the event loop (well under a ms).
INLINE_ROWS = 5_000
#: Seconds between two looks of a process at the table for vectors added or dropped.
REFRESH = 1.0
CHUNK = 500
#: Ids of a table read at a time by the embedder's pass over it (a range of its primary key).
SCAN = 5_000
Progress = Callable[[str, int, int], object]


# --- texts ---------------------------------------------------------------------------------------


def consumer_name() -> str:
    """The embedder's name as a consumer of the change feed: one per model."""
    return f"embeddings:{embedding.MODEL}"


def text_hash(text: str) -> str:
    return hashlib.sha256(f"{embedding.MODEL}\n{text}".encode()).hexdigest()[:32]


def _cut(text: str) -> str:
    return " ".join(text.split())[: TEXT_CHARS[embedding.CHOSEN]]


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    items = sorted(set(ids))
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


async def article_texts(ids: Iterable[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for chunk in _chunks(ids):
        rows = await LegalArticle.filter(id__in=chunk).values("id", "label", "text", "document__title")
        out.update({r["id"]: _cut(f"{r['document__title']}{r['label']}：{r['text']}") for r in rows})
    return out


async def power_texts(ids: Iterable[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for chunk in _chunks(ids):
        powers = await Power.filter(id__in=chunk).values("id", "name", "category", "unit_id")
        units = dict(await Unit.filter(id__in={p["unit_id"] for p in powers}).values_list("id", "name"))
        bases: dict[int, list[str]] = defaultdict(list)
        for b in await PowerBasis.filter(power_id__in=chunk).order_by("power_id", "ordinal", "id").values(
            "power_id", "article__text"
        ):
            bases[b["power_id"]].append(b["article__text"] or "")
        charts = dict(await FlowChart.filter(power_id__in=chunk).values_list("id", "power_id"))
        conditions: dict[int, list[str]] = defaultdict(list)
        for s in await FlowStep.filter(chart_id__in=list(charts)).order_by("chart_id", "ordinal", "id").values(
            "chart_id", "condition"
        ):
            if s["condition"] and s["condition"] not in conditions[charts[s["chart_id"]]]:
                conditions[charts[s["chart_id"]]].append(s["condition"])
        for p in powers:
            category = getattr(p["category"], "label", str(p["category"]))
            parts = [p["name"], category, units.get(p["unit_id"], ""), *bases[p["id"]], *conditions[p["id"]]]
            out[p["id"]] = _cut("。".join(x.strip().rstrip("。") for x in parts if x.strip()))
    return out


TEXTS = {ARTICLE: article_texts, POWER: power_texts}
TABLES = {ARTICLE: "legal_article", POWER: "power"}


# --- vectors as stored -----------------------------------------------------------------------------


def pack(vector: np.ndarray) -> bytes:
    """int8, the largest component at ±127 (unpack makes it unit length again: the scale is not kept)."""
    scale = 127.0 / max(float(np.abs(vector).max()), 1e-6)
    return np.clip(np.rint(vector * scale), -127, 127).astype(np.int8).tobytes()


def unpack(blobs: list[bytes]) -> np.ndarray:
    if not blobs:
        return np.zeros((0, embedding.DIM), dtype=np.float32)
    matrix = np.frombuffer(b"".join(blobs), dtype=np.int8).reshape(len(blobs), embedding.DIM).astype(np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-6)


@functools.cache
def shipped() -> dict[str, bytes]:
    """Vectors shipped with the package (text hash → packed vector): the demo county's powers."""
    try:
        with resources.files("search").joinpath("demo_vectors.npz").open("rb") as handle:
            data = np.load(handle)
            hashes, vectors = data["hashes"], data["vectors"]
    except (FileNotFoundError, OSError, KeyError, ValueError):
        return {}
    return {str(h): v.tobytes() for h, v in zip(hashes, vectors, strict=True)}


def _mark(conn: Any, n: int) -> str:
    return f"${n}" if conn.capabilities.dialect == "postgres" else "?"


# --- the embedder ---------------------------------------------------------------------------------


def _lower_priority() -> None:
    try:  # Linux: a thread's nice value is its own (and that of the threads it starts, e5's OpenMP team's)
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)
    except (AttributeError, OSError):
        pass


@functools.cache
def _background() -> ThreadPoolExecutor:
    """The one thread that runs e5 over passages, at a lower priority than the requests' threads."""
    return ThreadPoolExecutor(1, thread_name_prefix="qingquan-embedder", initializer=_lower_priority)


@dataclass
class Coverage:
    kind: str
    vectors: int
    total: int

    @property
    def missing(self) -> int:
        return max(self.total - self.vectors, 0)

    @property
    def complete(self) -> bool:
        return self.enough(MIN_COVERAGE)

    def enough(self, share: float) -> bool:
        return self.total == 0 or self.vectors >= self.total * share


async def coverage(kind: str) -> Coverage:
    """How many of the kind's texts have a vector of the current model."""
    conn = connections.get("default")
    table = TABLES[kind]
    row = (
        await conn.execute_query_dict(
            f"SELECT (SELECT COUNT(*) FROM {table}) AS total, (SELECT COUNT(*) FROM search_embedding e "
            f"JOIN {table} t ON t.id = e.entity_id WHERE e.kind = {_mark(conn, 1)} AND e.model = {_mark(conn, 2)}) AS done",
            [kind, embedding.MODEL],
        )
    )[0]
    return Coverage(kind, int(row["done"]), int(row["total"]))


@dataclass
class EmbedReport:
    embedded: int = 0  # texts run through the model
    reused: int = 0  # vectors taken from an identical text (or shipped)
    dropped: int = 0  # vectors of texts that changed or are gone

    def add(self, other: EmbedReport) -> None:
        self.embedded += other.embedded
        self.reused += other.reused
        self.dropped += other.dropped


class Embedder:
    """Makes and keeps the vectors of one database (one at a time: the server's leader, or the CLI)."""

    def __init__(self) -> None:
        # Which texts may lack a vector: until one pass over a kind's table found every row embedded, the
        # rows after `after[kind]` (the pass's cursor; None once it is done); then only the ids the change
        # feed named since (`todo`: new rows, and those whose vector `recheck` dropped). An idle pass thus
        # looks at nothing but the feed, and no query depends on the planner's statistics of the table.
        self.after: dict[str, int | None] = dict.fromkeys(KINDS, 0)
        self.todo: dict[str, set[int]] = {kind: set() for kind in KINDS}
        self.end: dict[str, int | None] = dict.fromkeys(KINDS)  # the pass's last id (read when it starts)
        self._cursor: int | None = None  # where the pass goes on once the batch _pending found is embedded
        self.seconds = 0.0  # spent in the model
        self.build = "embeddings"

    async def recheck(self, kind: str, ids: Iterable[int] | None = None) -> int:
        """Drop the vectors of `ids` (every entity of the kind when None) whose text changed or whose row
        is gone; they are embedded again. Returns how many were dropped."""
        dropped = 0
        if ids is None:
            dropped += await self.drop_orphans(kind)
            ids = await Embedding.filter(kind=kind, model=embedding.MODEL).values_list("entity_id", flat=True)
        for chunk in _chunks(ids):
            texts = await TEXTS[kind](chunk)
            stale = [
                row["id"]
                for row in await Embedding.filter(kind=kind, model=embedding.MODEL, entity_id__in=chunk).values(
                    "id", "entity_id", "text_hash"
                )
                if row["entity_id"] not in texts or text_hash(texts[row["entity_id"]]) != row["text_hash"]
            ]
            if stale:
                dropped += await Embedding.filter(id__in=stale).delete()
        return dropped

    async def drop_orphans(self, kind: str) -> int:
        """Drop the vectors of rows that are gone."""
        conn = connections.get("default")
        gone = await conn.execute_query_dict(
            f"SELECT id FROM search_embedding WHERE kind = {_mark(conn, 1)} AND NOT EXISTS "
            f"(SELECT 1 FROM {TABLES[kind]} t WHERE t.id = search_embedding.entity_id)",
            [kind],
        )
        return await Embedding.filter(id__in=[r["id"] for r in gone]).delete() if gone else 0

    async def follow(self, batch: int = 500) -> int:
        """Apply the change feed since this consumer's position: drop the vectors it makes stale. A consumer
        new (or dropped after the retention) rechecks every vector first. Returns the changes read."""
        consumer = await feed.consumer(consumer_name())
        if consumer is None:
            await feed.register(consumer_name(), self.build)
            for kind in KINDS:
                await self.recheck(kind)
                self.after[kind], self.end[kind] = 0, None  # changes were missed: one more pass over the table
            return 0
        at = feed.position_of(consumer)
        final = await feed.read(at, batch)
        # committed but not final yet (an older transaction of the cluster is still open): applied ahead,
        # the position moves over final changes only (a recheck done twice is harmless)
        ahead = await feed.read(final[-1].position if final else at, batch, final=False) if len(final) < batch else []
        rows = final + ahead
        if not rows:
            await feed.seen(consumer_name(), consumer.build)
            return 0
        ids: dict[SearchEntity, set[int]] = defaultdict(set)
        for row in rows:
            ids[row.entity].add(row.entity_id)
        articles = set(ids[SearchEntity.LEGAL_ARTICLE])
        if ids[SearchEntity.LEGAL_DOCUMENT]:
            for chunk in _chunks(ids[SearchEntity.LEGAL_DOCUMENT]):
                articles.update(await LegalArticle.filter(document_id__in=chunk).values_list("id", flat=True))
            await self.drop_orphans(ARTICLE)
        if articles:
            await self.recheck(ARTICLE, articles)
            self.todo[ARTICLE].update(articles)  # new, or their vector dropped: embedded on the next pass
        if ids[SearchEntity.POWER]:
            await self.recheck(POWER, ids[SearchEntity.POWER])
            self.todo[POWER].update(ids[SearchEntity.POWER])
        if not final:
            return len(rows)
        await feed.advance(consumer_name(), consumer.build, final[-1].position)
        return len(rows)

    async def _without_vector(self, kind: str, ids: list[int]) -> list[int]:
        """Those of `ids` (sorted) that have no vector: one range scan of the unique index (kind, entity_id,
        model) over their span. Ranges, not NOT EXISTS or IN lists: on a table never analysed the planner
        planned the anti-join as a nested loop over every vector for every row (67 s of a backend a pass over
        26,000 articles), and an IN list of hundreds is guessed at most of the table (0.005 an id); a
        range is an index scan whatever the statistics."""
        if not ids:
            return []
        conn = connections.get("default")
        m = functools.partial(_mark, conn)
        rows = await conn.execute_query_dict(
            f"SELECT entity_id FROM search_embedding WHERE kind = {m(1)} AND entity_id >= {m(2)} "
            f"AND entity_id <= {m(3)} AND model = {m(4)}",
            [kind, ids[0], ids[-1], embedding.MODEL],
        )
        have = {int(r["entity_id"]) for r in rows}
        return [i for i in ids if i not in have]

    async def _rows(self, kind: str, after: int, upto: int) -> list[int]:
        """The kind's row ids in (after, upto], in order: a range of the primary key bounded on both sides
        (one bound only, the unanalysed planner guesses a third of the table and sorts it)."""
        conn = connections.get("default")
        m = functools.partial(_mark, conn)
        rows = await conn.execute_query_dict(
            f"SELECT id FROM {TABLES[kind]} WHERE id > {m(1)} AND id <= {m(2)} ORDER BY id", [after, upto]
        )
        return [int(r["id"]) for r in rows]

    async def _pending(self, kind: str, limit: int) -> list[int]:
        """Up to `limit` ids of the kind's rows that have no vector: first among those the feed named, then
        on the pass over the table while it is not done. Nothing named and the pass done: no statement."""
        self._cursor = None
        todo = self.todo[kind]
        while todo:  # a window of CHUNK ids from the smallest named (a document's articles are neighbours)
            first = min(todo)
            window = sorted(i for i in todo if i < first + CHUNK)
            rows = set(await self._rows(kind, first - 1, window[-1]))
            missing = await self._without_vector(kind, [i for i in window if i in rows])
            todo.difference_update(set(window) - set(missing))  # embedded already, or gone
            if missing:
                return missing[:limit]
        while (after := self.after[kind]) is not None:
            if self.end[kind] is None:  # the pass ends at the last row when it starts (later ones are named)
                conn = connections.get("default")
                row = (await conn.execute_query_dict(f"SELECT MAX(id) AS last FROM {TABLES[kind]}"))[0]
                self.end[kind] = int(row["last"] or 0)
            if after >= self.end[kind]:
                self.after[kind] = self.end[kind] = None  # all have vectors: the feed says what to embed now
                break
            missing = await self._without_vector(kind, await self._rows(kind, after, after + SCAN))
            if missing:
                self._cursor = missing[:limit][-1]  # moved past them once they are embedded (embed_some)
                return missing[:limit]
            self.after[kind] = after + SCAN
        return []

    async def embed_some(self, kind: str, limit: int | None = None) -> EmbedReport:
        """Embed up to `limit` texts of `kind` (a batch by default) that have no vector yet."""
        ids = await self._pending(kind, BATCH[embedding.CHOSEN] if limit is None else limit)
        report = await self.embed_ids(kind, ids)
        self.todo[kind].difference_update(ids)
        if self._cursor is not None:  # the pass over the table moves past them (every row before has a vector)
            self.after[kind], self._cursor = self._cursor, None
        return report

    async def embed_ids(self, kind: str, ids: list[int]) -> EmbedReport:
        """Give these texts of `kind` their vector (taken from an identical text's when there is one)."""
        report = EmbedReport()
        texts = await TEXTS[kind](ids)
        if not texts:
            return report
        hashes = {i: text_hash(t) for i, t in texts.items()}
        known = dict(shipped())
        rows = await Embedding.filter(model=embedding.MODEL, text_hash__in=sorted(set(hashes.values()))).values(
            "text_hash", "vector"
        )
        known.update({r["text_hash"]: bytes(r["vector"]) for r in rows})
        vectors: dict[int, bytes] = {i: known[h] for i, h in hashes.items() if h in known}
        report.reused = len(vectors)
        todo = [i for i in texts if i not in vectors]
        if embedding.CHOSEN == "static":  # microseconds a text: the batch in one call, off the event loop
            started = time.perf_counter()
            matrix = await asyncio.to_thread(embedding.embed_passages, [texts[i] for i in todo])
            self.seconds += time.perf_counter() - started
            vectors.update({i: pack(v) for i, v in zip(todo, matrix, strict=True)})
        else:
            for i in todo:  # one text per call: the lock is never held long
                started = time.perf_counter()
                vector = await asyncio.get_running_loop().run_in_executor(_background(), embedding.embed_passages, [texts[i]])
                self.seconds += time.perf_counter() - started
                vectors[i] = pack(vector[0])
        report.embedded = len(todo)
        async with in_transaction() as conn:
            await Embedding.filter(kind=kind, model=embedding.MODEL, entity_id__in=list(vectors)).using_db(conn).delete()
            await Embedding.bulk_create(
                [
                    Embedding(kind=kind, entity_id=i, model=embedding.MODEL, text_hash=hashes[i], vector=v)
                    for i, v in sorted(vectors.items())
                ],
                using_db=conn,
                ignore_conflicts=True,  # another process (`qingquan embed` beside the server) stored it meanwhile
            )
        return report

    async def step(self) -> EmbedReport:
        """Follow the feed, then embed one batch (powers before articles). Nothing done: all is embedded."""
        await self.follow()
        for kind in KINDS:
            report = await self.embed_some(kind)
            if report.embedded or report.reused:
                return report
        return EmbedReport()

    async def run(
        self, progress: Progress | None = None, limit: int | None = None, kinds: tuple[str, ...] = KINDS
    ) -> EmbedReport:
        """Embed until every text has a vector (or `limit` texts went through the model)."""
        total = EmbedReport()
        await self.follow()
        for kind in kinds:
            cover = await coverage(kind)
            done = cover.vectors
            while limit is None or total.embedded < limit:
                if progress:
                    progress(kind, done, cover.total)
                batch = BATCH[embedding.CHOSEN]
                report = await self.embed_some(kind, batch if limit is None else min(batch, limit - total.embedded))
                if not (report.embedded or report.reused):
                    break
                total.add(report)
                done += report.embedded + report.reused
            if progress:
                progress(kind, min(done, cover.total), cover.total)
        return total


async def run_forever(wakeups: Any = None, idle: float = 2.0) -> None:
    """The server's background embedder (once per database): follow the feed, embed what has no vector,
    wait for changes when all is done; the model missing, it does nothing."""
    if not embedding.available():
        log.warning("the embedding model (%s) is not installed: the search ranks by words only", embedding.describe())
        return
    embedder = Embedder()
    while True:
        try:
            report = await embedder.step()
            if report.embedded or report.reused:
                continue
        except asyncio.CancelledError:
            raise
        except Exception:  # the database failed: log, wait, try again
            log.exception("the embedder failed; trying again")
        if wakeups is not None:
            await wakeups.wait()
        else:
            await asyncio.sleep(idle)


# --- the vectors in memory ----------------------------------------------------------------------


class Vectors:
    """One kind's vectors in this process: a matrix read from the table, its rows' entity ids."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.ids = np.zeros(0, dtype=np.int64)
        self.matrix = np.zeros((0, embedding.DIM), dtype=np.float32)
        self.row: dict[int, int] = {}
        self.last_id = 0
        self.checked = -1e9
        self.cover = Coverage(kind, 0, 0)
        self._lock = asyncio.Lock()

    async def refresh(self, *, force: bool = False) -> Coverage:
        if not force and time.monotonic() - self.checked < REFRESH:
            return self.cover
        async with self._lock:
            if not force and time.monotonic() - self.checked < REFRESH:
                return self.cover
            self.checked = time.monotonic()
            conn = connections.get("default")
            m = functools.partial(_mark, conn)
            state = (
                await conn.execute_query_dict(
                    f"SELECT COUNT(*) AS n, MAX(id) AS last, (SELECT COUNT(*) FROM {TABLES[self.kind]}) AS total "
                    f"FROM search_embedding WHERE kind = {m(1)} AND model = {m(2)}",
                    [self.kind, embedding.MODEL],
                )
            )[0]
            count, last = int(state["n"]), int(state["last"] or 0)
            if last != self.last_id or count != len(self.row):
                await self._load(count, full=last < self.last_id)
            self.cover = Coverage(self.kind, min(count, int(state["total"])), int(state["total"]))
            return self.cover

    async def _load(self, count: int, *, full: bool) -> None:
        """Read the rows added since the last look (all of them with `full`, or when rows were dropped)."""
        rows = await Embedding.filter(kind=self.kind, model=embedding.MODEL, id__gt=0 if full else self.last_id).order_by(
            "id"
        ).values_list("id", "entity_id", "vector")
        if full:
            self.ids, self.matrix, self.row = np.zeros(0, dtype=np.int64), np.zeros((0, embedding.DIM), np.float32), {}
            self.last_id = 0
        if rows:
            entity = [int(r[1]) for r in rows]
            vectors = unpack([bytes(r[2]) for r in rows])
            fresh = [k for k, e in enumerate(entity) if e not in self.row]
            for k, e in enumerate(entity):
                if e in self.row:
                    self.matrix[self.row[e]] = vectors[k]
            if fresh:
                base = len(self.ids)
                self.ids = np.concatenate([self.ids, np.asarray([entity[k] for k in fresh], dtype=np.int64)])
                self.matrix = np.vstack([self.matrix, vectors[fresh]])
                self.row.update({entity[k]: base + n for n, k in enumerate(fresh)})
            self.last_id = max(self.last_id, int(rows[-1][0]))
        if len(self.row) != count and not full:
            await self._load(count, full=True)  # rows were dropped: read them all again

    def nearest(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        return _nearest(self.ids, self.matrix, query, k)


def _nearest(ids: np.ndarray, matrix: np.ndarray, query: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The k rows nearest to `query`: a product with every vector (on the arrays as they were when the search
    started: Meaning.find)."""
    if not len(ids):
        return []
    scores = matrix @ query
    k = min(k, len(scores))
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    return [(int(ids[i]), float(scores[i])) for i in top]


_vectors: dict[tuple[str, str, int], Vectors] = {}


@functools.cache
def _one_blas_thread() -> None:
    """OpenBLAS on one thread, for the whole process, once it keeps vectors. By default it spreads a product
    the size of the articles' over every core, whose threads then spin waiting for the next: 6–16 ms more CPU
    a legal question on 2 cores than one thread, which is also faster than numpy's own loop (einsum: 2.6 ms
    for the articles). Set at run time (threadpoolctl), since numpy is loaded before the settings are read;
    the static model's embedding makes no product BLAS would spread (row sums), so it is not slowed."""
    threadpoolctl.threadpool_limits(limits=1, user_api="blas")


def vectors(kind: str) -> Vectors:
    """This process's vectors of `kind` for the open database."""
    key = (kind, embedding.MODEL, id(connections.get("default")))
    if key not in _vectors:
        _one_blas_thread()
        _vectors[key] = Vectors(kind)
    return _vectors[key]


@dataclass
class Meaning:
    """Whether a search used meaning, and if not why: `model_missing`, `vectors_incomplete`, `not_a_question`,
    `engine` (the search engine cannot take the nearest texts)."""

    used: bool
    reason: str
    vectors: int = 0
    total: int = 0
    #: the nearest entities, best first (once `find` searched them)
    nearest: tuple[int, ...] = ()
    #: the query's vector and the vectors it was compared with (when used), for `similarity` and `find`
    vector: np.ndarray | None = field(default=None, repr=False)
    rows: dict[int, int] = field(default_factory=dict, repr=False)
    matrix: np.ndarray | None = field(default=None, repr=False)
    #: the entity of each row of `matrix`, and how many nearest texts `find` searches for
    ids: np.ndarray | None = field(default=None, repr=False)
    k: int = 0
    #: whether the nearest texts were searched (the product with every vector): a ranking that only reorders
    #: the words' hits by `similarity` does not need them (resolvers.search.reranked_search)
    searched: bool = False

    def similarity(self, ids: list[int]) -> list[float]:
        """The query's cosine with each entity's text (0 for one without a vector): a few rows' products."""
        if self.vector is None or self.matrix is None:
            return [0.0 for _ in ids]
        # `rows` may have grown since (the store adds to it): a row past this matrix is not in it
        rows = [r if (r := self.rows.get(i, -1)) < len(self.matrix) else -1 for i in ids]
        scores = self.matrix[[r for r in rows if r >= 0]] @ self.vector
        found = iter(scores.tolist())
        return [next(found) if r >= 0 else 0.0 for r in rows]

    async def find(self) -> tuple[int, ...]:
        """The `k` nearest texts (once; `nearest` afterwards): the product with every vector. A few hundred
        powers' is cheaper than a thread's hop, which at 16 clients on a busy host costs more than the
        product; tens of thousands of vectors (the library's 26,196 articles: ~1.7 ms of CPU, a province's
        28,700 powers: ~8 ms) go off the event loop."""
        if self.used and not self.searched and self.vector is not None and self.ids is not None:
            assert self.matrix is not None
            args = (self.ids, self.matrix, self.vector, self.k)
            found = _nearest(*args) if len(self.ids) <= INLINE_ROWS else await asyncio.to_thread(_nearest, *args)
            self.nearest = tuple(i for i, _ in found)
            self.searched = True
        return self.nearest

    @property
    def message(self) -> str:
        if self.used and self.searched:
            return f"按词语和语义检索 (by words and meaning: {self.vectors} of {self.total} texts have vectors)"
        if self.used:
            return (f"按词语检索，按语义排序 (by words, ordered by meaning as well: {self.vectors} of {self.total} "
                    f"texts have vectors)")  # fmt: skip
        return {
            "model_missing": "未安装语义模型，仅按词语检索 (the embedding model is not installed: words only)",
            "vectors_incomplete": f"语义向量尚未完成（{self.vectors}/{self.total}），暂按词语检索 "
            f"(vectors not complete yet: words only)",
            "not_a_question": "关键词或条文检索，按词语检索 (a keyword or citation query: words only)",
            "engine": "当前搜索引擎仅按词语检索 (this search engine ranks by words only)",
        }.get(self.reason, self.reason)


async def meaning_of(kind: str, text: str, k: int, min_coverage: float = MIN_COVERAGE) -> Meaning:
    """`text`'s vector beside the vectors of `kind` (the `k` nearest texts are searched by `Meaning.find`, when
    a ranking needs them), or why meaning is not used (the model is missing, or fewer than `min_coverage` of
    the texts have a vector yet)."""
    if not embedding.available():
        return Meaning(False, "model_missing")
    store = vectors(kind)
    cover = await store.refresh()
    if not cover.vectors or not cover.enough(min_coverage):
        return Meaning(False, "vectors_incomplete", cover.vectors, cover.total)
    ids, matrix, rows = store.ids, store.matrix, store.row  # a refresh meanwhile replaces them, never changes their shapes
    # the static model's question (≈ 20 µs) is cheaper than a thread's hop; e5's (45 ms) goes off the event loop
    if embedding.CHOSEN == "static":
        vector = embedding.embed_queries([text])[0]
    else:
        vector = (await asyncio.to_thread(embedding.embed_queries, [text]))[0]
    return Meaning(True, "", cover.vectors, cover.total, (), vector, rows, matrix, ids, k)


async def nearest(kind: str, text: str, k: int, min_coverage: float = MIN_COVERAGE) -> Meaning:
    """The `k` texts of `kind` nearest to `text` by meaning, or why meaning is not used."""
    meaning = await meaning_of(kind, text, k, min_coverage)
    await meaning.find()
    return meaning


async def status() -> dict[str, Any]:
    """For /readyz: whether meaning is used, per kind."""
    out: dict[str, Any] = {"model": embedding.MODEL if embedding.available() else None}
    for kind in KINDS:
        cover = await vectors(kind).refresh()
        state = "ready" if cover.vectors and cover.complete else "incomplete"
        out[f"{kind}s"] = {"state": state if out["model"] else "model_missing", "vectors": cover.vectors, "total": cover.total}
    return out
