"""The stream's Faust app and its whole topology, top to bottom: topics, tables, agents, timers. What each
agent does lives in `streams.pipeline.Pipeline` (a class that takes its dependencies); the clients it uses
are made on first use (`streams.clients`). `yuqing worker` imports this module and runs `app`.

    posts.raw (by post id)  ─ intaking ──────► posts.placed (by region); urgent candidates ► posts.urgent;
                                               bad input ► posts.dlq
    posts.placed            ─ processing ────► per micro-batch: events (thread, chain, copy, near-duplicate,
    posts.urgent            ─ fast_lane ─────►   same happening), scores, Elasticsearch posts-YYYY.MM,
                                                 posts.scored, rules ► alerts, Elasticsearch events
    alerts                  ─ notifying ─────► Elasticsearch alerts and letters (drafts), SMTP (duty officers)

Every hop after intake is keyed by the post's region (the city, or elsewhere), so the events, windows and
cooldowns that posts can share live in one partition: the tables below are written only while processing
posts.placed or posts.urgent (co-partitioned: same keys, same partition count). The fast lane is the same
work on its own topic and agent, so an emergency never queues behind ordinary posts. Offsets are committed
only after an agent has handled a message and the producer has flushed what it sent, and never past a batch
still in flight (streams/offsets.py), so a killed worker redoes its last messages; every stage is idempotent
by id for that. posts.scored is the public stream of scored posts (DESIGN.md's contract, for consumers
outside this project); the project's own rules judge each post inside processing, beside the event state they
read, rather than one more hop later.

Settings are read once, when this module is imported (environment and config/*.yaml); a bad rules.yaml or
stations.yaml fails the import with a ConfigError naming file and key.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any

import faust
import mode

from models.runtime.lexicon import load_lexicon
from streams import events, judging, offsets
from streams.clients import Clients
from streams.pipeline import Pipeline, in_event  # noqa: F401 - in_event: re-exported for tests
from streams.rules import load_rules
from streams.stats import Stats
from streams.writebehind import WriteBehind
from yuqing.config import load_stations
from yuqing.gazetteer import default_matcher
from yuqing.schema import (
    TOPIC_ALERTS,
    TOPIC_DLQ,
    TOPIC_PLACED,
    TOPIC_RAW,
    TOPIC_SCORED,
    TOPIC_URGENT,
)
from yuqing.settings import Settings, get_settings

log = logging.getLogger(__name__)
# Alerts are handled in batches: the latest message of each alert in a batch, distinct alerts at once.
NOTIFY_BATCH, NOTIFY_WITHIN_S = 256, 0.1  # a first e-mail waits at most this for its batch
# Two batches in flight: one is scored in the executor (ONNX releases the GIL) while the other is grouped or
# judged on the event loop. Tables stay consistent: no read-modify-write of a table spans an await.
PROCESSING_CONCURRENCY = 2
FAST_LANE_BATCH, FAST_LANE_WITHIN_S = 16, 0.02
UPDATES_EVERY_S = 15.0


def app_config(settings: Settings) -> dict[str, Any]:
    """faust.App's configuration for these settings (and the folder it keeps its table metadata in)."""
    k, s = settings.kafka, settings.stream
    data_dir = s.data_dir or settings.services.state_dir / "stream"
    data_dir.mkdir(parents=True, exist_ok=True)  # Faust makes only the last level
    return dict(
        id=k.topic(s.app_id),
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
        # Every post crosses several hops: let each hop's sends share produce requests (30 ms at most: fewer,
        # larger requests; each small one was a socket write, the largest single cost of the event loop).
        producer_linger=0.03,
        producer_max_batch_size=262_144,  # bytes per partition and request (aiokafka: 16 KiB, ~16 posts)
        stream_wait_empty=False,
        # Faust keeps table metadata on disk even for memory:// stores: beside the services' state (var/, or
        # /data in the image), not in whatever the working directory is
        datadir=str(data_dir / "{conf.name}"),
    )


