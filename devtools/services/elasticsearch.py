"""Elasticsearch from Maven Central's integ-test zip, run as a dedicated non-root user, security off."""

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
from devtools.services.user import DATA_MODE, DIR_MODE, ServiceUser, mirror
from yuqing.errors import ServiceError

log = logging.getLogger(__name__)

GROUP, ARTIFACT = "org.elasticsearch.distribution.integ-test-zip", "elasticsearch"

ELASTICSEARCH_YML = """\
# Written by `yuqing services up` on every start; edit ServicesSettings instead.
cluster.name: yuqing-local
node.name: yuqing-local
path.data: {data}
path.logs: {logs}
network.host: 127.0.0.1
http.port: {port}
discovery.type: single-node
xpack.security.enabled: false
# A shared build machine's disk may be fuller than ES's watermarks like: never go read-only here.
cluster.routing.allocation.disk.threshold_enabled: false
action.destructive_requires_name: true
"""

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
    name = "elasticsearch"

    def __init__(self, settings) -> None:
        super().__init__(settings)
        self._user: ServiceUser | None = None

    @property
    def port(self) -> int:
        return self.settings.es_port

    @property
    def ports(self) -> dict[int, str]:
        return {self.settings.es_port: "SERVICES_ES_PORT"}

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
        return self.settings.state_dir / "elasticsearch"

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
        root = user.place(self.link, self.settings.state_dir, "state")
        for sub in ("", "config", "config/jvm.options.d", "data", "logs", "tmp"):
            user.folder(root / sub, DATA_MODE if sub in ("data", "tmp") else DIR_MODE)
        if not user.can_traverse(root):
            raise ServiceError("elasticsearch", f"user {user.name} cannot reach {root}")
        mirror(self.dist, root / "dist", self.version)
        conf = root / "config"
        for item in (self.dist / "config").iterdir():
            if item.is_file() and item.name not in ("elasticsearch.yml", "jvm.options"):
                shutil.copyfile(item, conf / item.name)
        (conf / "elasticsearch.yml").write_text(
            ELASTICSEARCH_YML.format(data=root / "data", logs=root / "logs", port=self.port)
        )
        (conf / "jvm.options").write_text(JVM_OPTIONS.format(logs=root / "logs", heap=self.settings.es_heap))
        for item in conf.iterdir():
            user.own(item)
        logs_link = self.logs_dir / "elasticsearch"
        if not logs_link.is_symlink() and not logs_link.exists():
            logs_link.symlink_to(root / "logs", target_is_directory=True)

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
        except (urllib.error.URLError, OSError, ValueError) as exc:
            return False, f"no answer on {self.port}: {getattr(exc, 'reason', exc)}"
        running = next(iter(nodes.values()), {}).get("version", "?")
        if running != self.version:
            return False, f"answers as version {running}, expected {self.version}"
        status = health.get("status")
        return status in ("green", "yellow"), f"cluster {status}"
