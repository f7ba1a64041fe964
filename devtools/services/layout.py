"""Which nodes `yuqing services` runs and where: the single node (the default) or the local cluster.

The cluster (`--cluster`) is three Kafka nodes, each a broker and a voting controller, and two Elasticsearch
nodes, on their own ports and state folder (`ServicesSettings.cluster_*`), so it runs beside the single node.
Node n (from 1) listens on each first port + n - 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from yuqing.settings import ServicesSettings


@dataclass(frozen=True)
class Port:
    """A port a node binds, and the setting that chooses it (named in errors)."""

    number: int
    setting: str


@dataclass(frozen=True)
class KafkaNode:
    name: str  # "kafka" (single) or "kafka-2": names its pid file, log and folder
    node_id: int
    port: Port
    controller: Port


@dataclass(frozen=True)
class EsNode:
    name: str  # "elasticsearch" (single) or "elasticsearch-2"
    http: Port
    transport: Port | None  # None: a single node picks its own (9300 up)


@dataclass(frozen=True)
class Layout:
    """One set of local services: its nodes, their heaps and the folder they keep state in."""

    cluster: bool
    state_dir: Path
    kafka_heap: str
    es_heap: str
    kafka: tuple[KafkaNode, ...]
    es: tuple[EsNode, ...]

    @property
    def replication_factor(self) -> int:
        """Replicas of every topic, internal ones included: one per broker, at most three."""
        return min(3, len(self.kafka))

    @property
    def min_insync_replicas(self) -> int:
        """A write waits for all replicas but one (at most two): losing one broker loses no confirmed write
        and stops no producer."""
        return min(2, max(1, self.replication_factor - 1))

    @property
    def es_replicas(self) -> int:
        return min(1, len(self.es) - 1)

    @property
    def quorum_voters(self) -> str:
        """The static controller quorum: every node votes (`id@host:port,...`)."""
        return ",".join(f"{n.node_id}@127.0.0.1:{n.controller.number}" for n in self.kafka)

    @property
    def bootstrap_servers(self) -> str:
        return ",".join(f"127.0.0.1:{n.port.number}" for n in self.kafka)

    @property
    def es_url(self) -> str:
        return ",".join(f"http://127.0.0.1:{n.http.number}" for n in self.es)

    @property
    def es_seed_hosts(self) -> list[str]:
        return [f"127.0.0.1:{n.transport.number}" for n in self.es if n.transport]

    def client_env(self) -> dict[str, str]:
        """The settings that point the project's commands (init, worker, crawler, web) at these services."""
        return {
            "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap_servers,
            "KAFKA_REPLICATION_FACTOR": str(self.replication_factor),
            "KAFKA_MIN_INSYNC_REPLICAS": str(self.min_insync_replicas),
            "ES_URL": self.es_url,
            "ES_REPLICAS": str(self.es_replicas),
        }


def single(s: ServicesSettings) -> Layout:
    """One Kafka node and one Elasticsearch node: what `make up` and the quick tests use."""
    return Layout(
        cluster=False,
        state_dir=s.state_dir,
        kafka_heap=s.kafka_heap,
        es_heap=s.es_heap,
        kafka=(
            KafkaNode(
                "kafka",
                1,
                Port(s.kafka_port, "SERVICES_KAFKA_PORT"),
                Port(s.kafka_controller_port, "SERVICES_KAFKA_CONTROLLER_PORT"),
            ),
        ),
        es=(EsNode("elasticsearch", Port(s.es_port, "SERVICES_ES_PORT"), None),),
    )


def _nth(first: int, setting: str, n: int) -> Port:
    return Port(first + n - 1, setting if n == 1 else f"{setting}, node {n} takes it + {n - 1}")


def cluster(s: ServicesSettings) -> Layout:
    """`cluster_kafka_nodes` Kafka nodes and `cluster_es_nodes` Elasticsearch nodes under `cluster_dir`."""
    kafka = tuple(
        KafkaNode(
            f"kafka-{n}",
            n,
            _nth(s.cluster_kafka_port, "SERVICES_CLUSTER_KAFKA_PORT", n),
            _nth(s.cluster_kafka_controller_port, "SERVICES_CLUSTER_KAFKA_CONTROLLER_PORT", n),
        )
        for n in range(1, s.cluster_kafka_nodes + 1)
    )
    es = tuple(
        EsNode(
            f"elasticsearch-{n}",
            _nth(s.cluster_es_port, "SERVICES_CLUSTER_ES_PORT", n),
            _nth(s.cluster_es_transport_port, "SERVICES_CLUSTER_ES_TRANSPORT_PORT", n),
        )
        for n in range(1, s.cluster_es_nodes + 1)
    )
    return Layout(True, s.cluster_dir, s.cluster_kafka_heap, s.cluster_es_heap, kafka, es)


def of(s: ServicesSettings, is_cluster: bool = False) -> Layout:
    return cluster(s) if is_cluster else single(s)
