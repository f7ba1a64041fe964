"""`yuqing services --cluster` on the running local cluster (`make test-cluster`): the topics `init` makes are
replicated, the indices have their replica on the other node, and a node that is missing or hung is named —
by `status`, and by `up`, which restarts a dead node and fails with one line and exit 3 on a hung one."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

import pytest

from bench.faults_bench import cluster_settings
from bench.rig import own_prefix, wait_until
from devtools.services import manager
from yuqing import es as es_setup
from yuqing.kafka import admin, topic_names
from yuqing.settings import Settings

pytestmark = [pytest.mark.cluster, pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def cluster(settings: Settings) -> Settings:
    mine = cluster_settings(settings)
    unhealthy = [s.line() for s in manager.status(mine, cluster=True) if not s.healthy]
    if unhealthy:
        pytest.fail(f"the local cluster is not whole: {unhealthy} — run `make test-cluster`", pytrace=False)
    return mine


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "yuqing.cli", "services", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_init_replicates_topics_and_indices(cluster: Settings) -> None:
    async def describe(settings: Settings) -> list[dict]:
        async with admin(settings.kafka) as client:
            return await client.describe_topics(topic_names(settings.kafka))

    with own_prefix(cluster) as mine:
        for topic in asyncio.run(describe(mine)):
            for part in topic["partitions"]:
                assert len(part["replicas"]) == 3 and len(part["isr"]) == 3, (topic["topic"], part)
        client = es_setup.client(mine.es)
        try:
            # a new index's replica is allocated a moment after its primary
            health = client.cluster.health(index=mine.es.name("*"), wait_for_status="green", timeout="60s")
            assert health["status"] == "green", health
            shards = client.cat.shards(index=mine.es.name("*"), format="json")
        finally:
            client.close()
    by_shard: dict[tuple[str, str], set[str]] = {}
    for shard in shards:
        assert shard["state"] == "STARTED", shard
        by_shard.setdefault((shard["index"], shard["shard"]), set()).add(shard["node"])
    assert by_shard and all(len(nodes) == 2 for nodes in by_shard.values()), by_shard


def test_a_dead_node_is_named_and_started_again(cluster: Settings) -> None:
    victim = next(s for s in manager.select(cluster, ["kafka"], cluster=True) if s.name == "kafka-3")
    old_pid = victim.pid()
    os.killpg(old_pid, signal.SIGKILL)
    try:
        status = _cli("status", "--cluster")
        assert status.returncode == 1
        lines = {line.split()[0]: line for line in status.stdout.splitlines()}
        assert "stopped" in lines["kafka-3"]
        # the others see it gone once the controller has fenced it (broker.session.timeout.ms, 9 s)
        wait_until(
            "kafka-3 missing from the others' view",
            lambda: "kafka-3 missing" in _cli("status", "--cluster").stdout or None,
            60,
            every=2,
        )
    finally:
        up = _cli("up", "--cluster")
    assert up.returncode == 0, up.stderr
    assert "kafka-3" in up.stdout and "started" in up.stdout.split("kafka-3", 1)[1].splitlines()[0]
    assert victim.pid() not in (None, old_pid)
    assert all(s.healthy for s in manager.status(cluster, cluster=True))


def test_a_hung_node_makes_up_fail_with_one_line_naming_it(cluster: Settings) -> None:
    victim = next(s for s in manager.select(cluster, ["kafka"], cluster=True) if s.name == "kafka-2")
    pid = victim.pid()
    os.killpg(pid, signal.SIGSTOP)
    try:
        time.sleep(12)  # fenced by the controller: the others no longer see it
        began = time.monotonic()
        up = _cli("up", "--cluster", SERVICES_START_TIMEOUT_S="15")
        took = time.monotonic() - began
    finally:
        os.killpg(pid, signal.SIGCONT)
    assert up.returncode == 3, up.stdout + up.stderr
    errors = [line for line in up.stderr.splitlines() if line.startswith("service error:")]
    assert len(errors) == 1 and "Traceback" not in up.stderr
    assert "kafka-2" in errors[0] and "not healthy after 15s" in errors[0]
    assert "waiting" in up.stderr and took < 120
    # The hung node was left running (not stopped), and once resumed the cluster is whole again.
    assert victim.pid() == pid
    wait_until(
        "the cluster whole again", lambda: all(s.healthy for s in manager.status(cluster, cluster=True)), 120
    )
