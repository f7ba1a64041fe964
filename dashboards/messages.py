"""What the web app says to its users, in one catalogue: messages by key, error-page titles, field names, and
pydantic's validation errors in Chinese.

Code refers to a message by its key and passes the parameters (`say("post_missing", post_id=...)`);
nothing user-facing is written out in a route. Codes a user sees (levels, categories, sentiments, sources)
are named in `yuqing.labels`, shared with the e-mails.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from yuqing.labels import CATEGORY_NAMES, LEVEL_NAMES, SENTIMENT_NAMES

MESSAGES: dict[str, str] = {
    # signing in, roles, tokens
    "sign_in_first": "请先登录",
    "role_refused": "当前角色（{role}）无权进行此操作",
    "csrf": "安全令牌缺失或已失效，请刷新页面后重试",
    "login_stale": "登录页面已过期，请重新登录",
    "login_wrong": "用户名或密码错误",
    "login_throttled": "尝试次数过多，已临时锁定，请 {wait_s} 秒后再试",
    # request bodies
    "body_not_json": "请求体不是有效的 JSON",
    "body_not_object": "请求体须为 JSON 对象",
    "body_type": "请以表单或 JSON 对象提交",
    "body_too_large": "请求体过大（最多 {limit}）",
    "json_too_deep": "JSON 嵌套层数过多（最多 {depth} 层）",
    "invalid": "请求有误",
    # services
    "es_down": "检索服务（Elasticsearch）暂时无法连接，请稍后再试",
    "internal": "服务器内部出错，已记录在日志中，请稍后再试；如仍出错请联系管理员",
    "not_found": "没有这个页面或接口",
    "method_not_allowed": "该地址不支持这种请求方式",
    # search and export
    "bad_query": "检索式有误：{reason}",
    "unknown_params": "未知参数：{names}",
    "export_limit": "导出条数至少为 1",
    "too_many_values": "最多选 {limit} 项",
    "value_chars": "每项为 1–{limit} 个可打印字符",
    "event_id_chars": "事件编号为 1–{limit} 个可打印字符",
    "window": "页码 × 每页条数不能超过 {limit}，请缩小检索范围",
    "date_order": "起始时间晚于截止时间",
    # the query language (dashboards/query.py)
    "query_quote": "引号没有闭合",
    "query_unexpected": "多余的“{token}”",
    "query_unopened": "右括号“{token}”没有对应的左括号",
    "query_after": "{op} 后面缺少检索词",
    "query_before": "{op} 前面缺少检索词",
    "query_early": "检索式不完整",
    "query_deep": "括号嵌套超过 {limit} 层",
    "query_empty_brackets": "括号里是空的",
    "query_unclosed": "括号没有闭合",
    "query_empty_phrase": "引号里是空的",
    "query_long": "检索式有 {length} 个字，最多 {limit} 个",
    "query_control": "检索式含有控制字符",
    "query_parts": "检索式有 {count} 个部分，最多 {limit} 个",
    # posts and corrections
    "post_id_long": "帖子编号最长 {limit} 个字符",
    "post_missing": "没有帖子 {post_id}",
    "post_other_station": "该帖子属于其他派出所辖区，无权查看",
    # alerts
    "alert_id_long": "预警编号最长 {limit} 个字符",
    "alert_missing": "没有预警 {alert_id}",
    "alert_level": "等级须为 {choices} 之一",
    "alert_taken_acknowledged": "已被 {who} 于 {at} 签收",
    "alert_taken_resolved": "已被 {who} 于 {at} 办结",
    "alert_taken_false_alarm": "已被 {who} 于 {at} 标记为误报",
    "alert_taken_updated": "预警已被他人更新（现为{status}），页面已刷新，请再试",
    "alert_reason": "{what}须填写原因",
    "alert_note_long": "说明不能超过 {limit} 字",
    "alert_action_unknown": "未知操作 {action!r}：可用 {choices}",
    "alert_reopen_only_false": "只有标记为误报的预警可以重新打开",
    "alert_assignee": "请选择要指派的值班民警",
    "refresh_failed": "数据刷新失败：{error}",
    "assignee_missing": "请选择要指派的值班民警",
    "assignee_not_on_duty": "{assignee} 不是 {station} 的在岗值班民警",
    "station_unknown": "该属地",
    "notice_reason": "请填写原因后再提交",
    "notice_invalid": "操作无效，请检查后重试",
    # analysts' corrections (dashboards/corrections.py)
    "correction_unknown_spots": "未知景区：{spots}",
    "correction_level_needs_category": "风险等级不是“无”时至少选一个风险类别；没有类别请把等级改为“无”",
    "correction_none_no_category": "风险等级为“无”（none）时不能选风险类别",
    "correction_irrelevant_level": "不涉旅的帖子风险等级只能是“无”",
    "correction_busy": "修正被同时保存了多次，请刷新页面后再试",
    "false_alarm_busy": "误报标记被同时修改了多次，请刷新页面后再试",
    # 公安提示函 (dashboards/letters.py, letter_mail.py, api/routes/letters.py)
    "letter_mail_subject": "公安提示函 {number}：{subject}",
    "letter_id_long": "提示函编号最长 {limit} 字符",
    "letter_missing": "没有提示函 {letter_id!r}",
    "letter_action_unknown": "未知操作 {action!r}：可用 edit、approve、reject、send",
    "letter_saved": "已保存修改",
    "letter_rejected": "已驳回",
    "letter_sent": "已批准并发送",
    "letter_unchanged": "没有修改任何内容",
    "letter_invalid": "内容无效：标题、情况和提示事项不能为空，各项不能超过字数上限",
    "letter_field_text": "{field}须为文字",
    "letter_field_empty": "{field}不能为空",
    "letter_field_long": "{field}不能超过 {limit} 字",
    "letter_reason": "驳回须填写原因",
    "letter_reason_long": "驳回原因不能超过 {limit} 字",
    "letter_version": "版本号无效，请刷新页面后再试",
    "letter_taken_approved": "已被 {who} 于 {at} 批准{number}",
    "letter_taken_sent": "已被 {who} 于 {at} 批准{number}并已发送",
    "letter_taken_rejected": "已被 {who} 于 {at} 驳回：{reason}",
    "letter_taken_edited": "提示函已被 {who} 于 {at} 修改，页面已刷新，请核对后再操作",
    "letter_taken_updated": "提示函已被更新（系统补充了新的证据），页面已刷新，请核对后再操作",
    "letter_already_sent": "已于 {at} 发送（{number}），不会重复发送",
    "letter_not_approved": "只有已批准的提示函可以发送",
    "letter_sending": "提示函正在发送中，请稍后刷新页面查看结果",
    "pdf_no_chromium": "无法启动 {chromium}（WEB_CHROMIUM）：{error}",
    "pdf_timeout": "PDF 生成超时（{seconds} 秒）",
    "pdf_failed": "PDF 生成失败（chromium 退出码 {code}）：{tail}",
    "pdf_no_font": "本机没有中文字体，PDF 只会显示方框：请安装 Debian 软件包 {packages}"
    "，例如 apt-get install fonts-wqy-microhei",
    "smtp_transient": "邮件服务器暂时无法投递，可稍后重新发送：{error}",
    "smtp_permanent": "邮件服务器拒收，请核对收件地址或邮件设置后重新发送：{error}",
    # reports (dashboards/reports/: 日报、周报、专报)
    "report_es_down": "无法连接 Elasticsearch（{url}），报告未生成：{error}"
    "；请确认服务已启动（yuqing services up）后重试",
    "report_bad_date": "日期无效：{value}（格式如 2026-12-06）",
    "report_format": "未知格式 {value}：可选 {formats}",
    "report_kind": "未知报告类型 {value}：可选 日报（daily）、周报（weekly）",
    "report_no_event": "没有事件 {event_id}：请核对事件编号（预警和帖子页面上有）",
    "report_missing": "没有报告 {report_id}",
    "report_written": "已生成 {path}：{title} {period}，涉旅相关舆情 {posts} 条，用时 {seconds} 秒",
    "report_event_written": "已生成 {path}：{title}，共 {posts} 条",
    "report_no_roster": "stations.yaml 中没有 report_roster（报告接收人），未发送任何报告",
    "report_sent": "{report_id}：已发送给 {detail}",
    "report_already_sent": "{report_id}：已于 {detail} 发送过，不再重复发送",
    "report_in_progress": "{report_id}：另一进程正在发送（{detail}），本次跳过",
    "report_failed": "{report_id}：发送失败，下次运行时重试：{detail}",
    "report_list_total": "共 {total} 份报告，显示 {shown} 份",
    "report_notes_long": "研判建议不能超过 {limit} 字",
    "report_notes_saved": "研判建议已保存",
    "report_notes_conflict": "报告已被他人修改（{who} 于 {at} 保存了研判建议），页面已刷新，请核对后再保存",
    "report_generated": "报告已生成",
    # the wall screen and its tokens (dashboards/screen_tokens.py, api/routes/screen.py)
    "screen_token_bad": "大屏令牌无效或已撤销，请向管理员索取新的大屏地址",
    "screen_ended_session": "会话已结束（已退出、超时或账号变更），请重新登录",
    "screen_ended_token": "大屏令牌已撤销，请向管理员索取新的大屏地址",
    "screen_token_name": "大屏令牌须填写名称（大屏所在的位置，如 值班室大屏）",
    "screen_token_missing": "没有大屏令牌 {token_id!r}",
    # accounts and the audit trail
    "username_rule": "用户名须为 2–40 个字母、数字、“.”、“_”或“-”",
    "role_unknown": "未知角色 {role}：可选 {roles}",
    "officer_station": "值班民警须指定所属派出所（--station）",
    "station_not_known": "未知派出所 {station}：可选 {stations}",
    "user_exists": "用户 {username} 已存在",
    "user_missing": "没有用户 {username}",
    "password_short": "密码至少 {limit} 个字符",
    "self_disable": "管理员不能停用自己的账号",
    "user_action_unknown": "未知操作 {action}：可用 password（改密码）、disable（停用）、enable（启用）",
    "audit_action_unknown": "未知的审计操作 {action}",
}

# the export's columns (dashboards/api/routes/search.py CSV_COLUMNS)
CSV_HEADERS: dict[str, str] = {
    "id": "编号",
    "published_at": "发布时间",
    "source": "来源",
    "author": "作者",
    "url": "链接",
    "title": "标题",
    "text": "正文",
    "relevant": "涉旅相关",
    "spots": "景区",
    "jurisdiction": "属地派出所",
    "sentiment": "情感",
    "risk_level": "风险等级",
    "risk_score": "风险分",
    "categories": "风险类别",
    "event_id": "事件编号",
    "corrected_by": "修正人",
}

STATUS_TITLES: dict[int, str] = {
    400: "请求有误",
    401: "请先登录",
    403: "无权访问",
    404: "页面不存在",
    405: "请求方式不支持",
    409: "操作冲突",
    413: "请求体过大",
    415: "提交格式不支持",
    422: "填写有误",
    429: "操作过于频繁",
    500: "服务器内部错误",
    503: "服务暂不可用",
}

# Starlette's own answers (a plain HTTPException(404) says "Not Found") get these instead.
STATUS_MESSAGES: dict[int, str] = {404: "not_found", 405: "method_not_allowed", 401: "sign_in_first"}

FIELD_NAMES: dict[str, str] = {
    # search
    "q": "检索式",
    "date_from": "起始时间",
    "date_to": "截止时间",
    "spot": "景区",
    "station": "属地",
    "level": "风险等级",
    "category": "风险类别",
    "sentiment": "情感",
    "source": "来源",
    "event_id": "事件编号",
    "relevant": "涉旅相关",
    "sort": "排序",
    "page": "页码",
    "size": "每页条数",
    "limit": "导出条数",
    # corrections
    "post_id": "帖子编号",
    "spots": "景区",
    "categories": "风险类别",
    "note": "说明",
    "base_version": "版本",
    # accounts, audit, alerts
    "username": "用户名",
    "password": "密码",
    "role": "角色",
    "user": "用户",
    "action": "操作",
    "alert_id": "预警编号",
    "assignee": "指派给",
    "status": "状态",
    "csrf": "安全令牌",
    "next": "跳转地址",
}

# The choices of a field with a fixed set of codes, named as the forms name them.
CHOICE_NAMES: dict[str, Mapping[str, str]] = {
    "level": LEVEL_NAMES,
    "category": CATEGORY_NAMES,
    "categories": CATEGORY_NAMES,
    "sentiment": SENTIMENT_NAMES,
    "sort": {"relevance": "相关度", "time": "时间", "risk": "风险"},
    "relevant": {"true": "涉旅相关", "false": "不相关", "any": "全部"},
}

# pydantic's error types → a sentence: {field} is the field's Chinese name, the rest the error's ctx.
VALIDATION: dict[str, str] = {
    "missing": "{field}：必须填写",
    "string_too_short": "{field}：至少 {min_length} 个字符",
    "string_too_long": "{field}：最多 {max_length} 个字符",
    "too_short": "{field}：至少 {min_length} 项",
    "too_long": "{field}：最多 {max_length} 项",
    "int_parsing": "{field}：须为整数",
    "int_type": "{field}：须为整数",
    "int_from_float": "{field}：须为整数",
    "float_parsing": "{field}：须为数字",
    "float_type": "{field}：须为数字",
    "decimal_parsing": "{field}：须为数字",
    "greater_than_equal": "{field}：不能小于 {ge}",
    "greater_than": "{field}：须大于 {gt}",
    "less_than_equal": "{field}：不能大于 {le}",
    "less_than": "{field}：须小于 {lt}",
    "datetime_parsing": "{field}：不是有效的时间（例如 2025-03-08T10:00）",
    "datetime_from_date_parsing": "{field}：不是有效的时间（例如 2025-03-08T10:00）",
    "datetime_type": "{field}：不是有效的时间（例如 2025-03-08T10:00）",
    "date_parsing": "{field}：不是有效的日期（例如 2025-03-08）",
    "date_from_datetime_parsing": "{field}：不是有效的日期（例如 2025-03-08）",
    "date_type": "{field}：不是有效的日期（例如 2025-03-08）",
    "enum": "{field}：须为 {choices} 之一",
    "literal_error": "{field}：须为 {choices} 之一",
    "bool_parsing": "{field}：须为是或否（true / false）",
    "bool_type": "{field}：须为是或否（true / false）",
    "string_type": "{field}：须为文本",
    "list_type": "{field}：须为列表",
    "dict_type": "{field}：须为 JSON 对象",
    "model_type": "{field}：须为 JSON 对象",
    "model_attributes_type": "{field}：须为 JSON 对象",
    "extra_forbidden": "{field}：不认识的字段",
    "string_pattern_mismatch": "{field}：格式不对",
    "json_invalid": "请求体不是有效的 JSON",
}
FALLBACK = "{field}：填写的值无效"
_LOCATIONS = {"query", "body", "path", "header", "cookie", "form"}
_QUOTED = re.compile(r"'([^']*)'")


def say(key: str, **params: Any) -> str:
    """The catalogue's message `key`, filled in with params."""
    return MESSAGES[key].format(**params)


