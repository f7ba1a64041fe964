"""`yuqing crawl`: crawl the configured sources into Kafka `posts.raw`."""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path

import typer

from yuqing.errors import ConfigError, ServiceError

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_CONFIG, EXIT_SERVICE = 0, 1, 2, 3


def _overrides(pairs: list[str]) -> dict[str, str]:
    found = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError("command line", "-s", f"{pair!r} is not KEY=VALUE")
        found[key.strip()] = value
    return found


def crawl(
    names: list[str] = typer.Argument(None, help="Sources to crawl (default: every enabled source)."),
    list_only: bool = typer.Option(
        False, "--list", help="List the sources (type, schedule, shard) and exit."
    ),
    try_name: str = typer.Option(
        None,
        "--try",
        metavar="NAME",
        help="Fetch one page of each kind of source NAME (enabled or not), print what every selector "
        "extracted, and exit (1 if a selector matched nothing). Nothing is sent or remembered.",
    ),
    schedule: bool = typer.Option(False, "--schedule", help="Keep running, each source on its own schedule."),
    rounds: int = typer.Option(0, "--rounds", help="With --schedule: stop after this many runs (0: never)."),
    shard: str = typer.Option(None, "--shard", help="i/N: crawl only the sources of shard i (0-based) of N."),
    output: Path = typer.Option(None, "--output", help="Write posts as JSON lines to this file, not Kafka."),
    sources_file: Path = typer.Option(None, "--sources", help="Sources file (default: config/sources.yaml)."),
    state_dir: Path = typer.Option(None, "--state-dir", help="Incremental state and job queues folder."),
    reset: bool = typer.Option(False, "--reset", help="Forget what the chosen sources already emitted."),
    setting: list[str] = typer.Option(None, "-s", "--set", help="Scrapy setting override KEY=VALUE."),
    summary_json: Path = typer.Option(None, "--summary-json", help="Also write the summary as JSON here."),
    serve_demo: bool = typer.Option(False, "--serve-demo", help="Serve the demo site in this process too."),
    demo_port: int = typer.Option(8765, "--demo-port", help="Port of the demo site on 127.0.0.1."),
) -> None:
    """Crawl sources into Kafka posts.raw, once or with --schedule; print a summary.

    A post goes out once Kafka confirmed it, and again only when its
    engagement counts changed (same id). A source answering with login
    pages, captchas or 403s is reported as blocked. --shard i/N splits the
    sources between N processes without overlap.

    A summary line says WARNING when a selector matched nothing on a
    fetched page or most posts lack a date or an author; FAILED when
    pages or items failed and nothing came through.

    Exit codes: 0 every source finished; 1 a source failed, was blocked or
    delivered nothing because everything failed;
    2 usage or configuration error (sources file, unknown source, missing
    credential variable); 3 Kafka unreachable or a delivery failed (nothing
    undelivered is marked as seen).
    """
    from crawlers.sharding import parse_shard, select, shard_of
    from crawlers.sources import SOURCES_FILE, load_sources
    from yuqing.settings import config_dir

    if serve_demo:
        # The demo sources find the demo site through DEMO_BASE; serving it here decides where it is.
        os.environ.setdefault("DEMO_BASE", f"http://127.0.0.1:{demo_port}")
    path = sources_file or config_dir() / SOURCES_FILE
    catalogue = load_sources(path)
    index, count = (0, 1)
    if shard:
        try:
            index, count = parse_shard(shard)
        except ValueError as exc:
            raise ConfigError("command line", "--shard", str(exc)) from exc
    if try_name:
        _try(catalogue, try_name, path)
        return
    if list_only:
        for s in catalogue.sources:
            mark = "" if shard_of(s.name, count) == index else "  (other shard)"
            state = "enabled " if s.enabled else "disabled"
            owner = shard_of(s.name, count)
            typer.echo(
                f"{s.name:<24} {s.type:<11} {state} every {s.schedule:>6.0f}s  shard {owner}/{count}{mark}"
            )
        return
    unknown = [n for n in names or [] if n not in catalogue.by_name]
    if unknown:
        raise ConfigError(str(path), "sources", f"unknown source(s): {', '.join(unknown)}")
    chosen = [catalogue.by_name[n] for n in names] if names else [s for s in catalogue.sources if s.enabled]
    chosen = select(chosen, index, count)
    if not chosen:
        typer.echo("no sources to crawl" + (f" on shard {index}/{count}" if shard else ""), err=True)
        return
    for source in chosen:
        source.credentials(file=str(path))  # a missing secret is a configuration error, before anything runs

    from crawlers.runner import Runner, build_settings

    settings = build_settings(
        output=output, state_dir=state_dir, sources_file=path, overrides=_overrides(setting or [])
    )
    state = Path(settings["YUQING_STATE_DIR"])
    if reset:
        for source in chosen:
            for stale in (state / f"{source.name}.sqlite", state / "jobs" / source.name):
                shutil.rmtree(stale, ignore_errors=True) if stale.is_dir() else stale.unlink(missing_ok=True)
            for suffix in ("-wal", "-shm"):
                (state / f"{source.name}.sqlite{suffix}").unlink(missing_ok=True)
    if serve_demo:
        from devtools.demo.server import serve_in_thread

        serve_in_thread(port=demo_port)

    def report(result) -> None:
        typer.echo(result.line())

    runner = Runner(chosen, settings, preflight=_preflight(settings), on_result=report)
    results = runner.run(schedule=schedule, rounds=rounds)
    if summary_json is not None:
        summary_json.write_text(json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=2))
    if any(r.kafka_error for r in results):
        bad = next(r for r in results if r.kafka_error)
        raise ServiceError("kafka", bad.error or f"delivery failed while crawling {bad.source}")
    # Stopping a scheduled crawler (Ctrl-C, SIGTERM) interrupts its runs: that is not a failure.
    bad = [r for r in results if not r.ok and not (schedule and r.reason == "shutdown" and not r.blocked)]
    if bad:
        failed = ", ".join(f"{r.source} ({r.problem})" for r in bad)
        typer.echo(f"crawl incomplete: {failed}", err=True)
        raise typer.Exit(EXIT_FAILED)


