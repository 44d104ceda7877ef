"""Change notices (变更说明): opened by changes to a published power, due in 20 Chinese working days
(across 春节 and 国庆, provisional in a year without a holiday table), explained and reviewed."""

from __future__ import annotations

import datetime
from pathlib import Path

import httpx
import pytest

from domain.access import CLI
from domain.change_notices import notices_q, power_changed
from domain.enums import ChangeNoticeStatus, ReviewSeat, Role
from domain.errors import ValidationFailed
from domain.models import AuditEvent
from domain.services.flow import FlowChartData, create_flow_chart
from domain.services.powers import update_power
from domain.workdays import WorkCalendar, parse_holiday_table
from domain.workflow_models import ChangeNotice, HolidayYear
from schema.relay import encode_id, parse_id
from tests.conftest import run_cli
from tests.factories import ADMIN, make_unit
from tests.helpers import gql, gql_data, token_for
from tests.workflow_factories import based_power, published_power, seat_tokens

D = datetime.date
ERRORS = """
  __typename
  ... on ValidationErrors { errors { field code } }
  ... on NotFoundError { message }
  ... on PermissionDeniedError { message }
  ... on IllegalTransitionError { action currentStatus }
"""
NOTICE = "... on ChangeNotice { id status explanation reviewOpinion dueOn }"
UPDATE_POWER = """mutation ($id: ID!, $input: UpdatePowerInput!) { updatePower(id: $id, input: $input) { __typename } }"""
EXPLAIN = f"""mutation ($id: ID!, $text: String!) {{ explainChangeNotice(id: $id, explanation: $text) {{ {NOTICE} {ERRORS} }} }}"""
REVIEW = f"""mutation ($id: ID!, $accept: Boolean!, $opinion: String!) {{
  reviewChangeNotice(id: $id, accept: $accept, opinion: $opinion) {{ {NOTICE} {ERRORS} }}
}}"""
NOTICES = """
query ($filter: ChangeNoticeFilter) {
  changeNotices(first: 50, filter: $filter) {
    totalCount nodes { id status openedOn dueOn dueProvisional overdue changes { action by detail } power { code } }
  }
}
"""
POWER_NOTICES = """query ($code: String!) { power(code: $code) { changeNotices { id status } } }"""


# -- working days ------------------------------------------------------------------------------


def test_twenty_working_days_across_the_spring_festival() -> None:
    # 2026: 2/14 (Sat) is a make-up workday, 2/15–2/23 off, 2/28 (Sat) a make-up workday
    due = WorkCalendar().add_workdays(D(2026, 2, 10), 20)
    assert due == due.__class__(D(2026, 3, 16), provisional=False)
    assert (D(2026, 3, 16) - D(2026, 2, 10)).days == 34  # five weeks for twenty working days


def test_twenty_working_days_across_national_day() -> None:
    # 2026: 9/20 (Sun) a make-up workday, 10/1–10/7 off, 10/10 (Sat) a make-up workday
    calendar = WorkCalendar()
    assert calendar.add_workdays(D(2026, 9, 25), 20).day == D(2026, 10, 29)
    assert not calendar.is_workday(D(2026, 10, 5)) and calendar.is_workday(D(2026, 10, 10))


def test_a_year_without_a_table_counts_weekends_alone_and_says_so() -> None:
    due = WorkCalendar().add_workdays(D(2026, 12, 10), 20)
    assert due.day == D(2027, 1, 7) and due.provisional
    assert not WorkCalendar().add_workdays(D(2026, 11, 2), 20).provisional


def test_a_loaded_table_decides_its_year() -> None:
    table = parse_holiday_table("2027-01-01..2027-01-03,holiday,元旦\n2027-01-04 班 元旦调休\n# comment\n")
    calendar = WorkCalendar(frozenset({2027}), {d.day: d.workday for d in table})
    due = calendar.add_workdays(D(2026, 12, 10), 20)
    # 12/11..12/31: 15 working days. 1/1 (Fri) off, 1/4 (Mon) worked anyway, 1/5..1/8 make 20.
    assert due == due.__class__(D(2027, 1, 8), provisional=False)


def test_a_malformed_table_names_its_lines() -> None:
    with pytest.raises(ValidationFailed) as failed:
        parse_holiday_table("2027-02-06,holiday,春节\n二〇二七年春节\n2027-02-30,holiday\n")
    assert [e.field for e in failed.value.errors] == ["line 2", "line 3"]


def notice_pk(global_id: str) -> int:
    parsed = parse_id(global_id)
    assert parsed is not None and parsed[0] == "ChangeNotice"
    return parsed[1]


# -- notices -----------------------------------------------------------------------------------


