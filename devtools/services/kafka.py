"""Apache Kafka KRaft nodes (each a broker and a controller) on 127.0.0.1, from Maven Central's jars."""

from __future__ import annotations

import base64
import socket
import struct
import subprocess
import uuid
from pathlib import Path

from devtools.services.base import Service
from devtools.services.fetch import find_java, maven_copy_dependencies
from devtools.services.layout import KafkaNode, Layout, Port
from devtools.services.user import DATA_MODE, DIR_MODE, ServiceUser, mirror
from yuqing.errors import ServiceError
from yuqing.settings import REPO_ROOT, ServicesSettings

POM = REPO_ROOT / "deploy" / "kafka" / "pom.xml"

SERVER_PROPERTIES = """\
# Written by `yuqing services up` on every start; edit ServicesSettings instead.
process.roles=broker,controller
node.id={node_id}
{quorum}
listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}
advertised.listeners=PLAINTEXT://127.0.0.1:{port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs={data}
num.partitions=1
# Internal topics (offsets, transactions, share state) and topics made without a factor get one replica per
# broker, three at most; a write waits for all of them but one (KafkaSettings.min_insync_replicas likewise).
default.replication.factor={replicas}
min.insync.replicas={min_isr}
offsets.topic.replication.factor={replicas}
transaction.state.log.replication.factor={replicas}
transaction.state.log.min.isr={min_isr}
share.coordinator.state.topic.replication.factor={replicas}
share.coordinator.state.topic.min.isr={min_isr}
# Consumers in tests and in the demo join at once rather than after the 3 s default.
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
log.retention.hours=168
log.segment.bytes=134217728
"""

# One node forms a dynamic quorum of itself (formatted --standalone). A cluster's voters are fixed and known
# to all (the static form: formatted with neither --standalone nor --initial-controllers), so nodes can be
# formatted one by one, in any order, each with the cluster's one id.
SINGLE_QUORUM = "controller.quorum.bootstrap.servers=127.0.0.1:{controller_port}"
STATIC_QUORUM = "controller.quorum.voters={voters}"

LOG4J2 = """\
status = warn
appender.file.type = RollingFile
appender.file.name = file
appender.file.fileName = {logs}/server.log
appender.file.filePattern = {logs}/server.log.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 50MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 4
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.apache.name = org.apache.kafka
logger.apache.level = INFO
"""


def api_versions_ok(port: int, host: str = "127.0.0.1", timeout: float = 2.0) -> tuple[bool, str]:
    """Ask the broker for its API versions (a Kafka protocol round trip, no client library)."""
    # ApiVersions v0: api_key 18, version 0, correlation id, client id (int16 length + bytes).
    try:
        payload = _roundtrip(host, port, 18, 0, b"", timeout)
    except OSError as exc:
        return False, f"no answer on {port}: {exc.strerror or exc}"
    except ValueError as exc:
        return False, str(exc)
    (error,) = struct.unpack(">h", payload[:2])
    return (error == 0), ("" if error == 0 else f"ApiVersions error {error}")


def live_brokers(port: int, host: str = "127.0.0.1", timeout: float = 2.0) -> set[int]:
    """The ids of the brokers this one knows as alive (registered and not fenced): a Metadata request for no
    topics. Raises OSError when the broker does not answer."""
    # Metadata v4 (the oldest Kafka 4 still answers): an empty topic array, no auto-creation.
    payload = _roundtrip(host, port, 3, 4, struct.pack(">i?", 0, False), timeout)
    # throttle_time_ms, then the brokers: node_id, host, port, rack (nullable string).
    offset = 4
    (count,) = struct.unpack_from(">i", payload, offset)
    offset += 4
    ids = set()
    for _ in range(count):
        node_id, host_len = struct.unpack_from(">ih", payload, offset)
        offset += 6 + host_len + 4
        (rack_len,) = struct.unpack_from(">h", payload, offset)
        offset += 2 + max(rack_len, 0)
        ids.add(node_id)
    return ids


CORRELATION_ID = 7


def _roundtrip(host: str, port: int, api_key: int, version: int, body: bytes, timeout: float) -> bytes:
    """One request (header v1) and its answer's body; ValueError when the answer is not Kafka's."""
    client_id = b"yuqing-health"
    request = struct.pack(">hhih", api_key, version, CORRELATION_ID, len(client_id)) + client_id + body
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(struct.pack(">i", len(request)) + request)
        (size,) = struct.unpack(">i", _recv_exact(sock, 4))
        payload = _recv_exact(sock, size)
    if len(payload) < 6 or struct.unpack(">i", payload[:4])[0] != CORRELATION_ID:
        raise ValueError("unexpected answer (not a Kafka broker?)")
    return payload[4:]


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("connection closed")
        buf += chunk
    return buf


