"""A real stream on this machine, for tests and benchmarks: a worker process, a mailbox (aiosmtpd), producing
posts, waiting on Elasticsearch.

Nothing here is faked: the worker is `yuqing worker` in its own process (so it can be killed with SIGKILL),
the mailbox is a real SMTP server, Kafka and Elasticsearch are the ones the settings point at.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

from devtools import mailbox as mailbox_mod
from yuqing import kafka as kafka_setup
from yuqing.schema import TOPIC_RAW
from yuqing.settings import Settings

READY_MARK = "[^Worker]: Ready"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(what: str, check: Callable[[], Any], timeout: float, every: float = 0.5) -> Any:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what} (last: {last!r})")


class Mailbox:
    """A real SMTP server on a free port that files messages under a folder; can be stopped and restarted."""

    def __init__(self, folder: Path, port: int | None = None, on_message=None) -> None:
        self.folder, self.port, self.on_message = folder, port or free_port(), on_message
        self.controller = None

    def start(self) -> Mailbox:
        self.controller = mailbox_mod.start(self.folder, "127.0.0.1", self.port, self.on_message)
        return self

    def stop(self) -> None:
        if self.controller:
            self.controller.stop()
            self.controller = None

    def messages(self) -> list[Any]:
        return mailbox_mod.read_mailbox(self.folder)

    def message_ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.messages()]

    def resent(self) -> list[str]:
        return mailbox_mod.resent(self.folder)


def mail_headers(path: Path) -> dict[str, str]:
    """A filed message's headers by lower-cased name (folded lines joined; the body is not parsed)."""
    with path.open("rb") as fh:
        head = BytesHeaderParser().parse(fh)
    return {name.lower(): " ".join(str(value).split()) for name, value in head.items()}


class MailClock:
    """A mailbox's `on_message` hook: when the mailbox accepted each message, with its alert and post ids
    (X-Yuqing-Alert-Id, X-Yuqing-Post-Id), so a benchmark can time produce → e-mail without the notifier."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.mails: list[tuple[float, str | None, str | None]] = []

    def __call__(self, path: Path) -> None:
        accepted = time.time()
        headers = mail_headers(path)
        with self.lock:
            self.mails.append((accepted, headers.get("x-yuqing-alert-id"), headers.get("x-yuqing-post-id")))

    def snapshot(self) -> list[tuple[float, str | None, str | None]]:
        with self.lock:
            return list(self.mails)


def worker_env(settings: Settings, mailbox: Mailbox, state_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers,
        "KAFKA_TOPIC_PREFIX": settings.kafka.topic_prefix,
        "KAFKA_PARTITIONS": str(settings.kafka.partitions),
        # The worker creates its own topics (changelogs, hops): as replicated as the settings' (a cluster's).
        "KAFKA_REPLICATION_FACTOR": str(settings.kafka.replication_factor),
        "KAFKA_MIN_INSYNC_REPLICAS": str(settings.kafka.min_insync_replicas),
        "ES_URL": settings.es.url,
        "ES_REPLICAS": str(settings.es.replicas),
        "ES_INDEX_PREFIX": settings.es.index_prefix,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(mailbox.port),
        "SERVICES_STATE_DIR": str(state_dir),
        "STREAM_RETRY_MAX_S": "2",
        "STREAM_STATS_EVERY_S": "1",
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra)
    return env


class Worker:
    """`yuqing worker` as a child process, its output in a log file."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.proc: subprocess.Popen | None = None

    def start(self, ready_timeout: float = 120.0) -> Worker:
        offset = self.log.stat().st_size if self.log.exists() else 0
        out = self.log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "yuqing.cli", "worker"], env=self.env, stdout=out, stderr=subprocess.STDOUT
        )
        wait_until("the worker to be ready", lambda: self._ready(offset), ready_timeout)
        return self

    def _ready(self, offset: int) -> bool:
        if self.proc and self.proc.poll() is not None:
            raise AssertionError(f"worker exited with {self.proc.returncode}:\n{self.tail()}")
        with self.log.open("rb") as fh:
            fh.seek(offset)
            return READY_MARK in fh.read().decode("utf-8", "replace")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(30)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.kill()

    def tail(self, lines: int = 60) -> str:
        return "\n".join(self.log.read_text("utf-8", "replace").splitlines()[-lines:])


def produce(settings: Settings, records: Iterable[tuple[bytes | None, bytes]], topic: str = TOPIC_RAW) -> int:
    """Send raw messages to a project topic and wait until the broker confirmed them all."""

    async def run() -> int:
        async with kafka_setup.producer(settings.kafka) as producer:
            sent = await kafka_setup.send_many(producer, settings.kafka.topic(topic), list(records))
        return len(sent)

    return asyncio.run(run())


def post_record(post: dict[str, Any]) -> tuple[bytes, bytes]:
    key = f"{post['source']}:{post.get('source_id') or post.get('url')}"
    return key.encode(), json.dumps(post, ensure_ascii=False).encode()


