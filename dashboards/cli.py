"""`yuqing serve` (the web app), `yuqing users`, `yuqing feedback export`, `yuqing kibana import`."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import typer

EXIT_FAILED, EXIT_CONFIG = 1, 2


def serve(
    host: str = typer.Option(None, help="Bind address (default WEB_HOST)."),
    port: int = typer.Option(None, help="Bind port (default WEB_PORT)."),
) -> None:
    """Serve the monitoring screen, analyst search and alert console (and the JSON API, docs at /docs).

    Runs until stopped. Exit 2 on a configuration error (for example the default WEB_SECRET_KEY in
    production), 3 when the port cannot be bound.
    """
    import uvicorn

    from dashboards.api.app import create_app
    from yuqing.settings import get_settings

    settings = get_settings()
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host=host or settings.web.host,
        port=port or settings.web.port,
        log_level="info",
        proxy_headers=False,
    )
    server = uvicorn.Server(config)
    server.run()
    if not server.started:
        raise typer.Exit(3)


users_app = typer.Typer(
    help="Dashboard accounts: add, list, set-password, disable, enable.", no_args_is_help=True
)


def _run(coro_factory, audit: tuple[str, str, dict] | None = None):
    """Run one account operation with an async client; AccountError → exit 2 with its message.

    `audit` (action, target user, details) is written to the audit trail once the change is made, with the
    operating-system user who ran the command: the CLI changes accounts without any web sign-in.
    """
    from dashboards.accounts import AccountError, Accounts
    from dashboards.audit import Audit
    from dashboards.security import WeakPassword
    from yuqing import es as es_setup
    from yuqing.settings import get_settings

    async def main():
        settings = get_settings()
        client = es_setup.async_client(settings.es)
        try:
            result = await coro_factory(Accounts(client, settings.es), settings)
            if audit and result is not False:
                action, target, details = audit
                await Audit(client, settings.es).record(
                    _os_user(), action, target=target, role="cli", details={**details, **_origin()}
                )
            return result
        finally:
            await client.close()

    try:
        return asyncio.run(main())
    except (AccountError, WeakPassword) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_CONFIG) from exc


def _os_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a bare container)
        return f"uid:{os.getuid()}"


def _origin() -> dict[str, str]:
    import socket

    return {"via": "yuqing users", "host": socket.gethostname()}


def _password(generate: bool, stdin: bool) -> tuple[str, bool]:
    from dashboards.security import generate_password

    if generate:
        return generate_password(), True
    if stdin:
        return sys.stdin.readline().rstrip("\n"), False
    return typer.prompt("password", hide_input=True, confirmation_prompt=True), False


@users_app.command("add")
def users_add(
    username: str = typer.Argument(..., help="2-40 letters, digits, '.', '_' or '-'."),
    role: str = typer.Option(..., "--role", help="admin | analyst | duty_officer | supervisor"),
    station: str = typer.Option(None, "--station", help="A duty officer's station (config/stations.yaml)."),
    name: str = typer.Option(None, "--name", help="The person's name (姓名), shown where people are chosen."),
    generate: bool = typer.Option(False, "--generate", help="Generate a password and print it once."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
) -> None:
    """Create an account. Exit 0 when created, 2 when the name exists or a value is invalid."""
    from yuqing.config import load_stations

    password, generated = _password(generate, password_stdin)
    stations = [s.name for s in load_stations().stations]
    _run(
        lambda accounts, _s: accounts.add(username, password, role, station, stations, display_name=name),
        ("user_add", username, {"role": role, "station": station, "name": name}),
    )
    typer.echo(f"user {username} created ({role}{', ' + station if station else ''})")
    if generated:
        typer.echo(f"password: {password}")


@users_app.command("list")
def users_list() -> None:
    """List accounts: user name, role, station, state, last login, the person's name."""

    async def go(accounts, _s):
        return await accounts.list()

    for u in _run(go):
        state = "disabled" if u.disabled else "active"
        typer.echo(
            f"{u.username:<20} {u.role:<13} {u.station or '-':<12} {state:<8} {u.last_login_at or '-'}"
            f"  {u.display_name or ''}".rstrip()
        )


