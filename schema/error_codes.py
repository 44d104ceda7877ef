"""Errors a program can read: every GraphQL error gets a stable `extensions.code`, and a Chinese message
beside the English (`中文 (English)`, as the domain's errors are written).

Our own errors carry their code already (domain errors, the query limits, the HTTP layer's refusals).
graphql-core's — a document that does not parse or validate, variables or arguments that do not coerce —
carry none and are English only: they are recognised here by their message, one pattern per kind of
mistake, and given a code and a Chinese sentence naming the same field, type or variable. A message no
pattern knows still gets a code (`invalid_document` before execution, `internal_error` during it) and a
Chinese lead. The codes are listed in CODES (docs/client-notes-h5.md); they do not change with
graphql-core's wording, which only the patterns below follow.

Each message is matched against a handful of anchored patterns, one pass each: linear in its length.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from graphql import GraphQLError

#: a masked unexpected exception (schema.ErrorPolicy): its message, and the code it gets here
INTERNAL_CODE = "internal_error"
_NAME = r"[_A-Za-z][_0-9A-Za-z]*"
_TYPE = r"[^']+"

#: (code, English pattern, Chinese template with the pattern's groups), tried in order
_PATTERNS: Sequence[tuple[str, str, str]] = (
    (
        "too_many_tokens",
        r"Syntax Error: Document contains more than (?P<n>\d+) tokens",
        "查询文档过长：超过 {n} 个词法单元",
    ),
    ("syntax_error", r"Syntax Error: ", "查询文档有语法错误"),
    (
        "unknown_field",
        rf"Cannot query field '(?P<field>{_NAME})' on type '(?P<type>{_TYPE})'",
        "类型 {type} 没有字段 {field}",
    ),
    (
        "unknown_argument",
        rf"Unknown argument '(?P<arg>{_NAME})' on (?:field|directive) '(?P<field>[^']+)'",
        "{field} 没有参数 {arg}",
    ),
    (
        "missing_argument",
        rf"(?:Field|Directive) '(?P<field>[^']+)' argument '(?P<arg>{_NAME})' of type '(?P<type>{_TYPE})' is required",
        "{field} 缺少必填参数 {arg}（{type}）",
    ),
    (
        "missing_input_field",
        rf"Field '(?P<field>[^']+)' of required type '(?P<type>{_TYPE})' was not provided",
        "缺少必填的输入字段 {field}（{type}）",
    ),
    (
        "unknown_input_field",
        rf"Field '(?P<field>{_NAME})' is not defined by type '(?P<type>{_TYPE})'",
        "输入类型 {type} 没有字段 {field}",
    ),
    ("undefined_variable", rf"Variable '\$(?P<var>{_NAME})' is not defined", "变量 ${var} 未声明"),
    ("unused_variable", rf"Variable '\$(?P<var>{_NAME})' is never used", "变量 ${var} 声明了却未使用"),
    (
        "variable_type_mismatch",
        rf"Variable '\$(?P<var>{_NAME})' of type '(?P<type>{_TYPE})' used in position expecting type '(?P<expected>{_TYPE})'",
        "变量 ${var} 的类型 {type} 与所在位置要求的 {expected} 不符",
    ),
    (
        "missing_variable",
        rf"Variable '\$(?P<var>{_NAME})' has invalid value: Expected a value of non-null type '(?P<type>{_TYPE})' to be provided",
        "缺少必填变量 ${var}（{type}）",
    ),
    ("invalid_variable", rf"Variable '\$(?P<var>{_NAME})' (?:has|got) invalid value", "变量 ${var} 的值无效"),
    (
        "missing_variable",
        rf"Variable '\$(?P<var>{_NAME})' of (?:required|non-null) type '(?P<type>{_TYPE})'",
        "缺少必填变量 ${var}（{type}）",
    ),
    (
        "invalid_variable",
        rf"Variable '\$(?P<var>{_NAME})' cannot be non-input type",
        "变量 ${var} 的类型不能用作输入",
    ),
    (
        "invalid_value",
        rf"Value '(?P<value>[^']*)' does not exist in '(?P<type>{_NAME})' enum",
        "{value} 不是 {type} 的取值",
    ),
    ("invalid_value", rf"Enum '(?P<type>{_NAME})' cannot represent", "值不是枚举 {type} 的取值"),
    ("invalid_value", rf"(?P<type>{_NAME}) cannot represent", "值不符合类型 {type}"),
    ("invalid_value", rf"Expected value of type '(?P<type>{_TYPE})'", "值不符合类型 {type}"),
    ("invalid_value", r"Expected type '(?P<type>[^']+)'", "值不符合类型 {type}"),
    ("invalid_value", r"Invalid value ", "值无效"),
    (
        "selection_required",
        rf"Field '(?P<field>{_NAME})' of type '(?P<type>{_TYPE})' must have a selection of subfields",
        "字段 {field}（{type}）须选择子字段",
    ),
    (
        "selection_not_allowed",
        rf"Field '(?P<field>{_NAME})' must not have a selection",
        "字段 {field} 是标量，不能选择子字段",
    ),
    ("conflicting_fields", rf"Fields '(?P<field>{_NAME})' conflict because", "同名字段 {field} 互相冲突"),
    ("unknown_fragment", rf"Unknown fragment '(?P<name>{_NAME})'", "片段 {name} 未定义"),
    ("unused_fragment", rf"Fragment '(?P<name>{_NAME})' is never used", "片段 {name} 定义了却未使用"),
    ("fragment_cycle", r"Cannot spread fragment '(?P<name>[^']+)' within itself", "片段 {name} 循环引用自身"),
    ("impossible_fragment", r"Fragment (?:'(?P<name>[^']+)' )?cannot be spread here", "片段在此处永不匹配"),
    (
        "invalid_fragment",
        r"Fragment (?:'[^']+' )?cannot condition on non composite type",
        "片段只能作用于对象、接口或联合类型",
    ),
    ("unknown_type", rf"Unknown type '(?P<type>{_NAME})'", "类型 {type} 不存在"),
    ("unknown_directive", rf"Unknown directive '@(?P<name>{_NAME})'", "指令 @{name} 不存在"),
    (
        "misplaced_directive",
        rf"Directive '@(?P<name>{_NAME})' may not be used on",
        "指令 @{name} 不能用在此处",
    ),
    ("duplicate_name", r"There can be only one ", "名称重复"),
    (
        "anonymous_operation",
        r"This anonymous operation must be the only defined operation",
        "匿名操作必须是文档中唯一的操作",
    ),
    ("unknown_operation", r"Unknown operation named '(?P<name>[^']+)'", "文档中没有名为 {name} 的操作"),
    (
        "unsupported_operation",
        r"The (?P<kind>\w+) operation is not supported by the schema",
        "本接口不支持 {kind} 操作",
    ),
    ("not_executable", r"The .* definition is not executable", "文档只能含操作和片段的定义"),
    (
        "single_root_field",
        r"(?:Anonymous Subscription|Subscription '[^']*') must select only one top level field",
        "订阅只能选择一个顶层字段",
    ),
    ("too_deep", r"Maximum introspection depth exceeded", "内省查询嵌套过深"),
)
_COMPILED = tuple((code, re.compile(pattern), zh) for code, pattern, zh in _PATTERNS)
#: every code this module gives (the domain's and the limits' are their own)
CODES = frozenset(code for code, _, _ in _PATTERNS) | {INTERNAL_CODE, "invalid_document", "execution_error"}
_HAN = re.compile(r"[\u4e00-\u9fff]")


def has_chinese(text: str) -> bool:
    """Whether a message is written in Chinese already (then it is left as it is)."""
    return _HAN.search(text) is not None


def describe(message: str, executed: bool) -> tuple[str, str]:
    """(code, Chinese sentence) for an English message of graphql-core; `executed`: raised while executing
    (a field's error) rather than before (the document or its variables)."""
    for code, pattern, zh in _COMPILED:
        match = pattern.match(message)
        if match:
            return code, zh.format_map({k: v or "" for k, v in match.groupdict().items()})
    if executed:
        return "execution_error", "执行出错"
    return "invalid_document", "查询文档无效"


def coded(error: GraphQLError, internal_message: str) -> GraphQLError:
    """The error with a stable code and a Chinese message (itself when it has a code already)."""
    extensions: dict[str, Any] = dict(error.extensions or {})
    if extensions.get("code"):
        return error
    executed = error.path is not None
    if error.message == internal_message:
        code, zh = INTERNAL_CODE, "服务器内部错误，已记录"
    else:
        code, zh = describe(error.message, executed)
    message = error.message if has_chinese(error.message) else f"{zh} ({error.message})"
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions={**extensions, "code": code},
    )


def with_codes(errors: list[GraphQLError] | None, internal_message: str) -> list[GraphQLError] | None:
    return [coded(e, internal_message) for e in errors] if errors else errors
