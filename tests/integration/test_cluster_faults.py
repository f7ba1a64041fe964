"""Faults on the local cluster lose no post and double no document (`make test-cluster`).

While a real worker streams posts produced at 50/s (bench/faults_bench.py): a broker killed with SIGKILL and
started again, an Elasticsearch node killed and started again, a broker paused for 30 s, every broker
restarted in turn. Afterwards every post id is in Elasticsearch exactly once, every alert owed an e-mail has
had exactly one, the node is back, and every node sees all the others.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from bench import faults_bench
from devtools.services import manager
from yuqing.settings import Settings

pytestmark = [pytest.mark.cluster, pytest.mark.integration, pytest.mark.slow]

# Enough that posts are still produced after the node is back (30 s at 50/s); CLUSTER_FAULT_POSTS for more.
POSTS = int(os.environ.get("CLUSTER_FAULT_POSTS", "1500"))


@pytest.fixture(scope="module")
def cluster(settings: Settings) -> Settings:
    """The session's settings pointed at the local cluster, which must be running and whole."""
    mine = faults_bench.cluster_settings(settings)
    unhealthy = [
        f"{s.name} {s.state} {s.note}".strip() for s in manager.status(mine, cluster=True) if not s.healthy
    ]
    if unhealthy:
        pytest.fail(
            f"the fault tests need the local cluster: {'; '.join(unhealthy)} — run `make test-cluster` "
            "(or `yuqing services up --cluster`)",
            pytrace=False,
        )
    return mine


@pytest.mark.parametrize("case", list(faults_bench.CASES))
def test_a_fault_loses_and_doubles_nothing(cluster: Settings, case: str, tmp_path: Path) -> None:
    before = {s.name: s.pid for s in manager.status(cluster, cluster=True)}
    outcome = faults_bench.run_case(cluster, case, POSTS, tmp_path)
    print(faults_bench.HEADER + "\n" + outcome.line())

    assert outcome.produced == POSTS
    assert outcome.lost == [], f"{len(outcome.lost)} posts never indexed, e.g. {outcome.lost[:5]}"
    assert outcome.doubled == [], f"{len(outcome.doubled)} posts indexed twice, e.g. {outcome.doubled[:5]}"
    assert outcome.mails > 0, "no alert e-mail at all: the corpus should raise some"
    assert outcome.mailed_twice == [], f"e-mailed twice: {outcome.mailed_twice}"
    assert outcome.unmailed == [], f"alerts owed an e-mail that got none: {outcome.unmailed}"
    after = manager.status(cluster, cluster=True)
    assert all(s.healthy for s in after), [s.line() for s in after if not s.healthy]
    # The fault happened: a killed node runs again as a new process, a paused one as itself, and after a
    # rolling restart every broker is a new process.
    pid_now = {s.name: s.pid for s in after}
    hit = faults_bench.CASES[case].signal
    if hit == signal.SIGTERM:
        brokers = [s.name for s in after if s.name.startswith("kafka-")]
        assert all(pid_now[b] != before[b] for b in brokers), (before, pid_now)
    elif hit == signal.SIGKILL:
        assert pid_now[outcome.node] != before[outcome.node]
    else:
        assert pid_now[outcome.node] == before[outcome.node]
