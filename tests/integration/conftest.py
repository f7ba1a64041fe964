"""Fixtures the browser tests share: a module's live web app over its own `web_settings`, and one Chromium.

A module defines `web_settings` (its seeded, isolated settings) and gets `server` and `browser`; a module
that needs another server defines its own `server`, which takes precedence."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from web_seed import LiveServer, chromium

from yuqing.settings import Settings


@pytest.fixture(scope="module")
def server(web_settings: Settings) -> Iterator[LiveServer]:
    with LiveServer(web_settings) as live:
        yield live


@pytest.fixture(scope="module")
def browser(server: LiveServer) -> Iterator[Any]:
    with chromium() as launched:
        yield launched
