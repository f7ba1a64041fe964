"""Crawling throughput on this machine: `yuqing crawl` on the local demo site beside `scrapy bench`.

Both run in the same invocation, one after the other, for the same number of seconds, against servers on
127.0.0.1 only. Ours is the production path of a news source with politeness switched off (no delay, no
AutoThrottle, 16 requests per domain; robots.txt still obeyed): list pages → article pages, text by
trafilatura (no selectors) or by configured selectors, dates, the relevance gate, the incremental state,
and a JSON-lines sink instead of Kafka (so the figure is the crawler's, not the broker's). `scrapy bench`
follows links on tiny generated pages with no processing: it measures Scrapy's machinery alone.

The share of time outside Scrapy's machinery comes from a third run under cProfile, enabled only
between spider_opened and spider_closed: time (cumulative) in the project's code entered from Scrapy or
Twisted, i.e. our callbacks, pipelines and middlewares with everything they call (trafilatura, lxml,
pydantic, OpenCC, SQLite), as a share of the busy time (all profiled time less the event loop's waits).
cProfile adds a cost per call, which weighs more on Scrapy's many small calls than on our few big ones.
"""

from __future__ import annotations

import json
import os
import pstats
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import scrapy

OURS = ("/crawlers/", "/yuqing/")
IDLE = ("poll' of 'select.epoll", "select.select", "poll' of 'select.poll", "'_thread.lock' objects")

SOURCE = """
sources:
  - name: bench_news
    type: news
    urls: ["{base}/bench/list/0.html"]
    links: "ul.news-list li a::attr(href)"
    next_page: "div.page a.next::attr(href)"
    max_pages: 1000
    keywords: [弥勒]
{article}    politeness:
      {{download_delay_s: 0, autothrottle: false, concurrency_per_domain: 16, timeout_s: 10}}
"""
SELECTORS = """    article: {title: "h1.title", body: "div.content p", date: "div.info::text"}
"""


class ProfileExtension:
    """Profiles the crawl between spider_opened and spider_closed (not imports and start-up)."""

    def __init__(self, path: str) -> None:
        import cProfile

        self.path = path
        self.profile = cProfile.Profile()

    @classmethod
    def from_crawler(cls, crawler) -> ProfileExtension:
        from scrapy import signals
        from scrapy.exceptions import NotConfigured

        path = crawler.settings.get("BENCH_PROFILE_PATH")
        if not path:
            raise NotConfigured("BENCH_PROFILE_PATH not set")
        ext = cls(path)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self) -> None:
        self.profile.enable()

    def spider_closed(self) -> None:
        self.profile.disable()
        self.profile.dump_stats(self.path)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"bench site did not start on port {port}")


def run_ours(base: str, seconds: float, work: Path, selectors: bool, profile: Path | None = None) -> dict:
    """One timed crawl; pages/s from the crawl's own stats (responses over elapsed time)."""
    sources = work / "sources.yaml"
    sources.write_text(SOURCE.format(base=base, article=SELECTORS if selectors else ""), encoding="utf-8")
    summary = work / "summary.json"
    cmd = [
        sys.executable,
        "-m",
        "yuqing.cli",
        "crawl",
        "--sources",
        str(sources),
        "--state-dir",
        str(work / "state"),
        "--output",
        str(work / "posts.jsonl"),
        "--summary-json",
        str(summary),
        "--reset",
        "-s",
        f"CLOSESPIDER_TIMEOUT={seconds}",
        "-s",
        "CONCURRENT_REQUESTS=16",
        "-s",
        "LOGSTATS_INTERVAL=3600",
    ]
    if profile is not None:
        extensions = {
            "scrapy.extensions.telnet.TelnetConsole": None,
            "crawlers.extensions.blocks.BlockMonitor": 500,
            "bench.crawl_bench.ProfileExtension": 0,
        }
        cmd += ["-s", f"EXTENSIONS={json.dumps(extensions)}", "-s", f"BENCH_PROFILE_PATH={profile}"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120, check=False)
    if not summary.exists():
        raise RuntimeError(f"the crawl wrote no summary (exit {proc.returncode}): {proc.stderr[-800:]}")
    stats = json.loads(summary.read_text())[0]["stats"]
    pages = int(stats.get("response_received_count", 0))
    elapsed = float(stats.get("elapsed_time_seconds") or seconds)
    return {
        "pages": pages,
        "seconds": elapsed,
        "rate": pages / elapsed,
        "posts": int(stats.get("item_scraped_count", 0)),
    }


