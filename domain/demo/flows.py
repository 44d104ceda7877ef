"""一图: flow-chart templates by category. Each power's chart is built from its category's template,
with the steps' 承办岗位 resolved to positions of the power's own unit and offices."""

from __future__ import annotations

from dataclasses import dataclass

from domain.enums import FlowStepKind as F
from domain.enums import PowerCategory as C

#: Roles a step's 承办岗位 resolves to: the handling office's clerk and chief, the unit's legal
#: reviewer (first office), the deputy in charge and the head of the unit. None: no position.
ROLES = ("clerk", "chief", "legal", "deputy", "head")

SUPERVISE_OFFICE = "股室负责人审核把关，法制审核员对合法性进行审核"
SUPERVISE_LEAD = "分管负责人审批，重大事项经领导班子集体讨论决定，县监察局全程电子监察"
SUPERVISE_WINDOW = "一次性告知，限时办结，县行政服务中心监督投诉科实时监督"
PUBLIC_GUIDE = "办事指南、依据、条件、程序、时限和收费标准在便民服务大厅公开栏和政府网站长期公开"
PUBLIC_RESULT = "办理结果自作出决定之日起七个工作日内在政府网站公开（涉及国家秘密、商业秘密和个人隐私的除外）"
PUBLIC_INTERNAL = "办理情况在本单位内部公开栏公示"


@dataclass(frozen=True)
class StepT:
    key: str
    name: str
    kind: F = F.STEP
    role: str | None = None
    share: float = 0.0
    condition: str = ""
    supervision: str = ""
    disclosure: str = ""


@dataclass(frozen=True)
class ChartT:
    steps: tuple[StepT, ...]
    edges: tuple[tuple[str, str, str], ...]


APPLICATION = ChartT(
    (
        StepT("start", "申请人提出申请", F.START, condition="提交申请书和法律、法规规定的申请材料",
              disclosure=PUBLIC_GUIDE),
        StepT("accept", "受理", role="clerk", share=0.1,
              condition="材料齐全、符合法定形式的当场受理；不齐全的一次性书面告知需要补正的全部内容",
              supervision=SUPERVISE_WINDOW, disclosure="受理情况当场告知申请人"),
        StepT("review", "审查", role="chief", share=0.5,
              condition="对申请材料的实质内容进行核实，需要现场核查的指派两名以上工作人员核查",
              supervision=SUPERVISE_OFFICE),
        StepT("decide", "是否符合法定条件、标准", F.DECISION, role="deputy", share=0.3,
              supervision=SUPERVISE_LEAD),
        StepT("grant", "作出准予决定并颁发证件", role="deputy", share=0.1, disclosure=PUBLIC_RESULT),
        StepT("deny", "作出不予决定并书面说明理由", role="chief", share=0.1,
              condition="告知申请人享有依法申请行政复议或者提起行政诉讼的权利"),
        StepT("end", "办结归档", F.END),
    ),
    (
        ("start", "accept", "提交申请"), ("accept", "review", "予以受理"), ("review", "decide", "审查完毕"),
        ("decide", "grant", "符合"), ("decide", "deny", "不符合"), ("grant", "end", "送达"), ("deny", "end", "送达"),
    ),
)

PENALTY = ChartT(
    (
        StepT("start", "发现违法线索", F.START, condition="监督检查发现、投诉举报、上级交办或者有关部门移送"),
        StepT("file", "立案", role="chief", share=0.05, condition="有违法事实、属于本机关管辖、在追责时效内",
              supervision=SUPERVISE_OFFICE),
        StepT("investigate", "调查取证", role="clerk", share=0.4,
              condition="执法人员不少于两人，出示执法证件，制作询问笔录、现场检查笔录",
              supervision="执法全过程记录，重要证据先行登记保存须经负责人批准"),
        StepT("legal", "法制审核", role="legal", share=0.1, supervision=SUPERVISE_OFFICE),
        StepT("notify", "告知陈述、申辩和听证权利", role="clerk", share=0.1,
              condition="拟作出较大数额罚款、吊销许可证件等决定的，告知当事人有要求听证的权利",
              disclosure="告知书送达当事人"),
        StepT("decide", "违法事实是否成立", F.DECISION, role="head", share=0.15, supervision=SUPERVISE_LEAD),
        StepT("punish", "作出行政处罚决定", role="head", share=0.1, disclosure=PUBLIC_RESULT),
        StepT("dismiss", "不予行政处罚，撤销案件", role="deputy", share=0.05),
        StepT("execute", "送达与执行", role="clerk", share=0.1,
              condition="罚款由当事人到指定银行缴纳，实行罚缴分离", supervision="县财政局非税收入监管"),
        StepT("end", "结案归档", F.END),
    ),
    (
        ("start", "file", "符合立案条件"), ("file", "investigate", "批准立案"), ("investigate", "legal", "调查终结"),
        ("legal", "notify", "审核通过"), ("notify", "decide", "陈述申辩、听证完毕"),
        ("decide", "punish", "成立"), ("decide", "dismiss", "不成立或者情节轻微"),
        ("punish", "execute", "制作处罚决定书"), ("execute", "end", "执行完毕"), ("dismiss", "end", "书面告知"),
    ),
)

