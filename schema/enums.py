"""GraphQL enums: the domain's enums, each value described with its Chinese name."""

from __future__ import annotations

from enum import Enum

import strawberry

from domain import enums as d


def _enum(cls: type[d.LabelledEnum], description: str) -> type[d.LabelledEnum]:
    """Expose a domain enum, each value described by its Chinese label."""
    wrapped = strawberry.enum(cls, description=description)
    for value in wrapped.__strawberry_definition__.values:
        value.description = cls[value.name].label
    return wrapped


UnitKind = _enum(d.UnitKind, description="单位类型")
PowerCategory = _enum(d.PowerCategory, description="职权类别")
ExerciseMode = _enum(d.ExerciseMode, description="行使方式")
PowerStatus = _enum(d.PowerStatus, description="职权状态 (清理登记 → 申报 → 审核 → 公开运行)")
DisclosureScope = _enum(d.DisclosureScope, description="公开范围")
DisclosureTiming = _enum(d.DisclosureTiming, description="公开时限")
DisclosureChannel = _enum(d.DisclosureChannel, description="公开形式 / 渠道")
Network = _enum(d.Network, description="七大网络")
OperationStage = _enum(d.OperationStage, description="权力运行环节")
LegalLevel = _enum(d.LegalLevel, description="法律效力层级 (从高到低)")
LegalStatus = _enum(d.LegalStatus, description="时效性")
LegalSource = _enum(d.LegalSource, description="来源")
ArticleKind = _enum(d.ArticleKind, description="条文类型")
FlowStepKind = _enum(d.FlowStepKind, description="流程环节类型")
Role = _enum(d.Role, description="角色")


@strawberry.enum(description="sort direction")
class OrderDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"

    def apply(self, field: str) -> str:
        """The tortoise order_by term for `field` in this direction."""
        return field if self is OrderDirection.ASC else f"-{field}"
ReviewDecision = _enum(d.ReviewDecision, description="审核决定 (废止、剔除、保留、调整、备案)")
ReviewOffice = _enum(d.ReviewOffice, description="审核部门 (县公开办、法制、保密、编办、物价)")
ChangeNoticeStatus = _enum(d.ChangeNoticeStatus, description="变更说明状态")
RuleCode = _enum(d.RuleCode, description="审核前自查发现的问题")
Severity = _enum(d.Severity, description="问题的严重程度")
ComplaintStatus = _enum(d.ComplaintStatus, description="投诉受理状态")
InspectionKind = _enum(d.InspectionKind, description="检查类型 (检查验收、绩效评估、专项检查)")
InspectionMethod = _enum(d.InspectionMethod, description="检查方式 (明查、暗访、专项检查、民意测验)")
BulletinStatus = _enum(d.BulletinStatus, description="通报状态 (草稿、已发布)")
Grade = _enum(d.Grade, description="定级 (优秀 ≥ 90、良好 ≥ 80、合格 ≥ 60、不合格 < 60)")
RectificationStatus = _enum(d.RectificationStatus, description="整改状态 (待整改 → 已报告待验收 → 验收通过 → 已销号；退回重新整改)")
Sanction = _enum(d.Sanction, description="责任追究的处理方式")
ProgrammeStage = _enum(d.ProgrammeStage, description="清权确权工作阶段")
RevisionKind = _enum(d.RevisionKind, description="修订类型 (修订 / 撤销)")
RevisionStatus = _enum(d.RevisionStatus, description="修订状态")
ReviewSeat = _enum(d.ReviewSeat, description="审核席位 (审核部门之一或领导小组)")
GroupRole = _enum(d.GroupRole, description="领导小组成员的组内职务 (组长、副组长、成员)")
InformationRequestStatus = _enum(d.InformationRequestStatus, description="依申请公开办理状态")
InformationRequestOutcome = _enum(d.InformationRequestOutcome, description="依申请公开答复类型 (条例第三十六条)")
WithholdingGround = _enum(d.WithholdingGround, description="不予公开的理由 (政府信息公开条例第十四条至第十六条)")
InformationDelivery = _enum(d.InformationDelivery, description="获取信息的方式")
CommentPeriodStatus = _enum(d.CommentPeriodStatus, description="公示状态 (as of today, county date)")
CommentStatus = _enum(d.CommentStatus, description="意见处理状态")
CommentHiddenReason = _enum(d.CommentHiddenReason, description="意见不予公开的理由")
CommentAction = _enum(d.CommentAction, description="单位对意见的处理")
CaseChannel = _enum(d.CaseChannel, description="办件来源: 网上申请 or 便民服务大厅窗口")
CaseStatus = _enum(d.CaseStatus, description="办件状态: 办理中 / 补正中（暂停计时） / 已办结")
CaseOutcome = _enum(d.CaseOutcome, description="办理结果: 准予 / 不予")
AlarmLevel = _enum(d.AlarmLevel, description="电子监察预警级别 (黄牌到期、红牌超期)")
AlarmKind = _enum(d.AlarmKind, description="电子监察的对象 (办理环节、办件)")
