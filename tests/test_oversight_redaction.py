"""Personal data in 附7 records (issue 8, item 3): applicants — in their own field and inside the
free text of a record and its steps — reach only the handling unit and oversight roles, on every
path: GraphQL fields, `node`, and the Word filing (generateFiling → GET /filings/{token}, the .docx
read back). Real HTTP, real database, real documents."""

from __future__ import annotations

import datetime
import json

import httpx
import pytest

from domain import disclosures, operations
from domain import models as m
from domain.enums import DisclosureChannel, DisclosureScope, DisclosureTiming, Network, OperationStage, Role
from domain.personal import mask, mask_names, person_names
from resolvers.ids import encode_id
from tests.docx_checks import all_text, data_rows, open_docx
from tests.factories import make_unit
from tests.helpers import gql_data, token_for
from tests.oversight_factories import flow_steps, keeper, timely_power

PERSON, FIRM = "刘建国", "大余县测试钨业有限公司"
DAY = datetime.date.today() - datetime.timedelta(days=30)
RECORD = """
query ($id: ID!) {
  node(id: $id) { ... on OperationRecord { applicant subject decision execution result steps { note handler } } }
}"""
POWER_RECORDS = """
query ($code: String!) {
  power(code: $code) {
    operationRecords { applicant subject decision execution result steps { note } }
    disclosureRecords { content operation { subject } }
  }
}"""
DISCLOSURE = """query ($id: ID!) { node(id: $id) { ... on DisclosureRecord { content } } }"""
GENERATE = """
mutation ($unit: ID!) { generateFiling(unitId: $unit, form: OPERATION_RECORDS) { ... on FilingLink { url } } }"""
HANDLER_COLUMN = 8  # 经办人: staff acting for the unit, not personal data of an applicant


def test_masks() -> None:
    assert person_names("刘建国、大余县测试钨业有限公司（法定代表人：王小明）") == ("刘建国", "大余县测试钨业有限公司", "王小明")
    assert (mask("刘建国"), mask("欧阳娜娜"), mask(FIRM)) == ("刘某", "欧阳某", "×××")
    text = "刘 建国申请采矿许可，刘建国的材料由大余县测试钨业有限公司转交"
    assert mask_names(text, ("刘建国", FIRM)) == "刘某申请采矿许可，刘某的材料由×××转交"
    assert mask_names("王平安申请", ("王平",)) == "王某安申请"  # over-redaction is the safe side


def test_several_applicants_in_one_field_are_each_masked() -> None:
    """Names joined by 和/与 or counted (等3人, 夫妇) were left readable in free text."""
    for field in ("刘建国和王小明", "刘建国与王小明", "刘建国、王小明等3人", "刘建国和王小明夫妇"):
        assert mask_names("为刘建国与王小明办理", person_names(field)) == "为刘某与王某办理", field
    assert person_names("和丽") == ("和丽",)  # a name holding a joining word stays whole


def test_latin_letters_are_masked_whatever_their_case() -> None:
    """An applicant filed as "John Smith" is written "SMITH" or "smith" in the texts too."""
    names = person_names("John Smith")
    assert names == ("John", "Smith")
    assert mask_names("SMITH申请，smith的材料由John sMiTh本人提交", names) == "×××申请，×××的材料由××× ×××本人提交"


async def exercised(applicant: str, written: str | None = None) -> tuple[m.Power, m.OperationRecord]:
    """A public exercise whose every free text names its applicant (as `written`, by default as filed),
    with a step noting it too."""
    written = written or applicant
    power = await timely_power(steps=(("受理", 5),))
    viewer = await keeper(power)
    op = await operations.create_operation(viewer, operations.OperationData(
        power_id=power.id, network=Network.ADMINISTRATIVE_LICENSING, subject=f"{written}申请办理测试许可",
        handler="经办员甲", decision=f"经审查，{written}提交的申请材料齐全，予以受理", decided_on=DAY,
        applicant=applicant, scope=DisclosureScope.PUBLIC,
    ))  # fmt: skip
    step, *_ = await flow_steps(power)
    started = await operations.start_step(viewer, op.id, step.id, DAY, "经办员甲", f"{written}当场补正材料")
    await operations.finish_step(viewer, started.id, DAY)
    await operations.advance_operation(viewer, op.id, OperationStage.EXECUTION, f"现场核查{written}的经营场所", DAY)
    op = await operations.advance_operation(viewer, op.id, OperationStage.RESULT, f"准予许可，向{written}颁发证件", DAY)
    await disclosures.record_disclosure(viewer, disclosures.DisclosureData(
        power_id=power.id, scope=DisclosureScope.PUBLIC, timing=DisclosureTiming.TIMELY,
        channel=DisclosureChannel.GOVERNMENT_WEBSITE, content=f"{written}的许可结果已在政府网站公开", disclosed_on=DAY,
        operation_id=op.id,
    ))  # fmt: skip
    return power, op


