"""`yuqing replay`: re-run stored `posts.raw` through the current model and rules into the same ids, or
re-offer chosen dead letters from `posts.dlq` once their cause is fixed.

History: the raw messages published in [since, until) are produced again to `posts.raw` with a replay
header; the worker re-scores them and overwrites their documents (same ids, same monthly indices) and their
events, and raises no alerts for history. How far back this reaches is `posts.raw`'s retention
(KAFKA_RAW_RETENTION_DAYS).

Dead letters (`--dlq`): each chosen record's original goes back to the topic its stage reads, without the
replay header (it was never processed, so an emergency among them must still alert): validate → posts.raw as
it was; dedup, group, score, index, judge → posts.raw as the raw post the original is or carries (those stages
dead-letter the stream's internal envelope, whose `post` is the raw post); notify → alerts. A record whose
original was cut (too large), is missing or holds no post is skipped with the reason.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiokafka import TopicPartition
from aiokafka.errors import KafkaError

from streams.envelope import letter_post_id
from yuqing import kafka as kafka_setup
from yuqing.errors import ConfigError, InvalidPost
from yuqing.schema import TOPIC_ALERTS, TOPIC_DLQ, TOPIC_RAW, Post
from yuqing.settings import Settings

REPLAY_HEADER = "yuqing-replay"
# Names the dead letter a message was re-offered from (partition:offset of posts.dlq), for the audit trail.
DLQ_REPLAY_HEADER = "yuqing-dlq-replay"
# Which topic each stage reads; a stage not named here cannot be re-offered.
STAGE_TOPICS = {
    "validate": TOPIC_RAW,
    "dedup": TOPIC_RAW,
    "group": TOPIC_RAW,
    "score": TOPIC_RAW,
    "index": TOPIC_RAW,
    "judge": TOPIC_RAW,
    "notify": TOPIC_ALERTS,
}


async def replay(
    settings: Settings,
    since: datetime,
    until: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Produce again every raw message published in [since, until); returns how many."""
    topic = settings.kafka.topic(TOPIC_RAW)
    sent = 0
    async with (
        kafka_setup.consumer(settings.kafka, group_id=None) as consumer,
        kafka_setup.producer(settings.kafka) as producer,
    ):
        counts = await kafka_setup.describe_topics(settings.kafka, [topic])
        partitions = [TopicPartition(topic, p) for p in range(counts.get(topic, 0))]
        if not partitions:
            return 0
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)  # what existed when the replay started
        starts = await consumer.offsets_for_times({tp: int(since.timestamp() * 1000) for tp in partitions})
        todo = {}
        for tp in partitions:
            found = starts.get(tp)
            if found is not None and found.offset < ends[tp]:
                consumer.seek(tp, found.offset)
                todo[tp] = ends[tp]
        stop_ms = int(until.timestamp() * 1000) if until else None
        while todo:
            batch = await consumer.getmany(*todo, timeout_ms=1000)
            for tp, records in batch.items():
                for record in records:
                    if record.offset >= todo.get(tp, -1):
                        continue
                    if stop_ms is None or record.timestamp < stop_ms:
                        await producer.send(
                            topic, value=record.value, key=record.key, headers=[(REPLAY_HEADER, b"1")]
                        )
                        sent += 1
                if records and records[-1].offset + 1 >= todo.get(tp, 0):
                    todo.pop(tp, None)
            if progress:
                progress(sent)
        await producer.flush()
    return sent