def status_title(status: int) -> str:
    return STATUS_TITLES.get(status, "出错了")


def field_name(loc: Iterable[Any]) -> str:
    """Where an error is (pydantic's loc), in words: 景区 第 2 项; an unknown field by its own name."""
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts.append(f"第 {part + 1} 项")
        elif part not in _LOCATIONS:
            parts.append(FIELD_NAMES.get(str(part), f"字段 {part}"))
    return " ".join(parts)


def _choices(field: str, ctx: Mapping[str, Any]) -> str:
    codes = _QUOTED.findall(str(ctx.get("expected", "")))
    names = CHOICE_NAMES.get(field, {})
    return "、".join(f"{names[c]}（{c}）" if c in names else c for c in codes) or str(ctx.get("expected", ""))


def validation_error(err: Mapping[str, Any]) -> str:
    """One pydantic error as a Chinese sentence naming the field."""
    loc = tuple(err.get("loc") or ())
    field = field_name(loc)
    kind, ctx = str(err.get("type", "")), dict(err.get("ctx") or {})
    if kind in ("value_error", "assertion_error"):
        # Our validators raise with catalogue sentences; pydantic prefixes them with "Value error, ".
        reason = str(ctx.get("error") or err.get("msg", "")).removeprefix("Value error, ")
        return f"{field}：{reason}" if field else reason
    last = next((str(p) for p in reversed(loc) if isinstance(p, str) and p not in _LOCATIONS), "")
    template = VALIDATION.get(kind, FALLBACK)
    values = {k: v for k, v in ctx.items() if k != "field"} | {"field": field or "请求"}
    if "{choices}" in template:
        values["choices"] = _choices(last, ctx)
    try:
        return template.format(**values)
    except (KeyError, IndexError):
        return FALLBACK.format(field=field or "请求")


def validation_message(errors: Iterable[Mapping[str, Any]]) -> str:
    """Every error of a RequestValidationError or ValidationError, once each, joined."""
    return "；".join(dict.fromkeys(validation_error(e) for e in errors)) or say("invalid")