@pytest.mark.parametrize("applicant", [PERSON, FIRM])
async def test_graphql_withholds_applicants_inside_free_text(client: httpx.AsyncClient, applicant: str) -> None:
    power, op = await exercised(applicant)
    unit = await m.Unit.get(id=power.unit_id)
    variables = {"id": encode_id("OperationRecord", op.id)}
    public = (await gql_data(client, RECORD, variables))["node"]
    assert public["applicant"] is None and applicant not in json.dumps(public, ensure_ascii=False)
    assert public["subject"] == f"{mask(applicant)}申请办理测试许可"
    assert public["steps"] == [{"note": f"{mask(applicant)}当场补正材料", "handler": "经办员甲"}]
    listed = (await gql_data(client, POWER_RECORDS, {"code": power.code}))["power"]
    assert applicant not in json.dumps(listed, ensure_ascii=False)
    assert listed["disclosureRecords"][0]["content"] == f"{mask(applicant)}的许可结果已在政府网站公开"
    disclosure = await m.DisclosureRecord.get(operation_id=op.id)
    for token in (None, await token_for(Role.UNIT_STAFF, unit)):
        content = (await gql_data(client, DISCLOSURE, {"id": encode_id("DisclosureRecord", disclosure.id)}, token))["node"]["content"]
        assert (applicant in content) == (token is not None)
    other = await token_for(Role.UNIT_STAFF, await make_unit())
    assert applicant not in json.dumps((await gql_data(client, RECORD, variables, other))["node"], ensure_ascii=False)
    for token in (await token_for(Role.UNIT_STAFF, unit), await token_for(Role.INSPECTOR)):
        full = (await gql_data(client, RECORD, variables, token))["node"]
        assert full["applicant"] == applicant and full["subject"] == f"{applicant}申请办理测试许可"
        assert full["result"] == f"准予许可，向{applicant}颁发证件" and applicant in full["steps"][0]["note"]


async def test_a_latin_name_is_withheld_in_whatever_case_the_texts_write_it(client: httpx.AsyncClient) -> None:
    power, op = await exercised("John Smith", written="JOHN SMITH")
    public = (await gql_data(client, RECORD, {"id": encode_id("OperationRecord", op.id)}))["node"]
    assert public["subject"] == "××× ×××申请办理测试许可" and public["steps"][0]["note"] == "××× ×××当场补正材料"
    listed = (await gql_data(client, POWER_RECORDS, {"code": power.code}))["power"]
    assert listed["disclosureRecords"][0]["content"] == "××× ×××的许可结果已在政府网站公开"
    unit = await m.Unit.get(id=power.unit_id)
    text, rows = await filing_text(client, unit, None)
    for shown in (json.dumps([public, listed], ensure_ascii=False), text):
        assert "smith" not in shown.lower() and "john" not in shown.lower()
    assert [row[4] for row in rows] == ["（不公开）"]
    staff = (await gql_data(client, RECORD, {"id": encode_id("OperationRecord", op.id)}, await token_for(Role.UNIT_STAFF, unit)))["node"]
    assert staff["applicant"] == "John Smith" and staff["subject"] == "JOHN SMITH申请办理测试许可"


async def filing_text(client: httpx.AsyncClient, unit: m.Unit, token: str | None) -> tuple[str, list[list[str]]]:
    data = await gql_data(client, GENERATE, {"unit": encode_id("Unit", unit.id)}, token)
    response = await client.get(data["generateFiling"]["url"])
    assert response.status_code == 200
    doc = open_docx(response.content)
    return all_text(doc), data_rows(doc.tables[0])


async def test_the_public_word_filing_withholds_applicants(client: httpx.AsyncClient) -> None:
    power, _ = await exercised(PERSON)
    unit = await m.Unit.get(id=power.unit_id)
    text, rows = await filing_text(client, unit, None)
    assert PERSON not in text and "刘某申请办理测试许可" in text
    assert [row[4] for row in rows] == ["（不公开）"]  # the 申请人 column
    for token in (await token_for(Role.UNIT_LEAD, unit), await token_for(Role.ADMIN)):
        text, rows = await filing_text(client, unit, token)
        assert [row[4] for row in rows] == [PERSON] and f"准予许可，向{PERSON}颁发证件" in text


@pytest.mark.usefixtures("demo")
async def test_the_public_word_filing_of_a_demo_department_names_no_applicant(client: httpx.AsyncClient) -> None:
    """The probe of the issue: 36072308's public 附7 printed 5 of its 7 persons."""
    unit = await m.Unit.get(code="36072308")
    names = set(
        await m.OperationRecord.filter(power__unit__code__startswith=unit.code).exclude(applicant="").values_list("applicant", flat=True)
    )
    assert names
    text, rows = await filing_text(client, unit, None)
    assert rows
    handlers = {row[HANDLER_COLUMN] for row in rows}
    cells = "\n".join(c for row in rows for i, c in enumerate(row) if i != HANDLER_COLUMN)
    shown = sorted(n for n in names if n in cells or (n in text and not any(n in h for h in handlers)))
    assert shown == []
    staff_text, _ = await filing_text(client, unit, await token_for(Role.UNIT_STAFF, unit))
    assert any(n in staff_text for n in names)
