"""`yuqing users`, `yuqing feedback export` and `yuqing kibana import` as an operator runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from web_seed import isolated, seed

from yuqing import es as es_setup
from yuqing.settings import Settings

YUQING = [sys.executable, "-m", "yuqing.cli"]


def run(settings: Settings, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "ES_INDEX_PREFIX": settings.es.index_prefix, "ES_URL": settings.es.url}
    return subprocess.run(
        [*YUQING, *args], input=stdin, capture_output=True, text=True, env=env, timeout=120, check=False
    )


def test_users_commands(initialized: Settings) -> None:
    settings = isolated(initialized, "dashcli")
    first = run(settings, "users", "bootstrap-admin")
    assert first.returncode == 0 and "password" in first.stdout
    password = first.stdout.split("password ")[1].split()[0]
    assert len(password) >= 10
    second = run(settings, "users", "bootstrap-admin")
    assert second.returncode == 0 and "exists already" in second.stdout and password not in second.stdout

    made = run(
        settings, "users", "add", "duty1", "--role", "duty_officer", "--station", "西三派出所", "--generate",
        "--name", "张伟",
    )  # fmt: skip
    assert made.returncode == 0 and "password: " in made.stdout
    dup = run(
        settings, "users", "add", "duty1", "--role", "analyst", "--password-stdin", stdin="long-enough-pw\n"
    )
    assert dup.returncode == 2 and "已存在" in dup.stderr
    assert (
        run(
            settings, "users", "add", "x", "--role", "king", "--password-stdin", stdin="long-enough-pw\n"
        ).returncode
        == 2
    )
    nowhere = run(settings, "users", "add", "d9", "--role", "duty_officer", "--station", "火星", "--generate")
    assert nowhere.returncode == 2 and "未知派出所" in nowhere.stderr
    short = run(settings, "users", "set-password", "duty1", "--password-stdin", stdin="short\n")
    assert short.returncode == 2 and "至少 10 个字符" in short.stderr
    assert (
        run(
            settings, "users", "set-password", "duty1", "--password-stdin", stdin="a-new-password\n"
        ).returncode
        == 0
    )
    assert run(settings, "users", "disable", "duty1").returncode == 0
    assert run(settings, "users", "disable", "ghost").returncode == 2
    listing = run(settings, "users", "list").stdout.splitlines()
    duty = next(line for line in listing if line.startswith("duty1"))
    assert "duty_officer" in duty and "西三派出所" in duty and "disabled" in duty and duty.endswith("张伟")
    assert any(line.startswith("admin ") and "active" in line for line in listing)


def test_feedback_export_and_kibana_import(initialized: Settings, tmp_path) -> None:
    settings = isolated(initialized, "dashcli2")
    out = tmp_path / "feedback.jsonl"
    empty = run(settings, "feedback", "export", "-o", str(out))
    assert empty.returncode == 0 and "0 corrected posts" in empty.stderr and out.read_text() == ""

    seed(settings)
    client = es_setup.client(settings.es)
    try:
        correction = {
            "post_id": "demo_weibo:p8",
            "relevant": False,
            "by": "ana",
            "at": "2026-01-01T00:00:00Z",
        }
        client.index(
            index=settings.es.name("corrections"), id="demo_weibo:p8", document=correction, refresh=True
        )
    finally:
        client.close()
    done = run(settings, "feedback", "export")
    assert done.returncode == 0 and "1 corrected posts" in done.stderr
    (line,) = [json.loads(x) for x in done.stdout.splitlines()]
    assert line["id"] == "fb-demo_weibo:p8" and line["text"].startswith("弥勒佛像")
    assert line["relevant"] is False and line["level"] == "none" and line["trap"] == "feedback"

    refused = run(settings, "kibana", "import", "--url", "http://127.0.0.1:9")
    assert refused.returncode == 3 and "kibana" in refused.stderr
