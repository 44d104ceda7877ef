"""`qingquan reindex` (rebuild the search indexes from the database) and `qingquan index`
(apply the queued changes once, as the server does in the background)."""

from __future__ import annotations

import json
from datetime import date

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from domain.access import CLI
from domain.models import LegalArticle, LegalDocument, Power
from qingquan.commands.common import console, run_with_db
from qingquan.settings import get_settings
from resolvers.search import LibraryScope, SearchIndexNotReady, search_legal_basis, search_powers
from search import backend_for
from search.filters import in_force_on
from search.indexer import reindex, sync_once
from search.manifest import IndexNotReady, require_ready
from search.model import IndexName, SearchRequest, SearchResult
from search.understand import Understanding

#: Exit code when the search engine failed (the queued changes are kept).
EXIT_ENGINE_FAILED = 3


def _bar() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=False,
    )  # fmt: skip


def reindex_command() -> None:
    """Rebuild every search index from the database (safe to run again)."""
    backend = backend_for(get_settings())
    with _bar() as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        async def work() -> dict:
            try:
                return await reindex(backend, progress)
            finally:
                await backend.close()

        counts = run_with_db(work)
    for name, count in counts.items():
        console.print(f"{name}: {count} indexed ({backend.name})")


def index_command() -> None:
    """Apply the change feed to the search index once; first rebuild the index if it was built
    from another database (or in another format, or never, or it fell behind the feed's retention)."""
    backend = backend_for(get_settings())

    async def work():  # noqa: ANN202
        try:
            return await sync_once(backend)
        finally:
            await backend.close()

    report = run_with_db(work)
    if report.waiting:
        console.print("another process is rebuilding the search index from this database: nothing done")
        raise typer.Exit(EXIT_ENGINE_FAILED)
    for name, count in report.rebuilt.items():
        console.print(f"{name}: {count} indexed, rebuilt from this database ({backend.name})")
    console.print(f"{report.applied} changes indexed ({backend.name})")
    if report.failed:
        console.print(f"[red]error:[/red] {report.failed} changes kept for a retry: {report.error}")
        raise typer.Exit(EXIT_ENGINE_FAILED)


async def _labels(index: IndexName, ids: list[int]) -> dict[int, str]:
    """How a hit is named for a person: 标题 第X条, the document's title, or 编码 名称."""
    if index is IndexName.ARTICLES:
        rows = await LegalArticle.filter(id__in=ids).values("id", "label", "document__title")
        return {r["id"]: f"{r['document__title']} {r['label']}" for r in rows}
    if index is IndexName.DOCUMENTS:
        return dict(await LegalDocument.filter(id__in=ids).values_list("id", "title"))
    return {
        r["id"]: f"{r['code']} {r['name']}"
        for r in await Power.filter(id__in=ids).values("id", "code", "name")
    }


def _understood(meaning: Understanding | None) -> dict:
    if meaning is None:
        return {}
    return {
        "citations": [str(c) for c in meaning.citations],
        "laws": list(dict.fromkeys(law.title for law in meaning.laws)),
        "words": [
            {"word": t.word, "also": list(t.alternatives), "near": list(t.near), "literal": t.literal} for t in meaning.terms
        ],
        "dropped": meaning.dropped,
        "question": meaning.question,
    }


def _describe(understood: dict) -> str:
    parts = []
    if understood.get("citations"):
        parts.append("cites " + "、".join(understood["citations"]))
    cited_laws = "".join(understood.get("citations", []))
    laws = [law for law in understood.get("laws", []) if f"《{law}》" not in cited_laws]
    if laws:
        parts.append("within " + "、".join(f"《{law}》" for law in laws))
    words = [w["word"] * w["literal"] + (f"({' '.join(w['also'])})" if w["also"] else "") for w in understood.get("words", [])]
    if words:
        parts.append("words: " + " ".join(words))
    if understood.get("dropped"):
        parts.append("left out: " + " ".join(understood["dropped"]))
    if understood.get("question"):
        parts.append("ranked as a question")
    return "; ".join(parts)


