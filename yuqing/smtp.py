"""Sending one message over SMTP with aiosmtplib: TLS and login from settings (the password only from the
environment). Shared by the stream's notifier and the web app's letters.

Errors are told apart, not lumped together:

    TransientSmtpError   the relay is unreachable or answered 4xx: try again later
    PermanentSmtpError   a refused login, sender or recipients (5xx): fix the configuration
"""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib

from yuqing.settings import SmtpSettings


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
