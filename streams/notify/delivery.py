"""Recording alerts in Elasticsearch and delivering each e-mail once.

The alerts index is the notifier's memory: an alert is created there (status new) before anything is sent,
and `notified_at` is written once the SMTP server accepted the message. A restarted worker that meets the
same alert again (same id) sees `notified_at` and sends nothing; the people's fields (status, assignee, note)
are never touched here. The one gap left is a crash between the relay's 250 and that write: the message then
goes out again with the same Message-ID, which mail clients recognise as the same message.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

from elasticsearch import AsyncElasticsearch, ConflictError, NotFoundError, TransportError
from elasticsearch import ConnectionError as ESConnectionError

from streams.notify import message, smtp
from streams.retry import until_done
from yuqing import es as es_setup
from yuqing.config import Stations
from yuqing.schema import Alert
from yuqing.settings import Settings

log = logging.getLogger(__name__)
ES_TRANSIENT = (ESConnectionError, TransportError, OSError, TimeoutError)
REFRESHED_ON_GROWTH = ("similar_count", "updated_at", "categories", "spots")


class Notifier:
    def __init__(
        self, settings: Settings, client: AsyncElasticsearch, stations: Stations, digest_levels: set[str]
    ) -> None:
        self.settings, self.client, self.stations = settings, client, stations
        self.digest_levels = digest_levels
        self.index = settings.es.name(es_setup.ALERTS)
        self.stats: dict[str, int] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def _count(self, key: str, n: int = 1) -> None:
        self.stats[key] = self.stats.get(key, 0) + n

    async def _es(self, what: str, call):
        return await until_done(
            f"elasticsearch {what}",
            call,
            transient=ES_TRANSIENT,
            max_pause_s=self.settings.stream.retry_max_s,
        )

    async def _existing(self, alert_id: str) -> dict[str, Any] | None:
        async def get():
            try:
                return (await self.client.get(index=self.index, id=alert_id))["_source"]
            except NotFoundError:
                return None

        return await self._es("get alert", get)

    async def _create(self, alert_id: str, doc: dict[str, Any]) -> bool:
        """Create the alert's document; False when it exists (never overwrites the people's fields)."""
        try:
            await self.client.create(index=self.index, id=alert_id, document=doc)
        except ConflictError:
            return False
        return True

    async def _update(self, alert_id: str, doc: dict[str, Any], refresh: bool = False) -> None:
        await self._es(
            "update alert",
            lambda: self.client.update(
                index=self.index, id=alert_id, doc=doc, refresh="wait_for" if refresh else None
            ),
        )

    async def handle(self, alert: Alert) -> str:
        """Record the alert and send what is owed; returns what happened (for the worker's counters).

        Several alerts are handled at once (the agent's concurrency); the same alert never is: its messages
        share a partition, so they meet here in one process and queue on the alert's lock.
        """
        lock = self._locks.setdefault(alert.id, asyncio.Lock())
        try:
            async with lock:
                return await self._handle(alert)
        finally:
            if not lock.locked():
                self._locks.pop(alert.id, None)

    async def _handle(self, alert: Alert) -> str:
        doc = es_setup.alert_document(alert)
        created = await self._es("create alert", lambda: self._create(alert.id, doc))
        if created:
            self._count("alerts/created")
            existing = doc
        else:
            existing = await self._existing(alert.id) or doc
            refresh = {k: v for k, v in alert.stream_fields().items() if k in REFRESHED_ON_GROWTH}
            await self._update(alert.id, refresh)
            self._count("alerts/updated")
        if (existing.get("reason") or {}).get("delivery_error"):
            return "refused before"
        if str(alert.level) in self.digest_levels:
            return "queued for digest"
        # The recipients and agencies are those of the alert as first recorded (a refresh does not re-route).
        first = _from_document(existing)
        return await self._deliver(first, list(existing.get("delivered") or []))

    def _owed(self, alert: Alert, delivered: list[str]) -> list[EmailMessage]:
        """The messages not yet accepted, composed only when owed: a delivered alert is refreshed by every
        repost of its event, and composing MIME is the notifier's largest CPU cost."""
        sender, public_url = self.settings.smtp.sender, self.settings.web.public_url
        owed = []
        if message.message_id(alert.id) not in delivered:
            owed.append(message.compose(alert, sender, public_url))
        for key in alert.agencies:
            agency = next((a for a in self.stations.agencies if a.key == key), None)
            if agency and message.message_id(alert.id, agency.key) not in delivered:
                owed.append(message.compose_notice(alert, agency, sender))
        return owed

    async def _deliver(self, alert: Alert, delivered: list[str]) -> str:
        """Send each message not yet accepted, recording each acceptance at once: after a crash at most the
        one message in flight is offered again."""
        messages = self._owed(alert, delivered)
        if not messages:
            return "already notified"
        for msg in messages:
            try:
                await smtp.send(
                    self.settings.smtp,
                    msg,
                    self.settings.stream.retry_max_s,
                    lambda *_: self._count("smtp/retries"),
                )
            except smtp.PermanentSmtpError as exc:
                log.error("alert %s not delivered: %s", alert.id, exc)
                self._count("smtp/refused")
                await self._update(alert.id, {"reason": {"delivery_error": str(exc)}})
                return "refused"
            delivered.append(str(msg["Message-ID"]))
            record: dict[str, Any] = {"delivered": delivered}
            if msg["Message-ID"] == message.message_id(alert.id):  # the station's own e-mail
                record.update(notified_at=datetime.now(UTC).isoformat(), message_id=str(msg["Message-ID"]))
            await self._update(alert.id, record)
            self._count("mail/sent")
        return "sent"

    async def send_digests(self) -> int:
        """One e-mail per station for the digest-level alerts not yet sent; returns how many were covered."""
        query = {
            "bool": {
                "filter": [{"terms": {"level": sorted(self.digest_levels)}}],
                "must_not": [{"exists": {"field": "notified_at"}}],
            }
        }
        resp = await self._es(
            "search digest",
            lambda: self.client.search(index=self.index, query=query, size=500, sort=[{"raised_at": "asc"}]),
        )
        pending = [_from_document(h["_source"]) for h in resp["hits"]["hits"]]
        pending = [a for a in pending if not (a.reason or {}).get("delivery_error")]
        by_station: dict[str, list[Alert]] = {}
        for alert in pending:
            by_station.setdefault(alert.jurisdiction or self.stations.default_station, []).append(alert)
        for station, alerts in by_station.items():
            to = sorted({r for a in alerts for r in a.recipients})
            msg = message.compose_digest(
                alerts, station, to, self.settings.smtp.sender, self.settings.web.public_url
            )
            try:
                await smtp.send(self.settings.smtp, msg, self.settings.stream.retry_max_s)
            except smtp.PermanentSmtpError as exc:
                log.error("digest for %s not delivered: %s", station, exc)
                continue
            now = datetime.now(UTC).isoformat()
            for alert in alerts:
                await self._update(alert.id, {"notified_at": now, "message_id": msg["Message-ID"]})
            self._count("mail/digests")
        return len(pending)


def _from_document(doc: dict[str, Any]) -> Alert:
    """The alert an indexed document holds (without the fields only the index has, such as summary_seg)."""
    return Alert.model_validate({k: v for k, v in doc.items() if k in Alert.model_fields})