@dataclass(frozen=True)
class DeadLetter:
    """One `posts.dlq` record with where it lies; `record` is {} when the message is not a JSON object."""

    partition: int
    offset: int
    timestamp_ms: int
    record: dict[str, Any]

    @classmethod
    def parse(cls, partition: int, offset: int, timestamp_ms: int, value: bytes | None) -> DeadLetter:
        try:
            record = json.loads(value or b"")
        except ValueError:
            record = {}
        return cls(partition, offset, timestamp_ms, record if isinstance(record, dict) else {})

    @property
    def where(self) -> str:
        return f"{self.partition}:{self.offset}"

    @property
    def stage(self) -> str:
        return str(self.record.get("stage") or "?")

    @property
    def post_id(self) -> str | None:
        return letter_post_id(self.stage, self.record.get("post_id"), self.record.get("key"))

    @property
    def at(self) -> datetime:
        """When it was dead-lettered: the record's `at`, else the Kafka timestamp."""
        try:
            at = datetime.fromisoformat(str(self.record["at"]))
            return at if at.tzinfo else at.replace(tzinfo=UTC)
        except (KeyError, ValueError):
            return datetime.fromtimestamp(self.timestamp_ms / 1000, UTC)

    def line(self) -> str:
        reason = " ".join(str(self.record.get("reason") or "(not a dead-letter record)").split())
        return f"{self.where}  {self.stage:<8}  {self.post_id or '-'}  {reason[:160]}"


def parse_offset(text: str) -> tuple[int, int]:
    """`P:O` (partition:offset) as a pair; ValueError naming the expected form otherwise."""
    partition, sep, offset = text.partition(":")
    if not sep or not partition.isdigit() or not offset.isdigit():
        raise ValueError(f"{text!r} is not PARTITION:OFFSET (e.g. 0:42)")
    return int(partition), int(offset)


@dataclass(frozen=True)
class Selection:
    """Which dead letters a person chose; an empty criterion does not narrow."""

    stage: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    post_ids: frozenset[str] = frozenset()
    offsets: frozenset[tuple[int, int]] = frozenset()
    ids: frozenset[str] = frozenset()

    def matches(self, letter: DeadLetter) -> bool:
        at = letter.at
        return (
            (self.stage is None or letter.stage == self.stage)
            and (self.since is None or at >= self.since)
            and (self.until is None or at < self.until)
            and (not self.post_ids or letter.post_id in self.post_ids)
            and (not self.offsets or (letter.partition, letter.offset) in self.offsets)
            and (not self.ids or letter.record.get("id") in self.ids)
        )


@dataclass(frozen=True)
class Resend:
    """What re-offering a dead letter produces: a message for a project topic (unprefixed name)."""

    topic: str
    key: bytes | None
    value: bytes


class Skip(Exception):
    """A chosen dead letter that cannot be re-offered; the message says why."""


