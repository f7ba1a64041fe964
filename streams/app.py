"""The stream's one Faust app and its whole topology, top to bottom: topics, tables, agents, timers. What each
agent does lives in `streams.pipeline.Pipeline` (and the notifier in `streams.notify.delivery`).

    posts.raw (by post id)  ─ intaking ──────► posts.placed (by place); urgent candidates ► posts.urgent;
                                               bad input ► posts.dlq
    posts.placed            ─ processing ────► per micro-batch: events (thread, chain, copy, near-duplicate,
    posts.urgent            ─ fast_lane ─────►   same happening), scores, Elasticsearch posts-YYYY.MM,
                                                 posts.scored, rules ► alerts, snapshots ► events.changes
    events.changes          ─ event_indexing ► Elasticsearch events
    alerts                  ─ notifying ─────► Elasticsearch alerts and letters (drafts), SMTP (duty officers)

Every hop after intake is keyed by the post's place (its main scenic spot, else the city, else elsewhere), so
one spot's events, windows and cooldowns live in one partition: the tables below are written only while
processing posts.placed or posts.urgent (co-partitioned: same keys, same partition count). The fast lane is
the same work on its own topic and agent, so an emergency never queues behind ordinary posts. Offsets are
committed only after an agent has handled a message and the producer has flushed what it sent, so a killed
worker redoes its last messages; every stage is idempotent by id for that. posts.scored is the public stream
of scored posts for other consumers (the project's own rules run inside processing, on the same posts).
"""

from __future__ import annotations

import functools
import logging
from datetime import UTC, datetime
from typing import Any

import faust
import mode

from streams import events, judging
from streams.indexing import bulk_until_done, event_actions
from streams.notify.delivery import Notifier
from streams.pipeline import Pipeline, in_event, origin_of  # noqa: F401 - in_event: re-exported for tests
from streams.rules import RuleSet, load_rules
from streams.stats import Stats
from streams.writebehind import WriteBehind
from yuqing import es as es_setup
from yuqing.config import load_stations
from yuqing.gazetteer import default_matcher
from yuqing.schema import (
    TOPIC_ALERTS,
    TOPIC_DLQ,
    TOPIC_EVENTS,
    TOPIC_PLACED,
    TOPIC_RAW,
    TOPIC_SCORED,
    TOPIC_URGENT,
    Alert,
)
from yuqing.settings import Settings

log = logging.getLogger(__name__)
# Alerts are handled in batches: the latest message of each alert in a batch, distinct alerts at once.
NOTIFY_CONCURRENCY = 8
NOTIFY_BATCH, NOTIFY_WITHIN_S = 256, 0.1  # a first e-mail waits at most this for its batch
# Two batches in flight: one is scored in the executor (ONNX releases the GIL) while the other is grouped or
# judged on the event loop. Tables stay consistent: no read-modify-write of a table spans an await.
PROCESSING_CONCURRENCY = 2
FAST_LANE_BATCH, FAST_LANE_WITHIN_S = 16, 0.02
UPDATES_EVERY_S = 15.0


