"""民意测验 (issue 24, item 3): a short public survey on a unit, or on one of its public powers.

县监察局 (INSPECTOR) or 县公开办 (a REVIEWER holding the OPENNESS_OFFICE seat) opens it with a few
questions of a few options each and the days it is open. Anyone answers it while it is open, without a
token (rate-limited per client address, like complaints); an answer sheet holds the options chosen and
nothing about who chose them. The unit and oversight roles read the results (counts per option) at any
time; the public sees the survey (title, questions, whom it is about) while it is open, and afterwards
only the summary once published — never the counts themselves. Publishing the summary closes the survey.
A survey on a power needs a power the public sees, and stays hidden from the public if that power stops
being public.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from domain import access
from domain.audit import record
from domain.enums import ReviewSeat, Role
from domain.errors import IllegalTransition, NotFound, PermissionDenied, Validator
from domain.loop_models import Survey, SurveyResponse
from domain.models import Power, Unit
from domain.operations import check_text
from domain.workdays import today

MAX_QUESTIONS = 10
MIN_OPTIONS, MAX_OPTIONS = 2, 6
QUESTION_LIMIT = 200
OPTION_LIMIT = 50
MAX_OPEN_DAYS = 90
SUMMARY_LIMIT = 5000
NOT_FOUND = "民意测验不存在或无权查看 (survey not found)"


def require_oversight_office(viewer: access.Viewer) -> None:
    """民意测验 are run by 县监察局 (INSPECTOR) and 县公开办 (the OPENNESS_OFFICE seat)."""
    if not (viewer.role == Role.INSPECTOR or (viewer.role == Role.REVIEWER and viewer.seat == ReviewSeat.OPENNESS_OFFICE)):
        raise PermissionDenied("只有监察局或公开办可以组织民意测验 (only inspectors or the openness office run surveys)")


@dataclass
class Question:
    text: str
    options: list[str] = field(default_factory=list)


@dataclass
class SurveyData:
    title: str
    questions: list[Question]
    opens_on: datetime.date
    closes_on: datetime.date
    unit_id: int | None = None
    power_id: int | None = None


def _questions(v: Validator, questions: list[Question]) -> list[dict[str, object]]:
    v.check(1 <= len(questions) <= MAX_QUESTIONS, "questions", f"问题应为 1 到 {MAX_QUESTIONS} 个 (1 to {MAX_QUESTIONS} questions)", "out_of_range")
    cleaned: list[dict[str, object]] = []
    for i, q in enumerate(questions[:MAX_QUESTIONS]):
        text = check_text(v, f"questions.{i}.text", "问题", q.text, limit=QUESTION_LIMIT)
        options = [(o or "").strip() for o in q.options[: MAX_OPTIONS + 1]]
        v.check(
            MIN_OPTIONS <= len(q.options) <= MAX_OPTIONS, f"questions.{i}.options",
            f"每个问题应有 {MIN_OPTIONS} 到 {MAX_OPTIONS} 个选项 ({MIN_OPTIONS} to {MAX_OPTIONS} options)", "out_of_range",
        )  # fmt: skip
        v.check(
            all(options) and all(len(o) <= OPTION_LIMIT for o in options), f"questions.{i}.options",
            f"选项不能为空，也不能超过 {OPTION_LIMIT} 个字符 (options must be 1 to {OPTION_LIMIT} characters)",
        )  # fmt: skip
        v.check(len(set(options)) == len(options), f"questions.{i}.options", "选项重复 (options repeated)", "duplicate")
        cleaned.append({"text": text, "options": options})
    return cleaned


async def open_survey(viewer: access.Viewer, data: SurveyData, on: datetime.date | None = None) -> Survey:
    """发起民意测验 on a unit, or on a power the public sees (its unit then)."""
    on = on or today()
    require_oversight_office(viewer)
    v = Validator()
    title = check_text(v, "title", "测验标题", data.title, limit=200)
    questions = _questions(v, data.questions)
    if data.closes_on < data.opens_on:
        v.add("closes_on", "结束日期不能早于开始日期 (closes before it opens)", "out_of_order")
    elif (data.closes_on - data.opens_on).days > MAX_OPEN_DAYS:
        v.add("closes_on", f"测验最长 {MAX_OPEN_DAYS} 天 (at most {MAX_OPEN_DAYS} days)", "out_of_range")
    unit_id = data.unit_id
    if data.power_id is None and unit_id is None:
        v.add("unit_id", "请指明测评的单位或职权 (name a unit or a power)", "required")
    elif data.power_id is not None:
        # a public survey asks the public about what the public sees: a power hidden from it is refused as
        # not found, whoever asks (as in a request for information)
        power = await Power.filter(access.power_q(access.PUBLIC), id=data.power_id).first()
        if power is None:
            v.add("power_id", "职权不存在或未向社会公开 (power not found among public powers)", "not_found")
        elif unit_id is not None and unit_id != power.unit_id:
            v.add("unit_id", "该职权不属于所指单位 (the power belongs to another unit)", "mismatch")
        else:
            unit_id = power.unit_id
    elif not await Unit.exists(id=unit_id):
        v.add("unit_id", "单位不存在 (unit not found)", "not_found")
    v.raise_if_any()
    assert unit_id is not None
    async with in_transaction():
        survey = await Survey.create(
            unit_id=unit_id, power_id=data.power_id, title=title, questions=questions, opens_on=data.opens_on,
            closes_on=data.closes_on, opened_by=viewer.name,
        )  # fmt: skip
        await record(
            viewer, "survey.open", "survey", survey.id, unit_id=unit_id, power_id=data.power_id,
            opens_on=data.opens_on.isoformat(), closes_on=data.closes_on.isoformat(), on=on.isoformat(),
        )  # fmt: skip
    return survey


def is_open(survey: Survey, on: datetime.date) -> bool:
    return survey.summary_published_on is None and survey.opens_on <= on <= survey.closes_on


def _public_q(on: datetime.date, prefix: str = "") -> Q:
    """What the public sees: a survey open on `on`, or one whose summary is published; never one about a
    power the public does not see (now)."""
    p = prefix
    shown = Q(**{f"{p}opens_on__lte": on, f"{p}closes_on__gte": on, f"{p}summary_published_on__isnull": True}) | Q(
        **{f"{p}summary_published_on__isnull": False}
    )
    about = Q(**{f"{p}power_id__isnull": True}) | access.power_q(access.PUBLIC, f"{p}power__")
    return shown & about


def survey_q(viewer: access.Viewer, on: datetime.date | None = None, prefix: str = "") -> Q:
    """The surveys `viewer` may see: the public's (_public_q) for everyone, a unit's own at any time, all for
    oversight roles."""
    if viewer.sees_all:
        return Q()
    return _public_q(on or today(), prefix) | access.unit_rows_q(viewer, prefix)


def sees_results(viewer: access.Viewer, survey: Survey) -> bool:
    """The counts: the unit surveyed (its staff, or a unit above) and oversight roles."""
    return access.oversees_unit(viewer, survey.unit_id)


async def answer_survey(
    viewer: access.Viewer, survey_id: int, choices: list[int], on: datetime.date | None = None
) -> SurveyResponse:
    """作答: one option for each question, while the survey is open. Nothing about who answers is kept."""
    on = on or today()
    survey = await Survey.filter(survey_q(viewer, on), id=survey_id).first()
    if survey is None:
        raise NotFound(NOT_FOUND)
    if not is_open(survey, on):
        raise IllegalTransition("民意测验已结束或尚未开始 (the survey is not open)", "answer", "CLOSED")
    questions = survey.questions
    v = Validator()
    v.check(len(choices) == len(questions), "choices", f"应回答全部 {len(questions)} 个问题 (answer each of the {len(questions)} questions)", "mismatch")
    for i, (choice, question) in enumerate(zip(choices, questions, strict=False)):
        v.check(0 <= choice < len(question["options"]), f"choices.{i}", "没有这个选项 (no such option)", "out_of_range")
    v.raise_if_any()
    async with in_transaction():
        response = await SurveyResponse.create(survey_id=survey.id, choices=list(choices), received_on=on)
        await Survey.filter(id=survey.id).update(response_count=F("response_count") + 1)
    return response


@dataclass
class OptionCount:
    option: str
    count: int


@dataclass
class QuestionResult:
    text: str
    options: list[OptionCount]


async def results(survey: Survey) -> list[QuestionResult]:
    """Per question, how many chose each option (the caller checked sees_results)."""
    counts = [[0] * len(q["options"]) for q in survey.questions]
    for choices in await SurveyResponse.filter(survey_id=survey.id).values_list("choices", flat=True):
        for i, choice in enumerate(choices[: len(counts)]):
            if 0 <= choice < len(counts[i]):
                counts[i][choice] += 1
    return [
        QuestionResult(q["text"], [OptionCount(o, n) for o, n in zip(q["options"], counts[i], strict=True)])
        for i, q in enumerate(survey.questions)
    ]


def draft_summary(survey: Survey, found: list[QuestionResult], total: int) -> str:
    """The summary drafted from the results: the number of answers, and per question each option's share."""
    lines = [f"本次民意测验共收回有效答卷{total}份。"]
    for i, q in enumerate(found, start=1):
        parts = "，".join(f"{o.option}{o.count}份（{o.count * 100 / total:.1f}%）" if total else f"{o.option}0份" for o in q.options)
        lines.append(f"{i}．{q.text}：{parts}。")
    return "\n".join(lines)


async def publish_summary(
    viewer: access.Viewer, survey_id: int, summary: str | None = None, on: datetime.date | None = None
) -> Survey:
    """公布测评结果: the summary given, or drafted from the results; the survey closes to answers."""
    on = on or today()
    require_oversight_office(viewer)
    survey = await Survey.get_or_none(id=survey_id)
    if survey is None:
        raise NotFound(NOT_FOUND)
    if survey.summary_published_on is not None:
        raise IllegalTransition("测评结果已经公布 (the summary is already published)", "publish", "PUBLISHED")
    v = Validator()
    text = check_text(v, "summary", "测评结果", summary or "", required=False, limit=SUMMARY_LIMIT)
    v.raise_if_any()
    async with in_transaction():
        survey = await Survey.select_for_update().get(id=survey_id)
        if not text:
            text = draft_summary(survey, await results(survey), survey.response_count)
        survey.summary, survey.summary_published_on, survey.summary_published_by = text, on, viewer.name
        await survey.save(update_fields=["summary", "summary_published_on", "summary_published_by", "updated_at"])
        await record(viewer, "survey.publish", "survey", survey.id, unit_id=survey.unit_id, responses=survey.response_count)
    return survey
