"""What the stream's agents do, in a class that takes its dependencies (topics and tables are handed in by
`streams.app`, so this is tested without Faust's topology).

Per micro-batch of placed posts (`process`): group each into its event (streams.events), score the posts that
need it in one call (copies take their original's scores), settle each post's event (same happening, level,
resolution), bulk-index the posts, publish them to posts.scored, judge them (one alert per event and family),
and index each touched event's latest snapshot once, versioned by the moment it was read (a concurrent
batch's older snapshot never overwrites a newer one). Table writes happen with the post's Kafka event as
Faust's current event (`in_event`), which is what Faust needs to know their changelog partition.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import weakref
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import faust.streams as faust_streams

from streams import alerting, events, intake, judging, scoring
from streams.alerting import AlertGate
from streams.envelope import Envelope, dead_letter
from streams.fastlane import FastLane
from streams.indexing import bulk_until_done, document_json, event_actions, post_actions
from streams.replay import REPLAY_HEADER
from streams.rules import RuleSet
from streams.stats import Stats
from yuqing import es as es_setup
from yuqing.config import Stations
from yuqing.errors import InvalidPost
from yuqing.gazetteer import Matcher
from yuqing.schema import Alert, ScoredPost
from yuqing.segment import segment, segment_normalized
from yuqing.settings import Settings
from yuqing.text import normalize_text

log = logging.getLogger(__name__)
FLAGS_HEADER = "yuqing-flags"
PRODUCED_HEADER = "yuqing-produced-at"
EXPIRE_EVERY_S = 60.0


def header(event: Any, name: str) -> bytes | None:
    headers = event.headers or {}
    items = headers.items() if isinstance(headers, dict) else headers
    return next((v for k, v in items if k == name), None)


def origin_of(event: Any) -> str:
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


def _flags(env: Envelope) -> dict[str, bytes]:
    names = [n for n, on in (("replay", env.replay), ("update", env.update), ("new", env.event_new)) if on]
    return {
        FLAGS_HEADER: ",".join(names).encode(),
        "yuqing-origin": env.origin.encode(),
        PRODUCED_HEADER: repr(env.produced_at).encode(),
    }


class _Normalized:
    """A scorer that is handed the texts intake normalised, each with what it answers (a reply's parent or
    thread opening, normalised here) or None; any scorer without `score_normalized` gets the texts alone
    (normalising twice changes nothing)."""

    def __init__(self, scorer: Any) -> None:
        self.scorer = scorer

    def score(self, items: list[tuple[str, str | None]]) -> list[dict[str, Any]]:
        texts = [text for text, _ in items]
        score = getattr(self.scorer, "score_normalized", None)
        if score is None:
            return self.scorer.score(texts)
        return score(texts, [normalize_text(c) if c else None for _, c in items])


class Pipeline:
    """The handlers of the stream's agents; topics and tables come from `streams.app`."""

    def __init__(
        self,
        settings: Settings,
        *,
        topics: dict[str, Any],
        tables: events.Tables,
        judge_state: judging.State,
        rules: RuleSet,
        stations: Stations,
        matcher: Matcher,
        stats: Stats,
        scorer: Callable[[], Any],
        es_client: Callable[[], Any],
        notifier: Callable[[], Any] | None = None,
    ) -> None:
        s = settings.stream
        self.settings, self.topics, self.tables, self.judge_state = settings, topics, tables, judge_state
        self.rules, self.stations, self.matcher, self.stats = rules, stations, matcher, stats
        self.scorer, self.es_client, self.notifier = scorer, es_client, notifier
        self.windows = events.Windows(
            event_s=s.event_window_h * 3600,
            incident_s=s.incident_window_min * 60,
            members_s=s.members_keep_h * 3600,
            max_distance=s.simhash_distance,
            resolved_terms=rules.resolved_terms,
        )
        self.fast_lane = FastLane(s.fast_lane_per_min)
        self.gate = AlertGate(s.alert_refresh_s)
        self._expired: dict[str, float] = {}

    # --- dead letters and faults -----------------------------------------------------------------

    async def to_dlq(self, stage: str, reason: str, original: bytes | None, **kw: Any) -> None:
        self.stats.count(f"dlq/{stage}")
        await self.topics["dlq"].send(key=kw.get("key"), value=dead_letter(stage, reason, original, **kw))

    async def guarded(self, stage: str, event: Any, handle) -> Any:
        """Run one message's handler (returning what it returns); a fault nobody foresaw sends that message
        to the DLQ instead of crashing the agent (which would stop the whole partition)."""
        try:
            return await handle(event)
        except Exception as exc:
            log.exception("%s: message %s failed", stage, origin_of(event))
            reason = f"internal error: {type(exc).__name__}: {exc}"
            await self.to_dlq(stage, reason, event.value, origin=origin_of(event))

    # --- intake ----------------------------------------------------------------------------------

    async def intake(self, event: Any) -> None:
        """Validate, normalise and place one raw post; urgent candidates take the fast lane."""
        self.stats.count("raw/in")
        origin = origin_of(event)
        try:
            env = intake.admit(
                event.value,
                origin,
                self.matcher,
                replay=bool(header(event, REPLAY_HEADER)),
                produced_at=event.message.timestamp,
            )
        except InvalidPost as exc:
            await self.to_dlq(
                "validate", str(exc), event.value, origin=origin, key=event.key, field=exc.field
            )
            return
        env.urgent = self.fast_lane.admits(env)
        if env.urgent:
            self.stats.count("intake/fast_lane")
        topic = self.topics["urgent" if env.urgent else "placed"]
        await topic.send(key=intake.region_of(env.place).encode(), value=env.dumps())

    # --- processing ------------------------------------------------------------------------------

    async def process(self, batch: list[Any]) -> None:
        """One micro-batch of placed posts, from grouping to alerts (see the module docstring)."""
        items: list[tuple[Any, Envelope]] = []
        touched: set[str] = set()  # event ids; their snapshots are read from the table at the end
        for event in batch:
            with in_event(event):
                env = await self.guarded("group", event, lambda e: self._group(e, touched))
            if env is not None:
                items.append((event, env))
        results = await self._score([env for _, env in items])
        settled: list[tuple[Any, Envelope, ScoredPost, bool]] = []
        for event, env in items:
            result = results.get(env.post["id"])
            if result is None:
                continue
            with in_event(event):
                done = await self.guarded("score", event, lambda _e, env=env, r=result: self._settle(env, r))
            if done is not None:
                record, post, resolved = done
                if record is not None:
                    touched.add(record["id"])
                settled.append((event, env, post, resolved))
        indexed = await self._index(settled)
        for (event, env, post, resolved), doc in indexed:
            await self.topics["scored"].send(key=env.place.encode(), value=doc, headers=_flags(env))
            if not (env.replay or env.update):
                with in_event(event):
                    judge = lambda _e, p=post, env=env, r=resolved: self._judge(env, p, r)  # noqa: E731
                    await self.guarded("judge", event, judge)
        self._expire(batch)
        for table in (self.tables.members, self.tables.texts, self.tables.events):
            flush = getattr(table, "flush", None)  # streams.writebehind: once per key per batch
            if flush is not None:
                self.stats.count("tables/writes", flush())
        live = {events.resolve(self.tables.events, event_id) for event_id in touched}
        # a merged event is an alias now: its target is indexed. Read and stamped with no await between,
        # so a later stamp always carries a later state of the tables.
        snapshots = [events.public(self.tables.events[event_id]) for event_id in sorted(e for e in live if e)]
        await self._index_events(snapshots, version=time.time_ns())

    async def _group(self, event: Any, touched: set[str]) -> Envelope | None:
        env = Envelope.loads(event.value)
        result = events.group(env, self.tables, self.windows)
        self.stats.count(f"group/{result.kind}")
        if result.event is not None:
            touched.add(result.event["id"])
        return result.envelope

    async def _score(self, envs: list[Envelope]) -> dict[str, dict[str, Any]]:
        """Scores by post id: copies take their original's (known, or scored in this batch); the rest are
        scored in one call in the executor (ONNX releases the GIL). Failures go to the DLQ."""
        results: dict[str, dict[str, Any]] = {}
        originals = {e.post["id"] for e in envs if not e.copy_of}
        todo = [e for e in envs if not e.copy_of or (e.copy_scores is None and e.copy_of not in originals)]
        if todo:
            loop = asyncio.get_running_loop()
            normalized = {e.post["id"]: e.normalized for e in todo}  # normalised once, at intake
            scorer = _Normalized(self.scorer())
            done, failed = await loop.run_in_executor(
                None,
                scoring.score_batch,
                scorer,
                todo,
                lambda post: (normalized[post["id"]], post.get("parent_text")),  # a reply in its context
            )
            self.stats.count("score/batches")
            self.stats.count("score/posts", len(done))
            for f in failed:
                env = f.envelope
                await self.to_dlq("score", f.reason, env.dumps(), origin=env.origin, post_id=env.post["id"])
            results = {env.post["id"]: result for env, result in done}
        for env in envs:
            if env.copy_of and env.post["id"] not in results:
                scores = env.copy_scores or results.get(env.copy_of)
                if scores is not None:
                    results[env.post["id"]] = scores
                    self.stats.count("score/copied")
        return results

    async def _settle(self, env: Envelope, result: dict[str, Any]):
        """The post's event settled with its scores, and its indexed document (segmented once, for both)."""
        # intake normalised the text already (with the title, when there is one: then it is done again)
        text_seg = segment(env.post["text"]) if env.post.get("title") else segment_normalized(env.normalized)
        record, resolved = events.settle(env, result, self.tables, self.windows, text_seg)
        return record, scoring.to_scored(env, result, text_seg), resolved

    async def _index(self, settled: list[tuple[Any, Envelope, ScoredPost, bool]]):
        """Bulk-index the batch (blocking while Elasticsearch is down); refused documents → DLQ. Returns the
        indexed items, each with its document as serialised once (what posts.scored carries too)."""
        posts = [post for _, _, post, _ in settled]
        docs = [document_json(post) for post in posts]
        refused = await bulk_until_done(
            self.es_client(), post_actions(self.settings.es, posts, docs), self.settings.stream.retry_max_s,
            lambda *_: self.stats.count("es/retries"),
        )  # fmt: skip
        self.stats.count("index/posts", len(posts) - len(refused))
        now = time.time()
        self.stats.latency([now - env.produced_at for _, env, _, _ in settled if env.produced_at])
        why = {r.doc_id: r.reason for r in refused}
        for _, env, post, _ in settled:
            if post.id in why:
                await self.to_dlq("index", why[post.id], env.dumps(), origin=env.origin, post_id=post.id)
        return [(item, doc) for item, doc in zip(settled, docs, strict=True) if item[2].id not in why]

    async def _judge(self, env: Envelope, post: ScoredPost, resolved: bool) -> None:
        record = self.tables.events.get(post.event_id) if post.event_id else None
        now = datetime.now(UTC)
        alerts = judging.judge(
            post, env.place, record, self.rules, self.judge_state, self.stations, now,
            resolved=resolved, normalized=env.normalized,
        )  # fmt: skip
        for alert in alerts:
            if self.gate.offer(alert):
                await self.send_alert(alert)

    async def send_alert(self, alert) -> None:
        self.stats.count(f"alerts/raised/{alert.rule}")
        await self.topics["alerts"].send(key=alert.id.encode(), value=alert.model_dump_json().encode())

    async def flush_alerts(self) -> int:
        """Send the alert refreshes the gate held back (the latest state of each)."""
        due = self.gate.due()
        for alert in due:
            await self.send_alert(alert)
        return len(due)

    def _expire(self, batch: list[Any]) -> None:
        """Drop each region's state older than its window, at most once a minute per region."""
        now = time.time()
        for event in batch:
            region = (event.key or b"").decode("utf-8", "replace")
            if now - self._expired.get(region, 0.0) < EXPIRE_EVERY_S:
                continue
            self._expired[region] = now
            with in_event(event):
                gone = events.expire(self.tables, region, now, self.windows)
            if gone:
                self.stats.count("tables/expired", gone)

    # --- event snapshots, alerts, ticks ----------------------------------------------------------

    async def _index_events(self, snapshots: list[dict[str, Any]], version: int) -> None:
        """Index event snapshots under an external version; one an older snapshot lost to is not an error."""
        es = self.settings.es
        ops = event_actions(es, snapshots, version)
        refused = await bulk_until_done(self.es_client(), ops, self.settings.stream.retry_max_s)
        stale = [r for r in refused if "version_conflict" in r.reason]
        for r in refused:  # an event document is derived state: log it, the next snapshot retries
            if r not in stale:
                log.error("event %s refused by Elasticsearch: %s", r.doc_id, r.reason)
        self.stats.count("index/events", len(ops) // 2 - len(refused))
        self.stats.count("index/events_superseded", len(stale))

    async def notify(self, batch: list[Any]) -> None:
        """Record alerts (one write per alert per batch), e-mail the duty officers, draft letters."""
        good = []
        for event in batch:
            try:
                good.append(Alert.model_validate_json(event.value))
            except ValueError as exc:
                await self.to_dlq("notify", f"not an alert: {exc}", event.value, origin=origin_of(event))
        try:
            outcomes = await self.notifier().handle_batch(good)
        except Exception:  # one alert's unforeseen fault: the others of the batch one by one
            log.exception("notify: batch failed")
            outcomes = await self._notify_one_by_one(good)
        for outcome in outcomes:
            self.stats.count(f"notify/{outcome.replace(' ', '_')}")

    async def _notify_one_by_one(self, good: list[Alert]) -> list[str]:
        outcomes = []
        for alert in {a.id: a for a in good}.values():
            try:
                outcomes.append(await self.notifier().handle(alert))
            except Exception as one:
                log.exception("notify: alert %s failed", alert.id)
                reason = f"internal error: {type(one).__name__}: {one}"
                await self.to_dlq("notify", reason, alert.model_dump_json().encode())
        return outcomes

    async def tick(self) -> None:
        """Each rule's on_tick with the newest post of each source (the silence rule: a crawler down)."""
        last_seen = await last_post_per_source(self.es_client(), self.settings)
        now = datetime.now(UTC)
        for rule in self.rules.rules:
            for hit in rule.on_tick(last_seen, now):
                await self.send_alert(alerting.make_alert(rule, hit, None, self.stations, now))


async def last_post_per_source(client: Any, settings: Settings) -> dict[str, datetime]:
    """The newest crawled_at of each source over the last week."""
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
