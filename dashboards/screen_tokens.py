"""Screen tokens (the `screen_tokens` index): what a wall display signs in with, in place of a person.

A token is `<id>.<secret>`; the index keeps the id, a SHA-256 of the secret (32 random bytes, so a plain
hash is enough: nothing to guess from it), the station it is scoped to (none: the whole city), who made it and
when, and whether it was revoked. It never expires and never goes idle (a wall runs all day); it shows the
screen and its stream and nothing else (dashboards/api/routes/screen.py, pages/screen.py); an admin revokes
it, and the stream it feeds ends at its next update.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime
from typing import Any

from elasticsearch import AsyncElasticsearch, NotFoundError
from pydantic import BaseModel

from dashboards.messages import say
from yuqing.settings import ElasticsearchSettings
from yuqing.webstore import SCREEN_TOKENS

_ID = re.compile(r"^st-[0-9a-f]{12}$")


class ScreenTokenError(ValueError):
    """A token operation that cannot be done (no such token, unknown station, empty name)."""


class ScreenToken(BaseModel):
    id: str
    name: str
    station: str | None = None
    created_by: str
    created_at: datetime
    revoked: bool = False
    revoked_by: str | None = None
    revoked_at: datetime | None = None

    @property
    def scope(self) -> str:
        return self.station or "全市"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ScreenTokens:
    """The screen_tokens index (made by `yuqing init`) through the async client."""

    def __init__(self, es: AsyncElasticsearch, settings: ElasticsearchSettings) -> None:
        self.es, self.index = es, settings.name(SCREEN_TOKENS)

    async def create(
        self, name: str, station: str | None, by: str, stations: list[str] | None = None
    ) -> tuple[ScreenToken, str]:
        """A new token and its secret form (`id.secret`), shown once: only its hash is kept."""
        name = (name or "").strip()[:100]
        if not name:
            raise ScreenTokenError(say("screen_token_name"))
        if station and stations is not None and station not in stations:
            raise ScreenTokenError(say("station_not_known", station=station, stations="、".join(stations)))
        token = ScreenToken(
            id="st-" + secrets.token_hex(6),
            name=name,
            station=station or None,
            created_by=by,
            created_at=datetime.now(UTC),
        )
        secret = secrets.token_urlsafe(32)
        doc = token.model_dump(mode="json") | {"secret_sha256": _digest(secret)}
        await self.es.create(index=self.index, id=token.id, document=doc, refresh="wait_for")
        return token, f"{token.id}.{secret}"

    async def _get(self, token_id: str) -> dict[str, Any] | None:
        if not _ID.match(token_id or ""):
            return None
        try:
            return (await self.es.get(index=self.index, id=token_id))["_source"]
        except NotFoundError:
            return None

    async def check(self, raw: str | None) -> ScreenToken | None:
        """The token a wall presents, if it exists, matches and was not revoked; else None."""
        if not raw or raw.count(".") != 1 or len(raw) > 200:
            return None
        token_id, secret = raw.split(".")
        doc = await self._get(token_id)
        if doc is None or not hmac.compare_digest(doc.get("secret_sha256", ""), _digest(secret)):
            return None
        token = ScreenToken.model_validate({k: v for k, v in doc.items() if k != "secret_sha256"})
        return None if token.revoked else token

    async def list(self) -> list[ScreenToken]:
        resp = await self.es.search(
            index=self.index, size=1000, sort=[{"created_at": "desc"}], ignore_unavailable=True
        )
        return [
            ScreenToken.model_validate({k: v for k, v in h["_source"].items() if k != "secret_sha256"})
            for h in resp["hits"]["hits"]
        ]

    async def revoke(self, token_id: str, by: str) -> ScreenToken:
        if await self._get(token_id) is None:
            raise ScreenTokenError(say("screen_token_missing", token_id=token_id))
        now = datetime.now(UTC).isoformat()
        await self.es.update(
            index=self.index,
            id=token_id,
            doc={"revoked": True, "revoked_by": by, "revoked_at": now},
            refresh="wait_for",
        )
        doc = await self._get(token_id)
        return ScreenToken.model_validate({k: v for k, v in (doc or {}).items() if k != "secret_sha256"})
