"""Passwords (argon2), signed session tokens that expire, and CSRF tokens.

A session is a signed cookie, not a server-side record, so any number of web processes share it; it carries
the user name, its expiry, its CSRF token, the moment the password was last set and the user's last request,
so a password change or a disabled account ends every session at the next request (the account is re-read on
each request), and an idle one ends after WEB_IDLE_TIMEOUT_MIN (the cookie is re-signed as the user works).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, replace

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from dashboards.messages import say

_hasher = PasswordHasher()
MIN_PASSWORD_CHARS = 10


class WeakPassword(ValueError):
    """A password too short to accept."""


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise WeakPassword(say("password_short", limit=MIN_PASSWORD_CHARS))
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# An unknown user name is checked against this, so it costs what a wrong password costs (no user enumeration
# by timing); made with the same parameters as every real hash.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


def check_password(password_hash: str | None, password: str) -> bool:
    """The password against an account's hash, or against a dummy one (always False) when there is none."""
    ok = verify_password(password_hash or _DUMMY_HASH, password)
    return ok and password_hash is not None


def generate_password() -> str:
    return secrets.token_urlsafe(15)


def new_csrf_token() -> str:
    return secrets.token_urlsafe(24)


def same_token(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


@dataclass(frozen=True)
class Session:
    username: str
    expires: float
    csrf: str
    password_version: float
    issued: float = 0.0
    seen: float = 0.0  # the last request that re-signed the cookie (0 in tokens from before idle timeouts)

    @property
    def expired(self) -> bool:
        return time.time() >= self.expires

    @property
    def last_seen(self) -> float:
        return self.seen or self.issued

    def idle(self, idle_s: float, now: float | None = None) -> bool:
        """True when no request re-signed this session for longer than idle_s (0: never idle)."""
        return idle_s > 0 and (now or time.time()) - self.last_seen > idle_s


class SessionSigner:
    """Signs and reads session tokens with the app's secret key (HMAC-SHA256)."""

    def __init__(self, secret: str, ttl_s: float) -> None:
        self._key = hashlib.sha256(("yuqing-session:" + secret).encode()).digest()
        self.ttl_s = ttl_s

    def issue(self, username: str, password_version: float, now: float | None = None) -> tuple[str, Session]:
        issued = now or time.time()
        session = Session(username, issued + self.ttl_s, new_csrf_token(), password_version, issued, issued)
        return self.sign(session), session

    def touch(self, session: Session, now: float | None = None) -> tuple[str, Session]:
        """The same session (expiry, CSRF token) seen now: the token that keeps it from going idle."""
        touched = replace(session, seen=now or time.time())
        return self.sign(touched), touched

    def sign(self, session: Session) -> str:
        payload = json.dumps(
            {
                "u": session.username,
                "e": session.expires,
                "c": session.csrf,
                "p": session.password_version,
                "i": session.issued,
                "s": session.seen,
            },
            separators=(",", ":"),
        ).encode()
        body = base64.urlsafe_b64encode(payload).decode().rstrip("=")
        return f"{body}.{self._sign(body)}"

    def read(self, token: str | None) -> Session | None:
        """The session in a token, or None when it is missing, forged, malformed or expired."""
        if not token or token.count(".") != 1 or len(token) > 4096:
            return None
        body, signature = token.split(".")
        if not hmac.compare_digest(signature, self._sign(body)):
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            session = Session(
                str(data["u"]),
                float(data["e"]),
                str(data["c"]),
                float(data["p"]),
                float(data.get("i", 0)),
                float(data.get("s", 0)),
            )
        except (ValueError, KeyError, TypeError):
            return None
        return None if session.expired else session

    def _sign(self, body: str) -> str:
        digest = hmac.new(self._key, body.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")