async def test_a_published_power_is_not_changed_in_place(client: httpx.AsyncClient) -> None:
    """Its changes go through a revision (tests/test_revisions.py), which puts them on a notice."""
    unit = await make_unit()
    power = await published_power(unit)
    staff = await token_for(Role.UNIT_STAFF, unit)
    refused = await gql_data(client, UPDATE_POWER, {"id": encode_id("Power", power.id), "input": {"feeStandard": "不收费"}}, staff)
    assert refused["updatePower"]["__typename"] == "ValidationErrors"
    with pytest.raises(ValidationFailed) as denied:
        await create_flow_chart(ADMIN, FlowChartData(power_id=power.id))
    assert denied.value.errors[0].code == "published"
    assert not await ChangeNotice.filter(power_id=power.id).exists()
    opened = await power_changed(CLI, power, "law.new_version")
    assert opened is not None
    due = (await WorkCalendar.load()).add_workdays(opened.opened_on, 20).day
    assert opened.due_on == due and opened.status == ChangeNoticeStatus.OPEN
    opened_events = await AuditEvent.filter(action="change_notice.open", entity_id=str(opened.id))
    assert [e.detail["power_id"] for e in opened_events] == [power.id]


async def test_changing_a_draft_opens_no_notice(database: str) -> None:
    power = await based_power(await make_unit())
    await update_power(ADMIN, power.id, {"fee_standard": "不收费"})
    assert not await ChangeNotice.filter(power_id=power.id).exists()


async def test_explain_return_explain_accept(client: httpx.AsyncClient) -> None:
    unit = await make_unit()
    power = await published_power(unit)
    notice = await power_changed(CLI, power, "power.update")
    assert notice is not None
    notice_id = encode_id("ChangeNotice", notice.id)
    staff, reviewer = await token_for(Role.UNIT_STAFF, unit), (await seat_tokens())[ReviewSeat.OPENNESS_OFFICE]
    early = await gql_data(client, REVIEW, {"id": notice_id, "accept": True, "opinion": ""}, reviewer)
    assert early["reviewChangeNotice"]["__typename"] == "IllegalTransitionError"
    stranger = await token_for(Role.UNIT_STAFF, await make_unit())
    hidden = await gql_data(client, EXPLAIN, {"id": notice_id, "text": "说明"}, stranger)
    assert hidden["explainChangeNotice"]["__typename"] == "NotFoundError"
    explained = (await gql_data(client, EXPLAIN, {"id": notice_id, "text": "依据新法调整了收费标准。"}, staff))["explainChangeNotice"]
    assert explained["status"] == "EXPLAINED"
    bare = (await gql_data(client, REVIEW, {"id": notice_id, "accept": False, "opinion": ""}, reviewer))["reviewChangeNotice"]
    assert bare["errors"] == [{"field": "opinion", "code": "required"}]
    by_staff = (await gql_data(client, REVIEW, {"id": notice_id, "accept": True, "opinion": ""}, staff))["reviewChangeNotice"]
    assert by_staff["__typename"] == "PermissionDeniedError"
    returned = (await gql_data(client, REVIEW, {"id": notice_id, "accept": False, "opinion": "请注明新法文号。"}, reviewer))["reviewChangeNotice"]
    assert returned["status"] == "RETURNED" and returned["dueOn"] == notice.due_on.isoformat()
    await gql_data(client, EXPLAIN, {"id": notice_id, "text": "依据新法（第12号令）调整了收费标准。"}, staff)
    accepted = (await gql_data(client, REVIEW, {"id": notice_id, "accept": True, "opinion": "同意。"}, reviewer))["reviewChangeNotice"]
    assert accepted["status"] == "ACCEPTED"
    trail = [e.action for e in await AuditEvent.filter(entity_type="change_notice", entity_id=str(notice.id))]
    assert trail == ["change_notice.open", *["change_notice.explain", "change_notice.review"] * 2]


async def test_only_the_openness_office_seat_reviews_a_notice(client: httpx.AsyncClient) -> None:
    """The explanation is made to 县公开办 (the plan): another office's reviewer, a reviewer of no seat
    and an admin are refused, and nothing of the notice changes; 县公开办's seat accepts or returns it."""
    unit = await make_unit()
    seats = await seat_tokens()
    staff = await token_for(Role.UNIT_STAFF, unit)
    others = {"物价": seats[ReviewSeat.PRICING], "领导小组": seats[ReviewSeat.LEADING_GROUP],
              "no seat": await token_for(Role.REVIEWER), "admin": await token_for(Role.ADMIN)}  # fmt: skip
    for accept, opinion in ((True, "同意。"), (False, "请补充依据。")):
        power = await published_power(unit)
        notice = await power_changed(CLI, power, "power.update")
        assert notice is not None
        notice_id = encode_id("ChangeNotice", notice.id)
        await gql_data(client, EXPLAIN, {"id": notice_id, "text": "依据新法调整。"}, staff)
        variables = {"id": notice_id, "accept": accept, "opinion": opinion}
        for who, token in others.items():
            refused = (await gql_data(client, REVIEW, variables, token))["reviewChangeNotice"]
            assert refused["__typename"] == "PermissionDeniedError", who
            assert "县公开办" in refused["message"] and "OPENNESS_OFFICE" in refused["message"]
        unchanged = await ChangeNotice.get(id=notice.id)
        assert (unchanged.status, unchanged.review_opinion, unchanged.reviewed_by) == (ChangeNoticeStatus.EXPLAINED, "", "")
        assert not await AuditEvent.filter(action="change_notice.review", entity_id=str(notice.id)).exists()
        done = (await gql_data(client, REVIEW, variables, seats[ReviewSeat.OPENNESS_OFFICE]))["reviewChangeNotice"]
        assert done["status"] == ("ACCEPTED" if accept else "RETURNED") and done["reviewOpinion"] == opinion


