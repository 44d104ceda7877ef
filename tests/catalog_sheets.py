"""Foreign catalogue sheets as other counties keep them, written with openpyxl (and csv) for the
import tests: each layout is one that real 权力清单 use, with rows whose fate the tests know.

`tag` is appended to every power name: imported powers are DRAFTs, hidden from the public, and
must not share a name with a public power of the demo county (tests/test_docgen_access.py looks
for hidden names in public filings)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import httpx
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from domain.models import Unit
from tests.factories import make_unit, unique

LICENSING_BASES = "《中华人民共和国行政许可法》第十二条、第十四条；\n《中华人民共和国环境保护法》第十九条"
UNKNOWN_LAW = "《江苏省太湖水污染防治条例》第三十条第一款"


def zhangjiagang(path: Path, existing_name: str, tag: str = "") -> Path:
    """Title rows above the header, the category in its own column (text), bases with several
    laws per cell, and rows to refuse: no name, an unknown category, a name listed twice."""
    wb = Workbook()
    ws = wb.active
    ws.append(["张家港市环境保护局行政权力清单"])
    ws.merge_cells("A1:G1")
    ws["A1"].font = Font(size=16, bold=True)
    ws.append(["填报单位（盖章）：张家港市环境保护局", None, None, None, "填报日期：2015年3月"])
    ws.append(["序号", "权力名称", "权力类别", "实施依据", "实施主体", "承诺时限", "备注"])
    rows = [
        [1, f"建设项目环境影响评价文件审批{tag}", "行政许可", LICENSING_BASES, "市环保局", "承诺10个工作日", ""],
        [2, f"对超标排放水污染物的处罚{tag}", "行政处罚", f"{UNKNOWN_LAW}；《中华人民共和国行政处罚法》第八条", "市环保局", "", ""],
        [3, None, "行政检查", "《中华人民共和国环境保护法》第二十四条", "市环保局", "", "空行名"],
        [4, f"环境保护宣传教育指导{tag}", "行政指导", "", "市环保局", "", ""],
        [5, f"建设项目环境影响评价文件审批{tag}", "行政许可", LICENSING_BASES, "市环保局", "", "重复"],
        [6, existing_name, "行政处罚", "", "市环保局", "", ""],
        [7, f"排污费征收{tag}", "行政征收", "《中华人民共和国环境保护法》第四十三条", "市环保局", "即办", ""],
    ]
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def handan(path: Path, tag: str = "") -> Path:
    """A two-level header (行使规则 merged over 办理时限 | 收费标准, the other headers merged down two
    rows), no category column: categories head their rows as 一、行政许可（2项）, merged across;
    laws named without book-title marks, articles in Arabic numerals."""
    wb = Workbook()
    ws = wb.active
    ws.append(["邯郸市国土资源局权力清单"])
    ws.merge_cells("A1:F1")
    ws.append(["序号", "事项名称", "设定依据", "实施机关", "行使规则", None])
    ws.append([None, None, None, None, "办理时限", "收费标准"])
    for col in "ABCD":
        ws.merge_cells(f"{col}2:{col}3")
    ws.merge_cells("E2:F2")
    ws["E2"].alignment = Alignment(horizontal="center")
    ws.append(["一、行政许可（2项）"])
    ws.merge_cells("A4:F4")
    ws.append([1, f"建设项目临时用地审批{tag}", "中华人民共和国土地管理法第57条", "市国土资源局", "20个工作日", "不收费"])
    ws.append([2, f"采矿许可证审批{tag}", "依据矿产资源法第三条、第十五条", "市国土资源局", "四十日", "按规定收费"])
    ws.append(["二、行政处罚（1项）"])
    ws.merge_cells("A7:F7")
    ws.append([3, f"对非法占用土地的处罚{tag}", "中华人民共和国土地管理法第七十七条", "市国土资源局", "", ""])
    wb.save(path)
    return path


def daqing_csv(path: Path, tag: str = "") -> Path:
    """A CSV in GB18030 as a legacy system writes it: near spellings of the headers (权利名称,
    法律依据(条款), 办理时限（工作日）), a column only a mapping names (责任科室), short categories."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["编号", "权利名称", "类别", "法律依据(条款)", "办理时限（工作日）", "责任科室"])
    writer.writerow(["DQ-001", f"公共场所卫生许可{tag}", "许可", "《公共场所卫生管理条例》第八条", "20", "卫生监督所"])
    writer.writerow(["DQ-002", f"对未取得卫生许可证擅自营业的处罚{tag}", "处罚", "《公共场所卫生管理条例》第十四条", "", "卫生监督所"])
    writer.writerow(["DQ-003", f"食品生产经营监督检查{tag}", "检查", "《中华人民共和国食品安全法》第一百一十条", "", "卫生监督所"])
    writer.writerow(["DQ-004", "", "其他", "", "", ""])
    path.write_bytes(out.getvalue().encode("gb18030"))
    return path


