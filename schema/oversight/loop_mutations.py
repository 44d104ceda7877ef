"""Oversight that closes the loop, as mutations: setNetworkLead, setPowerNetworks (七大网络); openSurvey,
answerSurvey (anyone, no token needed, rate-limited per client address), publishSurveySummary (民意测验);
draftBulletin, updateBulletin, publishBulletin, generateBulletinDocument (通报). recordInspection, with its
method and targets, is in supervision_mutations."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from typing import Annotated

import strawberry

from docgen.pdf import UNAVAILABLE, soffice
from domain import bulletins, networks, surveys
from domain import loop_models as lm
from domain.errors import DomainError, NotFound
from qingquan import bulletin_links
from schema.catalogue.power import Power
from schema.context import Info
from schema.enums import Network
from schema.errors import NotFoundError, PermissionDeniedError, ValidationErrors
from schema.mutation_base import optional_pk, pk
from schema.oversight.loop import Bulletin, NetworkProfile, Survey, network_profiles
from schema.oversight.supervision_mutations import RateLimitedError, anonymous_limit
from schema.workflow.reviews_mutations import IllegalTransitionError, refused, workflow_result

#: The rate limiter's scope: answers are counted apart from complaints, with the same limit and window.
SCOPE = "survey_answer"

NetworkProfileResult = workflow_result("NetworkProfileResult", NetworkProfile)
PowerNetworksResult = workflow_result("PowerNetworksResult", Power)
SurveyResult = workflow_result("SurveyResult", Survey)
BulletinResult = workflow_result("BulletinResult", Bulletin)


@strawberry.type(description="An answer received (nothing about who answered is kept).")
class SurveyAnswerReceipt:
    survey: Survey
    received_on: date


AnswerSurveyResult = Annotated[
    SurveyAnswerReceipt | ValidationErrors | NotFoundError | PermissionDeniedError | IllegalTransitionError | RateLimitedError,
    strawberry.union("AnswerSurveyResult"),
]


@strawberry.type(description="A bulletin as a Word 通报 (and PDF where the server has LibreOffice): GET the url before expiresAt.")
class BulletinDocumentLink:
    url: str
    filename: str
    expires_at: datetime
    pdf_url: str | None
    pdf_unavailable_reason: str | None


BulletinDocumentResult = workflow_result("BulletinDocumentResult", BulletinDocumentLink)


@strawberry.input(description="A question of a survey: 2 to 6 options.")
class SurveyQuestionInput:
    text: str
    options: list[str]


@strawberry.input(description="民意测验 on a unit, or on a public power (its unit then); 1 to 10 questions, open at most 90 days.")
class OpenSurveyInput:
    title: str
    questions: list[SurveyQuestionInput]
    opens_on: date
    closes_on: date
    unit_id: strawberry.ID | None = None
    power_id: strawberry.ID | None = None


@strawberry.input(description="What changes in a draft bulletin (left out: unchanged).")
class UpdateBulletinInput:
    title: str | None = None
    number: str | None = None
    body: str | None = None


@strawberry.type
class LoopMutations:
    @strawberry.mutation(description="七大网络: name (or clear) a network's lead unit and describe it (ADMIN).")
    async def set_network_lead(
        self, info: Info, network: Network, lead_unit_id: strawberry.ID | None = None, description: str | None = None  # type: ignore[valid-type]
    ) -> NetworkProfileResult:
        try:
            await networks.set_lead(info.context.viewer, network, optional_pk(lead_unit_id, "Unit", "leadUnitId"), description)
        except DomainError as exc:
            return refused(exc)
        return (await network_profiles(info, [network]))[0]

    @strawberry.mutation(description="七大网络: the networks a power runs in, replacing the old list (the power's unit, or an admin).")
    async def set_power_networks(self, info: Info, power_id: strawberry.ID, networks_: Annotated[list[Network], strawberry.argument(name="networks")]) -> PowerNetworksResult:  # type: ignore[valid-type]
        try:
            power = await networks.set_power_networks(info.context.viewer, pk(power_id, "Power", "powerId"), networks_)
        except DomainError as exc:
            return refused(exc)
        return Power.from_model(power)

    @strawberry.mutation(description="民意测验: open a public survey (INSPECTOR, or 县公开办's reviewer).")
    async def open_survey(self, info: Info, input: OpenSurveyInput) -> SurveyResult:
        try:
            data = surveys.SurveyData(
                title=input.title, questions=[surveys.Question(q.text, list(q.options)) for q in input.questions],
                opens_on=input.opens_on, closes_on=input.closes_on, unit_id=optional_pk(input.unit_id, "Unit", "unitId"),
                power_id=optional_pk(input.power_id, "Power", "powerId"),
            )  # fmt: skip
            return Survey.from_model(await surveys.open_survey(info.context.viewer, data))
        except DomainError as exc:
            return refused(exc)

    @strawberry.mutation(description="民意测验: answer an open survey — anyone, no token needed; one option index per question; without a token limited per client address.")
    async def answer_survey(self, info: Info, survey_id: strawberry.ID, choices: list[int]) -> AnswerSurveyResult:
        ctx = info.context
        limiter = dataclasses.replace(ctx.complaint_limiter, scope=SCOPE) if ctx.complaint_limiter else None
        if refusal := await anonymous_limit(info, limiter, "答卷", "survey answers"):
            return refusal
        try:
            response = await surveys.answer_survey(ctx.viewer, pk(survey_id, "Survey", "surveyId"), choices)
        except DomainError as exc:
            return refused(exc)
        survey = await lm.Survey.get(id=response.survey_id)
        return SurveyAnswerReceipt(survey=Survey.from_model(survey), received_on=response.received_on)

    @strawberry.mutation(description="民意测验: publish the summary (given, or drafted from the results); the survey closes (INSPECTOR, or 县公开办).")
    async def publish_survey_summary(self, info: Info, id: strawberry.ID, summary: str | None = None) -> SurveyResult:
        try:
            return Survey.from_model(await surveys.publish_summary(info.context.viewer, pk(id, "Survey"), summary))
        except DomainError as exc:
            return refused(exc)

    @strawberry.mutation(description="通报: a new draft, its text drafted from the data (县公开办's reviewer).")
    async def draft_bulletin(self, info: Info, title: str, number: str = "") -> BulletinResult:
        try:
            return Bulletin.from_model(await bulletins.draft_bulletin(info.context.viewer, title, number))
        except DomainError as exc:
            return refused(exc)

    @strawberry.mutation(description="通报: edit a draft (县公开办's reviewer).")
    async def update_bulletin(self, info: Info, id: strawberry.ID, input: UpdateBulletinInput) -> BulletinResult:
        try:
            bulletin = await bulletins.edit_bulletin(
                info.context.viewer, pk(id, "Bulletin"), title=input.title, number=input.number, body=input.body
            )
        except DomainError as exc:
            return refused(exc)
        return Bulletin.from_model(bulletin)

    @strawberry.mutation(description="通报: publish a draft (县公开办's reviewer); refused (personal_data) while its text names a complainant, requester, applicant or commenter.")
    async def publish_bulletin(self, info: Info, id: strawberry.ID) -> BulletinResult:
        try:
            return Bulletin.from_model(await bulletins.publish_bulletin(info.context.viewer, pk(id, "Bulletin")))
        except DomainError as exc:
            return refused(exc)

    @strawberry.mutation(description="通报 as a Word document in the 公文 layout: a published one for anyone, a draft for oversight roles.")
    async def generate_bulletin_document(self, info: Info, id: strawberry.ID) -> BulletinDocumentResult:
        ctx = info.context
        try:
            bulletin = await lm.Bulletin.filter(bulletins.bulletin_q(ctx.viewer), id=pk(id, "Bulletin")).first()
            if bulletin is None:
                raise NotFound(bulletins.NOT_FOUND)
        except DomainError as exc:
            return refused(exc)
        token, expires = bulletin_links.sign(ctx.settings, ctx.viewer, bulletin.id)
        printable = soffice() is not None
        return BulletinDocumentLink(
            url=f"/bulletins/{token}", filename=f"通报{bulletin.id}.docx", expires_at=datetime.fromtimestamp(expires, UTC),
            pdf_url=f"/bulletins/{token}/pdf" if printable else None, pdf_unavailable_reason=None if printable else UNAVAILABLE,
        )  # fmt: skip
