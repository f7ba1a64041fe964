"""Running the real stream in tests: a worker process, a mailbox (aiosmtpd), producing posts, waiting on ES.

Nothing here is faked: the worker is `yuqing worker` in its own process (so it can be killed with SIGKILL),
the mailbox is a real SMTP server, Kafka and Elasticsearch are the ones the settings point at.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from streams.notify import mailbox as mailbox_mod
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

    def __init__(self, folder: Path, port: int | None = None) -> None:
        self.folder, self.port = folder, port or free_port()
        self.controller = None

    def start(self) -> Mailbox:
        self.controller = mailbox_mod.start(self.folder, "127.0.0.1", self.port)
        return self

    def stop(self) -> None:
        if self.controller:
            self.controller.stop()
            self.controller = None

    def messages(self) -> list[Any]:
        return mailbox_mod.read_mailbox(self.folder)

    def message_ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.messages()]


def worker_env(settings: Settings, mailbox: Mailbox, state_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers,
        "KAFKA_TOPIC_PREFIX": settings.kafka.topic_prefix,
        "KAFKA_PARTITIONS": str(settings.kafka.partitions),
        "ES_URL": settings.es.url,
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
