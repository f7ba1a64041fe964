"""Passwords (argon2), signed session tokens that expire, CSRF tokens, and the throttle on failed logins.

A session is a signed cookie, not a server-side record, so any number of web processes share it; it carries
the user name, its expiry, its CSRF token and the moment the password was last set, so a password change or a
disabled account ends every session at the next request (the account is re-read on each request).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
MIN_PASSWORD_CHARS = 10


class WeakPassword(ValueError):
    """A password too short to accept."""


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise WeakPassword(f"a password needs at least {MIN_PASSWORD_CHARS} characters")
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# Checking this keeps an unknown user name as slow as a wrong password (no user enumeration by timing).
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


def burn_time(password: str) -> None:
    verify_password(_DUMMY_HASH, password)


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

    @property
    def expired(self) -> bool:
        return time.time() >= self.expires


class SessionSigner:
    """Signs and reads session tokens with the app's secret key (HMAC-SHA256)."""

    def __init__(self, secret: str, ttl_s: float) -> None:
        self._key = hashlib.sha256(("yuqing-session:" + secret).encode()).digest()
        self.ttl_s = ttl_s

    def issue(self, username: str, password_version: float, now: float | None = None) -> tuple[str, Session]:
        issued = now or time.time()
        session = Session(username, issued + self.ttl_s, new_csrf_token(), password_version, issued)
        payload = json.dumps(
            {"u": username, "e": session.expires, "c": session.csrf, "p": password_version, "i": issued},
            separators=(",", ":"),
        ).encode()
        body = base64.urlsafe_b64encode(payload).decode().rstrip("=")
        return f"{body}.{self._sign(body)}", session

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
                str(data["u"]), float(data["e"]), str(data["c"]), float(data["p"]), float(data.get("i", 0))
            )
        except (ValueError, KeyError, TypeError):
            return None
        return None if session.expired else session

    def _sign(self, body: str) -> str:
        digest = hmac.new(self._key, body.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")


class LoginThrottle:
    """Failed logins per client address in this process (unknown names too); accounts lock in the index.

    The per-account lock lives in Elasticsearch (shared by every web process); this per-address window only
    slows one client guessing many names, so it is allowed to be per process.
    """

    def __init__(self, max_failures: int, window_s: float) -> None:
        self.max_failures, self.window_s = max_failures, window_s
        self._failures: dict[str, list[float]] = {}

    def blocked(self, key: str, now: float | None = None) -> bool:
        now = now or time.time()
        recent = [t for t in self._failures.get(key, []) if now - t < self.window_s]
        self._failures[key] = recent
        # Several people may sit behind one address (a station's NAT): allow more than one account's share.
        return len(recent) >= self.max_failures * 4

    def failed(self, key: str, now: float | None = None) -> None:
        self._failures.setdefault(key, []).append(now or time.time())
        if len(self._failures) > 10_000:  # bound memory against address spraying
            self._failures.clear()

    def succeeded(self, key: str) -> None:
        self._failures.pop(key, None)
