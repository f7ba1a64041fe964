"""An update's claim names the process that made it: a claim of a process of this host that is gone (a
worker killed between the relay's 250 and its record) is taken over at once; a live one's, or another
host's, holds."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

from streams.notify.delivery import claim_abandoned, claim_token


def test_a_claim_of_a_dead_process_on_this_host_is_abandoned():
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead_pid = int(gone.stdout)
    host = socket.gethostname()
    assert claim_abandoned(f"{host}:{dead_pid}:abc")
    assert not claim_abandoned(claim_token())  # this very process
    assert not claim_abandoned(f"{host}:{os.getppid()}:abc")  # alive
    assert not claim_abandoned(f"elsewhere-{host}:{dead_pid}:abc")  # another host: wait out the claim
    assert not claim_abandoned("0123456789abcdef") and not claim_abandoned(None)  # older tokens, none
