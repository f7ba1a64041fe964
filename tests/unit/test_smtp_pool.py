"""The notifier's SMTP connections (yuqing.smtp.SmtpPool) against a real SMTP server (aiosmtpd): reused
between messages, replaced when the relay dropped them or they sat idle too long, and a refusal is named and
does not poison the next message."""

from __future__ import annotations

import asyncio
import socket
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from yuqing.settings import SmtpSettings
from yuqing.smtp import PermanentSmtpError, SmtpPool, TransientSmtpError


class Recording:
    """Accepts every message except to refused@; remembers each message's SMTP session (one a connection)."""

    def __init__(self) -> None:
        self.sessions: list[object] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refused@"):
            return "550 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.sessions.append(session)
        return "250 accepted"

    @property
    def connections(self) -> int:
        return len({id(s) for s in self.sessions})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Relay:
    """An aiosmtpd server that can be restarted on its port (a stopped Controller cannot start again)."""

    def __init__(self) -> None:
        self.handler, self.port = Recording(), free_port()
        self.settings = SmtpSettings(host="127.0.0.1", port=self.port, timeout_s=5)
        self.controller = self._started()

    def _started(self) -> Controller:
        controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        controller.start()
        return controller

    def restart(self) -> None:
        self.controller.stop()  # every open connection is closed
        self.controller = self._started()


@pytest.fixture
def relay():
    server = Relay()
    yield server
    server.controller.stop()


def message(n: int, to: str = "duty@mile.example") -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "alerts@yuqing.example", to, f"alert {n}"
    msg["Message-ID"] = f"<a{n}@yuqing>"
    msg.set_content("body")
    return msg


async def test_one_connection_carries_many_messages(relay):
    handler, settings = relay.handler, relay.settings
    pool = SmtpPool(settings)
    for n in range(5):
        await pool.send(message(n))
    await pool.close()
    assert len(handler.sessions) == 5
    assert handler.connections == 1 and pool.connects == 1


async def test_concurrent_messages_share_at_most_size_connections(relay):
    handler, settings = relay.handler, relay.settings
    pool = SmtpPool(settings, size=2)
    await asyncio.gather(*(pool.send(message(n)) for n in range(12)))
    await asyncio.gather(*(pool.send(message(n)) for n in range(12, 20)))
    await pool.close()
    assert len(handler.sessions) == 20
    assert handler.connections <= 2


async def test_a_relay_that_dropped_the_connection_gets_the_next_message_on_a_new_one(relay):
    pool = SmtpPool(relay.settings)
    await pool.send(message(1))
    relay.restart()
    await asyncio.sleep(0.05)
    await pool.send(message(2))
    await pool.close()
    assert len(relay.handler.sessions) == 2 and pool.connects == 2


async def test_an_idle_connection_is_not_trusted_past_idle_s(relay):
    handler, settings = relay.handler, relay.settings
    pool = SmtpPool(settings, idle_s=0.0)
    await pool.send(message(1))
    await pool.send(message(2))
    await pool.close()
    assert handler.connections == 2


async def test_a_refused_recipient_is_permanent_and_the_next_message_still_goes(relay):
    handler, settings = relay.handler, relay.settings
    pool = SmtpPool(settings)
    with pytest.raises(PermanentSmtpError, match="refused"):
        await pool.send(message(1, to="refused@mile.example"))
    await pool.send(message(2))
    await pool.close()
    assert len(handler.sessions) == 1


async def test_no_relay_is_transient_and_names_it():
    settings = SmtpSettings(host="127.0.0.1", port=free_port(), timeout_s=2)
    with pytest.raises(TransientSmtpError, match=f"127.0.0.1:{settings.port}"):
        await SmtpPool(settings).send(message(1))
