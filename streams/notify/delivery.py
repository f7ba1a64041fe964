"""Stage 6, notify: recording alerts in Elasticsearch and delivering each e-mail once: the first at once,
later news as short updates threaded to it.

The alerts index is the notifier's memory: an alert is created there (status new) before anything is sent;
each Message-ID the relay accepted is recorded in `delivered` at once, with what that e-mail told (`mailed`:
level, size, platforms, status). A restarted worker that meets the same alert again sees them and sends
nothing already accepted. Every write is a partial update under a version check (`if_seq_no`): a concurrent
writer (another worker, the timer, a person acknowledging in the console) makes it read again and retry,
never fail, and the people's fields (status, assignee, note) are never written here.

What an update is for (`news`): the level rose (sent at once), a source reports the case resolved (at once),
the event reached a new platform, or it grew past ×5 of its size at the last e-mail (×25, ×100 are named as
such); those two wait until `update_every_min` has passed since the last e-mail (`update_due_at`; the leader's
timer sends what is due). An update that two processes might send is claimed first (`mailed.sending`, for
CLAIM_S), so it goes out once. The one gap left is a crash between the relay's 250 and its record: the message
then goes out again with the same Message-ID, which mail stores recognise as the same message — at once when
the claim's process is known gone (same host, its pid no longer alive: a restarted worker meets the alert
again), otherwise when the claim runs out.

Agencies are never mailed from here: a rule that passes problems on gets a 公安提示函 draft per event and
agency in the `letters` index, which a supervisor approves.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from elasticsearch import ApiError, AsyncElasticsearch, ConflictError, NotFoundError, TransportError
from elasticsearch import ConnectionError as ESConnectionError

from streams import alerting
from streams.notify import letters, message, smtp
from streams.retry import until_done
from streams.rules import RuleSet
from yuqing import es as es_setup
from yuqing.config import Stations
from yuqing.labels import source_name
from yuqing.schema import Alert, RiskLevel
from yuqing.settings import Settings

log = logging.getLogger(__name__)
ES_TRANSIENT = (ESConnectionError, TransportError, OSError, TimeoutError)
ORDER = list(RiskLevel)
GROWTH_STEPS = (100, 25, 5)  # an update names the largest step passed since the last e-mail
HISTORY_KEPT = 200
CLAIM_S = 60.0
VERSION_ATTEMPTS = 50
BATCH_CONCURRENCY = 8
# Refreshed on every message about the alert; the rest (level, evidence, routing) only when it escalates.
REFRESHED = ("similar_count", "event_size", "sources", "event_status", "updated_at", "post_ids")


def claim_token() -> str:
    """This process's name on the updates it claims: host, pid and a random part (a pid is reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def claim_abandoned(token: str | None) -> bool:
    """Whether a claim was made by a process of this host that is gone (a worker killed between the relay's
    250 and its record): its update is sent again now, with the same Message-ID, rather than after CLAIM_S.
    A claim of another host, or of an older token without a pid, waits out CLAIM_S."""
    host, _, rest = (token or "").partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


class Overloaded(Exception):
    """Elasticsearch answered 429 or 5xx (overloaded, or shards not yet available after a restart)."""


