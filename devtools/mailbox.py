"""`yuqing mailbox`: a local SMTP catcher (aiosmtpd) that files every message it accepts under a folder.

A fresh install sees its alert e-mails without configuring a relay: the notifier's default SMTP host and port
are this mailbox's. Each message is one `.eml` file (named by arrival time and Message-ID),
written atomically. Like a mail store that deduplicates by Message-ID, a message whose Message-ID was already
filed is accepted but not filed again (it is logged in `resent.log`): that is the one repeat the notifier can
make, after a crash between the relay's acceptance and recording it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

log = logging.getLogger(__name__)
FILE_MODE = 0o640


class FilingHandler:
    """aiosmtpd handler: write each accepted message to `folder` before answering 250."""

    def __init__(self, folder: Path, on_message: Callable[[Path], None] | None = None) -> None:
        self.folder = folder
        self.on_message = on_message
        folder.mkdir(parents=True, exist_ok=True)
        self.filed = {p.name.split("-", 1)[1].removesuffix(".eml") for p in folder.glob("*.eml")}

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        data: bytes = envelope.original_content or envelope.content
        msg = message_from_bytes(data, policy=policy.default)
        mid = str(msg.get("Message-ID") or "").strip("<>") or hashlib.sha1(data).hexdigest()
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in mid)[:80]
        if safe in self.filed:
            fd = os.open(self.folder / "resent.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
            with os.fdopen(fd, "a", encoding="utf-8") as fh:
                fh.write(f"{time.time():.6f} {mid}\n")
            return "250 Message accepted for delivery (already filed)"
        self.filed.add(safe)
        path = self.folder / f"{time.time():.6f}-{safe}.eml"
        tmp = path.with_suffix(".tmp")
        # 0640 whatever the umask: a message holds post text and officers' addresses
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, FILE_MODE)  # os.open's mode passes through the umask; this does not
        os.replace(tmp, path)
        if self.on_message:
            self.on_message(path)
        return "250 Message accepted for delivery"


def start(folder: Path, host: str, port: int, on_message: Callable[[Path], None] | None = None) -> Controller:
    """Start the catcher in a background thread; `controller.stop()` ends it."""
    controller = Controller(FilingHandler(folder, on_message), hostname=host, port=port)
    controller.start()
    return controller


def resent(folder: Path) -> list[str]:
    """Message-IDs offered again after being filed (one line each)."""
    log_file = folder / "resent.log"
    return [line.split(" ", 1)[1] for line in log_file.read_text().splitlines()] if log_file.exists() else []


def read_mailbox(folder: Path) -> list[Any]:
    """The messages filed so far, oldest first (tests and the demo read them)."""
    return [message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted(folder.glob("*.eml"))]