def _try(catalogue, name: str, path: Path) -> None:
    """`--try NAME`: one page of each kind, every selector's result; exit 1 when one matched nothing."""
    from crawlers import settings as scrapy_settings
    from crawlers.preview import http_fetcher, ok, preview, render

    source = catalogue.by_name.get(name)
    if source is None:
        raise ConfigError(str(path), "sources", f"unknown source: {name}")
    source.credentials(file=str(path))  # a missing secret is a configuration error here too
    logging.getLogger("httpx").setLevel(logging.WARNING)  # the preview prints every page it fetched
    fetch = http_fetcher(source, scrapy_settings.USER_AGENT, scrapy_settings.DEFAULT_REQUEST_HEADERS)
    steps = preview(source, fetch)
    typer.echo(render(source, steps))
    if not ok(steps):
        raise typer.Exit(EXIT_FAILED)


def _preflight(settings):
    """Kafka reachable and the topics there, checked inside the crawl's event loop before any source."""
    if settings.get("YUQING_SINK") != "kafka":
        return None
    from yuqing.kafka import ensure_topics_async
    from yuqing.settings import KafkaSettings

    kafka = KafkaSettings(**settings.getdict("YUQING_KAFKA"))

    async def check() -> None:
        from aiokafka.errors import KafkaError

        try:
            for line in await ensure_topics_async(kafka):
                logger.debug("%s", line)
        except (KafkaError, OSError, TimeoutError) as exc:
            raise ServiceError("kafka", f"cannot reach {kafka.bootstrap_servers}: {exc}") from exc

    return check
