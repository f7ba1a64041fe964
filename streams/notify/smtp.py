"""Sending alert e-mails: one attempt goes on the notifier's pooled connections (`yuqing.smtp.SmtpPool`);
here transient failures are retried with backoff until the relay returns, the alert kept meanwhile, while a
permanent one (refused login or recipients) is raised and named, so an operator fixes the configuration
instead of waiting for a network that is fine.
"""

from __future__ import annotations

import logging
from email.message import EmailMessage

from streams.retry import until_done
from yuqing.smtp import PermanentSmtpError, SmtpPool, TransientSmtpError

__all__ = ["PermanentSmtpError", "SmtpPool", "TransientSmtpError", "send"]

log = logging.getLogger(__name__)


async def send(pool: SmtpPool, message: EmailMessage, max_pause_s: float, on_failure=None) -> None:
    """Send, retrying transient failures until the relay takes the message; permanent ones raise."""
    await until_done(
        f"smtp {message['Message-ID']}",
        lambda: pool.send(message),
        transient=(TransientSmtpError,),
        max_pause_s=max_pause_s,
        on_failure=on_failure,
    )
