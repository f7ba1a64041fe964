"""The local cluster without starting it: which nodes, on which ports, with what configuration; how its health
probes read a broker's answer; what a wait for a missing node says; the settings `init` gives topics."""

from __future__ import annotations

import os
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.services import base, manager
from devtools.services import layout as layouts
from devtools.services.base import Service, wait_healthy
from devtools.services.elasticsearch import ElasticsearchService
from devtools.services.kafka import KafkaService, live_brokers
from yuqing.errors import ServiceError
from yuqing.kafka import topic_configs
from yuqing.settings import ElasticsearchSettings, KafkaSettings, ServicesSettings, Settings, load_settings


def _settings(tmp_path: Path, **services: object) -> Settings:
    base = load_settings()
    values = {"state_dir": tmp_path / "var", "cluster_state_dir": None, **services}
    return base.model_copy(update={"services": base.services.model_copy(update=values)})


def _props(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("#"))
    return {k: v for k, v in pairs}


def test_cluster_nodes_ports_and_state_are_apart_from_the_single_node(tmp_path: Path) -> None:
    s = _settings(tmp_path).services
    single, cluster = layouts.single(s), layouts.cluster(s)
    assert [n.name for n in cluster.kafka] == ["kafka-1", "kafka-2", "kafka-3"]
    assert [n.port.number for n in cluster.kafka] == [19092, 19093, 19094]
    assert [n.controller.number for n in cluster.kafka] == [19192, 19193, 19194]
    assert [(n.http.number, n.transport.number) for n in cluster.es] == [(19200, 19300), (19201, 19301)]
    assert cluster.state_dir == tmp_path / "var" / "cluster" and single.state_dir == tmp_path / "var"
    single_ports = {p.number for n in single.kafka for p in (n.port, n.controller)} | {
        single.es[0].http.number
    }
    cluster_ports = {p.number for n in cluster.kafka for p in (n.port, n.controller)}
    cluster_ports |= {p.number for n in cluster.es for p in (n.http, n.transport)}
    assert not single_ports & cluster_ports
    assert (cluster.kafka_heap, cluster.es_heap) == ("384m", "768m")


def test_replication_follows_the_number_of_nodes(tmp_path: Path) -> None:
    cluster = layouts.cluster(_settings(tmp_path).services)
    assert (cluster.replication_factor, cluster.min_insync_replicas, cluster.es_replicas) == (3, 2, 1)
    single = layouts.single(_settings(tmp_path).services)
    assert (single.replication_factor, single.min_insync_replicas, single.es_replicas) == (1, 1, 0)
    two = layouts.cluster(_settings(tmp_path, cluster_kafka_nodes=2, cluster_es_nodes=1).services)
    assert (two.replication_factor, two.min_insync_replicas, two.es_replicas) == (2, 1, 0)


def test_env_points_the_project_at_every_node(tmp_path: Path) -> None:
    env = manager.client_env(_settings(tmp_path), cluster=True)
    assert env == {
        "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:19092,127.0.0.1:19093,127.0.0.1:19094",
        "KAFKA_REPLICATION_FACTOR": "3",
        "KAFKA_MIN_INSYNC_REPLICAS": "2",
        "ES_URL": "http://127.0.0.1:19200,http://127.0.0.1:19201",
        "ES_REPLICAS": "1",
    }
    # What it prints is what the settings read back.
    kafka = KafkaSettings(
        **{k.removeprefix("KAFKA_").lower(): v for k, v in env.items() if k[:6] == "KAFKA_"}
    )
    assert (kafka.replication_factor, kafka.min_insync_replicas) == (3, 2)
    es = ElasticsearchSettings(url=env["ES_URL"], replicas=env["ES_REPLICAS"])
    assert es.urls == ["http://127.0.0.1:19200", "http://127.0.0.1:19201"]