def tag() -> str:
    """A suffix that makes this test's power names its own."""
    return f"（{unique('')}）"


async def numbered_unit(name: str = "测试单位", parent: Unit | None = None) -> Unit:
    """A unit with a standard (numeric) code, so that imported powers get generated codes (the
    leading 7 keeps clear of the codes other tests make)."""
    return await make_unit(parent, code="7" + unique(""), name=name)


async def upload_sheet(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any], sheet: tuple[str, bytes], token: str | None
) -> dict[str, Any]:
    """A GraphQL multipart request (the spec's `operations` and `map`) with the sheet as `$file`."""
    operations = {"query": query, "variables": {**variables, "file": None}}
    response = await client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": (*sheet, "application/octet-stream")},
        headers={"Authorization": f"Bearer {token}"} if token else {},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body
    return body["data"]


#: A district's 政务服务 list for its 民政局, worded as such lists word their items (the 国家政务服务平台's
#: 事项 names, services beside powers): (name, 事项类型, 设定依据).
CIVIL_AFFAIRS_ITEMS: tuple[tuple[str, str, str], ...] = (
    ("结婚登记预约", "公共服务", ""),
    ("中国内地公民婚姻登记", "行政确认", "《中华人民共和国民法典》第一千零四十九条"),
    ("离婚登记预约", "公共服务", ""),
    ("内地居民离婚登记", "行政确认", "《婚姻登记条例》第十条"),
    ("婚姻登记档案查询", "公共服务", ""),
    ("中国公民收养子女登记", "行政确认", "《中国公民收养子女登记办法》第二条"),
    ("收养登记档案查询", "公共服务", ""),
    ("补领婚姻登记证", "公共服务", ""),
    ("慈善组织设立、变更、注销登记", "行政许可", "《慈善组织认定办法》第三条"),
    ("慈善组织公开募捐资格审批", "行政许可", ""),
    ("社会团体成立、变更、注销登记", "行政许可", "《社会团体登记管理条例》第三条"),
    ("特困人员救助供养", "行政给付", "《社会救助暂行办法》第十四条"),
    ("最低生活保障对象认定", "行政确认", ""),
    ("最低生活保障金发放", "行政给付", ""),
    ("临时救助对象认定及救助金发放", "行政给付", ""),
    ("流浪乞讨人员救助管理", "行政给付", ""),
    ("经济困难老年人补贴发放", "行政给付", ""),
    ("困难残疾人生活补贴和重度残疾人护理补贴发放", "行政给付", ""),
    ("孤儿基本生活费发放", "行政给付", ""),
    ("对养老机构的行政检查", "行政检查", ""),
    ("养老机构备案", "其他行政权力", ""),
    ("对擅自开展公开募捐的处罚", "行政处罚", ""),
    ("殡葬设施建设审批", "行政许可", ""),
)


def civil_affairs_district(path: Path) -> Path:
    """A district's 政务服务事项清单 of its 民政局: a title row, the department in every row, its
    事项类型 column naming services (公共服务) beside powers."""
    wb = Workbook()
    ws = wb.active
    ws.append(["某区政务服务事项目录（民政局）"])
    ws.append(["序号", "实施部门", "事项名称", "事项类型", "设定依据", "承诺时限"])
    for n, (name, kind, basis) in enumerate(CIVIL_AFFAIRS_ITEMS, start=1):
        ws.append([n, "区民政局", name, kind, basis, "即办" if kind == "公共服务" else "5个工作日"])
    wb.save(path)
    return path