class KafkaService(Service):
    """One Kafka node (broker and controller). Runs as the same dedicated user as Elasticsearch when started
    by root (devtools/services/user.py)."""

    kind = "kafka"

    def __init__(self, settings: ServicesSettings, layout: Layout, node: KafkaNode) -> None:
        super().__init__(settings, layout, node.name)
        self.node = node
        self._user: ServiceUser | None = None

    @property
    def port(self) -> int:
        return self.node.port.number

    @property
    def bound(self) -> tuple[Port, ...]:
        return (self.node.port, self.node.controller)

    @property
    def version(self) -> str:
        return self.settings.kafka_version

    @property
    def user(self) -> ServiceUser:
        if self._user is None:
            self._user = ServiceUser(self.settings.es_user, self.kind)
        return self._user

    @property
    def link(self) -> Path:
        return self.layout.state_dir / self.name

    @property
    def root(self) -> Path:
        """`<state_dir>/kafka`, or where that link points (see ServiceUser.place)."""
        return self.link.resolve() if self.link.is_symlink() else self.link

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def libs(self) -> Path:
        """The jars as fetched into the cache."""
        return self.settings.home / f"kafka-{self.version}" / "libs"

    @property
    def classpath(self) -> Path:
        """The jars where the service user can read them (hard links to the cache's)."""
        return self.root / "libs"

    @property
    def marker(self) -> str:
        return f"-Dyuqing.kafka={self.root}"

    def fetch(self) -> None:
        maven_copy_dependencies(
            POM,
            self.libs,
            self.settings.home / "m2",
            self.settings.maven_repo,
            {"kafka.version": self.version},
        )

    def _java_cmd(self, *args: str, heap: str = "256m", jvm: tuple[str, ...] = ()) -> list[str]:
        java = find_java(self.settings.java_home)
        return [
            str(java.binary),
            *jvm,
            f"-Xms{heap}",
            f"-Xmx{heap}",
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            "-XX:+ExitOnOutOfMemoryError",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self.root / 'log4j2.properties'}",
            "-cp",
            f"{self.classpath}/*",
            *args,
        ]

    def prepare(self) -> None:
        user = self.user
        # The single node's label predates clusters: kept, so a checkout's existing data is found again.
        root = user.place(
            self.link, self.layout.state_dir, "kafka-state" if self.name == "kafka" else self.name
        )
        user.folder(root, DIR_MODE)
        # Data a root-run broker left behind (before it ran as the service user) is handed over.
        user.own_tree(user.folder(root / "data", DATA_MODE))
        logs = self._logs(root)
        mirror(self.libs, self.classpath, self.version)
        if not user.can_traverse(root):
            raise ServiceError(self.name, f"user {user.name} cannot reach {root}")
        props = root / "server.properties"
        props.write_text(self._server_properties(root / "data"))
        (root / "log4j2.properties").write_text(LOG4J2.format(logs=logs))
        user.own(props, root / "log4j2.properties")
        if (self.data_dir / "meta.properties").exists():
            return
        args = ["--standalone"] if not self.layout.cluster else []
        cmd = self._java_cmd(
            "kafka.tools.StorageTool", "format", *args, "-t", self._cluster_id(), "-c", str(props)
        )
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=120, check=False, cwd=root, **user.popen_args
        )
        if proc.returncode != 0:
            detail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["(no output)"]
            raise ServiceError(self.name, f"formatting storage in {self.data_dir} failed: {detail[0][:300]}")

    def _server_properties(self, data: Path) -> str:
        layout, node = self.layout, self.node
        if layout.cluster:
            quorum = STATIC_QUORUM.format(voters=layout.quorum_voters)
        else:
            quorum = SINGLE_QUORUM.format(controller_port=node.controller.number)
        return SERVER_PROPERTIES.format(
            node_id=node.node_id,
            quorum=quorum,
            port=node.port.number,
            controller_port=node.controller.number,
            data=data,
            replicas=layout.replication_factor,
            min_isr=layout.min_insync_replicas,
        )

    def _cluster_id(self) -> str:
        """A new id for the single node; for a cluster, the one id every node is formatted with (made by the
        first node formatted, kept in the state dir)."""
        kept = self.layout.state_dir / "kafka-cluster-id"
        if self.layout.cluster and kept.exists():
            return kept.read_text().strip()
        # A Kafka Uuid is 16 random bytes in URL-safe base64 without padding; like Kafka's own
        # Uuid.randomUuid, avoid a leading "-" that the command line would take for an option.
        cluster_id = "-"
        while cluster_id.startswith("-"):
            cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if self.layout.cluster:
            kept.write_text(cluster_id + "\n")
        return cluster_id

    def launch(self, stdout) -> subprocess.Popen:
        props = str(self.root / "server.properties")
        cmd = self._java_cmd("kafka.Kafka", props, heap=self.layout.kafka_heap, jvm=(self.marker,))
        return subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=subprocess.STDOUT,
            cwd=self.root,
            start_new_session=True,
            **self.user.popen_args,
        )

    def probe(self) -> tuple[bool, str]:
        answers, note = api_versions_ok(self.port)
        if not answers or not self.layout.cluster:
            return answers, note
        # A cluster node is healthy once it knows every broker alive: the quorum has formed and all joined.
        try:
            seen = live_brokers(self.port)
        except (OSError, ValueError, struct.error) as exc:
            return False, f"no metadata from {self.port}: {exc}"
        missing = [n.name for n in self.layout.kafka if n.node_id not in seen]
        brokers = ",".join(str(i) for i in sorted(seen))
        if missing:
            wanted = len(self.layout.kafka)
            return False, f"sees brokers {brokers or 'none'} of {wanted} ({', '.join(missing)} missing)"
        return True, f"sees brokers {brokers}"

    def _logs(self, root: Path) -> Path:
        """Kafka's own log folder: `<state_dir>/logs/kafka`, or, out of the user's reach, `<root>/logs`
        linked from there."""
        logs = self.logs_dir / self.name
        if logs.is_symlink():
            return self.user.folder(logs.resolve(), DIR_MODE)
        if self.user.can_traverse(self.logs_dir):
            self.user.own_tree(self.user.folder(logs, DIR_MODE))
            return logs
        target = self.user.folder(root / "logs", DIR_MODE)
        if not logs.exists():
            logs.symlink_to(target, target_is_directory=True)
        return target