class Notifier:
    def __init__(
        self,
        settings: Settings,
        client: AsyncElasticsearch,
        stations: Stations,
        digest_levels: set[str],
        rules: RuleSet | None = None,
    ) -> None:
        self.settings, self.client, self.stations, self.rules = settings, client, stations, rules
        self.digest_levels = digest_levels
        self.index = settings.es.name(es_setup.ALERTS)
        self.letters_index = settings.es.name(es_setup.LETTERS)
        self.update_every = timedelta(minutes=settings.stream.update_every_min)
        self.stats: dict[str, int] = {}
        self.token = claim_token()  # names this process's claims on updates
        self.smtp = smtp.SmtpPool(settings.smtp)  # connections kept open between e-mails

    async def close(self) -> None:
        """Let the relay go (the Elasticsearch client is its owner's to close)."""
        await self.smtp.close()

    def _count(self, key: str, n: int = 1) -> None:
        self.stats[key] = self.stats.get(key, 0) + n

    async def _es(self, what: str, call):
        async def answered():
            try:
                return await call()
            except ApiError as exc:  # 429, or 5xx while shards recover after a restart: it passes
                if exc.status_code == 429 or exc.status_code >= 500:
                    raise Overloaded(f"{exc.status_code} {exc.error}") from exc
                raise

        return await until_done(
            f"elasticsearch {what}",
            answered,
            transient=(*ES_TRANSIENT, Overloaded),
            max_pause_s=self.settings.stream.retry_max_s,
        )

    # --- versioned access ------------------------------------------------------------------------

    async def _read(self, alert_id: str) -> tuple[dict[str, Any], dict[str, int]] | None:
        async def get():
            try:
                resp = await self.client.get(index=self.index, id=alert_id)
            except NotFoundError:
                return None
            return resp["_source"], {"if_seq_no": resp["_seq_no"], "if_primary_term": resp["_primary_term"]}

        return await self._es("get alert", get)

    async def _create(self, alert_id: str, doc: dict[str, Any]) -> bool:
        async def create():
            try:
                await self.client.create(index=self.index, id=alert_id, document=doc)
            except ConflictError:
                return False
            return True

        return await self._es("create alert", create)

    async def _write(self, alert_id: str, fields: dict[str, Any], version: dict[str, int]) -> bool:
        """A partial update if nobody wrote the document since `version` was read; False if somebody did."""

        async def update():
            try:
                await self.client.update(index=self.index, id=alert_id, doc=fields, **version)
            except ConflictError:
                return False
            return True

        return await self._es("update alert", update)

    async def mutate(self, alert_id: str, change) -> dict[str, Any] | None:
        """Apply `change(doc) -> fields or None` under a version check, reading again after a conflict;
        returns the document as written (None when it does not exist)."""
        for _ in range(VERSION_ATTEMPTS):
            found = await self._read(alert_id)
            if found is None:
                return None
            doc, version = found
            fields = change(doc)
            if not fields:
                return doc
            if await self._write(alert_id, fields, version):
                return {**doc, **fields}
            self._count("alerts/conflicts")
            await asyncio.sleep(0.01)
        raise RuntimeError(f"alert {alert_id}: still conflicting after {VERSION_ATTEMPTS} attempts")

    # --- handling --------------------------------------------------------------------------------

    async def handle_batch(self, alerts: list[Alert]) -> list[str]:
        """Handle a batch of alert messages: only the latest message of each alert (they carry its whole
        state). The batch is recorded in two requests (one read of every alert, one bulk of the creations
        and versioned refreshes); only what conflicted goes the one-by-one way. Then, distinct alerts at
        once, what each owes is sent."""
        by_id: dict[str, list[Alert]] = {}
        for alert in alerts:
            by_id.setdefault(alert.id, []).append(alert)
        now = datetime.now(UTC)
        latest = {alert_id: self._addressed(coalesce(messages), now) for alert_id, messages in by_id.items()}
        self._count("alerts/coalesced", len(alerts) - len(latest))
        recorded = await self._record_batch(list(latest.values()), now)
        gate = asyncio.Semaphore(BATCH_CONCURRENCY)

        async def one(alert: Alert) -> str:
            async with gate:
                doc = recorded.get(alert.id)
                if doc is None:  # a conflict in the bulk: read again and write under the version check
                    doc = await self._record(alert, now)
                return await self._follow_up(alert, doc)

        return list(await asyncio.gather(*(one(a) for a in latest.values())))

    async def handle(self, alert: Alert) -> str:
        """Record the alert and send what is owed; returns what happened (for the worker's counters)."""
        now = datetime.now(UTC)
        alert = self._addressed(alert, now)
        return await self._follow_up(alert, await self._record(alert, now))

    def _addressed(self, alert: Alert, now: datetime) -> Alert:
        """The alert with its recipients, copies and letter agencies taken from the roster now (stations.yaml
        and the alert's rule), never from the message: whatever can write to the alerts topic must not choose
        where mail and letters go. A genuine alert is routed the same way when it is raised."""
        rule = self.rules.named(alert.rule) if self.rules is not None else None
        categories = [str(c) for c in alert.categories]
        station = alert.jurisdiction
        to, cc, agencies = alerting.route(alert.level, station, categories, rule, self.stations, now)
        if (set(to), set(cc), set(agencies)) != (set(alert.recipients), set(alert.cc), set(alert.agencies)):
            log.warning("alert %s: addressed from the roster, not as the message asked", alert.id)
            self._count("alerts/readdressed")
        return alert.model_copy(update={"recipients": to, "cc": cc, "agencies": agencies})

    async def _record(self, alert: Alert, now: datetime) -> dict[str, Any]:
        """One alert created, or refreshed under the version check; the document as written."""
        doc = _raised(alert, now)
        if await self._create(alert.id, doc):
            self._count("alerts/created")
            return doc
        self._count("alerts/updated")
        return await self.mutate(alert.id, lambda d: _refresh(d, alert, now)) or doc

    async def _record_batch(self, alerts: list[Alert], now: datetime) -> dict[str, dict[str, Any]]:
        """Every alert of a batch recorded in one read and one bulk write; the documents as written, by id.
        An alert whose write conflicted (a person or another worker wrote it in between) is left out, for
        `_record` to do again."""
        if not alerts:
            return {}
        found = await self._read_many([a.id for a in alerts])
        operations: list[dict[str, Any]] = []
        written: dict[str, dict[str, Any]] = {}
        for alert in alerts:
            current = found.get(alert.id)
            if current is None:
                written[alert.id] = _raised(alert, now)
                operations += [{"create": {"_index": self.index, "_id": alert.id}}, written[alert.id]]
                continue
            doc, version = current
            fields = _refresh(doc, alert, now)
            written[alert.id] = {**doc, **(fields or {})}
            if fields:
                versioned = {"_index": self.index, "_id": alert.id, **version}
                operations += [{"update": versioned}, {"doc": fields}]
        if operations:
            resp = await self._es("record alerts", lambda: self.client.bulk(operations=operations))
            for item in resp["items"]:
                ((op, result),) = item.items()
                if result.get("status", 500) >= 300:  # 409: written in between; anything else: one by one
                    written.pop(result["_id"], None)
                    self._count("alerts/conflicts")
                else:
                    self._count("alerts/created" if op == "create" else "alerts/updated")
        return written

    async def _read_many(self, alert_ids: list[str]) -> dict[str, tuple[dict[str, Any], dict[str, int]]]:
        """The alerts that exist, each with the version it was read at."""
        resp = await self._es("read alerts", lambda: self.client.mget(index=self.index, ids=alert_ids))
        return {
            d["_id"]: (d["_source"], {"if_seq_no": d["_seq_no"], "if_primary_term": d["_primary_term"]})
            for d in resp["docs"]
            if d.get("found")
        }

    async def _follow_up(self, alert: Alert, doc: dict[str, Any]) -> str:
        """What a recorded alert owes: letter drafts, then its first e-mail or an update."""
        if alert.agencies:
            await self._draft_letters(_from_document(doc))
        if (doc.get("reason") or {}).get("delivery_error"):
            return "refused before"
        if str(doc.get("level")) in self.digest_levels:
            return "queued for digest"
        return await self._deliver(alert.id, doc)

    async def _deliver(self, alert_id: str, doc: dict[str, Any]) -> str:
        if message.message_id(alert_id) not in (doc.get("delivered") or []):
            return await self._send_first(alert_id, doc)
        news, urgent = what_changed(doc)
        if not news:
            return "already notified"
        now = datetime.now(UTC)
        due = _mailed_at(doc) + self.update_every
        if not urgent and now < due:
            if not doc.get("update_due_at"):
                await self.mutate(alert_id, lambda _d: {"update_due_at": due.isoformat()})
            return "update owed"
        return await self.send_update(alert_id)

    async def _send_first(self, alert_id: str, doc: dict[str, Any]) -> str:
        alert = _from_document(doc)
        msg = message.compose(alert, self.settings.smtp.sender, self.settings.web.public_url)
        if not await self._send(alert_id, msg):
            return "refused"
        now = datetime.now(UTC)

        def record(d: dict[str, Any]) -> dict[str, Any]:
            return {
                "delivered": _added(d.get("delivered"), str(msg["Message-ID"])),
                "notified_at": now.isoformat(),
                "message_id": str(msg["Message-ID"]),
                "mailed": _mailed(d, now, 0),
                "history": _history(d, _entry(now, "mailed", alert, dropped=message.dropped_headers(msg))),
            }

        await self.mutate(alert_id, record)
        self._count("mail/sent")
        return "sent"

    async def send_update(self, alert_id: str) -> str:
        """Send the update an alert owes now (claimed first, so two processes never both send it)."""
        now = datetime.now(UTC)
        claimed: dict[str, Any] = {}

        def claim(d: dict[str, Any]) -> dict[str, Any] | None:
            news, _ = what_changed(d)
            sending = (d.get("mailed") or {}).get("sending") or {}
            n = int((d.get("mailed") or {}).get("updates", 0)) + 1
            by = sending.get("by")
            held = sending.get("n") == n and sending.get("at", 0) > now.timestamp() - CLAIM_S
            if not news or (held and by != self.token and not claim_abandoned(by)):
                return None
            claimed.update(n=n, news=news)
            # if this process dies before recording the send, the timer offers it again after the claim
            retry_at = (now + timedelta(seconds=CLAIM_S)).isoformat()
            sending = {"n": n, "at": now.timestamp(), "by": self.token}
            return {"mailed": {**d["mailed"], "sending": sending}, "update_due_at": retry_at}

        doc = await self.mutate(alert_id, claim)
        if doc is None or not claimed:
            return "already notified"
        alert = _from_document(doc)
        msg = message.compose_update(
            alert, claimed["news"], claimed["n"], self.settings.smtp.sender, self.settings.web.public_url
        )
        if not await self._send(alert_id, msg):
            return "refused"
        sent_at = datetime.now(UTC)

        def record(d: dict[str, Any]) -> dict[str, Any]:
            return {
                "delivered": _added(d.get("delivered"), str(msg["Message-ID"])),
                "mailed": _mailed(d, sent_at, claimed["n"]),
                "update_due_at": None,
                "history": _history(d, _entry(sent_at, "update", alert, news=claimed["news"])),
            }

        await self.mutate(alert_id, record)
        self._count("mail/updates")
        return "update sent"

    async def _send(self, alert_id: str, msg: EmailMessage) -> bool:
        try:
            await smtp.send(
                self.smtp,
                msg,
                self.settings.stream.retry_max_s,
                lambda *_: self._count("smtp/retries"),
            )
        except smtp.PermanentSmtpError as exc:
            log.error("alert %s not delivered: %s", alert_id, exc)
            self._count("smtp/refused")
            error = str(exc)
            await self.mutate(
                alert_id, lambda d: {"reason": {**(d.get("reason") or {}), "delivery_error": error}}
            )
            return False
        self.stats["smtp/connections"] = self.smtp.connects  # opened so far: few, if they are reused
        return True

    async def send_due_updates(self) -> int:
        """The leader's timer: send the updates whose interval has passed, and those a process of this host
        claimed before it died (not to wait out the claim); returns how many went out."""
        resp = await self._es(
            "search owed updates",
            lambda: self.client.search(
                index=self.index,
                query={"exists": {"field": "update_due_at"}},
                sort=[{"update_due_at": "asc"}],
                size=100,
                source_includes=["update_due_at", "mailed.sending"],
            ),
        )
        now = datetime.now(UTC)
        sent = 0
        for hit in resp["hits"]["hits"]:
            owed = hit["_source"]
            claim = ((owed.get("mailed") or {}).get("sending") or {}).get("by")
            if datetime.fromisoformat(owed["update_due_at"]) > now and not claim_abandoned(claim):
                continue
            outcome = await self.send_update(hit["_id"])
            if outcome == "update sent":
                sent += 1
            elif outcome == "already notified":
                await self.mutate(
                    hit["_id"], lambda d: {"update_due_at": None} if d.get("update_due_at") else None
                )
        return sent

    async def _draft_letters(self, alert: Alert) -> None:
        for key in alert.agencies:
            agency = next((a for a in self.stations.agencies if a.key == key), None)
            if agency is None:
                continue
            lid = letters.letter_id(alert, key)
            await self._es(
                "draft letter", lambda lid=lid, agency=agency: self._upsert_draft(lid, alert, agency)
            )

    async def _upsert_draft(self, lid: str, alert: Alert, agency) -> None:
        for _ in range(VERSION_ATTEMPTS):
            try:
                resp = await self.client.get(index=self.letters_index, id=lid)
            except NotFoundError:
                doc = letters.draft(alert, agency).model_dump(mode="json")
                try:
                    await self.client.create(index=self.letters_index, id=lid, document=doc)
                    self._count("letters/drafted")
                    return
                except ConflictError:
                    continue
            previous = resp["_source"]
            if previous.get("status") != "draft":
                return  # approved, sent or rejected: a person's decision, never rewritten
            doc = letters.draft(alert, agency, previous).model_dump(mode="json")
            if {**doc, "updated_at": previous.get("updated_at")} == previous:
                return  # a refresh that changes nothing a supervisor reads: no write
            try:
                await self.client.index(
                    index=self.letters_index,
                    id=lid,
                    document=doc,
                    if_seq_no=resp["_seq_no"],
                    if_primary_term=resp["_primary_term"],
                )
                return
            except ConflictError:
                continue

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
                await smtp.send(self.smtp, msg, self.settings.stream.retry_max_s)
            except smtp.PermanentSmtpError as exc:
                log.error("digest for %s not delivered: %s", station, exc)
                continue
            now = datetime.now(UTC).isoformat()
            for alert in alerts:
                await self.mutate(
                    alert.id,
                    lambda _d, at=now, mid=str(msg["Message-ID"]): {"notified_at": at, "message_id": mid},
                )
            self._count("mail/digests")
        return len(pending)


