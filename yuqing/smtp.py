"""Sending messages over SMTP with aiosmtplib: TLS and login from settings (the password only from the
environment). Shared by the stream's notifier and the web app's letters and reports.

Errors are told apart, not lumped together:

    TransientSmtpError   the relay is unreachable or answered 4xx: try again later
    PermanentSmtpError   a refused login, sender or recipients (5xx): fix the configuration

`send_once` opens a connection for one message (letters and reports: a few a day); `SmtpPool` keeps a few
connections open and reuses them (the notifier: a viral afternoon owes many e-mails, and connecting, EHLO,
login and QUIT cost more than the message itself).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from email.message import EmailMessage

import aiosmtplib

from yuqing.settings import SmtpSettings


class TransientSmtpError(Exception):
    """The relay is down or asked to come back later."""


class PermanentSmtpError(Exception):
    """The relay refused this message for good (login, sender or recipients)."""


@contextlib.contextmanager
def _classified(smtp: SmtpSettings) -> Iterator[None]:
    """aiosmtplib's errors as transient or permanent, naming the relay."""
    try:
        yield
    except aiosmtplib.SMTPAuthenticationError as exc:
        raise PermanentSmtpError(
            f"login refused by {smtp.host}:{smtp.port}: {exc.code} {exc.message}"
        ) from exc
    except aiosmtplib.SMTPRecipientsRefused as exc:
        raise PermanentSmtpError(f"recipients refused: {exc.recipients}") from exc
    except aiosmtplib.SMTPResponseException as exc:
        if 400 <= exc.code < 500:
            raise TransientSmtpError(f"{smtp.host}:{smtp.port} answered {exc.code} {exc.message}") from exc
        raise PermanentSmtpError(f"{smtp.host}:{smtp.port} refused: {exc.code} {exc.message}") from exc
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        raise TransientSmtpError(f"cannot reach {smtp.host}:{smtp.port}: {exc!r}") from exc


def _client(smtp: SmtpSettings) -> aiosmtplib.SMTP:
    return aiosmtplib.SMTP(
        hostname=smtp.host,
        port=smtp.port,
        username=smtp.username,
        password=smtp.password.get_secret_value() if smtp.password else None,
        start_tls=smtp.starttls,
        timeout=smtp.timeout_s,
    )


async def send_once(smtp: SmtpSettings, message: EmailMessage) -> None:
    """Connect, send `message`, quit."""
    with _classified(smtp):
        async with _client(smtp) as client:
            await client.send_message(message)


class SmtpPool:
    """Up to `size` open connections to the relay, each reused while it was used in the last `idle_s`
    (relays drop idle clients after a while; an older one is closed rather than trusted). A message that
    fails on a reused connection because the relay had closed it goes once more on a fresh one; any other
    failure closes the connection (its state is unknown) and is raised as send_once would."""

    def __init__(self, smtp: SmtpSettings, size: int = 4, idle_s: float = 30.0) -> None:
        self.smtp, self.idle_s = smtp, idle_s
        self._slots = asyncio.Semaphore(size)
        self._idle: list[tuple[aiosmtplib.SMTP, float]] = []  # connected clients, when each was last used
        self.connects = 0  # connections opened (the tests and `worker status` read it)

    async def send(self, message: EmailMessage) -> None:
        async with self._slots:
            client = self._take()
            if client is not None:
                try:
                    await self._send_on(client, message)
                    return
                except TransientSmtpError as exc:
                    if not isinstance(exc.__cause__, (aiosmtplib.SMTPServerDisconnected, ConnectionError)):
                        raise
                    # closed by the relay while idle: nothing went on it, a fresh connection takes it
            with _classified(self.smtp):
                client = _client(self.smtp)
                await client.connect()
            self.connects += 1
            await self._send_on(client, message)

    async def _send_on(self, client: aiosmtplib.SMTP, message: EmailMessage) -> None:
        with _classified(self.smtp):
            try:
                await client.send_message(message)
            except BaseException:
                client.close()  # its state is unknown: not reused
                raise
        self._idle.append((client, time.monotonic()))

    def _take(self) -> aiosmtplib.SMTP | None:
        """The most recently used connection that is still open and fresh; stale ones are closed."""
        now = time.monotonic()
        while self._idle:
            client, used = self._idle.pop()
            if client.is_connected and now - used < self.idle_s:
                return client
            client.close()
        return None

    async def close(self) -> None:
        """QUIT every idle connection (a relay that is gone is simply let go)."""
        idle, self._idle = self._idle, []
        for client, _ in idle:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError, TimeoutError):
                await client.quit()
            client.close()