def run_scrapy_bench(seconds: float, work: Path) -> dict:
    """`scrapy bench` (its own local server, 127.0.0.1:8998), from a folder with no Scrapy project."""
    cmd = [
        sys.executable,
        "-m",
        "scrapy",
        "bench",
        "-s",
        f"CLOSESPIDER_TIMEOUT={seconds}",
        "-s",
        "LOGSTATS_INTERVAL=1",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120, cwd=work, check=False)
    log = proc.stderr + proc.stdout
    pages = re.search(r"'response_received_count': (\d+)", log)
    elapsed = re.search(r"'elapsed_time_seconds': ([\d.]+)", log)
    per_min = [int(m) for m in re.findall(r"\(at (\d+) pages/min\)", log)]
    if not pages or not elapsed:
        raise RuntimeError(f"could not read scrapy bench's stats: {log[-500:]}")
    n, t = int(pages.group(1)), float(elapsed.group(1))
    return {"pages": n, "seconds": t, "rate": n / t, "peak_per_min": max(per_min, default=0)}


def outside_share(profile: Path) -> dict:
    """Busy time, and the part of it spent in our code (entered from outside it), by component."""
    stats = pstats.Stats(str(profile)).stats  # {func: (cc, nc, tt, ct, callers)}
    total = sum(v[2] for v in stats.values())
    idle = sum(v[2] for f, v in stats.items() if any(m in f"{f[0]}:{f[2]}" for m in IDLE))

    def ours(func: tuple) -> bool:
        return any(part in func[0] for part in OURS)

    parts = {"callbacks": 0.0, "pipelines": 0.0, "middlewares": 0.0, "other": 0.0}
    for func, (_cc, _nc, _tt, _ct, callers) in stats.items():
        if not ours(func):
            continue
        entered = sum(edge[3] for caller, edge in callers.items() if not ours(caller))
        kind = next(
            (k for k in ("spiders", "pipelines", "middlewares") if f"/crawlers/{k}/" in func[0]), "other"
        )
        parts[{"spiders": "callbacks"}.get(kind, kind)] += entered
    busy = max(total - idle, 1e-9)
    inside = sum(parts.values())
    return {
        "busy_s": busy,
        "ours_s": inside,
        "share": inside / busy,
        **{k: v / busy for k, v in parts.items()},
    }


def main(quick: bool = False) -> None:
    seconds = 5.0 if quick else 15.0
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    site = subprocess.Popen(
        [sys.executable, "-m", "devtools.demo", "--port", str(port), "--frozen", "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        _wait_for(port)
        with tempfile.TemporaryDirectory(prefix="crawl-bench-") as tmp:
            work = Path(tmp)
            (work / "trafilatura").mkdir()
            (work / "selectors").mkdir()
            (work / "scrapy").mkdir()
            extracted = run_ours(base, seconds, work / "trafilatura", selectors=False)
            selected = None if quick else run_ours(base, seconds, work / "selectors", selectors=True)
            baseline = run_scrapy_bench(seconds, work / "scrapy")
            shares = {}
            for label, use_selectors in (("trafilatura", False), ("selectors", True))[: 1 if quick else 2]:
                folder = work / "profile" / label
                folder.mkdir(parents=True)
                prof_path = folder / "crawl.prof"
                run_ours(base, seconds, folder, selectors=use_selectors, profile=prof_path)
                if prof_path.exists():
                    shares[label] = outside_share(prof_path)
    finally:
        site.terminate()
        site.wait(timeout=10)

    print(
        f"crawl bench: {seconds:.0f} s per run, one after another, local servers only"
        f" (Scrapy {scrapy.__version__})"
    )
    row = "  {:<44} {:>7.1f} pages/s  ({} pages in {:.1f} s{})"
    print(
        row.format(
            "yuqing crawl, news source, trafilatura",
            extracted["rate"],
            extracted["pages"],
            extracted["seconds"],
            f", {extracted['posts']} posts",
        )
    )
    if selected:
        print(
            row.format(
                "yuqing crawl, news source, CSS selectors",
                selected["rate"],
                selected["pages"],
                selected["seconds"],
                f", {selected['posts']} posts",
            )
        )
    print(
        row.format(
            "scrapy bench (baseline: Scrapy alone)",
            baseline["rate"],
            baseline["pages"],
            baseline["seconds"],
            f", peak {baseline['peak_per_min']} pages/min",
        )
    )
    print(
        f"  ratio yuqing/scrapy bench: trafilatura {extracted['rate'] / baseline['rate']:.2f}"
        + (f", selectors {selected['rate'] / baseline['rate']:.2f}" if selected else "")
    )
    for label, share in shares.items():
        print(
            f"  time outside Scrapy's machinery (cProfile, {label} run): {share['share']:.0%} of busy time"
            f" {share['busy_s']:.1f} s — callbacks {share['callbacks']:.0%},"
            f" pipelines {share['pipelines']:.0%},"
            f" middlewares {share['middlewares']:.0%}, other {share['other']:.0%}"
        )
    if not shares:
        print("  time outside Scrapy's machinery: no profile was written", file=sys.stderr)


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