async def test_overdue_notices_are_listed(client: httpx.AsyncClient) -> None:
    unit = await make_unit()
    late = await power_changed(CLI, await published_power(unit), "power.update", on=D(2026, 1, 5))
    fresh = await power_changed(CLI, await published_power(unit), "power.update")
    assert late is not None and fresh is not None
    assert late.due_on == D(2026, 2, 2)
    token = await token_for(Role.UNIT_LEAD, unit)
    unit_filter = {"unitId": encode_id("Unit", unit.id)}
    overdue = await gql_data(client, NOTICES, {"filter": {**unit_filter, "overdue": True}}, token)
    assert [n["id"] for n in overdue["changeNotices"]["nodes"]] == [encode_id("ChangeNotice", late.id)]
    assert overdue["changeNotices"]["nodes"][0]["overdue"] is True
    on_time = await gql_data(client, NOTICES, {"filter": {**unit_filter, "overdue": False}}, token)
    assert [n["id"] for n in on_time["changeNotices"]["nodes"]] == [encode_id("ChangeNotice", fresh.id)]


async def test_notices_are_not_for_the_public(client: httpx.AsyncClient) -> None:
    unit = await make_unit()
    power = await published_power(unit)
    await power_changed(CLI, power, "power.update")
    public = await gql_data(client, NOTICES, {"filter": {"unitId": encode_id("Unit", unit.id)}})
    assert public["changeNotices"]["totalCount"] == 0
    assert (await gql_data(client, POWER_NOTICES, {"code": power.code}))["power"]["changeNotices"] == []
    inspector = await gql_data(client, POWER_NOTICES, {"code": power.code}, await token_for(Role.INSPECTOR))
    assert len(inspector["power"]["changeNotices"]) == 1


async def test_loading_a_year_makes_provisional_due_dates_final(client: httpx.AsyncClient) -> None:
    power = await published_power()
    notice = await power_changed(CLI, power, "power.update", on=D(2026, 12, 10))
    assert notice is not None and notice.due_provisional and notice.due_on == D(2027, 1, 7)
    load = """mutation ($input: LoadHolidayYearInput!) { loadHolidayYear(input: $input) {
      __typename ... on HolidayYear { year holidays workdays } ... on PermissionDeniedError { message } } }"""
    days = [{"day": "2027-01-01", "name": "元旦"}, {"day": "2027-01-04", "workday": True, "name": "调休"}]
    variables = {"input": {"year": 2027, "days": [*days, {"day": "2027-01-05", "name": "测试假日"}]}}
    denied = await gql_data(client, load, variables, await token_for(Role.REVIEWER))
    assert denied["loadHolidayYear"]["__typename"] == "PermissionDeniedError"
    loaded = await gql_data(client, load, variables, await token_for(Role.ADMIN))
    assert loaded["loadHolidayYear"] == {"__typename": "HolidayYear", "year": 2027, "holidays": 2, "workdays": 1}
    await notice.refresh_from_db()
    # 15 working days in December, then 1/4 (make-up), 1/6, 1/7, 1/8, 1/11 (1/1 and 1/5 off)
    assert (notice.due_on, notice.due_provisional) == (D(2027, 1, 11), False)
    await HolidayYear.filter(year=2027).delete()  # other tests count 2027 on weekends alone


async def test_overdue_listing_ignores_explained_notices(database: str) -> None:
    power = await published_power()
    notice = await power_changed(CLI, power, "power.update", on=D(2025, 12, 1))
    assert notice is not None
    notice.status = ChangeNoticeStatus.EXPLAINED
    await notice.save()
    assert not await ChangeNotice.filter(notices_q(ADMIN, overdue=True), id=notice.id).exists()


async def test_holidays_load_command(migrated_db_url: str, tmp_path: Path) -> None:
    table = tmp_path / "2028.txt"
    table.write_text("# 2028年节假日安排\n2028-01-01,holiday,元旦\n2028-01-26..2028-02-01,休,春节\n2028-02-05,班,春节调休\n")
    done = run_cli("holidays", "load", str(table), db_url=migrated_db_url)
    assert "loaded 2028: 8 holidays, 1 make-up workdays" in done.stdout
    bad = tmp_path / "bad.txt"
    bad.write_text("2028-13-01,holiday\n")
    failed = run_cli("holidays", "load", str(bad), db_url=migrated_db_url, check=False)
    assert failed.returncode == 1 and "line 1" in failed.stderr


async def test_public_cannot_load_holidays(client: httpx.AsyncClient) -> None:
    body = await gql(client, "mutation { loadHolidayYear(input: {year: 2029, days: []}) { __typename } }")
    assert body["data"]["loadHolidayYear"]["__typename"] == "PermissionDeniedError"
