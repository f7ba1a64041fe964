"""The audit trail (the `audit` index): who searched what, exported, corrected, acted on alerts, logged in.

An entry is written (without waiting for a refresh) before the page answers; if it cannot be written, the
request fails, so nothing is exported or changed unrecorded.
"""

from __future__ import annotations

from collections.abc import Container
from datetime import UTC, datetime
from typing import Any

from elasticsearch import AsyncElasticsearch

from yuqing.settings import ElasticsearchSettings
from yuqing.webstore import AUDIT

# Every action the trail records, with the name the audit page shows for it.
ACTION_NAMES = {
    "login": "登录",
    "login_failed": "登录失败",
    "logout": "退出登录",
    "search": "检索",
    "export": "导出",
    "view_post": "查看帖子",
    "correct": "人工修正",
    "alert_acknowledge": "签收预警",
    "alert_assign": "指派预警",
    "alert_resolve": "办结预警",
    "alert_false_alarm": "预警标记误报",
    "alert_reopen": "撤回误报、重新打开预警",
    "user_add": "新建账号",
    "user_password": "修改密码",
    "user_disable": "停用账号",
    "user_enable": "启用账号",
    "screen_token_add": "新建大屏令牌",
    "screen_token_revoke": "撤销大屏令牌",
    "screen_login": "大屏令牌登录",
    "letter_edit": "修改提示函",
    "letter_approve": "批准提示函",
    "letter_reject": "驳回提示函",
    "letter_send": "发送提示函",
    "letter_send_failed": "提示函发送失败",
    "report_generate": "生成报告",
    "report_notes": "保存研判建议",
    "report_download": "下载报告",
}
ACTIONS = tuple(ACTION_NAMES)


class Audit:
    def __init__(self, es: AsyncElasticsearch, settings: ElasticsearchSettings) -> None:
        self.es, self.index = es, settings.name(AUDIT)

    async def record(
        self,
        user: str,
        action: str,
        target: str | None = None,
        query: str | None = None,
        details: dict[str, Any] | None = None,
        role: str | None = None,
        ip: str | None = None,
        refresh: bool = False,
    ) -> None:
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}")
        doc = {
            "at": datetime.now(UTC).isoformat(),
            "user": user,
            "role": role,
            "action": action,
            "target": target,
            "query": query,
            "ip": ip,
            "details": details or {},
        }
        await self.es.index(index=self.index, document=doc, refresh="wait_for" if refresh else None)

    async def search(
        self,
        user: str | None = None,
        action: str | None = None,
        size: int = 100,
        page: int = 1,
        target: str | None = None,
        oldest_first: bool = False,
    ) -> tuple[int, list[dict[str, Any]]]:
        filters: list[dict[str, Any]] = []
        if target:
            filters.append({"term": {"target": target}})
        if user:
            filters.append({"term": {"user": user}})
        if action:
            filters.append({"term": {"action": action}})
        resp = await self.es.search(
            index=self.index,
            query={"bool": {"filter": filters}},
            sort=[{"at": "asc" if oldest_first else "desc"}],
            size=size,
            from_=(page - 1) * size,
            track_total_hits=True,
        )
        return resp["hits"]["total"]["value"], [h["_source"] for h in resp["hits"]["hits"]]

    async def history(self, target: str, actions: Container[str]) -> list[dict[str, Any]]:
        """What was done to one alert or letter, oldest first: of its first 100 entries, `actions`."""
        _, entries = await self.search(target=target, size=100, oldest_first=True)
        return [e for e in entries if e["action"] in actions]