def test_env_command_prints_lines_a_shell_or_make_reads(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "yuqing.cli", "services", "env", "--cluster"],
        env={**os.environ, "SERVICES_CLUSTER_KAFKA_PORT": "29092"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert (
        "KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:29092,127.0.0.1:29093,127.0.0.1:29094" in proc.stdout.splitlines()
    )


def test_kafka_cluster_node_config_has_the_static_quorum_and_replication(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    node2 = manager.select(settings, ["kafka"], cluster=True)[1]
    assert isinstance(node2, KafkaService)
    props = _props(node2._server_properties(tmp_path / "data"))
    assert props["node.id"] == "2"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:19192,2@127.0.0.1:19193,3@127.0.0.1:19194"
    assert "controller.quorum.bootstrap.servers" not in props
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:19093,CONTROLLER://127.0.0.1:19193"
    for key in ("default.replication.factor", "offsets.topic.replication.factor"):
        assert props[key] == "3", key
    assert props["transaction.state.log.replication.factor"] == "3"
    for key in ("min.insync.replicas", "transaction.state.log.min.isr"):
        assert props[key] == "2", key
    assert node2.link == tmp_path / "var" / "cluster" / "kafka-2"
    assert node2.pid_file == tmp_path / "var" / "cluster" / "run" / "kafka-2.pid"


def test_single_kafka_node_config_is_unchanged(tmp_path: Path) -> None:
    (single,) = manager.select(_settings(tmp_path), ["kafka"])
    props = _props(single._server_properties(tmp_path / "data"))
    assert props["controller.quorum.bootstrap.servers"] == "127.0.0.1:9093"
    assert "controller.quorum.voters" not in props
    assert props["offsets.topic.replication.factor"] == "1" and props["min.insync.replicas"] == "1"
    assert single.link == tmp_path / "var" / "kafka" and single.name == "kafka"


def test_every_cluster_node_is_formatted_with_one_cluster_id(tmp_path: Path) -> None:
    nodes = manager.select(_settings(tmp_path), ["kafka"], cluster=True)
    (tmp_path / "var" / "cluster").mkdir(parents=True)
    ids = {node._cluster_id() for node in nodes}
    assert len(ids) == 1
    (single,) = manager.select(_settings(tmp_path), ["kafka"])
    assert single._cluster_id() not in ids


def test_es_cluster_names_its_first_masters_only_before_it_formed(tmp_path: Path) -> None:
    nodes = manager.select(_settings(tmp_path), ["es"], cluster=True)
    assert all(isinstance(n, ElasticsearchService) for n in nodes)
    first = nodes[0]._config(tmp_path)
    assert "node.name: elasticsearch-1" in first and "transport.port: 19300" in first
    assert 'discovery.seed_hosts: ["127.0.0.1:19300", "127.0.0.1:19301"]' in first
    assert 'cluster.initial_master_nodes: ["elasticsearch-1", "elasticsearch-2"]' in first
    assert "single-node" not in first
    (tmp_path / "data" / "_state").mkdir(parents=True)
    assert "initial_master_nodes" not in nodes[0]._config(tmp_path)
    (single,) = manager.select(_settings(tmp_path), ["es"])
    assert "discovery.type: single-node" in single._config(tmp_path)


def test_a_taken_cluster_port_names_the_node_and_its_setting(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        taken = sock.getsockname()[1]
        settings = _settings(
            tmp_path, cluster_kafka_port=taken - 1, cluster_kafka_controller_port=taken + 100
        )
        with pytest.raises(ServiceError) as info:
            manager.up(settings, cluster=True)
    assert info.value.service == "kafka-2"
    assert f"port {taken} is already taken" in str(info.value)
    assert "SERVICES_CLUSTER_KAFKA_PORT, node 2 takes it + 1" in str(info.value)
    assert not list((tmp_path / "var" / "cluster" / "run").glob("*.pid"))


class _Stub(Service):
    """A node whose health is scripted: no process, no JVM."""

    kind = "kafka"

    def __init__(self, settings: ServicesSettings, name: str, answers: Iterator[tuple[bool, str]]) -> None:
        super().__init__(settings, layouts.cluster(settings), name)
        self.answers = answers

    port = 19092
    version = "4.1.1"
    data_dir = Path("/nonexistent")

    def check(self) -> tuple[bool, str]:
        return next(self.answers)

    def pid(self) -> int | None:
        return 1


def test_a_missing_node_is_named_while_waiting_and_when_giving_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(base, "POLL_S", 0.05)
    monkeypatch.setattr(base, "PROGRESS_EVERY_S", 0.3)
    s = _settings(tmp_path).services
    waiting = ("sees brokers 1,3 of 3 (kafka-2 missing)", "no answer on 19093")
    nodes = [
        _Stub(s, "kafka-1", iter(lambda: (False, waiting[0]), None)),
        _Stub(s, "kafka-2", iter(lambda: (False, waiting[1]), None)),
        _Stub(s, "kafka-3", iter([(True, "")] + [(True, "")] * 100)),
    ]
    said: list[str] = []
    with pytest.raises(ServiceError) as info:
        wait_healthy(nodes, 1.0, said.append)
    assert info.value.service == "kafka-2, kafka-1"  # the one that does not answer first
    assert "not healthy after 1s" in str(info.value)
    assert "kafka-2: no answer on 19093" in str(info.value) and "(kafka-2 missing)" in str(info.value)
    assert said and all("kafka-2 (no answer on 19093)" in line and "kafka-3" not in line for line in said)


def test_a_node_that_joins_late_is_waited_for(tmp_path: Path) -> None:
    s = _settings(tmp_path).services
    late = iter([(False, "sees brokers 1 of 3")] * 3 + [(True, "sees brokers 1,2,3")])
    began = time.monotonic()
    (status,) = wait_healthy([_Stub(s, "kafka-1", late)], 30)
    assert (status.state, status.note) == ("healthy", "sees brokers 1,2,3")
    assert time.monotonic() - began >= 3 * base.POLL_S
    assert status.healthy


def _metadata_answer(correlation: int, brokers: list[tuple[int, str, int, str | None]]) -> bytes:
    body = struct.pack(">ii", correlation, 0) + struct.pack(">i", len(brokers))
    for node_id, host, port, rack in brokers:
        body += struct.pack(">ih", node_id, len(host)) + host.encode() + struct.pack(">i", port)
        body += struct.pack(">h", -1) if rack is None else struct.pack(">h", len(rack)) + rack.encode()
    body += (
        struct.pack(">h", -1) + struct.pack(">i", 1) + struct.pack(">i", 0)
    )  # cluster id, controller, topics
    return struct.pack(">i", len(body)) + body


def test_live_brokers_reads_a_metadata_answer() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        asked: list[bytes] = []

        def answer() -> None:
            conn, _ = server.accept()
            with conn:
                size = struct.unpack(">i", conn.recv(4))[0]
                request = conn.recv(size)
                asked.append(request)
                correlation = struct.unpack(">i", request[4:8])[0]
                brokers = [(1, "127.0.0.1", 19092, None), (3, "127.0.0.1", 19094, "rack-a")]
                conn.sendall(_metadata_answer(correlation, brokers))

        thread = threading.Thread(target=answer, daemon=True)
        thread.start()
        assert live_brokers(port) == {1, 3}
        thread.join(5)
    api_key, version = struct.unpack(">hh", asked[0][:4])
    assert (api_key, version) == (3, 4)  # Metadata v4: Kafka 4 no longer answers older ones


def test_min_insync_replicas_goes_on_every_topic_and_never_above_the_replicas() -> None:
    kafka = KafkaSettings(replication_factor=3, min_insync_replicas=2, topic_prefix="x.")
    assert topic_configs(kafka, "x.posts.scored") == {"min.insync.replicas": "2"}
    raw = topic_configs(kafka, "x.posts.raw")
    assert raw["min.insync.replicas"] == "2" and "retention.ms" in raw
    with pytest.raises(ValueError, match="KAFKA_MIN_INSYNC_REPLICAS"):
        KafkaSettings(replication_factor=1, min_insync_replicas=2)
    # The single node's defaults: one replica, one in sync.
    fields = KafkaSettings.model_fields
    assert fields["min_insync_replicas"].default == 1 and fields["replication_factor"].default == 1
