"""Seed data for the report tests (seed.yaml beside this file): scored posts with a repost chain and a thread,
two events, alerts with their history, a letter sent; times are on a chosen day and the day before it, in
Mile's time. Written straight into Elasticsearch with the kernel's own indexing, as the stream does."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import yaml

from yuqing import es as es_setup
from yuqing.schema import TZ, Alert, Event, Letter, ScoredPost
from yuqing.settings import Settings

SCORES = {"none": 0.05, "low": 0.3, "medium": 0.6, "high": 0.95}


def data() -> dict[str, Any]:
    return yaml.safe_load(Path(__file__).with_name("seed.yaml").read_text(encoding="utf-8"))


def at(day: date, offset: int, hhmm: str) -> datetime:
    return datetime.combine(day + timedelta(days=offset), time.fromisoformat(hhmm), tzinfo=TZ)


def post_id(row: dict[str, Any]) -> str:
    return f"{row['source']}:{row['sid']}"


def scored_post(row: dict[str, Any], day: date) -> ScoredPost:
    published = at(day, row["day"], row["at"]) if "at" in row else None
    crawled = at(day, row["day"], row["crawled"]) if "crawled" in row else published + timedelta(minutes=2)
    return ScoredPost.model_validate(
        {
            "source": row["source"],
            "source_id": row["sid"],
            "url": f"https://example.com/{row['source']}/{row['sid']}",
            "author": row["author"],
            "text": row["text"],
            "published_at": published,
            "crawled_at": crawled,
            "engagement": row.get("engagement") or {},
            "thread_id": row.get("thread"),
            "parent_id": row.get("parent"),
            "root_id": row.get("root"),
            "relevant": row.get("relevant", True),
            "spots": row["spots"],
            "jurisdiction": row["station"],
            "sentiment": {"label": row["sentiment"], "score": 0.9},
            "risk": {
                "level": row["level"],
                "score": SCORES[row["level"]],
                "categories": row.get("categories", []),
            },
            "event_id": row.get("event"),
        }
    )


def posts(day: date) -> list[ScoredPost]:
    return [scored_post(row, day) for row in data()["posts"]]


def _source_of(sid: str) -> str:
    return next(post_id(r) for r in data()["posts"] if r["sid"] == sid)


def events(day: date) -> list[Event]:
    out = []
    for row in data()["events"]:
        out.append(
            Event.model_validate(
                {
                    "id": row["id"],
                    "first_post_id": _source_of(row["first_post"]),
                    "title": row["title"],
                    "first_seen": at(day, row["day"], row["first_seen"]),
                    "last_seen": at(day, row["day"], row["last_seen"]),
                    "post_count": row["post_count"],
                    "sources": row["sources"],
                    "spots": row["spots"],
                    "jurisdiction": row["jurisdiction"],
                    "relevant": True,
                    "peak_level": row["peak_level"],
                    "peak_score": row["peak_score"],
                    "categories": row["categories"],
                    "status": row["status"],
                    "evidence_post_id": _source_of(row["evidence"]),
                }
            )
        )
    return out


def alerts(day: date) -> list[Alert]:
    out = []
    by_sid = {r["sid"]: r for r in data()["posts"]}
    for row in data()["alerts"]:
        raised = at(day, row["day"], row["at"])
        ev = by_sid[row["evidence"]]
        people: dict[str, Any] = {"status": row["status"]}
        if "ack" in row:
            people |= {
                "acknowledged_at": raised + timedelta(seconds=row["ack"]),
                "acknowledged_by": row["ack_by"],
            }
        if "resolved" in row:
            people |= {
                "resolved_at": raised + timedelta(seconds=row["resolved"]),
                "resolved_by": row["resolved_by"],
                "note": row.get("note"),
            }
        history = [
            {"at": (raised + timedelta(minutes=h.pop("min"))).isoformat(), "level": row["level"], **h}
            for h in (dict(h) for h in row.get("history", []))
        ]
        out.append(
            Alert.model_validate(
                {
                    "id": row["id"],
                    "rule": row["rule"],
                    "rule_type": "level",
                    "level": row["level"],
                    "event_id": row.get("event"),
                    "post_ids": [post_id(ev)],
                    "spots": row["spots"],
                    "jurisdiction": row["station"],
                    "summary": row["summary"],
                    "categories": row["categories"],
                    "evidence": {
                        "post_id": post_id(ev),
                        "url": f"https://example.com/{ev['source']}/{ev['sid']}",
                        "source": ev["source"],
                        "author": ev["author"],
                        "excerpt": ev["text"],
                    },
                    "raised_at": raised,
                    "history": history,
                    **people,
                }
            )
        )
    return out


def letters(day: date) -> list[Letter]:
    out = []
    for row in data()["letters"]:
        out.append(
            Letter.model_validate(
                {
                    "id": row["id"],
                    "event_id": row["event"],
                    "alert_id": row["alert"],
                    "agency": row["agency"],
                    "agency_name": row["agency_name"],
                    "agency_email": row["agency_email"],
                    "status": row["status"],
                    "number": row["number"],
                    "subject": row["subject"],
                    "facts": "湖泉生态园游船翻船，多名游客落水。",
                    "requested_action": "请加强游船安全管理。",
                    "jurisdiction": "弥阳派出所",
                    "spots": ["湖泉生态园"],
                    "categories": ["safety"],
                    "level": "high",
                    "created_at": at(day, row["day"], "10:40"),
                    "approved_by": row["approved_by"],
                    "approved_at": at(day, row["day"], row["approved"]),
                    "sent_at": at(day, row["day"], row["sent"]),
                }
            )
        )
    return out


def seed(settings: Settings, day: date) -> None:
    """Index everything under the settings' prefix and refresh."""
    client = es_setup.client(settings.es)
    try:
        for post in posts(day):
            es_setup.index_post(client, settings.es, post)
        for event in events(day):
            client.index(
                index=settings.es.name("events"), id=event.id, document=es_setup.event_document(event)
            )
        for alert in alerts(day):
            es_setup.index_alert(client, settings.es, alert)
        for letter in letters(day):
            client.index(
                index=settings.es.name("letters"), id=letter.id, document=letter.model_dump(mode="json")
            )
        client.indices.refresh(index=settings.es.name("*"))
    finally:
        client.close()
