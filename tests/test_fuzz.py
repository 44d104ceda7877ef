"""Fuzz: hypothesis-graphql writes valid queries and mutations from the schema the app serves, and
each goes over HTTP to the real ASGI app, without a token (PUBLIC) and with an ADMIN token. No answer
may be a 5xx, an "Internal server error (logged)", or an error whose message names a Python exception
class: whatever a client sends, it gets data or a typed error.

Bounded and reproducible: a fixed number of examples per run, derandomized (the same documents on
every run of the same schema), no deadline. Queries run on the session database (the demo county,
its search index built); mutations run on a database of their own, so that what an ADMIN's random
mutations change cannot reach another test. Every failure of a run is collected and reported at the
end with its document, its error and where it was raised.
"""

from __future__ import annotations

import builtins
import functools
import logging
import re
import traceback
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import graphql
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import mutations, nodes, queries

from domain import db
from domain import models as m
from domain import workflow_models as wm
from domain.enums import Role
from domain.errors import DomainError
from qingquan.app import create_app
from qingquan.settings import Settings
from schema import build_schema
from schema.relay import encode_id
from tests.conftest import REPO
from tests.helpers import token_for
from tests.oversight_factories import exercise
from tests.workflow_factories import based_power, published_power

SCHEMA = build_schema()._schema
MASKED = "Internal server error (logged)"
EXAMPLES = {"query": 120, "mutation": 100}
#: Models behind the global ids a client may hold (their GraphQL type has the same name).
ID_MODELS = [m.Unit, m.Position, m.Power, m.LegalDocument, m.LegalArticle, m.FlowChart, m.FlowStep, m.FlowEdge,
             m.PowerBasis, m.DisclosureRecord, m.OperationRecord, wm.OperationStep, wm.Review, wm.ChangeNotice,
             wm.Complaint, wm.Inspection, wm.InformationRequest]  # fmt: skip


def _exception_names() -> re.Pattern[str]:
    """Names of the exception classes the app could leak (Python's, the libraries', ours), as words;
    not the GraphQL type names (`NotFoundError` is a type of the schema, not a leak)."""
    seen: set[str] = set()
    todo: list[type] = [BaseException]
    while todo:
        cls = todo.pop()
        seen.add(cls.__name__)
        todo += cls.__subclasses__()
    names = {
        n for n in seen if re.fullmatch(r"[A-Z]\w*(Error|Exception|Failed|Denied|NotFound|Unavailable)", n)
    }
    names |= {
        n
        for n in dir(builtins)
        if isinstance(getattr(builtins, n), type) and issubclass(getattr(builtins, n), BaseException)
    }
    names -= set(SCHEMA.type_map)
    return re.compile(r"\b(" + "|".join(sorted(map(re.escape, names), key=len, reverse=True)) + r")\b")


EXCEPTION_NAME = _exception_names()


@dataclass
class Failure:
    role: str
    document: str
    problem: str
    where: str = ""

    def __str__(self) -> str:
        return f"[{self.role}] {self.problem}\n  raised at: {self.where or '?'}\n  document: {' '.join(self.document.split())[:1500]}"


#: Failures this fuzz run finds that belong to work outside the search code (issue 8), by what they
#: say. The run fails on any other failure; when only these remain it is an expected failure that
#: names them. Remove an entry once its fix has landed.
@dataclass
class Run:
    """One fuzz run: the client, the callers' tokens, and what went wrong."""

    client: httpx.AsyncClient
    tokens: dict[str, str | None]
    failures: list[Failure] = field(default_factory=list)