def coalesce(messages: list[Alert]) -> Alert:
    """Several messages about one alert as one: the counts of the latest, and what it is about (level, rule,
    evidence, routing) from the first of the most severe, so a repost never takes the place of the post that
    raised the alert."""
    latest = messages[-1]
    top = max(messages, key=lambda a: ORDER.index(a.level))  # max keeps the first of equals
    keep = ("level", "rule", "rule_type", "reason", "evidence", "summary", "post_ids", "recipients", "cc",
            "agencies", "jurisdiction")  # fmt: skip
    return latest.model_copy(update={k: getattr(top, k) for k in keep})


# --- what changed -------------------------------------------------------------------------------


def _raised(alert: Alert, now: datetime) -> dict[str, Any]:
    """A new alert's document: its state, and the history's first entry."""
    doc = es_setup.alert_document(alert)
    doc["history"] = [_entry(now, "raised", alert)]
    return doc


def _refresh(doc: dict[str, Any], alert: Alert, now: datetime) -> dict[str, Any] | None:
    """The fields a newer message about the alert changes: counts always; level, evidence and routing when
    it escalated; a history entry for each change a person would want to see."""
    new = alert.stream_fields()
    fields = {k: new[k] for k in REFRESHED if new.get(k) != doc.get(k) and new.get(k) not in (None, [], 0)}
    fields.pop("updated_at", None)
    entries = []
    categories = sorted(set(doc.get("categories") or []) | {str(c) for c in alert.categories})
    if categories != sorted(doc.get("categories") or []):
        fields["categories"] = categories
    spots = [*(doc.get("spots") or []), *(s for s in alert.spots if s not in (doc.get("spots") or []))]
    if spots != (doc.get("spots") or []):
        fields["spots"] = spots
    if ORDER.index(alert.level) > ORDER.index(RiskLevel(doc["level"])):
        fields.update({k: new[k] for k in ("level", "rule", "rule_type", "reason", "evidence", "summary",
                                           "recipients", "cc", "jurisdiction", "agencies")})  # fmt: skip
        entries.append(_entry(now, "escalated", alert, before=doc["level"]))
    if new.get("event_status") == "reported_resolved" and doc.get("event_status") != "reported_resolved":
        entries.append(_entry(now, "reported_resolved", alert))
    added = sorted(set(alert.sources) - set(doc.get("sources") or []))
    if added and doc.get("sources"):
        entries.append(_entry(now, "spread", alert, platforms=added))
    if not fields and not entries:
        return None
    fields["updated_at"] = now.isoformat()
    if entries:
        fields["history"] = _history(doc, *entries)
    return fields


