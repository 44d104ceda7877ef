"""Oversight that closes the loop (issue 24): the seven networks (七大网络) with their lead unit, powers and
records; 民意测验 (public surveys); 通报 (bulletins); and powers disclosed on request (依申请公开), known to
the public by name only. The mutations are in loop_mutations."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry
from tortoise.expressions import Q

from domain import access, bulletins, networks, surveys
from domain import loop_models as lm
from domain import models as m
from domain.enums import DisclosureScope as DomainScope
from domain.workdays import today
from resolvers.keyset import PageArgs
from resolvers.pagination import paginate
from resolvers.power import powers_page
from resolvers.records import records_page
from schema.catalogue.unit import Unit
from schema.context import Info
from schema.enums import BulletinStatus, DisclosureScope, Network, PowerCategory
from schema.node import BEFORE, LAST, Node, page_args, to_connection
from schema.oversight.records import OperationRecord
from schema.relay import Connection, decode_id, encode_id
from schema.workflow.reviews import load_power

if TYPE_CHECKING:
    from schema.catalogue.power import Power

LazyPower = Annotated["Power", strawberry.lazy("schema.catalogue.power")]


async def _unit(info: Info, unit_id: int) -> Unit:
    unit = await info.context.loaders.unit_by_id.load(unit_id)
    assert unit is not None  # a unit with surveys or powers cannot be deleted
    return Unit.from_model(unit)


def _page(info: Info, first: int | None) -> dict[str, int | None]:
    settings = info.context.settings
    return {"first": first, "default": settings.default_page_size, "maximum": settings.max_page_size}


# -- 七大网络 ------------------------------------------------------------------------------------------


@strawberry.type(description="One of the 七大网络: its lead unit (牵头单位), the powers that run in it and the exercises recorded in it — only those the caller may see, counted the same way.")
class NetworkProfile:
    code: Network  # type: ignore[valid-type]
    name: str = strawberry.field(description="网络名称")
    description: str = strawberry.field(description="职责与范围")
    lead_unit_id: strawberry.Private[int | None]
    power_count: int = strawberry.field(description="powers that run in the network, of those the caller sees")
    record_count: int = strawberry.field(description="附7 records of exercises in the network, of those the caller sees")

    @strawberry.field(description="牵头单位 (null until an admin names one)")
    async def lead_unit(self, info: Info) -> Unit | None:
        return None if self.lead_unit_id is None else await _unit(info, self.lead_unit_id)

    @strawberry.field(description="the powers that run in the network (those the caller may see), by code")
    async def powers(
        self, info: Info, first: int | None = None, after: str | None = None, last: LAST = None, before: BEFORE = None
    ) -> Connection[LazyPower]:
        from schema.catalogue.power import Power, PowerFilter

        ctx = info.context
        args = PageArgs(first, after, last, before)
        page = await powers_page(ctx.viewer, ctx.settings, ctx.loaders, args=args, filter=PowerFilter(network=self.code), order_by=None)
        return to_connection(page, Power.from_model)

    @strawberry.field(
        description="附7: exercises recorded in the network (those the caller may see), newest decision first; "
        "pages both ways by keyset"
    )
    async def records(
        self, info: Info, first: int | None = None, after: str | None = None, last: LAST = None, before: BEFORE = None
    ) -> Connection[OperationRecord]:
        ctx = info.context
        page, units = await records_page(
            ctx.viewer, ctx.settings, ctx.loaders, args=PageArgs(first, after, last, before), where=Q(network=self.code)
        )
        return to_connection(page, lambda op: OperationRecord.from_model(op, units[op.id]))


async def network_profiles(info: Info, only: list[Network] | None = None) -> list[NetworkProfile]:  # type: ignore[valid-type]
    viewer = info.context.viewer
    found = await networks.profiles()
    powers, records = await networks.power_counts(viewer), await networks.record_counts(viewer)
    out = []
    for code in only or networks.NETWORKS:
        p = found.get(code)
        out.append(NetworkProfile(
            code=code, name=code.label, description=p.description if p else "",
            lead_unit_id=p.lead_unit_id if p else None, power_count=powers[code], record_count=records[code],
        ))  # fmt: skip
    return out


# -- 民意测验 ------------------------------------------------------------------------------------------


@strawberry.type(description="A question of a survey and its options.")
class SurveyQuestion:
    text: str
    options: list[str]


@strawberry.type(description="How many chose one option.")
class SurveyOptionCount:
    option: str
    count: int


@strawberry.type(description="A question's results.")
class SurveyQuestionResult:
    text: str
    options: list[SurveyOptionCount]


@strawberry.type(description="民意测验: a public survey on a unit or a power. The public sees it while open and then only its published summary; results and counts go to the unit and oversight roles.")
class Survey(Node):
    row: strawberry.Private[lm.Survey]
    title: str
    opens_on: date
    closes_on: date
    summary_published_on: date | None = strawberry.field(description="公布测评结果的日期")

    @classmethod
    def from_model(cls, s: lm.Survey) -> Survey:
        return cls(
            id=encode_id("Survey", s.id), row=s, title=s.title, opens_on=s.opens_on, closes_on=s.closes_on,
            summary_published_on=s.summary_published_on,
        )  # fmt: skip

    @strawberry.field(description="the questions, each with its options (answer with the options' indexes)")
    def questions(self) -> list[SurveyQuestion]:
        return [SurveyQuestion(text=q["text"], options=list(q["options"])) for q in self.row.questions]

    @strawberry.field(description="open for answers today")
    def open(self) -> bool:
        return surveys.is_open(self.row, today())

    @strawberry.field(description="the published summary (测评结果); null until published")
    def summary(self) -> str | None:
        return self.row.summary if self.row.summary_published_on is not None else None

    @strawberry.field(description="answers received: the unit surveyed and oversight roles only (null for others)")
    def response_count(self, info: Info) -> int | None:
        return self.row.response_count if surveys.sees_results(info.context.viewer, self.row) else None

    @strawberry.field(description="counts per option: the unit surveyed and oversight roles only (null for others)")
    async def results(self, info: Info) -> list[SurveyQuestionResult] | None:
        if not surveys.sees_results(info.context.viewer, self.row):
            return None
        return [
            SurveyQuestionResult(text=q.text, options=[SurveyOptionCount(option=o.option, count=o.count) for o in q.options])
            for q in await surveys.results(self.row)
        ]

    @strawberry.field(description="the unit surveyed")
    async def unit(self, info: Info) -> Unit:
        return await _unit(info, self.row.unit_id)

    @strawberry.field(description="the power surveyed, if one (null if hidden from the caller)")
    async def power(self, info: Info) -> LazyPower | None:
        return await load_power(info, self.row.power_id)


# -- 通报 ---------------------------------------------------------------------------------------------


@strawberry.type(description="通报 of 县公开办: published ones are public; drafts only for oversight roles.")
class Bulletin(Node):
    number: str = strawberry.field(description="文号")
    title: str
    body: str = strawberry.field(description="正文, paragraphs one per line")
    status: BulletinStatus  # type: ignore[valid-type]
    drafted_on: date
    published_on: date | None

    @classmethod
    def from_model(cls, b: lm.Bulletin) -> Bulletin:
        return cls(
            id=encode_id("Bulletin", b.id), number=b.number, title=b.title, body=b.body, status=b.status,
            drafted_on=b.drafted_on, published_on=b.published_on,
        )  # fmt: skip

    @strawberry.field(description="the text's paragraphs")
    def paragraphs(self) -> list[str]:
        return bulletins.paragraphs(self.body)


# -- 依申请公开 ----------------------------------------------------------------------------------------


@strawberry.type(description="A power disclosed 一定范围或依申请公开 (LIMITED): anyone may know that it exists and request its content (fileInformationRequest with this id as powerId). Its rules, bases, notes and chart are not shown here.")
class PowerOnRequest(Node):
    code: str = strawberry.field(description="职权编码")
    name: str = strawberry.field(description="职权名称")
    category: PowerCategory  # type: ignore[valid-type]
    disclosure_scope: DisclosureScope = strawberry.field(description="always LIMITED")  # type: ignore[valid-type]
    disclosure: str = strawberry.field(description="依申请公开")
    unit_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, p: m.Power) -> PowerOnRequest:
        return cls(
            id=encode_id("PowerOnRequest", p.id), code=p.code, name=p.name, category=p.category,
            disclosure_scope=DomainScope.LIMITED, disclosure="依申请公开", unit_id=p.unit_id,
        )  # fmt: skip

    @strawberry.field(description="实施主体")
    async def unit(self, info: Info) -> Unit:
        return await _unit(info, self.unit_id)


_ON_REQUEST_COLUMNS = ("id", "code", "name", "category", "unit_id")


async def node(info: Info, type_name: str, pk: int) -> Node | None:
    """`node` of this module's types, through their visibility rules."""
    viewer = info.context.viewer
    if type_name == "Survey":
        found = await lm.Survey.filter(surveys.survey_q(viewer), id=pk).first()
        return Survey.from_model(found) if found else None
    if type_name == "Bulletin":
        bulletin = await lm.Bulletin.filter(bulletins.bulletin_q(viewer), id=pk).first()
        return Bulletin.from_model(bulletin) if bulletin else None
    power = await m.Power.filter(access.on_request_q(), id=pk).only(*_ON_REQUEST_COLUMNS).first()
    return PowerOnRequest.from_model(power) if power else None


