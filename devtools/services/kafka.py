"""Apache Kafka as one KRaft node (broker + controller) on 127.0.0.1, from Maven Central's jars."""

from __future__ import annotations

import base64
import socket
import struct
import subprocess
import uuid
from pathlib import Path

from devtools.services.base import Service
from devtools.services.fetch import find_java, maven_copy_dependencies
from devtools.services.user import DATA_MODE, DIR_MODE, ServiceUser, mirror
from yuqing.errors import ServiceError
from yuqing.settings import REPO_ROOT

POM = REPO_ROOT / "deploy" / "kafka" / "pom.xml"

SERVER_PROPERTIES = """\
# Written by `yuqing services up` on every start; edit ServicesSettings instead.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:{controller_port}
listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}
advertised.listeners=PLAINTEXT://127.0.0.1:{port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs={data}
num.partitions=1
# One node: every internal topic has one replica.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Consumers in tests and in the demo join at once rather than after the 3 s default.
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
log.retention.hours=168
log.segment.bytes=134217728
"""

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
    client_id = b"yuqing-health"
    # ApiVersions v0: api_key 18, version 0, correlation id, client id (int16 length + bytes).
    body = struct.pack(">hhih", 18, 0, 7, len(client_id)) + client_id
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(struct.pack(">i", len(body)) + body)
            header = _recv_exact(sock, 4)
            (size,) = struct.unpack(">i", header)
            payload = _recv_exact(sock, size)
    except OSError as exc:
        return False, f"no answer on {port}: {exc.strerror or exc}"
    correlation, error = struct.unpack(">ih", payload[:6])
    if correlation != 7:
        return False, "unexpected answer (not a Kafka broker?)"
    return (error == 0), ("" if error == 0 else f"ApiVersions error {error}")


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("connection closed")
        buf += chunk
    return buf


class KafkaService(Service):
    """Runs as the same dedicated user as Elasticsearch when started by root (devtools/services/user.py)."""

    name = "kafka"

    def __init__(self, settings) -> None:
        super().__init__(settings)
        self._user: ServiceUser | None = None

    @property
    def port(self) -> int:
        return self.settings.kafka_port

    @property
    def ports(self) -> dict[int, str]:
        return {
            self.settings.kafka_port: "SERVICES_KAFKA_PORT",
            self.settings.kafka_controller_port: "SERVICES_KAFKA_CONTROLLER_PORT",
        }

    @property
    def version(self) -> str:
        return self.settings.kafka_version

    @property
    def user(self) -> ServiceUser:
        if self._user is None:
            self._user = ServiceUser(self.settings.es_user, self.name)
        return self._user

    @property
    def link(self) -> Path:
        return self.settings.state_dir / "kafka"

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
        root = user.place(self.link, self.settings.state_dir, "kafka-state")
        user.folder(root, DIR_MODE)
        # Data a root-run broker left behind (before it ran as the service user) is handed over.
        user.own_tree(user.folder(root / "data", DATA_MODE))
        logs = self._logs(root)
        mirror(self.libs, self.classpath, self.version)
        if not user.can_traverse(root):
            raise ServiceError("kafka", f"user {user.name} cannot reach {root}")
        s = self.settings
        props = root / "server.properties"
        props.write_text(
            SERVER_PROPERTIES.format(
                port=s.kafka_port, controller_port=s.kafka_controller_port, data=root / "data"
            )
        )
        (root / "log4j2.properties").write_text(LOG4J2.format(logs=logs))
        user.own(props, root / "log4j2.properties")
        if (self.data_dir / "meta.properties").exists():
            return
        # A Kafka Uuid is 16 random bytes in URL-safe base64 without padding; like Kafka's own
        # Uuid.randomUuid, avoid a leading "-" that the command line would take for an option.
        cluster_id = "-"
        while cluster_id.startswith("-"):
            cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        cmd = self._java_cmd(
            "kafka.tools.StorageTool", "format", "--standalone", "-t", cluster_id, "-c", str(props)
        )
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=120, check=False, cwd=root, **user.popen_args
        )
        if proc.returncode != 0:
            detail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["(no output)"]
            raise ServiceError("kafka", f"formatting storage in {self.data_dir} failed: {detail[0][:300]}")

    def launch(self, stdout) -> subprocess.Popen:
        props = str(self.root / "server.properties")
        cmd = self._java_cmd("kafka.Kafka", props, heap=self.settings.kafka_heap, jvm=(self.marker,))
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
        return api_versions_ok(self.port)

    def _logs(self, root: Path) -> Path:
        """Kafka's own log folder: `<state_dir>/logs/kafka`, or, out of the user's reach, `<root>/logs`
        linked from there."""
        logs = self.logs_dir / "kafka"
        if logs.is_symlink():
            return self.user.folder(logs.resolve(), DIR_MODE)
        if self.user.can_traverse(self.logs_dir):
            self.user.own_tree(self.user.folder(logs, DIR_MODE))
            return logs
        target = self.user.folder(root / "logs", DIR_MODE)
        if not logs.exists():
            logs.symlink_to(target, target_is_directory=True)
        return target
