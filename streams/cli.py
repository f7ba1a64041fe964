"""`yuqing worker`, `yuqing worker status`, `yuqing replay`: running the stream."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import subprocess
import sys
from datetime import datetime

import typer

worker = typer.Typer(invoke_without_command=True, no_args_is_help=False)


@worker.callback()
def run(
    ctx: typer.Context,
    workers: int = typer.Option(1, "--workers", "-n", min=1, help="Worker processes to run here."),
    loglevel: str = typer.Option("INFO", "--loglevel", help="DEBUG, INFO, WARNING."),
) -> None:
    """Run stream worker(s): posts.raw → validate → place → events → score → Elasticsearch, alerts → e-mail.

    Workers of the same STREAM_APP_ID share the partitions (start more here or on other machines).
    Runs until stopped (SIGTERM or Ctrl-C). Exit 2 on a configuration error, 3 when Kafka is unreachable.
    `yuqing worker status` shows the counters of the running workers.
    """
    if ctx.invoked_subcommand is not None:
        return
    if workers > 1:
        _run_many(workers, loglevel)
        return
    from faust.worker import Worker

    from yuqing.errors import ConfigError
    from yuqing.kafka import describe_topics, topic_names
    from yuqing.settings import get_settings

    settings = get_settings()
    from streams.app import app  # a bad rules.yaml or stations.yaml stops here: exit 2, naming file and key

    wanted = topic_names(settings.kafka)
    found = asyncio.run(describe_topics(settings.kafka, wanted))  # Kafka unreachable: exit 3
    missing = [t for t in wanted if t not in found]
    if missing:
        raise ConfigError(
            "KAFKA_TOPIC_PREFIX", "topics", f"missing {', '.join(missing)}: run `yuqing init` first"
        )
    Worker(app, loglevel=loglevel, quiet=True, redirect_stdouts=False).execute_from_commandline()


def _run_many(n: int, loglevel: str) -> None:
    cmd = [sys.executable, "-m", "yuqing.cli", "worker", "--loglevel", loglevel]
    procs = [subprocess.Popen(cmd) for _ in range(n)]

    def stop(*_: object) -> None:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    codes = [p.wait() for p in procs]
    if any(codes):
        raise typer.Exit(max(codes))


@worker.command("status")
def status(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """Counters of this deployment's workers (posts in, dead letters, indexed, alerts, e-mails, latency) and
    how many messages each topic still holds for them.

    Exit 0 when at least one worker is alive, 1 otherwise.
    """
    from streams.lag import lag
    from streams.stats import read_all
    from yuqing.settings import get_settings

    settings = get_settings()
    app_id = settings.kafka.topic(settings.stream.app_id)
    workers = read_all(settings, app_id, fresh_s=settings.stream.stats_every_s * 3)
    behind = asyncio.run(lag(settings))
    if as_json:
        typer.echo(json.dumps({"workers": workers, "lag": behind}, ensure_ascii=False, indent=1))
    else:
        typer.echo("not yet processed: " + ", ".join(f"{t} {n}" for t, n in sorted(behind.items())))
        for w in workers:
            state = "alive" if w["alive"] else "gone"
            typer.echo(f"worker {w['host']}:{w['pid']} ({state}), latency {w.get('produce_to_indexed_s')}")
            for key, value in w["counters"].items():
                typer.echo(f"  {key:<32} {value}")
        if not workers:
            typer.echo(f"no worker of {app_id} has written stats")
    if not any(w["alive"] for w in workers):
        raise typer.Exit(1)


def replay(
    since: datetime = typer.Option(
        None, "--since", help="Replay raw posts published to Kafka from this time (--dlq: dead letters)."
    ),
    until: datetime = typer.Option(None, "--until", help="... up to this time (default: now)."),
    dlq: bool = typer.Option(
        False, "--dlq", help="Re-offer chosen dead letters from posts.dlq to the topic their stage reads."
    ),
    stage: str = typer.Option(None, "--stage", help="With --dlq: only dead letters of this stage."),
    post_ids: list[str] = typer.Option(None, "--post-id", help="With --dlq: only these posts (repeatable)."),
    offsets: list[str] = typer.Option(
        None, "--offset", help="With --dlq: only the record at PARTITION:OFFSET of posts.dlq (repeatable)."
    ),
    ids: list[str] = typer.Option(None, "--id", help="With --dlq: only the record of this id (repeatable)."),
    list_only: bool = typer.Option(
        False, "--list", help="With --dlq: print what would be replayed (offset, stage, post id, reason)."
    ),
) -> None:
    """Re-run stored posts.raw through the current model and rules into the same ids (no duplicates), or,
    with --dlq, re-offer the dead letters you choose once their cause is fixed.

    Needs a running worker. Replayed posts overwrite their documents and raise no alerts for history.

    Dead letters go back as new input (they may alert): validate, dedup, group, score, index and judge to
    posts.raw as the raw post, notify to alerts; a truncated original or one without a post is skipped.
    Every dead letter's `replay` field holds the command that re-offers it.

    Exit 0 when done, 1 when a chosen dead letter was skipped or failed, 2 on bad options, 3 when Kafka
    is unreachable.
    """
    from yuqing.schema import TZ
    from yuqing.settings import get_settings

    def local(value: datetime | None) -> datetime | None:
        return value.replace(tzinfo=TZ) if value is not None and value.tzinfo is None else value

    logging.getLogger("aiokafka").setLevel(logging.WARNING)  # its metadata chatter is not the operator's
    if dlq:
        _replay_dlq(local(since), local(until), stage, post_ids, offsets, ids, list_only)
        return
    if stage or post_ids or offsets or ids or list_only:
        raise typer.BadParameter("--stage, --post-id, --offset, --id and --list go with --dlq")
    if since is None:
        raise typer.BadParameter("--since is needed (or --dlq)", param_hint="--since")
    from streams.replay import replay as run_replay

    sent = asyncio.run(run_replay(get_settings(), local(since), local(until)))
    typer.echo(f"replayed {sent} raw posts")


def _replay_dlq(
    since: datetime | None,
    until: datetime | None,
    stage: str | None,
    post_ids: list[str] | None,
    offsets: list[str] | None,
    ids: list[str] | None,
    list_only: bool,
) -> None:
    from streams.replay import Selection, parse_offset, replay_dlq
    from yuqing.settings import get_settings

    try:
        chosen = frozenset(parse_offset(o) for o in offsets or [])
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--offset") from None
    selection = Selection(stage, since, until, frozenset(post_ids or []), chosen, frozenset(ids or []))
    report = asyncio.run(replay_dlq(get_settings(), selection, dry_run=list_only))
    if list_only:
        for letter in report.chosen:
            typer.echo(letter.line())
        typer.echo(f"{len(report.chosen)} dead letters would be replayed")
        return
    for line in report.summary():
        typer.echo(line)
    if not report.ok:
        raise typer.Exit(1)
