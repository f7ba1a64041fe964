"""What a source already delivered: post id → fingerprint of its engagement counts, in one SQLite file.

One file per source (`<state dir>/crawl/<source>.sqlite`), so shards never share a file. A post is
marked only after the sink confirmed it (the `item_scraped` signal), in batches: a crash between delivery
and commit re-emits at most one batch, which the stable post id makes harmless downstream (at-least-once,
never at-most-once). Posts the relevance gate dropped are remembered apart (`irrelevant`, never
"seen"), so an article page judged irrelevant is not fetched again every run.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

from yuqing.schema import Engagement

logger = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS seen (
    id TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    first_sent REAL NOT NULL,
    last_sent REAL NOT NULL,
    sends INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS irrelevant (
    id TEXT PRIMARY KEY,
    judged REAL NOT NULL
)
"""


def fingerprint(engagement: Engagement) -> str:
    """The counts a platform shows; a change means the post is spreading and worth re-emitting."""
    return f"r{engagement.reposts}/c{engagement.comments}/l{engagement.likes}/v{engagement.views}"


class SeenStore:
    """Post ids already delivered for one source, with the fingerprint they were delivered with."""

    def __init__(self, path: Path, commit_every: int = 100) -> None:
        private_dir(path.parent)
        self.path = path
        self.commit_every = commit_every
        path.touch(mode=0o600, exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level="DEFERRED")
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._db.commit()
        self._pending = 0

    def fingerprint(self, post_id: str) -> str | None:
        """The fingerprint `post_id` was last delivered with, or None if never."""
        row = self._db.execute("SELECT fingerprint FROM seen WHERE id = ?", (post_id,)).fetchone()
        return row[0] if row else None

    def __contains__(self, post_id: str) -> bool:
        return self.fingerprint(post_id) is not None

    def mark(self, post_id: str, fingerprint: str) -> None:
        now = time.time()
        self._db.execute(
            "INSERT INTO seen (id, fingerprint, first_sent, last_sent) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET fingerprint = excluded.fingerprint, "
            "last_sent = excluded.last_sent, sends = sends + 1",
            (post_id, fingerprint, now, now),
        )
        self._written()

    def mark_irrelevant(self, post_id: str) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO irrelevant (id, judged) VALUES (?, ?)", (post_id, time.time())
        )
        self._written()

    def _written(self) -> None:
        """Commit in batches: one fsync per `commit_every` marks bounds what a crash can re-emit."""
        self._pending += 1
        if self._pending >= self.commit_every:
            self.commit()

    def known(self, post_id: str) -> bool:
        """Delivered, or judged irrelevant: either way not worth fetching again."""
        if post_id in self:
            return True
        return self._db.execute("SELECT 1 FROM irrelevant WHERE id = ?", (post_id,)).fetchone() is not None

    def commit(self) -> None:
        self._db.commit()
        self._pending = 0

    def __len__(self) -> int:
        return self._db.execute("SELECT count(*) FROM seen").fetchone()[0]

    def close(self) -> None:
        self.commit()
        self._db.close()


def private_dir(path: Path) -> Path:
    """`path` created if missing, readable by its owner only (0700): what was crawled, and the job queues'
    requests, are nobody else's business on a shared machine."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        path.chmod(0o700)
    except PermissionError:  # someone else's folder we may write in: theirs to protect
        logger.warning("cannot make %s private (owned by another user)", path)
    return path


def store_path(state_dir: Path, source: str) -> Path:
    return state_dir / f"{source}.sqlite"
