"""Powers of the 11 township governments: the same catalogue in every township, plus a few of the seat's."""

from __future__ import annotations

from dataclasses import replace

from domain.demo.spec import LAND, MILITARY, PLANNING, SOCIAL_AID, VILLAGE, B, P, PowerSpec
from domain.demo.units import TOWNSHIP_NAMES
from domain.enums import ExerciseMode as M
from domain.enums import Network as N
from domain.enums import PowerCategory as C
from domain.enums import PowerStatus as St

TEMPLATE: tuple[PowerSpec, ...] = (
    P("", "农村村民住宅用地审核批准", C.LICENSING,
      B(LAND, 62, "农村村民住宅用地，由乡（镇）人民政府审核批准"), office=2, days=20,
      network=N.ADMINISTRATIVE_LICENSING),
    P("", "个人之间、个人与单位之间土地所有权和使用权争议的处理", C.ADJUDICATION,
      B(LAND, 14, "由乡级人民政府或者县级以上人民政府处理"), office=2, days=60),
    P("", "对在乡、村庄规划区内未依法取得乡村建设规划许可证进行建设的责令停止建设、限期改正和拆除", C.COERCION,
      B(PLANNING, 65, "由乡、镇人民政府责令停止建设、限期改正"), office=2, days=15),
)

SEAT_EXTRA: tuple[PowerSpec, ...] = (
    P("", "社会救助申请受理、调查和审核", C.OTHER,
      B(SOCIAL_AID, 5, "社会救助受理、审核"), B(SOCIAL_AID, 37, "向户籍所在地乡镇人民政府"),
      B(SOCIAL_AID, 43, "入户调查、邻里访问"), office=1, days=20, mode=M.ASSIST, network=N.SPECIAL_FUNDS),
    P("", "初次兵役登记组织", C.OTHER,
      B(MILITARY, 15, "乡、民族乡、镇的人民政府"), office=1, days=30, mode=M.ASSIST),
    P("", "村民自治章程、村规民约备案", C.OTHER,
      B(VILLAGE, 31, "报乡、民族乡、镇的人民政府备案"), office=0, days=15, chart=False),
    P("", "乡村建设规划许可申请审核上报", C.OTHER,
      B(PLANNING, 41, "由乡、镇人民政府报城市、县人民政府城乡规划主管部门核发乡村建设规划许可证"),
      office=2, days=10, mode=M.ASSIST),
)

#: Townships whose catalogue is at an earlier stage of the programme (the rest are PUBLISHED).
STAGE: dict[str, St] = {"内良乡": St.IN_REVIEW, "河洞乡": St.DECLARED}
#: Townships that hold the extra powers (the county seat and the larger towns).
EXTRA: dict[str, int] = {"南安镇": 4, "新城镇": 2, "池江镇": 2, "青龙镇": 1}


def _powers() -> tuple[PowerSpec, ...]:
    out: list[PowerSpec] = []
    for name in TOWNSHIP_NAMES:
        status = STAGE.get(name, St.PUBLISHED)
        for spec in TEMPLATE + SEAT_EXTRA[: EXTRA.get(name, 0)]:
            out.append(replace(spec, unit=name, status=status))
    return tuple(out)


POWERS: tuple[PowerSpec, ...] = _powers()