COERCION = ChartT(
    (
        StepT("start", "发现需要采取行政强制的情形", F.START, condition="法律规定的情形已经出现，或者当事人逾期不履行决定"),
        StepT("report", "报批", role="chief", share=0.2, condition="向行政机关负责人报告并经批准",
              supervision=SUPERVISE_OFFICE),
        StepT("notify", "催告并告知理由、依据和权利", role="clerk", share=0.3,
              condition="听取当事人的陈述和申辩", disclosure="催告书送达当事人"),
        StepT("decide", "当事人是否自行履行", F.DECISION, role="deputy", share=0.2, supervision=SUPERVISE_LEAD),
        StepT("enforce", "实施强制（两名以上执法人员到场，制作现场笔录）", role="clerk", share=0.3,
              supervision="邀请见证人到场，全过程音像记录", disclosure=PUBLIC_RESULT),
        StepT("release", "终结执行", role="chief", share=0.1),
        StepT("end", "归档", F.END),
    ),
    (
        ("start", "report", "情形确认"), ("report", "notify", "负责人批准"), ("notify", "decide", "催告期满"),
        ("decide", "enforce", "拒不履行"), ("decide", "release", "已履行"), ("enforce", "end", "强制完毕"),
        ("release", "end", "通知当事人"),
    ),
)

LEVY = ChartT(
    (
        StepT("start", "确定征收对象", F.START, condition="符合法定征收情形的单位和个人", disclosure=PUBLIC_GUIDE),
        StepT("assess", "核定征收数额", role="clerk", share=0.3, condition="按照法定标准计算",
              supervision="县物价部门核定的收费标准，收费许可证亮证收费"),
        StepT("review", "审核", role="chief", share=0.2, supervision=SUPERVISE_OFFICE),
        StepT("notify", "送达缴款通知书", role="clerk", share=0.2),
        StepT("decide", "是否按期足额缴纳", F.DECISION, role="chief", share=0.1),
        StepT("receipt", "开具财政票据，缴入国库", role="clerk", share=0.1, supervision="收支两条线，县财政局监管",
              disclosure="征收情况每季度在本单位公开栏公开"),
        StepT("overdue", "责令限期缴纳，依法加收滞纳金", role="deputy", share=0.1),
        StepT("end", "办结", F.END),
    ),
    (
        ("start", "assess", "启动征收"), ("assess", "review", "核定完毕"), ("review", "notify", "审核通过"),
        ("notify", "decide", "缴款期满"), ("decide", "receipt", "已缴纳"), ("decide", "overdue", "逾期未缴纳"),
        ("receipt", "end", "入库"), ("overdue", "end", "移交强制执行或者缴纳完毕"),
    ),
)

BENEFIT = ChartT(
    (
        StepT("start", "申请人提出申请", F.START, condition="本人或者共同生活的家庭成员提出书面申请",
              disclosure=PUBLIC_GUIDE),
        StepT("accept", "受理", role="clerk", share=0.1, supervision=SUPERVISE_WINDOW),
        StepT("survey", "入户调查、民主评议", role="clerk", share=0.4,
              condition="调查人员不少于两人，调查结果由申请人签字确认", disclosure="评议结果在村（居）务公开栏公示七日"),
        StepT("review", "审核", role="chief", share=0.2, supervision=SUPERVISE_OFFICE),
        StepT("decide", "是否符合给付条件", F.DECISION, role="deputy", share=0.2, supervision=SUPERVISE_LEAD),
        StepT("pay", "批准并社会化发放", role="clerk", share=0.1, supervision="资金通过金融机构直接发放到户，县财政局、审计局监督",
              disclosure="享受对象名单（隐去个人隐私）在政府网站和村务公开栏长期公开"),
        StepT("deny", "书面告知不予给付的理由", role="chief", share=0.1),
        StepT("end", "办结归档", F.END),
    ),
    (
        ("start", "accept", "提交申请"), ("accept", "survey", "予以受理"), ("survey", "review", "调查完毕"),
        ("review", "decide", "审核完毕"), ("decide", "pay", "符合"), ("decide", "deny", "不符合"),
        ("pay", "end", "发放"), ("deny", "end", "送达"),
    ),
)

