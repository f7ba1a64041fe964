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


@services_app.command("up")
def services_up(
    only: list[str] = typer.Option(None, "--only", help="kafka and/or elasticsearch (default: both)."),
) -> None:
    """Fetch (first time), start and wait for the local services. Idempotent.

    Exit 0 when all are healthy, 3 when one cannot be fetched or started (nothing half-started is left).
    """
    from devtools.services import manager
    from yuqing.settings import get_settings

    for status in manager.up(get_settings(), only=only or None):
        typer.echo(status.line())


@services_app.command("down")
def services_down(
    only: list[str] = typer.Option(None, "--only", help="kafka and/or elasticsearch (default: both)."),
) -> None:
    """Stop the local services cleanly (data is kept). Exit 0 even if they were not running."""
    from devtools.services import manager
    from yuqing.settings import get_settings

    for line in manager.down(get_settings(), only=only or None):
        typer.echo(line)


@services_app.command("status")
def services_status() -> None:
    """Report health and ports of the local services. Exit 0 if all are healthy, else 1."""
    from devtools.services import manager
    from yuqing.settings import get_settings

    statuses = manager.status(get_settings())
    for status in statuses:
        typer.echo(status.line())
    if not all(s.healthy for s in statuses):
        raise typer.Exit(EXIT_FAILED)


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