def create_app(settings: Settings, scorer_factory=None, rules: RuleSet | None = None) -> faust.App:
    """The Faust app for these settings; `scorer_factory` builds the scorer (default: MODEL_* settings)."""
    k, s = settings.kafka, settings.stream
    data_dir = s.data_dir or settings.services.state_dir / "stream"
    data_dir.mkdir(parents=True, exist_ok=True)  # Faust makes only the last level
    app = faust.App(
        k.topic(s.app_id),
        broker=[f"kafka://{b.strip()}" for b in k.bootstrap_servers.split(",")],
        store="memory://",
        topic_partitions=k.partitions,
        topic_replication_factor=k.replication_factor,
        key_serializer="raw",
        value_serializer="raw",
        web_enabled=False,
        broker_commit_interval=0.5,
        # A killed worker's partitions move to the others after this (Faust's default is 60 s); it must not
        # exceed the request timeout.
        broker_session_timeout=s.session_timeout_s,
        broker_heartbeat_interval=max(1.0, s.session_timeout_s / 5),
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        # Every post crosses several hops: let each hop's sends share produce requests (5 ms at most).
        producer_linger=0.005,
        stream_wait_empty=False,
        # Faust keeps table metadata on disk even for memory:// stores: beside the services' state (var/, or
        # /data in the image), not in whatever the working directory is
        datadir=str(data_dir / "{conf.name}"),
    )
    stats = Stats(settings, app.conf.id)
    rules = rules or load_rules()
    stations = load_stations()

    # --- topics ----------------------------------------------------------------------------------
    def topic(name: str) -> faust.TopicT:
        return app.topic(k.topic(name), key_type=bytes, value_type=bytes, partitions=k.partitions)

    raw, placed, urgent = topic(TOPIC_RAW), topic(TOPIC_PLACED), topic(TOPIC_URGENT)
    scored, event_changes = topic(TOPIC_SCORED), topic(TOPIC_EVENTS)
    alerts, dlq = topic(TOPIC_ALERTS), topic(TOPIC_DLQ)

    # --- tables (all keyed by place or by ids of one place: co-partitioned with posts.placed) ----
    def table(name: str, help_: str) -> faust.Table:
        return app.Table(name, default=None, partitions=k.partitions, help=help_)

    # written behind: each key's last value of a micro-batch goes to the changelog once (streams.writebehind)
    tables = events.Tables(
        members=WriteBehind(
            table("members", "post id → its event, origin, text hash, first sighting, place")
        ),
        texts=WriteBehind(table("texts", "place|text hash → the event, the original post and its scores")),
        bands={},  # derived from `events` (events.rebuild_derived), not changelogged
        events=WriteBehind(table("events", "event id → the event record (level, counts, status, evidence)")),
    )
    judge_state = judging.State(
        rule_state=table("rule_state", "rule|place → the rule's windows for that place"),
        cooldowns=table("cooldowns", "rule|place|window → when that rule last fired there"),
        escalation=table("escalation", "event id|family → the event's alert: level, rule, summary"),
    )

    @tables.events.table.on_recover
    async def rebuild_derived() -> None:
        """After recovery (start, rebalance), the band index and live events per place are rebuilt."""
        made = events.rebuild_derived(
            tables, window_s=s.event_window_h * 3600, max_distance=s.simhash_distance
        )
        log.info("SimHash band index rebuilt: %d entries from %d events", made, len(tables.events))

    # --- clients, made on first use (the worker's, not the importer's) ---------------------------
    lazy: dict[str, Any] = {}

    def es_client():
        if "es" not in lazy:
            lazy["es"] = es_setup.async_client(settings.es)
        return lazy["es"]

    def scorer():
        if "scorer" not in lazy:
            from models.scorer import Scorer

            lazy["scorer"] = (scorer_factory or (lambda: Scorer.from_settings(settings)))()
        return lazy["scorer"]

    def notifier() -> Notifier:
        if "notifier" not in lazy:
            lazy["notifier"] = Notifier(settings, es_client(), stations, rules.digest_levels)
            stats.sources.append(lazy["notifier"].stats)
        return lazy["notifier"]

    @app.service
    class Clients(mode.Service):
        """Closes the worker's Elasticsearch client when the worker stops."""

        async def on_stop(self) -> None:
            if "es" in lazy:
                await lazy["es"].close()

    pipeline = Pipeline(
        settings,
        topics={
            "placed": placed,
            "urgent": urgent,
            "scored": scored,
            "events": event_changes,
            "alerts": alerts,
            "dlq": dlq,
        },
        tables=tables,
        judge_state=judge_state,
        rules=rules,
        stations=stations,
        matcher=default_matcher(),
        stats=stats,
        scorer=scorer,
        es_client=es_client,
    )

    # --- agents ----------------------------------------------------------------------------------
    @app.agent(raw)
    async def intaking(stream):
        """Validate, normalise and place raw posts; urgent candidates to the fast lane; bad input → DLQ."""
        async for event in stream.events():
            await pipeline.guarded("validate", event, pipeline.intake)

    @app.agent(placed, concurrency=PROCESSING_CONCURRENCY)
    async def processing(stream):
        """Per micro-batch: events, scores, index, posts.scored, rules → alerts, event snapshots."""
        async for batch in stream.take_events(s.batch_size, within=s.batch_within_s):
            await pipeline.process(batch)

    @app.agent(urgent)
    async def fast_lane(stream):
        """The same work for urgent candidates, in small batches that never wait behind posts.placed."""
        async for batch in stream.take_events(FAST_LANE_BATCH, within=FAST_LANE_WITHIN_S):
            await pipeline.process(batch)

    @app.agent(event_changes)
    async def event_indexing(stream):
        """Index event snapshots (the latest of each in a batch wins)."""
        async for batch in stream.take_events(s.batch_size, within=s.batch_within_s):
            import json

            docs = [json.loads(e.value) for e in batch]
            refused = await bulk_until_done(es_client(), event_actions(settings.es, docs), s.retry_max_s)
            for r in refused:  # an event document is derived state: log it, the next snapshot retries
                log.error("event %s refused by Elasticsearch: %s", r.doc_id, r.reason)
            stats.count("index/events", len(docs) - len(refused))

    @app.agent(alerts)
    async def notifying(stream):
        """Record alerts (one write per alert per batch), e-mail the duty officers, draft letters."""
        async for batch in stream.take_events(NOTIFY_BATCH, within=NOTIFY_WITHIN_S):
            good = []
            for event in batch:
                try:
                    good.append(Alert.model_validate_json(event.value))
                except ValueError as exc:
                    await pipeline.to_dlq(
                        "notify", f"not an alert: {exc}", event.value, origin=origin_of(event)
                    )
            try:
                outcomes = await notifier().handle_batch(good)
            except Exception as exc:  # one alert's unforeseen fault: the others of the batch one by one
                log.exception("notify: batch failed")
                outcomes = await _one_by_one(good, batch, exc)
            for outcome in outcomes:
                stats.count(f"notify/{outcome.replace(' ', '_')}")

    async def _one_by_one(good: list[Alert], batch: list[Any], exc: Exception) -> list[str]:
        outcomes = []
        for alert in {a.id: a for a in good}.values():
            try:
                outcomes.append(await notifier().handle(alert))
            except Exception as one:
                log.exception("notify: alert %s failed", alert.id)
                await pipeline.to_dlq(
                    "notify", f"internal error: {type(one).__name__}: {one}", alert.model_dump_json().encode()
                )
        return outcomes

    # --- timers ----------------------------------------------------------------------------------
    # A timer's failure is logged and tried again at its next tick: an exception escaping a Faust timer
    # stops the whole worker (Elasticsearch answering 503 while its shards recover did, once).
    def survives(timer):
        @functools.wraps(timer)
        async def guarded_timer() -> None:
            try:
                await timer()
            except Exception:
                log.exception("timer %s failed; it runs again at its next tick", timer.__name__)
                stats.count(f"timers/failed/{timer.__name__}")

        return guarded_timer

    @app.timer(max(0.2, s.alert_refresh_s))
    @survives
    async def flush_alerts() -> None:
        """Send the alert refreshes held back to at most one per alert per STREAM_ALERT_REFRESH_S."""
        await pipeline.flush_alerts()

    @app.timer(UPDATES_EVERY_S, on_leader=True)
    @survives
    async def due_updates() -> None:
        """Send the update e-mails whose interval has passed (STREAM_UPDATE_EVERY_MIN)."""
        sent = await notifier().send_due_updates()
        if sent:
            stats.count("notify/updates_due_sent", sent)

    @app.timer(s.digest_every_min * 60, on_leader=True)
    @survives
    async def digest() -> None:
        """Send the low-severity alerts of each station as one digest e-mail."""
        covered = await notifier().send_digests()
        if covered:
            stats.count("notify/digested", covered)

    @app.timer(s.silence_check_s, on_leader=True)
    @survives
    async def ticks() -> None:
        """Each rule's on_tick with the newest post of each source (the silence rule: a crawler down)."""
        last_seen = await _last_post_per_source(es_client(), settings)
        now = datetime.now(UTC)
        from streams import alerting

        for rule in rules.rules:
            for hit in rule.on_tick(last_seen, now):
                alert = alerting.make_alert(rule, hit, None, stations, now)
                await pipeline.send_alert(alert)

    @app.timer(s.stats_every_s)
    @survives
    async def write_stats() -> None:
        """Write this worker's counters for `yuqing worker status`."""
        stats.write()

    return app


async def _last_post_per_source(client, settings: Settings) -> dict[str, datetime]:
    resp = await client.search(
        index=settings.es.name(es_setup.POSTS),
        size=0,
        query={"range": {"crawled_at": {"gte": "now-7d"}}},
        aggs={
            "sources": {
                "terms": {"field": "source", "size": 1000},
                "aggs": {"last": {"max": {"field": "crawled_at"}}},
            }
        },
        ignore_unavailable=True,
    )
    buckets = resp.get("aggregations", {}).get("sources", {}).get("buckets", [])
    return {
        b["key"]: datetime.fromtimestamp(b["last"]["value"] / 1000, UTC)
        for b in buckets
        if b["last"]["value"]
    }
