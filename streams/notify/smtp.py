"""Sending over SMTP with aiosmtplib: TLS and login from settings (the password only from the environment).

Errors are told apart, not lumped together: the relay being unreachable or answering 4xx is transient (retried
with backoff until it returns, the alert kept meanwhile); a refused login or recipients (5xx) is permanent and
named as such, so an operator fixes the configuration instead of waiting for a network that is fine.
"""

from __future__ import annotations

import logging
from email.message import EmailMessage

import aiosmtplib

from streams.retry import until_done
from yuqing.settings import SmtpSettings

log = logging.getLogger(__name__)


class TransientSmtpError(Exception):
    """The relay is down or asked to come back later."""


class PermanentSmtpError(Exception):
    """The relay refused this message for good (login, sender or recipients)."""


async def send_once(smtp: SmtpSettings, message: EmailMessage) -> None:
    try:
        await aiosmtplib.send(
            message,
            hostname=smtp.host,
            port=smtp.port,
            username=smtp.username,
            password=smtp.password.get_secret_value() if smtp.password else None,
            start_tls=smtp.starttls,
            timeout=smtp.timeout_s,
        )
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


async def send(smtp: SmtpSettings, message: EmailMessage, max_pause_s: float, on_failure=None) -> None:
    """Send, retrying transient failures until the relay takes the message; permanent ones raise."""
    await until_done(
        f"smtp {message['Message-ID']}",
        lambda: send_once(smtp, message),
        transient=(TransientSmtpError,),
        max_pause_s=max_pause_s,
        on_failure=on_failure,
    )
