"""Who runs the local services: a dedicated system user when `yuqing services` runs as root, else ourselves.

Elasticsearch refuses root; Kafka would not, but a broker has no business with root's powers either, so both
run as the same system user (`ServicesSettings.es_user`, default `yuqing-es`, created with `useradd` when
missing). What they read and write is handed to that user:

- their folders under the state dir, or, when the state dir lies where that user cannot go (a checkout under
  `/root`, mode 700), folders in the user's home linked from the state dir: no permission of `/root` is
  loosened;
- the downloaded distribution, hard-linked next to them (the cache may sit in `/root` too);
- data folders are 0700: only the service user reads what the topics and indices hold.
"""

from __future__ import annotations

import grp
import hashlib
import os
import pwd
import shutil
import stat
import subprocess
from pathlib import Path

from yuqing.errors import ServiceError

DATA_MODE = 0o700  # data: the service user alone
DIR_MODE = 0o750  # config, logs, the distribution: the user, and its group (root reads anyway)


class ServiceUser:
    """The account a service process runs under, and what it can reach."""

    def __init__(self, name: str, service: str) -> None:
        entry = pwd.getpwuid(os.geteuid()) if os.geteuid() != 0 else self._ensure(name, service)
        self.name, self.uid, self.gid, self.home = (
            entry.pw_name,
            entry.pw_uid,
            entry.pw_gid,
            Path(entry.pw_dir),
        )
        self.groups = {g.gr_gid for g in grp.getgrall() if self.name in g.gr_mem} | {self.gid}

    @staticmethod
    def _ensure(name: str, service: str) -> pwd.struct_passwd:
        try:
            return pwd.getpwnam(name)
        except KeyError:
            pass
        useradd = shutil.which("useradd") or "/usr/sbin/useradd"
        home = f"/var/lib/{name}"
        cmd = [
            useradd,
            "--system",
            "--user-group",
            "--home-dir",
            home,
            "--create-home",
            "--shell",
            "/usr/sbin/nologin",
        ]
        proc = subprocess.run([*cmd, name], capture_output=True, text=True, check=False)
        if proc.returncode not in (0, 9):  # 9: created meanwhile by a concurrent `up`
            raise ServiceError(service, f"cannot create user {name!r}: {proc.stderr.strip()[:200]}")
        return pwd.getpwnam(name)

    @property
    def is_us(self) -> bool:
        return self.uid == os.geteuid()

    def can_traverse(self, path: Path) -> bool:
        """Whether this user can reach `path` (execute permission on every folder down to it)."""
        if self.is_us:
            return True
        for folder in [path, *path.parents]:
            st = folder.stat()
            if st.st_uid == self.uid:
                bit = stat.S_IXUSR
            elif st.st_gid in self.groups:
                bit = stat.S_IXGRP
            else:
                bit = stat.S_IXOTH
            if not st.st_mode & bit:
                return False
        return True

    def own(self, *paths: Path) -> None:
        if os.geteuid() == 0:
            for path in paths:
                os.chown(path, self.uid, self.gid, follow_symlinks=False)

    def own_tree(self, top: Path) -> None:
        """`top` and everything under it (data a root-run service left behind)."""
        if os.geteuid() != 0:
            return
        for folder, dirs, files in os.walk(top):
            for name in (*dirs, *files):
                path = Path(folder) / name
                if path.lstat().st_uid != self.uid:
                    os.chown(path, self.uid, self.gid, follow_symlinks=False)
        os.chown(top, self.uid, self.gid, follow_symlinks=False)

    def folder(self, path: Path, mode: int = DIR_MODE) -> Path:
        """`path` created, owned by this user, with `mode`."""
        path.mkdir(parents=True, exist_ok=True)
        self.own(path)
        path.chmod(mode)
        return path

    def place(self, link: Path, state_dir: Path, label: str) -> Path:
        """Where a service's files live: `link` itself, or (out of this user's reach) a folder in the user's
        home that `link` points to. Returns the real folder."""
        if not link.exists() and not link.is_symlink() and not self.can_traverse(state_dir):
            digest = hashlib.sha1(str(state_dir.resolve()).encode()).hexdigest()[:12]
            target = self.home / f"{label}-{digest}"
            target.mkdir(parents=True, exist_ok=True)
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(target, target_is_directory=True)
        return link.resolve() if link.is_symlink() else link

    @property
    def popen_args(self) -> dict:
        if os.geteuid() != 0:
            return {}
        return {"user": self.uid, "group": self.gid, "extra_groups": []}


def mirror(source: Path, target: Path, version: str) -> None:
    """Hard-link (or copy) a cached distribution next to a service's files, where its user can read it.

    The cache may sit in `/root`: its files are world-readable, its folders may not be reachable. Redone
    when the version changes.
    """
    stamp = target / ".version"
    if stamp.exists() and stamp.read_text() == version:
        return
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, copy_function=_link_or_copy, symlinks=True)
    stamp.write_text(version)


def _link_or_copy(src: str, dst: str) -> str:
    try:
        os.link(src, dst)
    except OSError:  # another filesystem, or links refused: copy instead
        shutil.copy2(src, dst)
    return dst