def what_changed(doc: dict[str, Any]) -> tuple[list[str], bool]:
    """What a duty officer has not been told yet (Chinese lines for the update), and whether it is urgent
    (an escalation or a resolution report: not held back by the update interval)."""
    mailed = doc.get("mailed") or {}
    if not mailed:
        return [], False
    news, urgent = [], False
    level, told = RiskLevel(doc["level"]), RiskLevel(mailed.get("level") or doc["level"])
    if ORDER.index(level) > ORDER.index(told):
        news.append(
            f"预警升级：{message.ALERT_LEVEL_NAMES[str(told)]} → {message.ALERT_LEVEL_NAMES[str(level)]}"
        )
        urgent = True
    if doc.get("event_status") == "reported_resolved" and mailed.get("status") != "reported_resolved":
        news.append("有信息源报告该事件已处置/人员已脱险，请核实后在系统中办结")
        urgent = True
    added = sorted(set(doc.get("sources") or []) - set(mailed.get("sources") or []))
    if added:
        news.append(f"扩散到新平台：{'、'.join(map(source_name, added))}")
    size, before = int(doc.get("event_size") or 0), max(1, int(mailed.get("size") or 1))
    step = next((k for k in GROWTH_STEPS if size >= before * k), None)
    if step:
        news.append(f"事件规模扩大：{before} → {size} 条（×{step} 以上）")
    return news, urgent


