"""schema/execution.py completes plain fields without graphql-core's per-field machinery: its answers,
errors included (message, path, locations), must be graphql-core's own, field for field.

A small schema of its own covers every shape the shortcut handles or hands back (attributes, sync and
async resolvers, awaitables from sync resolvers, lists with nulls and errors, non-null propagation,
enums, aliases, fragments, directives, arguments, __typename, interfaces); then the real schema's
page of nested powers and other documents are compared both ways on the demo county.
"""

from __future__ import annotations

import asyncio
from enum import Enum

import pytest
import strawberry
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from domain.access import CLI, Viewer
from domain.enums import Role
from schema import build_schema
from schema.context import Context
from schema.execution import FastExecutionContext
from schema.node import of_row
from tests.test_query_count import PAGE


@strawberry.enum
class Colour(Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Numbered:
    """What both toy objects answer: a number, and fields that fail or wait for some numbers."""

    n: int

    @strawberry.field
    def boom(self) -> int | None:
        if self.n == 2:
            raise ValueError(f"boom at {self.n}")
        return self.n

    @strawberry.field
    def strict(self) -> int:
        if self.n == 3:
            raise ValueError("strict failed")
        return self.n

    @strawberry.field
    def later(self) -> int:
        async def value() -> int:
            await asyncio.sleep(0)
            return self.n + 100

        return value()  # type: ignore[return-value]


@strawberry.type
class Leaf(Named, Numbered):
    colour: Colour
    maybe: str | None = None

    @strawberry.field
    def double(self) -> int:
        return self.n * 2

    @strawberry.field
    async def slow(self) -> str:
        await asyncio.sleep(0)
        return f"slow {self.n}"

    @strawberry.field
    def times(self, k: int = 2) -> int:
        return self.n * k


class Row:
    """A row as a loader leaves it: its columns as attributes."""

    def __init__(self, n: int) -> None:
        self.n = n


ROWS = {n: Row(n) for n in range(1, 5)}


@strawberry.type
class Remet(Numbered):
    """Made from a row (schema.node.of_row): the same row appears in several places of an answer."""

    @strawberry.field
    def again(self) -> Remet:
        return of_row(Remet, ROWS[self.n])

    @strawberry.field
    def seen_from(self) -> str:
        return f"{self.n} seen from {self.__dict__['_context']}"  # answers by its context, not its row only


@strawberry.type
class Tree:
    label: str
    leaves: list[Leaf]
    holes: list[Leaf | None]
    wrong: str = None  # type: ignore[assignment]  # declared non-null, holds None

    @strawberry.field
    def child(self) -> Tree | None:
        return (
            Tree(label=self.label + "/child", leaves=self.leaves[:1], holes=[None])
            if len(self.label) < 12
            else None
        )

    @strawberry.field
    def named(self) -> list[Named]:
        return list(self.leaves)

    @strawberry.field
    def remet(self) -> list[Remet | None]:
        return [of_row(Remet, ROWS[n]) for n in (1, 2, 1, 3, 2, 1, 4, 3)]

    @strawberry.field
    def in_contexts(self) -> list[Remet]:
        return [of_row(Remet, ROWS[1], context) for context in ("a", "b", "a", None)]

    @strawberry.field
    def mixed(self) -> list[Leaf | None]:
        """Values that are not plainly Leaf objects: a value of another type, a Leaf cast as another type
        (strawberry.cast), and a row cast as a Leaf. Only exact, uncast instances skip is_type_of."""
        other_cast = strawberry.cast(Remet, Leaf(name="cast away", n=8, colour=Colour.RED))
        return [self.leaves[0], Remet(n=7), other_cast, strawberry.cast(Leaf, Row(9)), self.leaves[1]]  # type: ignore[list-item]

    @strawberry.field
    def one_cast_away(self) -> Leaf | None:
        return strawberry.cast(Remet, Leaf(name="cast away", n=8, colour=Colour.RED))  # type: ignore[return-value]

    @strawberry.field
    def strict_leaves(self) -> list[Leaf]:
        return [leaf if leaf.n != 3 else None for leaf in self.leaves]  # type: ignore[misc]


def _tree() -> Tree:
    leaves = [
        Leaf(name=f"l{n}", n=n, colour=Colour.RED if n % 2 else Colour.BLUE, maybe=None if n % 2 else "x")
        for n in range(1, 5)
    ]
    return Tree(label="root", leaves=leaves, holes=[leaves[0], None, leaves[1]])


@strawberry.type
class Query:
    @strawberry.field
    def tree(self) -> Tree:
        return _tree()

    @strawberry.field
    async def async_tree(self) -> Tree | None:
        await asyncio.sleep(0)
        return _tree()


TOY_DOCUMENTS = [
    "{ tree { label leaves { name n colour maybe double } } }",
    "{ tree { leaves { n boom } } }",
    "{ tree { leaves { n strict } } }",  # a non-null error nulls the list item's parent up to the nullable list
    "{ tree { wrong } }",
    "{ asyncTree { wrong label } }",
    "{ tree { leaves { later slow } } }",
    "{ tree { holes { n } child { label child { label leaves { n } child { label } } } } }",
    "{ t: tree { a: label leaves { x: n y: n, __typename } } }",
    "query($skip: Boolean!) { tree { label @skip(if: $skip) leaves { n @include(if: $skip) times(k: 3) times } } }",
    "{ tree { named { __typename name ... on Leaf { n colour } } } }",
    "fragment L on Leaf { n double boom } { tree { leaves { ...L ... on Leaf { strict } } } }",
    "{ tree { strictLeaves { n } } }",
    "{ asyncTree { leaves { boom strict } holes { later } } }",
    # rows met again: completed once each, and errors wherever the row is
    "{ tree { remet { n again { n again { n } } } } }",
    "{ tree { remet { n boom again { boom } } } }",
    "{ tree { remet { n strict } } }",
    "{ tree { remet { n later again { later n } } } }",
    "{ tree { a: remet { n } b: remet { n again { n } } } }",
    "{ tree { inContexts { n seenFrom again { seenFrom } } } }",  # the same row in other contexts
    # objects that are not exactly of the field's type are checked as graphql-core checks them
    "{ tree { mixed { n } oneCastAway { n name } } }",
]


def _plain(result: object) -> tuple[object, list[tuple[str, object, object]]]:
    errors = [
        (e.message, e.path, [(loc.line, loc.column) for loc in e.locations or []])
        for e in result.errors or []
    ]  # type: ignore[attr-defined]
    return result.data, sorted(errors, key=repr)  # type: ignore[attr-defined]


@pytest.mark.parametrize("document", TOY_DOCUMENTS)
async def test_the_shortcut_answers_as_graphql_core_does(document: str) -> None:
    fast = strawberry.Schema(query=Query, types=[Leaf], execution_context_class=FastExecutionContext)
    stock = strawberry.Schema(
        query=Query, types=[Leaf], execution_context_class=StrawberryGraphQLCoreExecutionContext
    )
    variables = {"skip": True}
    ours = _plain(await fast.execute(document, variable_values=variables))
    theirs = _plain(await stock.execute(document, variable_values=variables))
    assert ours == theirs
    assert ours[0] is not None or ours[1], "the document answered nothing at all"


def test_the_toy_documents_reach_errors_and_awaitables() -> None:
    """The comparison above is only worth something if the documents hit the shortcut's edges."""
    joined = " ".join(TOY_DOCUMENTS)
    for edge in ("boom", "strict", "wrong", "later", "slow", "holes", "named", "strictLeaves", "times(k: 3)", "remet"):
        assert edge in joined


APP_DOCUMENTS = [
    (PAGE, {"first": 20}),
    ("{ units(first: 5) { edges { node { code name parent { name } positions { name } } } } }", {}),
    ("{ legalDocuments(first: 3) { edges { node { title level versions { versionDate title } } } } }", {}),
    ("{ viewer { role } }", {}),
]


@pytest.mark.parametrize("role", [Role.ADMIN, Role.PUBLIC])
async def test_the_real_schema_answers_the_same_both_ways(database: str, role: Role) -> None:
    fast = build_schema()
    assert fast.execution_context_class is FastExecutionContext
    stock = build_schema()
    stock.execution_context_class = StrawberryGraphQLCoreExecutionContext
    viewer = Viewer(role=role, name="test")
    for document, variables in APP_DOCUMENTS:
        ours = await fast.execute(document, variable_values=variables, context_value=Context(viewer=viewer))
        theirs = await stock.execute(
            document, variable_values=variables, context_value=Context(viewer=viewer)
        )
        assert _plain(ours) == _plain(theirs), document
        assert ours.data and not ours.errors, (document, ours.errors)


async def test_loader_rows_are_the_models_tortoise_builds(demo: object) -> None:
    """domain.rows.Rows builds model instances from `.values()` rows: every attribute a row sets
    is the value tortoise's own constructor gives, for each model the loaders read that way."""
    from domain import models as m
    from domain.rows import Rows, attributes_of
    from resolvers.loaders import DOCUMENT_INFO

    for queryset in (m.Unit.all(), m.Position.all(), m.Power.all(), m.PowerBasis.all(), m.LegalArticle.all().limit(500),
                     m.LegalWork.all(), m.FlowChart.all(), m.FlowStep.all(), m.FlowEdge.all(), m.OperationRecord.all()):  # fmt: skip
        theirs = {obj.pk: obj for obj in await queryset}
        ours = {obj.pk: obj for obj in await Rows(queryset)}
        assert ours.keys() == theirs.keys() and ours, queryset.model
        names = attributes_of(queryset.model)
        for pk, obj in ours.items():
            assert type(obj) is queryset.model and not obj._partial and obj._saved_in_db
            assert [getattr(obj, n) for n in names] == [getattr(theirs[pk], n) for n in names], (queryset.model, pk)
    documents = await Rows(m.LegalDocument.all().limit(50), DOCUMENT_INFO)
    only = {d.pk: d for d in await m.LegalDocument.all().limit(50).only(*DOCUMENT_INFO)}
    assert documents and all(d._partial for d in documents)
    assert all(getattr(d, f) == getattr(only[d.pk], f) for d in documents for f in DOCUMENT_INFO)
    assert all("body" not in d.__dict__ for d in documents)


async def test_shared_loader_statements_give_the_models_tortoise_builds(demo: object) -> None:
    """A shared Rows' loads (`where_in`) run a statement compiled once per shape and key count; the
    objects are the ones tortoise builds, for every key count (new ones, and ones compiled before),
    through every loader that reads that way, with the types tortoise converts to (dates, enums)."""
    from domain import models as m
    from domain.rows import _STATEMENTS
    from resolvers.loaders import Loaders

    loaders = Loaders(CLI)
    cases = [  # (loader, its key field, the queryset tortoise would run)
        (loaders.unit_by_id, "id", m.Unit.all()),
        (loaders.units_by_parent_id, "parent_id", m.Unit.all()),
        (loaders.position_by_id, "id", m.Position.all()),
        (loaders.bases_by_power_id, "power_id", m.PowerBasis.all().order_by("ordinal", "id")),
        (loaders.flow_chart_by_power_id, "power_id", m.FlowChart.all()),
        (loaders.steps_by_chart_id, "chart_id", m.FlowStep.all().order_by("ordinal", "id")),
        (loaders.edges_by_chart_id, "chart_id", m.FlowEdge.all().order_by("id")),
        (loaders.documents_by_work_id, "work_id", m.LegalDocument.all().order_by("version_date", "id")),
        (loaders.article_by_id, "id", m.LegalArticle.filter(id__lte=200)),
        (loaders.document_by_id, "id", m.LegalDocument.all()),
        (loaders.work_by_id, "id", m.LegalWork.all()),
    ]
    for loader, key_field, queryset in cases:
        keys = sorted({k for k in await queryset.values_list(key_field, flat=True) if k is not None})
        for some in (keys[:1], keys[:7], keys[3:10], keys[:7]):  # the last: a statement compiled before
            assert some, key_field
            expected = {obj.pk: obj for obj in await queryset.filter(**{f"{key_field}__in": some})}
            loaded = await loader.load_fn(some)
            got = [o for value in loaded for o in (value if isinstance(value, list) else [value]) if o is not None]
            assert {o.pk for o in got} == expected.keys(), (queryset.model, some)
            for obj in got:
                names = [n for n in obj.__dict__ if not n.startswith("_")]
                assert [getattr(obj, n) for n in names] == [getattr(expected[obj.pk], n) for n in names], queryset.model
                assert all(type(getattr(obj, n)) is type(getattr(expected[obj.pk], n)) for n in names), queryset.model
            if isinstance(loaded[0], list):  # in the queryset's order, per key
                assert [o.pk for o in got] == [o.pk for k in some for o in expected.values() if getattr(o, key_field) == k]
    assert len({key[1] for key in _STATEMENTS}) >= 8  # the models, each compiled once per shape and count


async def test_a_shared_rows_is_refused_a_queryset_of_its_own_and_looks_tokens_up_as_tortoise(demo: object) -> None:
    """A shared Rows is the same for every request: one with a filter, a slice or a join of its own is
    refused on every load (a compiled statement must never serve one viewer's query to another). The token
    lookup, the other shared statement, gives the row tortoise gives."""
    from domain import models as m
    from domain.rows import Rows
    from domain.tokens import create_token, hash_token

    for queryset in (m.Power.filter(confidential=False), m.Power.all().limit(5), m.PowerBasis.all().select_related("power")):
        with pytest.raises(TypeError, match="same for every request"):
            await Rows(queryset, shared=True).where_in("id", [1, 2])
    _, plaintext = await create_token(Role.ADMIN, name="compiled lookup")
    [ours] = await Rows(m.ApiToken.all(), shared=True).where_in("token_hash", [hash_token(plaintext)])
    theirs = await m.ApiToken.get(token_hash=hash_token(plaintext))
    names = [n for n in theirs.__dict__ if not n.startswith("_")]
    assert [getattr(ours, n) for n in names] == [getattr(theirs, n) for n in names]
    assert all(type(getattr(ours, n)) is type(getattr(theirs, n)) for n in names)


async def test_compiled_statements_push_out_the_least_recently_used(demo: object, monkeypatch: pytest.MonkeyPatch) -> None:
    """A caller varying the columns it selects and its page sizes makes new shapes: they push out the
    oldest statements, not the ones in use (the cache was once cleared whole when full)."""
    from domain import models as m
    from domain import rows
    from resolvers.loaders import Loaders

    monkeypatch.setattr(rows, "_STATEMENTS", rows.OrderedDict())
    monkeypatch.setattr(rows, "_MAX_STATEMENTS", 3)
    loaders = Loaders(CLI)
    unit = (await m.Unit.first()).id
    shapes = {  # one statement each, on SQLite as on PostgreSQL
        m.Unit: (loaders.unit_by_id, unit),
        m.Position: (loaders.position_by_id, (await m.Position.first()).id),
        m.FlowChart: (loaders.flow_chart_by_power_id, (await m.FlowChart.first()).power_id),
        m.LegalDocument: (loaders.document_by_id, (await m.LegalDocument.first()).id),
    }

    def models() -> list[type]:
        return [key[1] for key in rows._STATEMENTS]

    for model in (m.Unit, m.Position, m.FlowChart):
        loader, key = shapes[model]
        await loader.load_fn([key])
    await loaders.unit_by_id.load_fn([unit])  # the units' statement is the most recently used now
    assert models() == [m.Position, m.FlowChart, m.Unit]
    loader, key = shapes[m.LegalDocument]
    found = await loader.load_fn([key])  # a fourth shape: the oldest (the positions') goes
    assert models() == [m.FlowChart, m.Unit, m.LegalDocument]
    assert [d.id for d in found] == [key]


async def test_a_load_is_one_statement_for_any_number_of_keys_on_postgresql(demo: object, monkeypatch: pytest.MonkeyPatch) -> None:
    """On PostgreSQL a shared Rows' load passes its keys as one array (`=ANY($k)`): one statement for 1, 2,
    7 or 50 keys, prepared once per connection (`IN ($1,...,$n)` was one per number of keys, and its generic
    plan built the array again for every row it read); with a viewer's condition before the keys too. On
    SQLite, one statement per number of keys, as before. The rows are the same either way, and the
    condition still holds (the public's load of every power finds the public ones only)."""
    from domain import access, rows
    from domain import models as m
    from domain.db import dialect
    from resolvers.loaders import Loaders
    from tests.helpers import count_queries

    monkeypatch.setattr(rows, "_STATEMENTS", rows.OrderedDict())
    power_ids = sorted(await m.Power.all().values_list("id", flat=True))
    postgres = dialect() == "postgres"
    sizes = (power_ids[:1], power_ids[:2], power_ids[3:10], power_ids[:50], power_ids)
    for viewer in (CLI, access.PUBLIC):  # no condition, and the public's (its parameters before the keys)
        loaders = Loaders(viewer)
        for some in sizes:
            for loader in (loaders.power_by_id, loaders.bases_by_power_id):
                with count_queries() as counter:
                    got = await loader.load_fn(some)
                [sql] = counter.statements
                where = sql.split(" WHERE ", 1)[1]
                assert ("=ANY($" in where and " IN ($" not in where) if postgres else "=ANY(" not in where, sql
                flat = [o for value in got for o in (value if isinstance(value, list) else [value]) if o is not None]
                if loader is loaders.power_by_id:
                    expected = await m.Power.filter(access.power_q(viewer), id__in=some).order_by("id")
                    powers = flat
                else:
                    by_power = await m.PowerBasis.filter(power_id__in=some).order_by("ordinal", "id")
                    expected = [b for k in some for b in by_power if b.power_id == k]
                assert [o.id for o in flat] == [o.id for o in expected]
        if viewer is access.PUBLIC:
            assert 0 < len(powers) < len(power_ids) and not any(p.confidential for p in powers)
    statements = [key for key in rows._STATEMENTS if key[1] in (m.Power, m.PowerBasis)]
    if postgres:  # the powers' once per viewer's condition, the bases' once
        assert sorted(str(key[-1]) for key in statements) == ["('id', 'any')"] * 2 + ["('power_id', 'any')"]
    else:
        assert len(statements) == 3 * len(sizes)