class Logged(logging.Handler):
    """Keeps the exceptions the app logs while answering one request (strawberry logs every error)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.exceptions: list[BaseException] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            self.exceptions.append(record.exc_info[1])


def causes(exc: BaseException) -> list[BaseException]:
    """The exception and those it was raised from (or while handling), outermost first."""
    chain = [exc]
    while chain[-1].__cause__ is not None or (
        chain[-1].__context__ is not None and not chain[-1].__suppress_context__
    ):
        chain.append(chain[-1].__cause__ or chain[-1].__context__)  # type: ignore[arg-type]
    return chain


def root_cause(exc: BaseException) -> BaseException:
    return causes(exc)[-1]


def where(exc: BaseException) -> str:
    """Where an exception came from: the root cause's type and message, its deepest frame, and the
    deepest frame of this repository on the way there."""
    chain = causes(exc)
    root = chain[-1]

    def place(frame: traceback.FrameSummary) -> str:
        name = frame.filename
        shown = (
            str(Path(name).relative_to(REPO))
            if name.startswith(str(REPO))
            else name.split("site-packages/")[-1]
        )
        return f"{shown}:{frame.lineno} in {frame.name}"

    ours = [
        f
        for e in chain
        for f in traceback.extract_tb(e.__traceback__)
        if f.filename.startswith(str(REPO)) and "/.venv/" not in f.filename
    ]
    deepest = traceback.extract_tb(root.__traceback__)[-1:]
    text = f"{type(root).__name__}: {str(root)[:200]}"
    if deepest:
        text += f" at {place(deepest[0])}"
    if ours and (not deepest or ours[-1] != deepest[0]):
        text += f" (from {place(ours[-1])})"
    return text


async def send(run: Run, role: str, document: str) -> None:
    """POST the document as `role`; record what a client should never see."""
    token = run.tokens[role]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    logged = Logged()
    logger = logging.getLogger()
    logger.addHandler(logged)
    try:
        response = await run.client.post("/graphql", json={"query": document}, headers=headers)
    except Exception as exc:  # the app raised through the ASGI server: a 500 for a real client
        run.failures.append(
            Failure(role, document, f"the app raised {type(exc).__name__}: {exc}"[:300], where(exc))
        )
        return
    finally:
        logger.removeHandler(logged)
    unexpected = [
        e for e in logged.exceptions if not isinstance(root_cause(e), (DomainError, graphql.GraphQLError))
    ]
    located = where((unexpected or logged.exceptions)[-1]) if logged.exceptions else ""
    if response.status_code >= 500:
        run.failures.append(
            Failure(role, document, f"HTTP {response.status_code}: {response.text[:300]}", located)
        )
        return
    try:
        errors = response.json().get("errors") or []
    except ValueError:
        run.failures.append(
            Failure(role, document, f"HTTP {response.status_code}, not JSON: {response.text[:300]}", located)
        )
        return
    for error in errors:
        message = str(error.get("message", ""))
        if message == MASKED or EXCEPTION_NAME.search(message):
            run.failures.append(Failure(role, document, f"error: {message[:300]}", located))


def scalars(ids: Sequence[str]) -> dict[str, st.SearchStrategy[graphql.ValueNode]]:
    """Values for the custom scalars (mostly well-formed: one bad literal refuses the whole document),
    and ids: mostly real ones of the database, some of a wrong type, out of range or made up."""
    text = st.text(max_size=40)

    def mostly(valid: st.SearchStrategy[str]) -> st.SearchStrategy[graphql.ValueNode]:
        """Nine times in ten a value of `valid`, else any text."""
        return st.integers(0, 9).flatmap(lambda n: valid if n else text).map(nodes.String)

    return {
        "ID": st.one_of(
            st.sampled_from(ids).map(nodes.String),
            st.sampled_from(ids).map(nodes.String),
            st.builds(
                encode_id,
                st.sampled_from([model.__name__ for model in ID_MODELS]),
                st.integers(-(2**70), 2**70),
            ).map(nodes.String),
            text.map(nodes.String),
            st.integers(-(2**31), 2**31 - 1).map(nodes.Int),
        ),
        "Date": mostly(st.dates().map(date.isoformat)),
        "DateTime": mostly(st.datetimes(timezones=st.sampled_from([None, UTC])).map(datetime.isoformat)),
        "JSON": st.sampled_from(['{a: 1, b: ["x", null]}', '"x"', "1", "[]", "{}"]).map(graphql.parse_value),
    }


def root_fields(kind: str) -> list[str]:
    """The root fields to call: all of them, but those that need a file (multipart uploads only)."""
    root = SCHEMA.query_type if kind == "query" else SCHEMA.mutation_type
    assert root is not None
    needs_file = {
        name for name, f in root.fields.items()
        if any(graphql.is_non_null_type(a.type) and graphql.get_named_type(a.type).name == "Upload" for a in f.args.values())
    }  # fmt: skip
    return [name for name in root.fields if name not in needs_file]


async def real_ids() -> list[str]:
    ids = []
    for model in ID_MODELS:
        pks = await model.all().order_by("-id").limit(20).values_list("id", flat=True)
        ids += [encode_id(model.__name__, pk) for pk in pks]
    return ids


@functools.cache
def documents(kind: str, ids: tuple[str, ...]) -> list[str]:
    """The documents Hypothesis writes for this schema (the same ones on every run: written once for both
    roles, ~7 s of CPU each time)."""
    build = queries if kind == "query" else mutations
    written: list[str] = []

    @settings(
        max_examples=EXAMPLES[kind], derandomize=True, deadline=None, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )  # fmt: skip
    @given(document=build(SCHEMA, fields=root_fields(kind), custom_scalars=scalars(ids)))
    def write(document: str) -> None:
        written.append(document)

    write()
    return written


async def fuzz(run: Run, role: str, kind: str) -> None:
    for document in documents(kind, tuple(await real_ids())):
        await send(run, role, document)
    distinct: dict[str, Failure] = {}
    for failure in run.failures:
        distinct.setdefault(failure.where or failure.problem, failure)
    failures = list(distinct.values())
    assert not failures, (
        f"{len(failures)} distinct failures ({len(run.failures)} requests in all):\n\n" + "\n\n".join(map(str, failures))
    )


@pytest.fixture
async def own_database(database: str, migrated_db_url: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the real app on a small database of its own; the session database comes back after."""
    await db.close()
    try:
        await db.migrate(migrated_db_url)
        await db.close()
        await db.init(migrated_db_url)
        published = await published_power()
        await based_power(await m.Unit.get(id=published.unit_id))
        await exercise(published, date(2024, 3, 1))
        app = create_app(
            Settings(search_index_dir=str(tmp_path / "index"), search_indexer=False), manage_db=False
        )
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://qingquan.test"
        ) as c:
            yield c
    finally:
        await db.close()
        await db.init(database)


async def tokens() -> dict[str, str | None]:
    return {"PUBLIC": None, "ADMIN": await token_for(Role.ADMIN)}


@pytest.mark.parametrize("role", ["PUBLIC", "ADMIN"])
async def test_fuzzed_queries_get_data_or_typed_errors(
    search_client: httpx.AsyncClient, demo: object, role: str
) -> None:
    await fuzz(Run(search_client, await tokens()), role, "query")


@pytest.mark.parametrize("role", ["PUBLIC", "ADMIN"])
async def test_fuzzed_mutations_get_data_or_typed_errors(own_database: httpx.AsyncClient, role: str) -> None:
    await fuzz(Run(own_database, await tokens()), role, "mutation")
