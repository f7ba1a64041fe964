"""The stream's one Faust app and its whole topology, top to bottom.

    posts.raw (by post id)  ─ intaking ───────► posts.placed (by place); bad input ─► posts.dlq
    posts.placed            ─ processing ─────► per micro-batch: group into events (copies ─► events.changes),
                                                score, index into Elasticsearch posts-YYYY.MM, publish to
                                                posts.scored (by place), judge ─► events.changes, alerts
    events.changes          ─ event_indexing ─► Elasticsearch events
    alerts                  ─ notifying ──────► Elasticsearch alerts, SMTP (duty officers, agencies)

Every hop after intake is keyed by the post's place (its main scenic spot, else the city, else elsewhere), so
one spot's events, windows and cooldowns live in one partition: the tables below are written only while
processing `posts.placed` (co-partitioned: same keys, same partition count). Processing takes micro-batches
(`take_events`) so the scorer runs batched; each post's table writes happen with that post as Faust's current
event (`in_event`), which is what Faust needs to know their changelog partition. Offsets are committed only
after an agent has handled a message and the producer has flushed what it sent, so a killed worker redoes its
last messages; every stage is idempotent by id for that.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import weakref
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import faust
import faust.streams as faust_streams
import mode

from streams import alerting, events, intake, judging, scoring
from streams.envelope import Envelope, dead_letter
from streams.indexing import bulk_until_done, event_actions, post_actions
from streams.notify.delivery import Notifier
from streams.rules import RuleSet, load_rules
from streams.stats import Stats
from yuqing import es as es_setup
from yuqing.config import load_stations
from yuqing.errors import InvalidPost
from yuqing.gazetteer import default_matcher
from yuqing.schema import (
    TOPIC_ALERTS,
    TOPIC_DLQ,
    TOPIC_EVENTS,
    TOPIC_PLACED,
    TOPIC_RAW,
    TOPIC_SCORED,
    Alert,
    ScoredPost,
)
from yuqing.settings import Settings

log = logging.getLogger(__name__)
REPLAY_HEADER = "yuqing-replay"
FLAGS_HEADER = "yuqing-flags"
PRODUCED_HEADER = "yuqing-produced-at"
NOTIFY_CONCURRENCY = 8
# Two batches in flight: one is scored in the executor (ONNX releases the GIL) while the other is grouped or
# judged on the event loop. Tables stay consistent: no read-modify-write of a table spans an await.
PROCESSING_CONCURRENCY = 2


def _header(event: Any, name: str) -> bytes | None:
    headers = event.headers or {}
    items = headers.items() if isinstance(headers, dict) else headers
    return next((v for k, v in items if k == name), None)


def _flags(env: Envelope) -> dict[str, bytes]:
    names = [n for n, on in (("replay", env.replay), ("update", env.update), ("new", env.event_new)) if on]
    return {
        FLAGS_HEADER: ",".join(names).encode(),
        "yuqing-origin": env.origin.encode(),
        PRODUCED_HEADER: repr(env.produced_at).encode(),
    }


def _origin(event: Any) -> str:
    m = event.message
    return f"{m.topic}:{m.partition}:{m.offset}"


@contextlib.contextmanager
def in_event(event: Any) -> Iterator[None]:
    """Make `event` Faust's current event: table writes go to its partition's changelog. Faust sets it only
    while iterating one event at a time, and refuses table writes inside a `take_events` batch without it."""
    token = faust_streams._current_event.set(weakref.ref(event))
    try:
        yield
    finally:
        faust_streams._current_event.reset(token)


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
    matcher = default_matcher()
    window_s = s.event_window_h * 3600

    def topic(name: str) -> faust.TopicT:
        return app.topic(k.topic(name), key_type=bytes, value_type=bytes, partitions=k.partitions)

    raw, placed = topic(TOPIC_RAW), topic(TOPIC_PLACED)
    scored, event_changes = topic(TOPIC_SCORED), topic(TOPIC_EVENTS)
    alerts, dlq = topic(TOPIC_ALERTS), topic(TOPIC_DLQ)

    def table(name: str, help_: str) -> faust.Table:
        return app.Table(name, default=None, partitions=k.partitions, help=help_)

    tables = events.Tables(
        members=table("members", "post id → its event, origin, text hash, first sighting"),
        texts=table("texts", "place|text hash → event id (exact copies)"),
        bands={},  # derived from `events` (events.rebuild_bands), not changelogged
        events=table("events", "event id → the event record (count, first/last seen, peak risk)"),
    )

    @tables.events.on_recover
    async def rebuild_band_index() -> None:
        """After recovery (start, rebalance), the SimHash band index is rebuilt from the events table."""
        made = events.rebuild_bands(
            tables.bands, list(tables.events.values()), window_s=window_s, max_distance=s.simhash_distance
        )
        log.info("SimHash band index rebuilt: %d entries from %d events", made, len(tables.events))

    judge_state = judging.State(
        rule_state=table("rule_state", "rule|place → the rule's windows for that place"),
        cooldowns=table("cooldowns", "rule|place|window → when that rule last fired there"),
        escalation=table("escalation", "event id → the highest severity alerted for it"),
    )

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

    async def to_dlq(stage: str, reason: str, original: bytes | None, **kw: Any) -> None:
        stats.count(f"dlq/{stage}")
        await dlq.send(key=kw.get("key"), value=dead_letter(stage, reason, original, **kw))

    async def guarded(stage: str, event: Any, handle) -> Any:
        """Run one message's handler (returning what it returns); a fault nobody foresaw sends that message to
        the DLQ instead of crashing the agent (which would stop the whole partition)."""
        try:
            return await handle(event)
        except Exception as exc:
            log.exception("%s: message %s failed", stage, _origin(event))
            await to_dlq(
                stage, f"internal error: {type(exc).__name__}: {exc}", event.value, origin=_origin(event)
            )

    async def intake_one(event: Any) -> None:
        stats.count("raw/in")
        origin = _origin(event)
        try:
            replay = bool(_header(event, REPLAY_HEADER))
            env = intake.admit(
                event.value, origin, matcher, replay=replay, produced_at=event.message.timestamp
            )
        except InvalidPost as exc:
            await to_dlq("validate", str(exc), event.value, origin=origin, key=event.key, field=exc.field)
            return
        await placed.send(key=env.place.encode(), value=env.dumps())

    @app.agent(raw)
    async def intaking(stream):
        """Validate and normalise raw posts, place them (gazetteer); bad input → posts.dlq with the reason."""
        async for event in stream.events():
            await guarded("validate", event, intake_one)

    async def group_one(event: Any) -> Envelope | None:
        """Group one placed post; the envelope to score, or None when it stops here."""
        env = Envelope.loads(event.value)
        result = events.group(env, tables, window_s=window_s, max_distance=s.simhash_distance)
        stats.count(f"group/{result.kind}")
        if result.kind == "duplicate":  # other posts' snapshots follow their scores
            await event_changes.send(
                key=result.event["id"].encode(), value=_json(events.public(result.event))
            )
        elif result.kind == "same_id":  # the crawler never re-sends an unchanged post: a producer's fault
            reason = "duplicate id: this post was already processed with the same text and engagement"
            await to_dlq("dedup", reason, event.value, origin=env.origin, post_id=env.post["id"])
        return result.envelope

    async def judge_one(env: Envelope, post: ScoredPost) -> None:
        """The event gains the post's scores; the rules run (not for updates and replays)."""
        record = tables.events.get(post.event_id) if post.event_id else None
        if record is not None:
            updated = events.with_scores(record, post.model_dump(mode="json"))
            if updated != record:
                tables.events[post.event_id] = record = updated
            # Always: grouping changed the event too (a repost's count), and snapshots are read at send time,
            # so the last one sent holds the latest state.
            await event_changes.send(key=post.event_id.encode(), value=_json(events.public(record)))
        if env.replay or env.update:
            return
        now = datetime.now(UTC)
        for alert in judging.judge(post, env.place, record, rules, judge_state, stations, now):
            stats.count(f"alerts/raised/{alert.rule}")
            await alerts.send(key=alert.id.encode(), value=alert.model_dump_json().encode())

    async def score_and_index(envs: list[Envelope]) -> list[tuple[Envelope, ScoredPost]]:
        """Score a micro-batch, bulk-index it (blocking while ES is down); failures → DLQ."""
        from models.scorer import PostText

        def text_of(post: dict[str, Any]) -> PostText:
            return PostText(post["text"], post.get("title"))

        loop = asyncio.get_running_loop()
        done, failed = await loop.run_in_executor(None, scoring.score_batch, scorer(), envs, text_of)
        stats.count("score/batches")
        stats.count("score/posts", len(done))
        for f in failed:
            await to_dlq(
                "score", f.reason, f.envelope.dumps(), origin=f.envelope.origin, post_id=f.envelope.post["id"]
            )
        refused = await bulk_until_done(
            es_client(), post_actions(settings.es, [p for _, p in done]), s.retry_max_s,
            lambda *_: stats.count("es/retries"),
        )  # fmt: skip
        now = time.time()
        stats.count("index/posts", len(done) - len(refused))
        stats.latency([now - env.produced_at for env, _ in done if env.produced_at])
        refused_ids = {r.doc_id: r.reason for r in refused}
        for env, post in done:
            if post.id in refused_ids:
                await to_dlq("index", refused_ids[post.id], env.dumps(), origin=env.origin, post_id=post.id)
        return [(env, post) for env, post in done if post.id not in refused_ids]

    @app.agent(placed, concurrency=PROCESSING_CONCURRENCY)
    async def processing(stream):
        """Per micro-batch of placed posts: group into events (copies dropped, reposts joined), score with the
        Chinese BERT scorer, index into posts-YYYY.MM, publish to posts.scored, then judge: the event gains
        the scores and the alert rules run. One agent, so a post crosses Kafka twice, not four times."""
        async for batch in stream.take_events(s.batch_size, within=s.batch_within_s):
            to_score: list[tuple[Envelope, Any]] = []
            for event in batch:
                with in_event(event):
                    env = await guarded("group", event, group_one)
                if env is not None:
                    to_score.append((env, event))
            source = {id(env): event for env, event in to_score}
            for env, post in await score_and_index([env for env, _ in to_score]) if to_score else []:
                await scored.send(
                    key=env.place.encode(), value=post.model_dump_json().encode(), headers=_flags(env)
                )
                event = source[id(env)]
                with in_event(event):
                    await guarded("judge", event, lambda _e, env=env, post=post: judge_one(env, post))

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

    # Alerts wait on the network (Elasticsearch, SMTP), not the CPU: several are handled at once.
    @app.agent(alerts, concurrency=NOTIFY_CONCURRENCY)
    async def notifying(stream):
        """Index each alert, e-mail the duty officers once (retried while SMTP is down)."""

        async def notify_one(event: Any) -> None:
            outcome = await notifier().handle(Alert.model_validate_json(event.value))
            stats.count(f"notify/{outcome.replace(' ', '_')}")

        async for event in stream.events():
            await guarded("notify", event, notify_one)

    @app.timer(s.digest_every_min * 60, on_leader=True)
    async def digest() -> None:
        """Send the low-severity alerts of each station as one digest e-mail."""
        covered = await notifier().send_digests()
        if covered:
            stats.count("notify/digested", covered)

    @app.timer(s.silence_check_s, on_leader=True)
    async def silence() -> None:
        """Raise an alert for a source that has gone quiet (crawler down or blocked)."""
        checks = rules.of_type("silence")
        if not checks:
            return
        last_seen = await _last_post_per_source(es_client(), settings)
        now = datetime.now(UTC)
        for rule in checks:
            for hit in rule.on_tick(last_seen, now):  # type: ignore[attr-defined]
                alert = alerting.make_alert(rule, hit, None, stations, now)
                await alerts.send(key=alert.id.encode(), value=alert.model_dump_json().encode())

    @app.timer(s.stats_every_s)
    async def write_stats() -> None:
        """Write this worker's counters for `yuqing worker status`."""
        stats.write()

    return app


def _json(value: Any) -> bytes:
    import json

    return json.dumps(value, ensure_ascii=False).encode()


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
