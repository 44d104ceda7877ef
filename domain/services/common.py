"""Shared pieces of the write operations: field cleaning against the models, diffs, audit snapshots."""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from enum import Enum
from typing import Any

from tortoise import fields
from tortoise.exceptions import IntegrityError
from tortoise.fields.data import CharEnumFieldInstance
from tortoise.models import Model

from domain.access import Viewer, power_q
from domain.errors import FieldError, NotFound, ValidationFailed, Validator
from domain.models import Power
from domain.workdays import check_day_count

#: Chinese names of the fields, for messages shown beside a form's inputs.
LABELS: dict[str, str] = {
    "code": "编码", "name": "名称", "short_name": "简称", "kind": "类型", "region_code": "行政区划代码",
    "sort_order": "排序", "holder": "责任人", "duties": "岗位职责", "category": "职权类别",
    "exercise_mode": "行使方式", "description": "说明", "confidential": "涉密标记",
    "confidentiality_reason": "不宜公开的理由", "confidentiality_basis": "保密依据",
    "disclosure_scope": "公开范围", "disclosure_form": "公开形式", "disclosure_timing": "公开时限",
    "disclosure_deadline": "公开时限说明", "fee_basis": "收费依据", "fee_standard": "收费标准",
    "time_limit": "办理时限", "time_limit_days": "办理时限（工作日）", "note": "备注", "notes": "备注",
    "title": "标题", "complaint_channel": "投诉举报途径", "condition": "条件", "supervision": "监督制约环节",
    "disclosure_note": "公开说明", "label": "条文标号", "text": "条文内容", "number": "条号",
    "chapter_path": "所在章节", "subtitle": "副标题", "level": "效力层级", "doc_type": "文件类型",
    "doc_number": "文号", "issuer": "制定机关", "field": "法律部门", "promulgation_date": "公布日期",
    "effective_date": "施行日期", "repeal_date": "废止日期", "version_date": "版本日期", "status": "时效性",
    "history": "制定、修正历史", "body": "正文",
    # records, complaints and inspections (domain/disclosures.py, operations.py, complaints.py, inspections.py)
    "scope": "公开范围", "timing": "公开时限", "channel": "公开形式", "content": "内容", "disclosed_on": "公开日期",
    "network": "所属网络", "subject": "事项", "applicant": "当事人", "handler": "经办人", "decision": "决策情况",
    "decided_on": "决策日期", "execution": "执行情况", "executed_on": "执行日期", "result": "办理结果",
    "finished_on": "办结日期", "started_on": "开始日期", "complainant_name": "投诉人", "complainant_phone": "联系电话",
    "findings": "发现的问题", "follow_up": "整改要求", "inspected_on": "检查日期", "score": "得分",
}  # fmt: skip

#: Integer fields that count working days (a 办理时限): bounded by domain.workdays.MAX_LIMIT_WORKDAYS.
DAY_COUNTS = frozenset({"time_limit_days"})


def clean_fields(
    v: Validator,
    model: type[Model],
    values: Mapping[str, Any],
    *,
    allowed: Collection[str],
    required: Collection[str] = (),
) -> dict[str, Any]:
    """Strip text, check required fields, lengths (from the model), enums, booleans, dates and ints.

    Returns the cleaned values; problems are added to `v`. Unknown keys are a programming error.
    """
    unknown = set(values) - set(allowed)
    if unknown:
        raise TypeError(f"{model.__name__}: fields not accepted here: {sorted(unknown)}")
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        field = model._meta.fields_map[name]
        title = LABELS.get(name, name)
        if isinstance(field, CharEnumFieldInstance):
            optional = field.null and value is None
            cleaned[name] = None if optional else _clean_enum(v, name, title, field.enum_type, value)
        elif isinstance(field, fields.CharField | fields.TextField):
            text = (value or "").strip() if isinstance(value, str | type(None)) else value
            if not isinstance(text, str):
                v.add(name, f"{title}应为文本 ({name} must be text)")
                continue
            if name in required and not text:
                v.add(name, f"{title}不能为空 ({name} is required)", "required")
            max_length = getattr(field, "max_length", None)
            if max_length and len(text) > max_length:
                v.add(name, f"{title}不能超过 {max_length} 个字符 ({name} is too long)", "too_long")
            cleaned[name] = text
        elif isinstance(field, fields.BooleanField):
            v.check(isinstance(value, bool), name, f"{title}应为是或否 ({name} must be true or false)")
            cleaned[name] = value
        elif isinstance(field, fields.DateField):
            ok = value is None if field.null else False
            ok = ok or (isinstance(value, datetime.date) and not isinstance(value, datetime.datetime))
            v.check(ok, name, f"{title}应为日期 ({name} must be a date)", "required" if value is None else "invalid")
            cleaned[name] = value
        elif isinstance(field, fields.IntField):
            if value is None and field.null:
                cleaned[name] = None
                continue
            ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
            v.check(ok, name, f"{title}应为非负整数 ({name} must be a whole number ≥ 0)")
            if ok and name in DAY_COUNTS:
                check_day_count(v, name, title, value)
            cleaned[name] = value
        else:  # pragma: no cover - a model field the cleaner does not know yet
            raise TypeError(f"{model.__name__}.{name}: no cleaner for {type(field).__name__}")
    return cleaned


def _clean_enum(v: Validator, name: str, title: str, enum_type: type[Enum], value: Any) -> Enum | None:
    if value is None or value == "":
        v.add(name, f"{title}不能为空 ({name} is required)", "required")
        return None
    try:
        return enum_type(value)
    except ValueError:
        allowed = ", ".join(str(member.value) for member in enum_type)
        v.add(name, f"{title}的取值无效，可选：{allowed} ({name} must be one of {allowed})")
        return None


def apply_changes(instance: Model, cleaned: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Set the cleaned values on `instance`; return `{field: [old, new]}` for those that changed."""
    diff: dict[str, list[Any]] = {}
    for name, value in cleaned.items():
        old = getattr(instance, name)
        if old != value:
            diff[name] = [jsonable(old), jsonable(value)]
            setattr(instance, name, value)
    return diff


def jsonable(value: Any) -> Any:
    """A value as the audit trail's JSON stores it."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    return value


def snapshot(instance: Model, names: Collection[str]) -> dict[str, Any]:
    return {name: jsonable(getattr(instance, name)) for name in names}


def not_found(kind: str, label_zh: str) -> NotFound:
    return NotFound(f"{label_zh}不存在或无权查看 ({kind} not found)")


async def visible_power(viewer: Viewer, power_id: int) -> Power:
    """The power if `viewer` may see it; NotFound otherwise (as if it did not exist)."""
    power = await Power.filter(power_q(viewer), id=power_id).first()
    if power is None:
        raise not_found("power", "职权")
    return power


@contextmanager
def duplicates_as(field: str, message: str) -> Iterator[None]:
    """A unique constraint hit by a concurrent write reads as the `duplicate` error it would have been."""
    try:
        yield
    except IntegrityError as exc:
        raise ValidationFailed([FieldError(field, message, "duplicate")]) from exc


def in_use(field: str, message: str) -> ValidationFailed:
    return ValidationFailed([FieldError(field, message, "in_use")])
