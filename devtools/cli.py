"""`yuqing services up|down|status` and `yuqing mailbox`: the local services and mail catcher for development.

Exit codes as the rest of the CLI: 0 success; 1 a service is unhealthy; 2 usage or configuration error;
3 a service could not be reached or started.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import typer

EXIT_FAILED = 1

services_app = typer.Typer(help="Local Kafka and Elasticsearch without Docker.", no_args_is_help=True)


ONLY_HELP = "kafka and/or elasticsearch (default: both)."
CLUSTER_HELP = (
    "The local cluster instead of the single node: 3 Kafka nodes (replication 3, min in-sync 2) and "
    "2 Elasticsearch nodes (1 replica), on their own ports and state folder (SERVICES_CLUSTER_*)."
)


@services_app.command("up")
def services_up(
    only: list[str] = typer.Option(None, "--only", help=ONLY_HELP),
    cluster: bool = typer.Option(False, "--cluster", help=CLUSTER_HELP),
) -> None:
    """Fetch (first time), start and wait for the local services. Idempotent.

    With --cluster, a node that died is started again; while a node is missing the others wait for it, and
    what each waits for is said every 10 s. Exit 0 when all are healthy, 3 when one cannot be fetched or
    started within SERVICES_START_TIMEOUT_S (what this call started is stopped again).
    """
    from devtools.services import manager
    from yuqing.settings import get_settings

    say = lambda line: typer.echo(f"services: {line}", err=True)  # noqa: E731
    for status in manager.up(get_settings(), only=only or None, cluster=cluster, progress=say):
        typer.echo(status.line())
    if cluster:
        typer.echo("point the project at it: export $(yuqing services env --cluster)")


@services_app.command("down")
def services_down(
    only: list[str] = typer.Option(None, "--only", help=ONLY_HELP),
    cluster: bool = typer.Option(False, "--cluster", help="Stop the local cluster's nodes."),
) -> None:
    """Stop the local services cleanly (data is kept). Exit 0 even if they were not running."""
    from devtools.services import manager
    from yuqing.settings import get_settings

    for line in manager.down(get_settings(), only=only or None, cluster=cluster):
        typer.echo(line)


@services_app.command("status")
def services_status(
    cluster: bool = typer.Option(False, "--cluster", help="Report the local cluster's nodes."),
) -> None:
    """Report health and ports of the local services (each node of the cluster with --cluster; a cluster node
    is healthy when it sees every other node). Exit 0 if all are healthy, else 1."""
    from devtools.services import manager
    from yuqing.settings import get_settings

    statuses = manager.status(get_settings(), cluster=cluster)
    for status in statuses:
        typer.echo(status.line())
    if not all(s.healthy for s in statuses):
        raise typer.Exit(EXIT_FAILED)


@services_app.command("env")
def services_env(
    cluster: bool = typer.Option(False, "--cluster", help="The local cluster's (else the single node's)."),
) -> None:
    """Print the settings (KEY=value lines) that point `yuqing init`, the worker, the crawler and the web app
    at the local services: brokers, Elasticsearch nodes, replication. For `export $(...)` or a Makefile."""
    from devtools.services import manager
    from yuqing.settings import get_settings

    for key, value in manager.client_env(get_settings(), cluster=cluster).items():
        typer.echo(f"{key}={value}")


def mailbox(
    host: str = typer.Option(None, "--host", help="Bind address (default: SMTP_HOST)."),
    port: int = typer.Option(None, "--port", help="Port (default: SMTP_PORT)."),
    folder: Path = typer.Option(None, "--dir", help="Where messages go (default: <state dir>/mail)."),
) -> None:
    """A local SMTP catcher: every message it accepts is filed as an .eml under var/mail/ (demos, tests).

    Runs until stopped. Exit 3 when the port is taken.
    """
    from devtools.mailbox import start
    from yuqing.errors import ServiceError
    from yuqing.settings import get_settings

    settings = get_settings()
    folder = folder or settings.services.state_dir / "mail"
    host, port = host or settings.smtp.host, port or settings.smtp.port
    try:
        controller = start(folder, host, port, lambda p: typer.echo(f"mail: {p}"))
    except (OSError, RuntimeError) as exc:
        raise ServiceError("mailbox", f"cannot listen on {host}:{port}: {exc}") from exc
    typer.echo(f"mailbox: listening on {host}:{port}, filing messages under {folder}")
    stopped = []
    signal.signal(signal.SIGTERM, lambda *_: stopped.append(1))
    try:
        while not stopped:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