INSPECTION = ChartT(
    (
        StepT("start", "制定检查计划", F.START, condition="随机抽取检查对象、随机选派执法检查人员",
              disclosure="年度检查计划在政府网站公开"),
        StepT("check", "实施检查", role="clerk", share=0.5, condition="检查人员不少于两人，出示执法证件",
              supervision="不得妨碍被检查单位正常的生产经营活动，不得收取任何费用"),
        StepT("record", "制作检查记录并由被检查单位签字", role="clerk", share=0.1),
        StepT("decide", "是否发现违法问题", F.DECISION, role="chief", share=0.1, supervision=SUPERVISE_OFFICE),
        StepT("correct", "责令改正或者移交立案查处", role="deputy", share=0.2, supervision=SUPERVISE_LEAD),
        StepT("close", "出具检查结论", role="chief", share=0.1, disclosure="抽查结果在政府网站公开"),
        StepT("end", "归档", F.END),
    ),
    (
        ("start", "check", "按计划实施"), ("check", "record", "检查完毕"), ("record", "decide", "记录确认"),
        ("decide", "correct", "发现问题"), ("decide", "close", "未发现问题"), ("correct", "end", "整改完毕或者立案"),
        ("close", "end", "结论送达"),
    ),
)

REWARD = ChartT(
    (
        StepT("start", "推荐申报", F.START, condition="单位推荐或者个人自荐，提交事迹材料", disclosure=PUBLIC_GUIDE),
        StepT("review", "初审", role="chief", share=0.3, supervision=SUPERVISE_OFFICE),
        StepT("publicity", "公示", role="clerk", share=0.3, condition="公示期不少于五个工作日",
              disclosure="拟奖励名单在政府网站和新闻媒体公示"),
        StepT("decide", "公示是否有异议", F.DECISION, role="deputy", share=0.1, supervision=SUPERVISE_LEAD),
        StepT("verify", "核查异议", role="chief", share=0.2),
        StepT("award", "作出奖励决定", role="head", share=0.1, disclosure="奖励决定在新闻媒体公布"),
        StepT("end", "颁奖归档", F.END),
    ),
    (
        ("start", "review", "申报"), ("review", "publicity", "初审通过"), ("publicity", "decide", "公示期满"),
        ("decide", "award", "无异议"), ("decide", "verify", "有异议"), ("verify", "award", "异议不成立"),
        ("verify", "end", "异议成立，不予奖励"), ("award", "end", "颁发证书、奖金"),
    ),
)

ADJUDICATION = ChartT(
    (
        StepT("start", "当事人申请", F.START, condition="协商不成的当事人提出书面申请", disclosure=PUBLIC_GUIDE),
        StepT("accept", "审查受理", role="clerk", share=0.1, supervision=SUPERVISE_WINDOW),
        StepT("investigate", "调查取证、组织调解", role="chief", share=0.4,
              condition="通知对方当事人答辩，必要时现场勘验"),
        StepT("decide", "调解是否达成协议", F.DECISION, role="deputy", share=0.1, supervision=SUPERVISE_LEAD),
        StepT("mediate", "制作调解书", role="chief", share=0.1),
        StepT("rule", "作出处理（裁决）决定", role="head", share=0.3,
              condition="告知当事人不服的起诉期限", disclosure=PUBLIC_RESULT),
        StepT("end", "送达归档", F.END),
    ),
    (
        ("start", "accept", "提交申请"), ("accept", "investigate", "予以受理"), ("investigate", "decide", "调解"),
        ("decide", "mediate", "达成协议"), ("decide", "rule", "未达成协议"), ("mediate", "end", "双方签收"),
        ("rule", "end", "送达"),
    ),
)

OTHER = ChartT(
    (
        StepT("start", "启动", F.START, condition="依申请或者依职权启动", disclosure=PUBLIC_GUIDE),
        StepT("handle", "承办", role="clerk", share=0.5, supervision=SUPERVISE_WINDOW),
        StepT("review", "审核", role="chief", share=0.2, supervision=SUPERVISE_OFFICE),
        StepT("decide", "是否需要报请审批", F.DECISION, role="chief", share=0.1),
        StepT("approve", "报分管负责人审批", role="deputy", share=0.2, supervision=SUPERVISE_LEAD),
        StepT("finish", "直接办结", role="chief", share=0.1, disclosure=PUBLIC_INTERNAL),
        StepT("end", "办结归档", F.END),
    ),
    (
        ("start", "handle", "启动"), ("handle", "review", "承办完毕"), ("review", "decide", "审核通过"),
        ("decide", "approve", "重大事项"), ("decide", "finish", "一般事项"), ("approve", "end", "批准"),
        ("finish", "end", "办结"),
    ),
)

TEMPLATES: dict[C, ChartT] = {
    C.LICENSING: APPLICATION,
    C.CONFIRMATION: APPLICATION,
    C.PENALTY: PENALTY,
    C.COERCION: COERCION,
    C.LEVY: LEVY,
    C.BENEFIT: BENEFIT,
    C.INSPECTION: INSPECTION,
    C.REWARD: REWARD,
    C.ADJUDICATION: ADJUDICATION,
    C.OTHER: OTHER,
}


def step_days(share: float, total: int | None) -> int | None:
    """A step's share of the power's 办理时限, at least one working day."""
    if not share or total is None:
        return None
    return max(1, round(total * share))
