"""Accounts in the `users` index: roles, stations, password hashes, when sessions ended.

Roles: `admin` (everything, plus accounts and the audit trail), `analyst` (search, export, corrections, every
alert), `duty_officer` (belongs to one station; sees and works only that station's alerts and posts),
`supervisor` (审批领导: reads the screen and alerts like an analyst's view of them, and is the one who edits,
approves or rejects 公安提示函; with a station, only the letters about that station's places).
The document id is the user name, so two processes cannot create the same account twice.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from elasticsearch import AsyncElasticsearch, ConflictError, NotFoundError
from pydantic import BaseModel

from dashboards.messages import say
from dashboards.security import hash_password
from yuqing.settings import ElasticsearchSettings
from yuqing.webstore import USERS

ROLES = ("admin", "analyst", "duty_officer", "supervisor")
ROLE_NAMES = {"admin": "管理员", "analyst": "研判人员", "duty_officer": "值班民警", "supervisor": "审批领导"}
USERNAME = re.compile(r"^[A-Za-z0-9_.\-]{2,40}$")


class AccountError(ValueError):
    """An account operation that cannot be done (bad name, unknown role, no such user...)."""


class User(BaseModel):
    username: str
    role: str
    station: str | None = None
    display_name: str | None = None  # 姓名 (the assign list shows it; the username when unset)
    disabled: bool = False
    password_hash: str = ""
    password_changed_at: datetime
    created_at: datetime | None = None
    last_login_at: datetime | None = None
    # Kept for documents written before failed logins moved to the `logins` index (dashboards/logins.py).
    failed_logins: int = 0
    locked_until: datetime | None = None
    sessions_after: datetime | None = None

    @property
    def password_version(self) -> float:
        return round(self.password_changed_at.timestamp(), 3)

    def public(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude={"password_hash"})


def _now() -> datetime:
    return datetime.now(UTC)


def check_new_account(username: str, role: str, station: str | None, stations: list[str] | None) -> None:
    if not USERNAME.match(username):
        raise AccountError(say("username_rule"))
    if role not in ROLES:
        choices = "、".join(f"{ROLE_NAMES[r]}（{r}）" for r in ROLES)
        raise AccountError(say("role_unknown", role=role, roles=choices))
    if role == "duty_officer" and not station:
        raise AccountError(say("officer_station"))
    if station and stations is not None and station not in stations:
        raise AccountError(say("station_not_known", station=station, stations="、".join(stations)))


class Accounts:
    """The users index through the async client."""

    def __init__(self, es: AsyncElasticsearch, settings: ElasticsearchSettings) -> None:
        self.es, self.index = es, settings.name(USERS)

    async def get(self, username: str) -> User | None:
        if not USERNAME.match(username or ""):
            return None
        try:
            doc = await self.es.get(index=self.index, id=username)
        except NotFoundError:
            return None
        return User.model_validate(doc["_source"])

    async def add(
        self,
        username: str,
        password: str,
        role: str,
        station: str | None = None,
        stations: list[str] | None = None,
        display_name: str | None = None,
    ) -> User:
        check_new_account(username, role, station, stations)
        now = _now()
        user = User(
            username=username,
            role=role,
            station=station,
            display_name=(display_name or "").strip()[:100] or None,
            password_hash=hash_password(password),
            password_changed_at=now,
            created_at=now,
        )
        doc = user.model_dump(mode="json") | {"updated_at": now.isoformat()}
        try:
            await self.es.create(index=self.index, id=username, document=doc, refresh="wait_for")
        except ConflictError as exc:
            raise AccountError(say("user_exists", username=username)) from exc
        return user

    async def list(self) -> list[User]:
        resp = await self.es.search(index=self.index, size=1000, sort=[{"username": "asc"}])
        return [User.model_validate(h["_source"]) for h in resp["hits"]["hits"]]

    async def any_admin(self) -> bool:
        resp = await self.es.count(
            index=self.index,
            query={"bool": {"filter": [{"term": {"role": "admin"}}, {"term": {"disabled": False}}]}},
        )
        return resp["count"] > 0

    async def _update(self, username: str, doc: dict[str, Any]) -> None:
        try:
            await self.es.update(
                index=self.index,
                id=username,
                doc=doc | {"updated_at": _now().isoformat()},
                refresh="wait_for",
            )
        except NotFoundError as exc:
            raise AccountError(say("user_missing", username=username)) from exc

    async def set_password(self, username: str, password: str) -> None:
        await self._update(
            username,
            {
                "password_hash": hash_password(password),
                "password_changed_at": _now().isoformat(),
            },
        )

    async def set_disabled(self, username: str, disabled: bool) -> None:
        await self._update(username, {"disabled": disabled})

    async def end_sessions(self, username: str) -> None:
        """Every session issued before now ends (logout signs the user out everywhere)."""
        await self._update(username, {"sessions_after": _now().isoformat()})

    async def login_succeeded(self, user: User) -> None:
        await self._update(user.username, {"last_login_at": _now().isoformat()})
