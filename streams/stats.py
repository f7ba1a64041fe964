"""A worker's counters (namespaced keys, as in Scrapy's stats), in a file `yuqing worker status` reads."""

from __future__ import annotations

import json
import os
import socket
import time
from collections import deque
from pathlib import Path
from typing import Any

from yuqing.settings import Settings

LATENCIES_KEPT = 2000


def stats_dir(settings: Settings) -> Path:
    return settings.services.state_dir / "run" / "stream"


class Stats:
    def __init__(self, settings: Settings, app_id: str) -> None:
        self.app_id = app_id
        self.counters: dict[str, int] = {}
        self.sources: list[dict[str, int]] = []  # other components' counters, merged when written
        self.latencies: deque[float] = deque(maxlen=LATENCIES_KEPT)
        self.started = time.time()
        self.path = stats_dir(settings) / f"{app_id}-{socket.gethostname()}-{os.getpid()}.json"

    def count(self, key: str, n: int = 1) -> None:
        self.counters[key] = self.counters.get(key, 0) + n

    def latency(self, seconds: list[float]) -> None:
        self.latencies.extend(seconds)

    def snapshot(self) -> dict[str, Any]:
        counters = dict(self.counters)
        for extra in self.sources:
            for k, v in extra.items():
                counters[k] = counters.get(k, 0) + v
        lat = sorted(self.latencies)
        pct = (
            {f"p{q}": round(lat[min(len(lat) - 1, int(len(lat) * q / 100))], 3) for q in (50, 95)}
            if lat
            else {}
        )
        return {
            "app_id": self.app_id,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": self.started,
            "written": time.time(),
            "counters": dict(sorted(counters.items())),
            "produce_to_indexed_s": pct,
        }

    def write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.snapshot(), ensure_ascii=False, indent=1))
        os.replace(tmp, self.path)


def read_all(settings: Settings, app_id: str, fresh_s: float) -> list[dict[str, Any]]:
    """The stats of this app's workers written within `fresh_s` seconds (older files are dead workers)."""
    out = []
    folder = stats_dir(settings)
    for path in sorted(folder.glob(f"{app_id}-*.json")) if folder.exists() else []:
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        data["alive"] = time.time() - data.get("written", 0) <= fresh_s
        out.append(data)
    return out