def consume_all(settings: Settings, topic: str, timeout_s: float = 10.0) -> list[Any]:
    async def run() -> list[Any]:
        async with kafka_setup.consumer(
            settings.kafka, settings.kafka.topic(topic), group_id=None
        ) as consumer:
            return await kafka_setup.consume(consumer, 100_000, timeout_s)

    return asyncio.run(run())


def corpus(n: int, prefix: str) -> list[dict[str, Any]]:
    """`n` realistic posts: the labelled tourism posts and the hand-written posts, cycled; past the first
    round each text gets a suffix, as a repost would, so the stream sees near-duplicates too."""
    from models.data import __path__ as data_path
    from models.data.written import load_written

    with Path(data_path[0], "tourism_posts.jsonl").open(encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in fh]
    texts += [p["text"] for p in load_written()]
    posts = []
    for i in range(n):
        text = texts[i % len(texts)]
        if i >= len(texts):
            text = f"{text}（转{i // len(texts)}）"
        posts.append({"source": f"{prefix}_src{i % 4}", "source_id": str(i), "text": text})
    return posts


def expected_documents(posts: list[dict[str, Any]]) -> int:
    """How many documents the stream keeps: one per post id (copies of a text are documents of their own,
    the same id again overwrites its document)."""
    from yuqing.schema import Post

    return len({Post.parse(json.dumps(p, ensure_ascii=False)).id for p in posts})


def es_count(settings: Settings, index: str = "posts") -> int:
    from yuqing import es as es_setup

    client = es_setup.client(settings.es)
    try:
        client.indices.refresh(index=settings.es.name(index), ignore_unavailable=True)
        return client.count(index=settings.es.name(index), ignore_unavailable=True)["count"]
    except Exception:  # ES stopped on purpose in some tests: "unknown" while it is down
        return -1
    finally:
        client.close()


def es_docs(settings: Settings, index: str, size: int = 10_000, **search: Any) -> list[dict[str, Any]]:
    """The documents of a project index after a refresh (`search`: more arguments, such as `query`)."""
    from yuqing import es as es_setup

    client = es_setup.client(settings.es)
    try:
        client.indices.refresh(index=settings.es.name(index), ignore_unavailable=True)
        resp = client.search(index=settings.es.name(index), size=size, ignore_unavailable=True, **search)
        return [h["_source"] for h in resp["hits"]["hits"]]
    finally:
        client.close()


def es_by_ids(
    settings: Settings, index: str, ids: Iterable[str], chunk: int = 1000, source: bool | list[str] = True
) -> dict[str, dict]:
    """The documents of `index` among `ids`, by id (asked in chunks: a surge names thousands of posts);
    `source` False or a list of fields keeps a poll light."""
    from yuqing import es as es_setup

    wanted = list(dict.fromkeys(ids))
    found: dict[str, dict] = {}
    client = es_setup.client(settings.es)
    try:
        client.indices.refresh(index=settings.es.name(index), ignore_unavailable=True)
        for i in range(0, len(wanted), chunk):
            part = wanted[i : i + chunk]
            resp = client.search(
                index=settings.es.name(index), query={"ids": {"values": part}}, size=len(part),
                source=source, ignore_unavailable=True,
            )  # fmt: skip
            found.update({h["_id"]: h.get("_source", {}) for h in resp["hits"]["hits"]})
    finally:
        client.close()
    return found


def wait_idle(settings: Settings, timeout: float = 240) -> None:
    """Until the workers have committed everything on every topic they read (twice in a row)."""
    from streams.lag import lag

    quiet: list[bool] = []
    behind: dict[str, int] = {}

    def idle() -> bool:
        behind.clear()
        behind.update({topic: n for topic, n in asyncio.run(lag(settings)).items() if n})
        quiet.append(not behind)
        return len(quiet) >= 2 and quiet[-1] and quiet[-2]

    try:
        wait_until("the stream to be idle", idle, timeout, every=1.0)
    except AssertionError as e:  # name what is stuck: which topic, how many messages
        raise AssertionError(f"{e}; still behind: {behind}") from None


@contextlib.contextmanager
def own_prefix(settings: Settings) -> Iterator[Settings]:
    """The settings under prefixes of their own (topics, indices, consumer group), initialised, then gone."""
    from yuqing import es as es_setup
    from yuqing.bootstrap import initialize

    tag = f"{settings.kafka.topic_prefix}{uuid.uuid4().hex[:6]}"
    mine = settings.model_copy(
        update={
            "kafka": settings.kafka.model_copy(update={"topic_prefix": f"{tag}."}),
            "es": settings.es.model_copy(update={"index_prefix": f"{tag.replace('.', '-')}-"}),
        }
    )
    initialize(mine)
    try:
        yield mine
    finally:
        client = es_setup.client(mine.es)
        try:
            es_setup.delete_prefixed(client, mine.es)
        finally:
            client.close()
        asyncio.run(kafka_setup.delete_prefixed_topics(mine.kafka))