NODE_TYPES = frozenset({"Survey", "Bulletin", "PowerOnRequest"})


@strawberry.type
class LoopQuery:
    @strawberry.field(description="七大网络: all seven, each with its lead unit and counts of what the caller may see")
    async def networks(self, info: Info) -> list[NetworkProfile]:
        return await network_profiles(info)

    @strawberry.field(description="one of the 七大网络")
    async def network(self, info: Info, code: Network) -> NetworkProfile:  # type: ignore[valid-type]
        return (await network_profiles(info, [code]))[0]

    @strawberry.field(description="民意测验 the caller may see (the public: open ones and those whose summary is published), newest first")
    async def surveys(
        self, info: Info, first: int | None = None, after: str | None = None, unit_id: strawberry.ID | None = None,
        open_only: bool = False,
    ) -> Connection[Survey]:
        q = surveys.survey_q(info.context.viewer)
        if unit_id is not None:
            q &= Q(unit_id__in=sorted(await access.unit_subtree_ids(decode_id(unit_id, "Unit", "unitId"))))
        if open_only:
            on = today()
            q &= Q(opens_on__lte=on, closes_on__gte=on, summary_published_on__isnull=True)
        limit, offset = page_args(first, after)
        page = await paginate(lm.Survey.filter(q).order_by("-opens_on", "-id"), offset=offset, **_page(info, limit))  # type: ignore[arg-type]
        return to_connection(page, Survey.from_model)

    @strawberry.field(description="通报: published ones, newest first (oversight roles also see drafts)")
    async def bulletins(self, info: Info, first: int | None = None, after: str | None = None) -> Connection[Bulletin]:
        limit, offset = page_args(first, after)
        query = lm.Bulletin.filter(bulletins.bulletin_q(info.context.viewer)).order_by("-published_on", "-id")
        page = await paginate(query, offset=offset, **_page(info, limit))  # type: ignore[arg-type]
        return to_connection(page, Bulletin.from_model)

    @strawberry.field(description="依申请公开: published powers disclosed 一定范围或依申请公开 (not confidential), by name only, to request their content; by unit and code")
    async def powers_on_request(
        self, info: Info, first: int | None = None, after: str | None = None, unit_id: strawberry.ID | None = None,
        category: PowerCategory | None = None,  # type: ignore[valid-type]
    ) -> Connection[PowerOnRequest]:
        q = access.on_request_q()
        if unit_id is not None:
            q &= Q(unit_id__in=sorted(await access.unit_subtree_ids(decode_id(unit_id, "Unit", "unitId"))))
        if category is not None:
            q &= Q(category=category)
        limit, offset = page_args(first, after)
        query = m.Power.filter(q).only(*_ON_REQUEST_COLUMNS).order_by("unit_id", "code")
        page = await paginate(query, offset=offset, **_page(info, limit))  # type: ignore[arg-type]
        return to_connection(page, PowerOnRequest.from_model)
