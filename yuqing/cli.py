"""The one command line, `yuqing`.

The kernel command (`init`) lives here. Stage commands (`crawl`, `worker`, `serve`, `score`, `train`,
`eval`, `bench`) and the development tools' (`services`, `mailbox`, from devtools/) are registered through
the `yuqing.commands` entry-point group, so this package never imports a stage nor devtools (DESIGN.md's
dependency direction).

Exit codes: 0 success; 1 the work ran and something in it failed (a bad input line, an unhealthy
service); 2 usage or configuration error; 3 a service could not be reached or started.
"""

from __future__ import annotations

import logging
import sys
from importlib.metadata import entry_points

import typer

from yuqing.errors import ConfigError, NotImplementedYet, ServiceError, YuqingError

EXIT_FAILED, EXIT_CONFIG, EXIT_SERVICE = 1, 2, 3

app = typer.Typer(
    name="yuqing",
    help="Yuqing (舆情): tourism public-opinion and risk early warning for Mile.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(verbose: bool = typer.Option(False, "--verbose", "-v", help="Debug logging.")) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if not verbose:
        # The ES client logs every request at INFO: too loud for an operator's terminal.
        logging.getLogger("elastic_transport").setLevel(logging.WARNING)


@app.command("init")
def init(
    grow_partitions: bool = typer.Option(
        False,
        "--grow-partitions",
        help="Add partitions to existing topics when KAFKA_PARTITIONS grew. Moves keys to other partitions: "
        "the stream's state (events, rule windows) no longer matches; only for an empty or replayed "
        "deployment.",
    ),
) -> None:
    """Create Kafka topics, Elasticsearch index templates, indices and aliases. Idempotent.

    A topic with fewer partitions than KAFKA_PARTITIONS is refused (exit 2) unless --grow-partitions.
    Exit 0 on success, 3 when Kafka or Elasticsearch cannot be reached.
    """
    from yuqing.bootstrap import initialize
    from yuqing.settings import get_settings

    for line in initialize(get_settings(), grow_partitions):
        typer.echo(line)


def _register_stage_commands() -> None:
    """Add the commands the stages declare under the `yuqing.commands` entry-point group (once)."""
    known = {c.name for c in app.registered_commands} | {g.name for g in app.registered_groups}
    for ep in sorted(entry_points(group="yuqing.commands"), key=lambda e: e.name):
        if ep.name in known:
            continue
        try:
            target = ep.load()
        except Exception as exc:  # a broken stage must not take the whole CLI down
            logging.getLogger(__name__).warning("command %s unavailable: %s", ep.name, exc)
            continue
        if isinstance(target, typer.Typer):
            app.add_typer(target, name=ep.name)
        else:
            app.command(ep.name)(target)


def main() -> None:
    """Entry point: map the project's errors to exit codes and one clear line on stderr."""
    _register_stage_commands()
    try:
        app()
    except ConfigError as exc:
        typer.echo(f"configuration error: {exc}", err=True)
        sys.exit(EXIT_CONFIG)
    except ServiceError as exc:
        typer.echo(f"service error: {exc}", err=True)
        sys.exit(EXIT_SERVICE)
    except NotImplementedYet as exc:
        typer.echo(f"not available yet: {exc}", err=True)
        sys.exit(EXIT_CONFIG)
    except YuqingError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_FAILED)


if __name__ == "__main__":
    main()