offsets.install()  # Faust must not commit past a batch still in flight (streams/offsets.py)
settings = get_settings()
config = app_config(settings)
app = faust.App(config.pop("id"), **config)
stats = Stats(settings, app.conf.id)
rules = load_rules()
stations = load_stations()
load_lexicon()  # config/lexicon.yaml (the fast lane and the scorer read it): a mistake stops the start here
# batches are scored PROCESSING_CONCURRENCY at a time: the cores are divided among them (two calls of 2
# intra-op threads each on 2 cores fight; 1 each scores more posts per CPU second)
clients = Clients(
    settings, stations, rules, stats, scorer_threads=max(1, settings.model.threads // PROCESSING_CONCURRENCY)
)


# --- topics --------------------------------------------------------------------------------------
def _topic(name: str) -> faust.TopicT:
    k = settings.kafka
    return app.topic(k.topic(name), key_type=bytes, value_type=bytes, partitions=k.partitions)


raw, placed, urgent = _topic(TOPIC_RAW), _topic(TOPIC_PLACED), _topic(TOPIC_URGENT)
scored = _topic(TOPIC_SCORED)
alerts, dlq = _topic(TOPIC_ALERTS), _topic(TOPIC_DLQ)


# --- tables (all keyed by region or by ids of one region: co-partitioned with posts.placed) ---------
# The events' tables are written behind: each key's last value of a micro-batch goes to the changelog once
# (streams.writebehind).
def _table(name: str, help_: str) -> WriteBehind:
    return WriteBehind(app.Table(name, default=None, partitions=settings.kafka.partitions, help=help_))


tables = events.Tables(
    members=_table("members", "post id → its event, origin, text hash, first sighting, place"),
    texts=_table("texts", "place|text hash → the event, the original post and its scores"),
    bands={},  # derived from `events` (events.rebuild_derived), not changelogged
    events=_table("events", "event id → the event record (level, counts, status, evidence, vocabulary)"),
)
# The rules' state is written at once: an alert leaves for the notifier as it is judged, and the level and
# rule it carries must be in the changelog before a crash can make a redelivered post judge it again.
judge_state = judging.State(
    rule_state=_table("rule_state", "rule|place → the rule's windows for that place").table,
    cooldowns=_table("cooldowns", "rule|place|window → when that rule last fired there").table,
    escalation=_table("escalation", "event id|family → the event's alert: level, rule, summary").table,
)


@tables.events.table.on_recover
async def rebuild_derived() -> None:
    """After recovery (start, rebalance), the band index and live events per place are rebuilt."""
    s = settings.stream
    made = events.rebuild_derived(tables, window_s=s.event_window_h * 3600, max_distance=s.simhash_distance)
    log.info("SimHash band index rebuilt: %d entries from %d events", made, len(tables.events))


pipeline = Pipeline(
    settings,
    topics={
        "placed": placed,
        "urgent": urgent,
        "scored": scored,
        "alerts": alerts,
        "dlq": dlq,
    },
    tables=tables,
    judge_state=judge_state,
    rules=rules,
    stations=stations,
    matcher=default_matcher(),
    stats=stats,
    scorer=clients.scorer,
    es_client=clients.es,
    notifier=clients.notifier,
)


@app.service
class ClientsService(mode.Service):
    """Warms the scorer and the segmenter up as the worker starts; closes the Elasticsearch client at stop."""

    async def on_start(self) -> None:
        await asyncio.get_running_loop().run_in_executor(None, clients.warm_up)

    async def on_stop(self) -> None:
        await clients.close()


# --- agents --------------------------------------------------------------------------------------
@app.agent(raw)
async def intaking(stream):
    """Validate, normalise and place raw posts; urgent candidates to the fast lane; bad input → DLQ."""
    async for event in stream.events():
        await pipeline.guarded("validate", event, pipeline.intake)


@app.agent(placed, concurrency=PROCESSING_CONCURRENCY)
async def processing(stream):
    """Per micro-batch: events, scores, index, posts.scored, rules → alerts, event snapshots."""
    s = settings.stream
    async for batch in stream.take_events(s.batch_size, within=s.batch_within_s):
        await pipeline.process(batch)


@app.agent(urgent)
async def fast_lane(stream):
    """The same work for urgent candidates, in small batches that never wait behind posts.placed."""
    async for batch in stream.take_events(FAST_LANE_BATCH, within=FAST_LANE_WITHIN_S):
        await pipeline.process(batch)


@app.agent(alerts)
async def notifying(stream):
    """Record alerts (one write per alert per batch), e-mail the duty officers, draft letters."""
    async for batch in stream.take_events(NOTIFY_BATCH, within=NOTIFY_WITHIN_S):
        await pipeline.notify(batch)


# --- timers --------------------------------------------------------------------------------------
# A timer's failure is logged and tried again at its next tick: an exception escaping a Faust timer stops
# the whole worker (Elasticsearch answering 503 while its shards recover did, once).
def survives(timer):
    @functools.wraps(timer)
    async def guarded_timer() -> None:
        try:
            await timer()
        except Exception:
            log.exception("timer %s failed; it runs again at its next tick", timer.__name__)
            stats.count(f"timers/failed/{timer.__name__}")

    return guarded_timer


@app.timer(max(0.2, settings.stream.alert_refresh_s))
@survives
async def flush_alerts() -> None:
    """Send the alert refreshes held back to at most one per alert per STREAM_ALERT_REFRESH_S."""
    await pipeline.flush_alerts()


@app.timer(UPDATES_EVERY_S, on_leader=True)
@survives
async def due_updates() -> None:
    """Send the update e-mails whose interval has passed (STREAM_UPDATE_EVERY_MIN)."""
    sent = await clients.notifier().send_due_updates()
    if sent:
        stats.count("notify/updates_due_sent", sent)


@app.timer(settings.stream.digest_every_min * 60, on_leader=True)
@survives
async def digest() -> None:
    """Send the low-severity alerts of each station as one digest e-mail."""
    covered = await clients.notifier().send_digests()
    if covered:
        stats.count("notify/digested", covered)


@app.timer(settings.stream.silence_check_s, on_leader=True)
@survives
async def ticks() -> None:
    """Each rule's on_tick with the newest post of each source (the silence rule: a crawler down)."""
    await pipeline.tick()


@app.timer(settings.stream.stats_every_s)
@survives
async def write_stats() -> None:
    """Write this worker's counters for `yuqing worker status`."""
    stats.write()