def search_command(
    words: list[str] = typer.Argument(None, help="the words of one query, e.g. 投标人少于三个 重新招标"),
    file: typer.FileText = typer.Option(None, "--file", "-f", help="several queries, one per line ('-': standard input)"),
    index: IndexName = typer.Option(IndexName.ARTICLES, help="which index"),
    limit: int = typer.Option(5, min=1, max=100),
    all_versions: bool = typer.Option(
        False, help="legal texts: every version, not only those in force today"
    ),
    as_json: bool = typer.Option(
        False, "--json", help="print JSON: [{query, total, understood, hits: [{id, name, score}]}]"
    ),
) -> None:
    """Search as staff would: the words given are one query, understood as the API understands it
    (citations, law names, everyday words); every power included (the administrator's view)."""
    queries = [line.strip() for line in file if line.strip()] if file is not None else []
    if words:
        queries.append(" ".join(words))
    if not queries:
        console.print("[red]error:[/red] give the words of a query, or --file with one query per line")
        raise typer.Exit(2)
    settings = get_settings()
    backend = backend_for(settings)
    filters = () if all_versions or index is IndexName.POWERS else in_force_on(date.today())

    async def one(query: str) -> tuple[SearchResult, Understanding | None]:
        if index is IndexName.ARTICLES:
            result, meaning, _ = await search_legal_basis(
                settings, query, LibraryScope(all_versions=all_versions), first=limit, offset=0, facets=False
            )
            return result, meaning
        if index is IndexName.POWERS:
            result, meaning, _ = await search_powers(
                CLI, settings, query, categories=None, statuses=None, unit_ids=None, first=limit, offset=0,
                facets=False,
            )  # fmt: skip
            return result, meaning
        return await backend.search(index, SearchRequest(query=query, filters=filters, limit=limit)), None

    async def work() -> list[dict]:
        out = []
        try:
            await require_ready(backend)
            for query in queries:
                result, meaning = await one(query)
                names = await _labels(index, [h.id for h in result.hits])
                hits = [{"id": h.id, "name": names.get(h.id, "?"), "score": round(h.score, 3), "snippet": h.snippet,
                         "matched": h.matched} for h in result.hits]  # fmt: skip
                out.append({"query": query, "total": result.total, "understood": _understood(meaning), "hits": hits})
        finally:
            await backend.close()
        return out

    try:
        results = run_with_db(work, migrate=False)
    except (IndexNotReady, SearchIndexNotReady) as exc:
        console.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(EXIT_ENGINE_FAILED) from None
    if as_json:
        typer.echo(json.dumps(results, ensure_ascii=False))
        return
    for result in results:
        console.print(f"[bold]{result['query']}[/bold]: {result['total']} hits")
        if result["understood"]:
            console.print(f"  [dim]{_describe(result['understood'])}[/dim]")
        for rank, hit in enumerate(result["hits"], 1):
            console.print(f"  {rank}. {hit['name']}  [dim]{hit['score']}[/dim]")


def embed_command(
    report: bool = typer.Option(False, "--report", help="only say how many texts have a vector, nothing is embedded"),
    limit: int = typer.Option(None, min=1, help="run at most this many texts through the model (then stop; run again to go on)"),
    recheck: bool = typer.Option(False, help="first drop every vector whose text changed (the feed does this as it goes)"),
) -> None:
    """Compute the vectors of the search by meaning (powers first, then articles), as the server does in the
    background: resumable (stop at any time, run again) and idempotent; `--report` says how far it is."""
    from search import embedding, semantic

    embedding.use(get_settings().search_meaning_model)
    if not report and not embedding.available():
        console.print(
            f"[red]error:[/red] the embedding model ({embedding.describe() or 'none'}) is not installed or is switched "
            "off (QINGQUAN_SEARCH_MEANING_MODEL): the search ranks by words only"
        )
        raise typer.Exit(2)

    async def work() -> tuple[list[semantic.Coverage], semantic.EmbedReport, float]:
        embedder = semantic.Embedder()
        done = semantic.EmbedReport()
        if not report:
            if recheck:
                for kind in semantic.KINDS:
                    done.dropped += await embedder.recheck(kind)
            with _bar() as bar:
                tasks: dict[str, int] = {}

                def progress(kind: str, finished: int, total: int) -> None:
                    if kind not in tasks:
                        tasks[kind] = bar.add_task({"power": "职权", "article": "条文"}[kind], total=total)
                    bar.update(tasks[kind], completed=finished, total=total)

                done.add(await embedder.run(progress, limit))
        return [await semantic.coverage(kind) for kind in semantic.KINDS], done, embedder.seconds

    covers, done, seconds = run_with_db(work)
    if not report:
        per = seconds / done.embedded if done.embedded else 0.0
        console.print(
            f"embedded {done.embedded} texts ({per * 1000:.0f} ms each), reused {done.reused} vectors, "
            f"dropped {done.dropped} stale ({embedding.MODEL})"
        )
    for cover in covers:
        state = "complete" if cover.complete and cover.vectors else f"{cover.missing} to embed"
        console.print(f"{cover.kind}s: {cover.vectors} of {cover.total} have a vector ({state})")


def register(app: typer.Typer) -> None:
    app.command("embed")(embed_command)
    app.command("search")(search_command)
    app.command("reindex")(reindex_command)
    app.command("index")(index_command)