def original_of(letter: DeadLetter) -> bytes:
    """The original bytes, whole; Skip when none was kept or only its beginning was."""
    rec = letter.record
    if not rec:
        raise Skip("not a dead-letter record (not a JSON object)")
    if rec.get("original_b64") is None:
        raise Skip("no original was kept")
    if rec.get("original_truncated"):
        size = rec.get("original_bytes")
        raise Skip(f"original truncated ({size} bytes, only the beginning kept): re-crawl the post instead")
    try:
        return base64.b64decode(rec["original_b64"], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Skip(f"original_b64 is not base64: {exc}") from None


def raw_post(original: bytes) -> tuple[bytes, str]:
    """The raw post an original is or carries (an internal envelope's `post`), with its id; Skip otherwise."""
    try:
        return original, Post.parse(original).id
    except InvalidPost as exc:
        as_raw = exc
    try:
        data = json.loads(original)
    except ValueError:
        data = None
    post = data.get("post") if isinstance(data, dict) else None
    if not isinstance(post, dict):
        raise Skip(f"original is not a raw post ({as_raw}) and carries none")
    try:
        parsed = Post.parse(post)
    except InvalidPost as exc:
        raise Skip(f"the post the original carries is not a valid raw post: {exc}") from None
    return json.dumps(post, ensure_ascii=False).encode(), parsed.id


def plan(letter: DeadLetter) -> Resend:
    """The message that re-offers one dead letter to the stage it failed in; Skip with the reason if none."""
    original = original_of(letter)
    topic = STAGE_TOPICS.get(letter.stage)
    if topic is None:
        raise Skip(f"stage {letter.stage!r} cannot be replayed (known: {', '.join(STAGE_TOPICS)})")
    key = letter.record.get("key")
    if letter.stage == "validate":  # bad input as it came: the fix was to the validation, not the bytes
        return Resend(TOPIC_RAW, key.encode() if key else None, original)
    if topic == TOPIC_ALERTS:
        with contextlib.suppress(ValueError, AttributeError):  # keyed by alert id, if the original has one
            key = key or json.loads(original).get("id")
        return Resend(TOPIC_ALERTS, str(key).encode() if key else None, original)
    value, post_id = raw_post(original)
    # posts.raw is keyed by post id (what the crawler's key was); a later hop's key, if any, is a place.
    return Resend(TOPIC_RAW, post_id.encode(), value)


@dataclass
class DlqReport:
    """What a DLQ replay chose and did; `failed` holds produce errors, `skipped` what could not be sent."""

    chosen: list[DeadLetter] = field(default_factory=list)
    replayed: list[DeadLetter] = field(default_factory=list)
    skipped: list[tuple[DeadLetter, str]] = field(default_factory=list)
    failed: list[tuple[DeadLetter, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.skipped and not self.failed

    def summary(self) -> list[str]:
        lines = [
            f"dead letters chosen {len(self.chosen)}, replayed {len(self.replayed)}, "
            f"skipped {len(self.skipped)}, failed {len(self.failed)}"
        ]
        lines += [f"  skipped {d.where} ({d.stage}, {d.post_id or '-'}): {why}" for d, why in self.skipped]
        lines += [f"  failed {d.where} ({d.stage}, {d.post_id or '-'}): {why}" for d, why in self.failed]
        return lines


def choose(letters: Iterable[DeadLetter], selection: Selection) -> list[DeadLetter]:
    return [d for d in letters if selection.matches(d)]


async def read_dlq(settings: Settings) -> list[DeadLetter]:
    """Every record on posts.dlq up to its end when the read started, in partition and offset order."""
    topic = settings.kafka.topic(TOPIC_DLQ)
    counts = await kafka_setup.describe_topics(settings.kafka, [topic])
    if topic not in counts:
        raise ConfigError("KAFKA_TOPIC_PREFIX", "topics", f"missing {topic}: run `yuqing init` first")
    partitions = [TopicPartition(topic, p) for p in range(counts[topic])]
    letters: list[DeadLetter] = []
    async with kafka_setup.consumer(settings.kafka, group_id=None) as consumer:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        todo = {tp: end for tp, end in ends.items() if end > await consumer.position(tp)}
        while todo:
            batch = await consumer.getmany(*todo, timeout_ms=1000)
            for tp, records in batch.items():
                letters += [
                    DeadLetter.parse(tp.partition, r.offset, r.timestamp, r.value)
                    for r in records
                    if r.offset < todo.get(tp, -1)
                ]
                if records and records[-1].offset + 1 >= todo.get(tp, 0):
                    todo.pop(tp, None)
    return sorted(letters, key=lambda d: (d.partition, d.offset))


async def replay_dlq(settings: Settings, selection: Selection, *, dry_run: bool = False) -> DlqReport:
    """Re-offer the chosen dead letters (nothing is produced when `dry_run`: the report lists the choice)."""
    report = DlqReport(chosen=choose(await read_dlq(settings), selection))
    if dry_run or not report.chosen:
        return report
    planned: list[tuple[DeadLetter, Resend]] = []
    for letter in report.chosen:
        try:
            planned.append((letter, plan(letter)))
        except Skip as why:
            report.skipped.append((letter, str(why)))
    if not planned:
        return report
    async with kafka_setup.producer(settings.kafka) as producer:
        for letter, resend in planned:
            headers = [(DLQ_REPLAY_HEADER, letter.where.encode())]
            try:
                await producer.send_and_wait(
                    settings.kafka.topic(resend.topic), value=resend.value, key=resend.key, headers=headers
                )
            except KafkaError as exc:  # this record failed; the others may still go
                report.failed.append((letter, f"{type(exc).__name__}: {exc}"))
            else:
                report.replayed.append(letter)
    return report
