"""Elasticsearch nodes from Maven Central's integ-test zip, run as a dedicated non-root user, security off."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

from devtools.services.base import Service
from devtools.services.fetch import download, find_java, maven_url, unzip
from devtools.services.layout import EsNode, Layout, Port
from devtools.services.user import DATA_MODE, DIR_MODE, ServiceUser, mirror
from yuqing.errors import ServiceError
from yuqing.settings import ServicesSettings

log = logging.getLogger(__name__)

GROUP, ARTIFACT = "org.elasticsearch.distribution.integ-test-zip", "elasticsearch"

ELASTICSEARCH_YML = """\
# Written by `yuqing services up` on every start; edit ServicesSettings instead.
cluster.name: {cluster}
node.name: {node}
path.data: {data}
path.logs: {logs}
network.host: 127.0.0.1
http.port: {port}
{discovery}
xpack.security.enabled: false
# A shared build machine's disk may be fuller than ES's watermarks like: never go read-only here.
cluster.routing.allocation.disk.threshold_enabled: false
action.destructive_requires_name: true
"""

SINGLE_DISCOVERY = "discovery.type: single-node"
# Nodes find each other on their transport ports. The first start of a new cluster also names the nodes
# that elect its first master; ES wants that line gone once the cluster has formed (it is ignored then, and
# a node that kept it could bootstrap a second cluster of its own if its data were lost).
CLUSTER_DISCOVERY = """\
transport.port: {transport}
discovery.seed_hosts: {seeds}"""
BOOTSTRAP = "cluster.initial_master_nodes: {masters}"

JVM_OPTIONS = """\
# Written by `yuqing services up`; the heap is ServicesSettings.es_heap.
-XX:+UseG1GC
-Djava.io.tmpdir=${{ES_TMPDIR}}
20-:--add-modules=jdk.incubator.vector
-XX:+ExitOnOutOfMemoryError
-XX:ErrorFile={logs}/hs_err_pid%p.log
-Xlog:gc*,gc+age=trace,safepoint:file={logs}/gc.log:utctime,level,pid,tags:filecount=4,filesize=16m
-Xms{heap}
-Xmx{heap}
"""


class ElasticsearchService(Service):
    """One Elasticsearch node."""

    kind = "elasticsearch"

    def __init__(self, settings: ServicesSettings, layout: Layout, node: EsNode) -> None:
        super().__init__(settings, layout, node.name)
        self.node = node
        self._user: ServiceUser | None = None

    @property
    def port(self) -> int:
        return self.node.http.number

    @property
    def bound(self) -> tuple[Port, ...]:
        return (self.node.http,) if self.node.transport is None else (self.node.http, self.node.transport)

    @property
    def version(self) -> str:
        return self.settings.es_version

    @property
    def user(self) -> ServiceUser:
        if self._user is None:
            self._user = ServiceUser(self.settings.es_user, self.name)
        return self._user

    @property
    def link(self) -> Path:
        return self.layout.state_dir / self.name

    @property
    def root(self) -> Path:
        """Where ES's files live: `<state_dir>/elasticsearch`, or where that link points (see `prepare`)."""
        return self.link.resolve() if self.link.is_symlink() else self.link

    @property
    def data_dir(self) -> Path:
        return self.link / "data"

    @property
    def marker(self) -> str:
        return f"{self.root}/"

    @property
    def zip_path(self) -> Path:
        return self.settings.home / "downloads" / f"elasticsearch-{self.version}.zip"

    @property
    def dist(self) -> Path:
        return self.settings.home / f"elasticsearch-{self.version}"

    def fetch(self) -> None:
        if (self.dist / ".complete").exists():
            return
        url = maven_url(self.settings.maven_repo, GROUP, ARTIFACT, self.version, "zip")
        download(url, self.zip_path, "elasticsearch")
        unzip(self.zip_path, self.dist)

    def prepare(self) -> None:
        user = self.user
        # The single node's label predates clusters: kept, so a checkout's existing data is found again.
        label = "state" if self.name == "elasticsearch" else self.name
        root = user.place(self.link, self.layout.state_dir, label)
        for sub in ("", "config", "config/jvm.options.d", "data", "logs", "tmp"):
            user.folder(root / sub, DATA_MODE if sub in ("data", "tmp") else DIR_MODE)
        if not user.can_traverse(root):
            raise ServiceError(self.name, f"user {user.name} cannot reach {root}")
        mirror(self.dist, root / "dist", self.version)
        conf = root / "config"
        for item in (self.dist / "config").iterdir():
            if item.is_file() and item.name not in ("elasticsearch.yml", "jvm.options"):
                shutil.copyfile(item, conf / item.name)
        (conf / "elasticsearch.yml").write_text(self._config(root))
        (conf / "jvm.options").write_text(JVM_OPTIONS.format(logs=root / "logs", heap=self.layout.es_heap))
        for item in conf.iterdir():
            user.own(item)
        logs_link = self.logs_dir / self.name
        if not logs_link.is_symlink() and not logs_link.exists():
            logs_link.symlink_to(root / "logs", target_is_directory=True)

    def _config(self, root: Path) -> str:
        layout = self.layout
        if not layout.cluster:
            cluster, discovery = "yuqing-local", SINGLE_DISCOVERY
        else:
            cluster = "yuqing-cluster"
            discovery = CLUSTER_DISCOVERY.format(
                transport=self.node.transport.number, seeds=json.dumps(layout.es_seed_hosts)
            )
            # No cluster state on disk yet: this is the cluster's first start.
            if not (root / "data" / "_state").exists():
                discovery += "\n" + BOOTSTRAP.format(masters=json.dumps([n.name for n in layout.es]))
        return ELASTICSEARCH_YML.format(
            cluster=cluster,
            node=self.name if layout.cluster else "yuqing-local",
            data=root / "data",
            logs=root / "logs",
            port=self.port,
            discovery=discovery,
        )

    def launch(self, stdout) -> subprocess.Popen:
        java = find_java(self.settings.java_home)
        root = self.root
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "HOME": str(self.user.home),
            "ES_JAVA_HOME": str(java.home),
            "ES_PATH_CONF": str(root / "config"),
            "ES_TMPDIR": str(root / "tmp"),
            "ES_JAVA_OPTS": f"-Dyuqing.es={root}",
        }
        return subprocess.Popen(
            [str(root / "dist" / "bin" / "elasticsearch")],
            env=env,
            cwd=root,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **self.user.popen_args,
        )

    def _get(self, path: str) -> dict:
        url = f"http://127.0.0.1:{self.port}{path}"
        with urllib.request.urlopen(url, timeout=3) as resp:
            return json.loads(resp.read())

    def probe(self) -> tuple[bool, str]:
        try:
            # The integ-test zip has no `GET /` (the rest-root module): ask the node for its version.
            nodes = self._get("/_nodes/_local?filter_path=nodes.*.version").get("nodes", {})
            health = self._get("/_cluster/health")
        except urllib.error.HTTPError as exc:
            # 503 before a master is elected: up, but the cluster has not formed (a node is missing).
            return False, f"no elected master yet (HTTP {exc.code} on {self.port})"
        except (urllib.error.URLError, OSError, ValueError) as exc:
            return False, f"no answer on {self.port}: {getattr(exc, 'reason', exc)}"
        running = next(iter(nodes.values()), {}).get("version", "?")
        if running != self.version:
            return False, f"answers as version {running}, expected {self.version}"
        status = health.get("status")
        if not self.layout.cluster:
            return status in ("green", "yellow"), f"cluster {status}"
        # A cluster node is healthy once every node has joined the one cluster.
        joined, wanted = health.get("number_of_nodes", 0), len(self.layout.es)
        note = f"cluster {status}, {joined} of {wanted} nodes"
        return status in ("green", "yellow") and joined >= wanted, note
