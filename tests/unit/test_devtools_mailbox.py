"""The local mailbox files each message once, readable by its owner and group only (post text, officers'
addresses), whatever the umask of the process that runs it."""

from __future__ import annotations

import asyncio
import os
import stat
from types import SimpleNamespace

from devtools.mailbox import FilingHandler, read_mailbox, resent

MESSAGE = b"Message-ID: <a1@yuqing>\r\nSubject: test\r\n\r\nbody\r\n"


def test_a_message_is_filed_0640_once_and_a_repeat_is_logged(tmp_path):
    old = os.umask(0o000)  # the most permissive a caller could run with
    try:
        handler = FilingHandler(tmp_path)
        envelope = SimpleNamespace(original_content=MESSAGE, content=MESSAGE)
        assert asyncio.run(handler.handle_DATA(None, None, envelope)).startswith("250")
        assert "already filed" in asyncio.run(handler.handle_DATA(None, None, envelope))
    finally:
        os.umask(old)
    (eml,) = tmp_path.glob("*.eml")
    assert stat.S_IMODE(eml.stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "resent.log").stat().st_mode) == 0o640
    assert len(read_mailbox(tmp_path)) == 1 and resent(tmp_path) == ["a1@yuqing"]
