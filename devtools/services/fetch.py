"""Fetch what the local services need: a JDK check, Maven-resolved jars, a checked zip download."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

from yuqing.errors import ServiceError

log = logging.getLogger(__name__)

DOWNLOAD_TIMEOUT_S = 60
DEFAULT_MAVEN_REPO = "https://repo1.maven.org/maven2"


@dataclass(frozen=True)
class Java:
    """A JDK found on this machine."""

    home: Path
    major: int

    @property
    def binary(self) -> Path:
        return self.home / "bin" / "java"


def find_java(java_home: Path | None, minimum: int = 17) -> Java:
    """The JDK to run the services with: SERVICES_JAVA_HOME, else JAVA_HOME, else `java` on PATH."""
    candidates: list[Path] = []
    if java_home:
        candidates.append(Path(java_home))
    elif os.environ.get("JAVA_HOME"):
        candidates.append(Path(os.environ["JAVA_HOME"]))
    else:
        found = shutil.which("java")
        if found:
            # /usr/bin/java → /usr/lib/jvm/<jdk>/bin/java: the home is two levels up from the real file.
            candidates.append(Path(found).resolve().parent.parent)
    for home in candidates:
        binary = home / "bin" / "java"
        if not binary.exists():
            raise ServiceError("java", f"{binary} does not exist (check SERVICES_JAVA_HOME / JAVA_HOME)")
        major = _java_major(binary)
        if major < minimum:
            raise ServiceError("java", f"{binary} is Java {major}; Java {minimum} or newer is needed")
        return Java(home=home, major=major)
    raise ServiceError(
        "java",
        "no Java found: install a JDK (apt-get install openjdk-17-jre-headless) or set SERVICES_JAVA_HOME",
    )


def _java_major(binary: Path) -> int:
    try:
        out = subprocess.run(
            [str(binary), "-version"], capture_output=True, text=True, timeout=30, check=False
        ).stderr
    except OSError as exc:
        raise ServiceError("java", f"cannot run {binary}: {exc}") from exc
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not match:
        raise ServiceError("java", f"cannot read the version of {binary}: {out.strip()[:200]}")
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def maven_url(repo: str, group: str, artifact: str, version: str, ext: str) -> str:
    """The URL of an artifact in a Maven repository layout."""
    folder = f"{repo.rstrip('/')}/{group.replace('.', '/')}/{artifact}/{version}"
    return f"{folder}/{artifact}-{version}.{ext}"


def _read_url(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as resp:
            return resp.read()
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise ServiceError("download", f"download of {url} failed: {reason}") from exc


def download(url: str, dest: Path, service: str) -> Path:
    """Download `url` to `dest` once, checked against the repository's `.sha1`; atomic (no half files)."""
    if dest.exists():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    log.info("%s: downloading %s", service, url)
    try:
        expected = _read_url(url + ".sha1").decode().split()[0].strip().lower()
        digest = hashlib.sha1()
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=dest.name, suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as resp:
                while chunk := resp.read(1 << 20):
                    digest.update(chunk)
                    out.write(chunk)
            if digest.hexdigest() != expected:
                raise ServiceError(
                    service, f"download of {url} is corrupt (sha1 {digest.hexdigest()} != {expected})"
                )
            os.replace(tmp, dest)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except ServiceError as exc:
        raise ServiceError(service, exc.message) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise ServiceError(
            service, f"download of {url} failed: {getattr(exc, 'reason', None) or exc}"
        ) from exc
    return dest


def unzip(archive: Path, target: Path) -> Path:
    """Unpack `archive` into `target` (its single top folder becomes `target`), keeping file modes."""
    if (target / ".complete").exists():
        return target
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=target.name + ".unpack-"))
    try:
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                path = Path(zf.extract(info, staging))
                mode = (info.external_attr >> 16) & 0o777
                if mode and not info.is_dir():
                    path.chmod(mode)
        (top,) = list(staging.iterdir())
        if target.exists():
            shutil.rmtree(target)
        top.rename(target)
        (target / ".complete").touch()
    except (zipfile.BadZipFile, ValueError) as exc:
        archive.unlink(missing_ok=True)
        raise ServiceError("download", f"{archive} is not a usable zip ({exc}); removed, run again") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def maven_copy_dependencies(pom: Path, out_dir: Path, m2: Path, repo: str, props: dict[str, str]) -> Path:
    """Resolve the runtime dependencies of `pom` into `out_dir` with Maven (once; atomic)."""
    if (out_dir / ".complete").exists():
        return out_dir
    mvn = shutil.which("mvn")
    if not mvn:
        raise ServiceError("kafka", "Maven (mvn) is needed to fetch Kafka's jars: apt-get install maven")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=out_dir.name + ".fetch-"))
    cmd = [mvn, "-q", "-B", f"-Dmaven.repo.local={m2}", "-f", str(pom)]
    cmd += [f"-D{k}={v}" for k, v in props.items()]
    if repo.rstrip("/") != DEFAULT_MAVEN_REPO:
        settings_xml = staging / "settings.xml"
        settings_xml.write_text(
            "<settings><mirrors><mirror><id>yuqing</id><mirrorOf>*</mirrorOf>"
            f"<url>{repo}</url></mirror></mirrors></settings>"
        )
        cmd += ["-s", str(settings_xml)]
    cmd += ["dependency:copy-dependencies", "-DincludeScope=runtime", f"-DoutputDirectory={staging / 'libs'}"]
    log.info("kafka: resolving jars with Maven into %s", out_dir)
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, check=False)
        if proc.returncode != 0:
            lines = [ln for ln in (proc.stdout + proc.stderr).splitlines() if "ERROR" in ln] or [
                "(no output)"
            ]
            raise ServiceError("kafka", f"fetching jars with Maven failed: {lines[0].strip()[:300]}")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        (staging / "libs").rename(out_dir)
        (out_dir / ".complete").touch()
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out_dir