def _mailed(doc: dict[str, Any], at: datetime, updates: int) -> dict[str, Any]:
    return {
        "level": doc.get("level"),
        "size": int(doc.get("event_size") or 0) or int(doc.get("similar_count") or 0) + 1,
        "sources": list(doc.get("sources") or []),
        "status": doc.get("event_status"),
        "at": at.isoformat(),
        "updates": updates,
    }


def _mailed_at(doc: dict[str, Any]) -> datetime:
    at = (doc.get("mailed") or {}).get("at")
    return datetime.fromisoformat(at) if at else datetime.now(UTC)


def _entry(at: datetime, what: str, alert: Alert, **more: Any) -> dict[str, Any]:
    return {
        "at": at.isoformat(),
        "what": what,
        "level": str(alert.level),
        "size": alert.event_size or alert.similar_count + 1,
        **{k: v for k, v in more.items() if v},
    }


def _history(doc: dict[str, Any], *entries: dict[str, Any]) -> list[dict[str, Any]]:
    return [*(doc.get("history") or []), *entries][-HISTORY_KEPT:]


def _added(values: list[str] | None, value: str) -> list[str]:
    values = list(values or [])
    return values if value in values else [*values, value]


def _from_document(doc: dict[str, Any]) -> Alert:
    """The alert an indexed document holds (without the fields only the index has, such as summary_seg)."""
    return Alert.model_validate({k: v for k, v in doc.items() if k in Alert.model_fields})
