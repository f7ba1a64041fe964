"""Analysts' corrections of the model's judgement, one document per post (the latest wins; the audit
trail keeps every change), and the false-alarm marks the alert console leaves on an alert's evidence post."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from elasticsearch import AsyncElasticsearch
from pydantic import BaseModel, ConfigDict, Field, field_validator

from yuqing.schema import RiskCategory, RiskLevel, SentimentLabel
from yuqing.settings import ElasticsearchSettings
from yuqing.webstore import CORRECTIONS


class CorrectionIn(BaseModel):
    """What an analyst may correct; a field left out keeps the model's label."""

    model_config = ConfigDict(extra="ignore")

    post_id: str = Field(min_length=1, max_length=400)
    relevant: bool | None = None
    spots: list[str] | None = None
    level: RiskLevel | None = None
    categories: list[RiskCategory] | None = None
    sentiment: SentimentLabel | None = None
    note: str | None = Field(None, max_length=2000)

    @field_validator("relevant", "level", "sentiment", "note", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if value == "" else value

    @field_validator("spots", "categories", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        if value is None:
            return None
        values = [value] if isinstance(value, str) else value
        # Forms send an empty `categories`/`spots` beside the boxes, so none ticked means an empty list.
        return [v for v in values if v != ""] if isinstance(values, list) else values

    def check(self, spots: list[str]) -> None:
        unknown = [s for s in self.spots or [] if s not in spots]
        if unknown:
            raise ValueError(f"unknown spot(s): {', '.join(unknown)}")
        if self.level == RiskLevel.none and self.categories is None:
            self.categories = []
        level, cats = self.level, self.categories
        if level is None and cats == []:
            raise ValueError("no category left: set the risk level to none as well")
        # The labelling rule of models/data/README.md: level none exactly when there is no category.
        if level is not None and cats is not None and (level == RiskLevel.none) != (not cats):
            raise ValueError("risk level none goes with no categories, any other level with at least one")
        if self.relevant is False and level not in (None, RiskLevel.none):
            raise ValueError("an irrelevant post has risk level none")


class Corrections:
    def __init__(self, es: AsyncElasticsearch, settings: ElasticsearchSettings) -> None:
        self.es, self.index = es, settings.name(CORRECTIONS)

    async def save(self, correction: CorrectionIn, by: str) -> dict[str, Any]:
        doc = correction.model_dump(mode="json") | {"by": by, "at": datetime.now(UTC).isoformat()}
        if correction.relevant is False:
            doc.update(level="none", categories=[], spots=[])
        doc["false_alarm"] = False
        await self.es.index(index=self.index, id=correction.post_id, document=doc, refresh="wait_for")
        return doc

    async def mark_false_alarm(self, post_id: str, alert_id: str, by: str, note: str | None) -> None:
        """Keep an analyst's own correction if there is one; else record that this post should not alert."""
        now = datetime.now(UTC).isoformat()
        script_free = {"false_alarm": True, "alert_id": alert_id, "by": by, "at": now}
        await self.es.update(
            index=self.index,
            id=post_id,
            doc=script_free,
            upsert={"post_id": post_id, "note": note, **script_free},
            refresh="wait_for",
        )

    async def get(self, post_id: str) -> dict[str, Any] | None:
        resp = await self.es.options(ignore_status=404).get(index=self.index, id=post_id)
        return resp["_source"] if resp.get("found") else None