@users_app.command("set-password")
def users_set_password(
    username: str,
    generate: bool = typer.Option(False, "--generate", help="Generate a password and print it once."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
) -> None:
    """Set a new password (ends the user's open sessions). Exit 2 for an unknown user or a short password."""
    password, generated = _password(generate, password_stdin)
    _run(
        lambda accounts, _s: accounts.set_password(username, password),
        ("user_password", username, {"generated": generated}),
    )
    typer.echo(f"password of {username} changed")
    if generated:
        typer.echo(f"password: {password}")


@users_app.command("disable")
def users_disable(username: str) -> None:
    """Disable an account (its sessions end at their next request). Exit 2 for an unknown user."""
    _run(lambda accounts, _s: accounts.set_disabled(username, True), ("user_disable", username, {}))
    typer.echo(f"user {username} disabled")


@users_app.command("enable")
def users_enable(username: str) -> None:
    """Enable a disabled account again. Exit 2 for an unknown user."""
    _run(lambda accounts, _s: accounts.set_disabled(username, False), ("user_enable", username, {}))
    typer.echo(f"user {username} enabled")


@users_app.command("bootstrap-admin")
def users_bootstrap_admin(username: str = typer.Option("admin", help="Name of the first admin.")) -> None:
    """Create the first admin with a generated password, printed once; do nothing when an admin exists.

    `make up` runs this. Exit 0 either way.
    """
    from dashboards.security import generate_password

    password = generate_password()

    async def go(accounts, _s):
        if await accounts.any_admin():
            return False
        await accounts.add(username, password, "admin")
        return True

    if _run(go, ("user_add", username, {"role": "admin", "bootstrap": True})):
        typer.echo(f"admin account created: user {username}, password {password} (shown only this once)")
    else:
        typer.echo("an admin account exists already (reset a password with `yuqing users set-password NAME`)")


screen_app = typer.Typer(
    help="Screen tokens for wall displays (监测大屏, read-only, revocable): add, list, revoke.",
    no_args_is_help=True,
)
users_app.add_typer(screen_app, name="screen-token")


def _screen_tokens(work):
    """Run work(tokens, audit, settings) with an async client; ScreenTokenError → exit 2 with its message."""
    from dashboards.audit import Audit
    from dashboards.screen_tokens import ScreenTokenError, ScreenTokens
    from yuqing import es as es_setup
    from yuqing.settings import get_settings

    async def main():
        settings = get_settings()
        client = es_setup.async_client(settings.es)
        try:
            return await work(ScreenTokens(client, settings.es), Audit(client, settings.es), settings)
        finally:
            await client.close()

    try:
        return asyncio.run(main())
    except ScreenTokenError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_CONFIG) from exc


@screen_app.command("add")
def screen_token_add(
    name: str = typer.Option(..., "--name", help="Where the screen hangs (e.g. 网安值班室大屏)."),
    station: str = typer.Option(None, "--station", help="Show one station's posts only (default: the city)."),
) -> None:
    """Make a screen token and print the URL a wall display opens once (shown only now; only a hash is kept).

    The token shows the monitoring screen and its stream only, never expires, and ends when revoked.
    Audited. Exit 0 when made, 2 for an unknown station or an empty name.
    """
    from yuqing.config import load_stations

    stations = [s.name for s in load_stations().stations]

    async def go(tokens, audit, settings):
        token, secret = await tokens.create(name, station, _os_user(), stations)
        await audit.record(
            _os_user(), "screen_token_add", target=token.id, role="cli",
            details={"name": token.name, "station": token.station, **_origin()},
        )  # fmt: skip
        return token, settings.web.public_url.rstrip("/") + "/screen/login?token=" + secret

    token, url = _screen_tokens(go)
    typer.echo(f"screen token {token.id} created ({token.name}, {token.scope})")
    typer.echo(f"open on the wall display once: {url}")


@screen_app.command("list")
def screen_token_list() -> None:
    """List screen tokens: id, scope, state, who made it and when, name (never a secret)."""

    async def go(tokens, _audit, _settings):
        return await tokens.list()

    for t in _screen_tokens(go):
        state = "revoked" if t.revoked else "active"
        typer.echo(
            f"{t.id:<16} {t.scope:<12} {state:<8} {t.created_by:<12} {t.created_at:%Y-%m-%d %H:%M}  {t.name}"
        )


@screen_app.command("revoke")
def screen_token_revoke(token_id: str = typer.Argument(..., help="The token's id (st-…).")) -> None:
    """Revoke a screen token: its wall stops updating and says so. Audited. Exit 2 for an unknown id."""

    async def go(tokens, audit, _settings):
        token = await tokens.revoke(token_id, _os_user())
        await audit.record(
            _os_user(), "screen_token_revoke", target=token_id, role="cli",
            details={"name": token.name, "station": token.station, **_origin()},
        )  # fmt: skip
        return token

    _screen_tokens(go)
    typer.echo(f"screen token {token_id} revoked")


feedback_app = typer.Typer(help="Analysts' corrections for the next training run.", no_args_is_help=True)


@feedback_app.command("export")
def feedback_export(
    output: Path = typer.Option(None, "--output", "-o", help="File to write (default: stdout)."),
) -> None:
    """Corrections and false-alarm marks as JSON lines in the tourism-post format of models/data/README.md.

    Exit 0 when written (also when there is nothing to export), 3 when Elasticsearch cannot be reached.
    """
    from dashboards.feedback import dumps, export
    from yuqing import es as es_setup
    from yuqing.settings import get_settings

    settings = get_settings()
    client = es_setup.client(settings.es)
    count = 0
    out = output.open("w", encoding="utf-8") if output else sys.stdout
    try:
        for line in export(client, settings.es):
            out.write(dumps(line) + "\n")
            count += 1
    finally:
        client.close()
        if output:
            out.close()
    typer.echo(f"{count} corrected posts exported", err=True)


kibana_app = typer.Typer(help="Kibana saved objects (dashboards/kibana/*.ndjson).", no_args_is_help=True)


@kibana_app.command("import")
def kibana_import(
    url: str = typer.Option(None, "--url", help="Kibana base URL (default WEB_KIBANA_URL)."),
) -> None:
    """Load the saved objects (data view, visualisations, dashboard) into Kibana, overwriting earlier copies.

    Exit 0 when every file was imported, 3 when Kibana cannot be reached or refuses a file.
    """
    from dashboards.saved_objects import import_objects
    from yuqing.settings import get_settings

    for line in import_objects(url or get_settings().web.kibana_url):
        typer.echo(line)
