"""Chinese everywhere without services: the message catalogue, validation errors, every error page (HTML and
JSON), the CSV export's headers and values, the source picker (the same over the real Elasticsearch:
tests/integration/test_dash_api.py)."""

from __future__ import annotations

import logging
import re
import string
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field, ValidationError

from dashboards.accounts import User
from dashboards.api.deps import Principal, current_user
from dashboards.api.routes.search import CSV_COLUMNS, csv_row, source_filter
from dashboards.logins import Attempt
from dashboards.messages import CSV_HEADERS, MESSAGES, say, status_title, validation_message
from dashboards.search import SearchParams
from dashboards.security import Session
from yuqing.labels import source_name
from yuqing.settings import ElasticsearchSettings, Settings, WebSettings, load_settings

HAN = re.compile(r"[\u4e00-\u9fff]")
ENGLISH = re.compile(r"\b(?:not|the|must|may|is|are|field|required|value|error|found|invalid)\b", re.I)
CSRF = "token-for-tests"
HTML = {"accept": "text/html"}


def chinese(text: str) -> bool:
    """Chinese words, and no English sentence (codes and parameter names may stand in it)."""
    return bool(HAN.search(text)) and not ENGLISH.search(text)


def test_every_catalogue_message_formats_and_is_chinese() -> None:
    for key, template in MESSAGES.items():
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        text = say(key, **dict.fromkeys(names, "x"))
        assert chinese(text), key
    for status in (400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500, 503):
        assert chinese(status_title(status)), status


def _errors(model: type[BaseModel], data: dict) -> list:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return caught.value.errors()


class Form(BaseModel):
    post_id: str = Field(min_length=2, max_length=5)
    page: int = 1
    date_from: datetime | None = None
    odd_field: int = Field(0, ge=0)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({}, "帖子编号：必须填写"),
        ({"post_id": "x" * 6}, "帖子编号：最多 5 个字符"),
        ({"post_id": "x"}, "帖子编号：至少 2 个字符"),
        ({"post_id": "ab", "page": "two"}, "页码：须为整数"),
        ({"post_id": "ab", "date_from": "yesterday"}, "起始时间：不是有效的时间"),
        # a field the catalogue does not know is still named
        ({"post_id": "ab", "odd_field": -1}, "字段 odd_field：不能小于 0"),
    ],
)
def test_validation_errors_in_chinese_name_the_field(data: dict, expected: str) -> None:
    message = validation_message(_errors(Form, data))
    assert expected in message and chinese(message)


def test_enum_choices_validators_and_unknown_error_types() -> None:
    level = validation_message(_errors(SearchParams, {"level": ["extreme"]}))
    assert level.startswith("风险等级 第 1 项：须为") and "高（high）" in level
    sort = validation_message(_errors(SearchParams, {"sort": "random"}))
    assert sort.startswith("排序：须为 相关度（relevance）")
    dates = {"date_from": "2025-03-09T00:00", "date_to": "2025-03-08T00:00"}
    assert validation_message(_errors(SearchParams, dates)) == "起始时间晚于截止时间"
    assert "10000" in validation_message(_errors(SearchParams, {"page": 500, "size": 100}))
    odd = [{"type": "some_new_type", "loc": ("body", "note"), "msg": "Something English", "input": 1}]
    assert validation_message(odd) == "说明：填写的值无效"
    assert validation_message([]) == say("invalid")


def test_csv_headers_and_values_are_chinese_and_formula_safe() -> None:
    assert [CSV_HEADERS[c] for c in CSV_COLUMNS][:4] == ["编号", "发布时间", "来源", "作者"]
    assert all(HAN.search(CSV_HEADERS[c]) for c in CSV_COLUMNS)
    post = {
        "id": "demo_weibo:1", "source": "demo_weibo", "author": "@admin",
        "published_at": "2025-03-08T02:00:00Z", "title": "+1 标题", "text": '=HYPERLINK("http://x")',
        "relevant": True, "spots": ["湖泉生态园", "可邑小镇"], "jurisdiction": "西三派出所",
        "sentiment": {"label": "neg"},
        "risk": {"level": "high", "score": 0.9, "categories": ["safety", "consumer"]},
        "correction": {"by": "-ana"},
    }  # fmt: skip
    row = dict(zip(CSV_COLUMNS, csv_row(post), strict=True))
    assert row["source"] == "微博（演示）" and row["published_at"] == "2025-03-08 10:00:00"
    assert row["relevant"] == "是" and row["spots"] == "湖泉生态园、可邑小镇"
    assert row["sentiment"] == "负面" and row["risk_level"] == "高"
    assert row["categories"] == "安全事故、消费纠纷"
    # cells from crawled text or typed by people never run as formulas
    assert row["text"].startswith("'=") and row["title"] == "'+1 标题" and row["author"] == "'@admin"
    assert row["corrected_by"] == "'-ana"
    blank = dict(zip(CSV_COLUMNS, csv_row({"id": "x", "relevant": False}), strict=True))
    assert blank["relevant"] == "否" and blank["source"] == "" and blank["risk_level"] == ""


def test_sources_have_chinese_names_and_a_name_finds_its_codes() -> None:
    assert source_name("weibo_search") == "微博" and source_name("tieba_mile").startswith("百度贴吧")
    assert source_name("my_douyin") == "抖音（my_douyin）" and source_name("odd") == "odd"
    found = source_filter(["微博"])
    assert set(found) == {"demo_weibo", "weibo_search"}
    assert source_filter(["demo_rss", "demo_rss"]) == ["demo_rss"]
    assert source_filter(["gone_source"]) == ["gone_source"]


# ---- the app itself, offline (Elasticsearch on a closed port); the signed-in user is a dependency override


def _principal(role: str) -> Principal:
    user = User(username=f"u_{role}", role=role, password_changed_at=datetime.now(UTC))
    now = time.time()
    return Principal(user, Session(user.username, now + 3600, CSRF, user.password_version, now, now))


@pytest.fixture(scope="module")
def app_client() -> Iterator[TestClient]:
    from dashboards.api.app import create_app

    base = load_settings()
    es = ElasticsearchSettings(
        **{**base.es.model_dump(), "url": "http://127.0.0.1:9", "request_timeout_s": 2}
    )
    app = create_app(Settings(es=es, web=WebSettings(**{**base.web.model_dump(), "max_body_bytes": 4096})))

    @app.get("/api/boom", include_in_schema=False)
    @app.get("/boom", include_in_schema=False)
    async def boom() -> None:
        raise RuntimeError("secret internals at /etc/yuqing/secret.key")

    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def as_role(app_client: TestClient) -> Iterator:
    def sign_in(role: str) -> TestClient:
        app_client.app.dependency_overrides[current_user] = lambda: _principal(role)
        return app_client

    yield sign_in
    app_client.app.dependency_overrides.clear()


def _page(resp, status: int, *words: str) -> None:
    assert resp.status_code == status
    assert resp.headers["content-type"].startswith("text/html")
    assert f"{status} · {status_title(status)}" in resp.text
    for word in words:
        assert word in resp.text
    assert "Not Found" not in resp.text and "detail" not in resp.text


def _json(resp, status: int, detail: str) -> None:
    assert resp.status_code == status and resp.headers["content-type"].startswith("application/json")
    assert set(resp.json()) == {"detail"} and detail in resp.json()["detail"], resp.json()
    assert chinese(resp.json()["detail"]), resp.json()


def test_unknown_paths_and_methods(app_client: TestClient) -> None:
    _page(app_client.get("/no/such/page", headers=HTML), 404, say("not_found"))
    _json(app_client.get("/api/no/such"), 404, say("not_found"))
    _json(app_client.post("/api/me", json={}), 405, say("method_not_allowed"))


def test_not_signed_in(app_client: TestClient) -> None:
    _json(app_client.get("/api/me"), 401, "请先登录")
    page = app_client.get("/search", headers=HTML, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")


def test_roles_bodies_and_parameters(as_role) -> None:
    client = as_role("analyst")
    _json(client.get("/api/users"), 403, "当前角色（研判人员）无权进行此操作")
    _page(client.get("/admin/users", headers=HTML), 403, "研判人员")
    headers = {"X-CSRF-Token": CSRF}
    plain = {**headers, "content-type": "text/plain"}
    _json(client.post("/api/corrections", content=b"x", headers=plain), 415, say("body_type"))
    broken = {**headers, "content-type": "application/json"}
    _json(client.post("/api/corrections", content=b'{"a": ', headers=broken), 400, say("body_not_json"))
    _json(client.post("/api/corrections", json={"post_id": "x"}), 403, say("csrf"))
    _json(client.post("/api/corrections", json={}, headers=headers), 422, "帖子编号：必须填写")
    _json(client.post("/api/corrections", content=b"x" * 5000, headers=plain), 413, "请求体过大")
    _page(client.post("/login", content=b"x" * 5000, headers={**plain, **HTML}), 413, "最多 4 KB")
    _json(client.get("/api/search", params={"page": 0}), 422, "页码：不能小于 1")
    _json(client.get("/api/search", params={"colour": "red"}), 422, "未知参数：colour")
    _json(client.get("/api/search", params={"q": "(湖泉"}), 400, "检索式有误：括号没有闭合")
    _json(client.get("/api/search/export.csv", params={"limit": -1}), 422, say("export_limit"))
    page = client.get("/search", params={"date_from": "2025-03-09T00:00", "date_to": "2025-03-08T00:00"})
    assert page.status_code == 400 and "起始时间晚于截止时间" in page.text
    admin = as_role("admin")
    _json(admin.get("/api/audit", params={"page": "x"}), 422, "页码：须为整数")
    _json(admin.get("/api/audit", params={"action": "nope"}), 422, "未知的审计操作 nope")
    _json(admin.post("/api/users/ana/explode", json={}, headers=headers), 404, "未知操作 explode")


def test_elasticsearch_down_is_503(as_role) -> None:
    client = as_role("admin")
    _json(client.get("/api/users"), 503, say("es_down"))
    _page(client.get("/admin/users", headers=HTML), 503, say("es_down"))


def test_too_many_attempts_is_429_in_chinese(app_client: TestClient) -> None:
    svc = app_client.app.state.services
    throttle, audit = svc.throttle, svc.audit

    class Locked:
        async def begin(self, name: str, ip: str) -> Attempt:
            return Attempt("a1", 42)

    class NoAudit:
        async def record(self, *args, **kwargs) -> None:
            return None

    svc.throttle, svc.audit = Locked(), NoAudit()
    try:
        login = app_client.get("/login", headers=HTML)
        token = login.text.split('name="csrf" value="')[1].split('"')[0]
        resp = app_client.post("/login", data={"username": "ana", "password": "x" * 12, "csrf": token})
        assert resp.status_code == 429 and say("login_throttled", wait_s=42) in resp.text
        stale = app_client.post("/login", data={"username": "ana", "password": "x", "csrf": "old"})
        assert stale.status_code == 403 and say("login_stale") in stale.text
    finally:
        svc.throttle, svc.audit = throttle, audit


def test_a_crash_is_a_chinese_500_that_leaks_nothing_and_is_logged(
    app_client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="dashboards.api.app"):
        page = app_client.get("/boom", headers=HTML)
        answer = app_client.get("/api/boom")
    _page(page, 500, say("internal"))
    _json(answer, 500, say("internal"))
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    for leak in ("RuntimeError", "secret", "Traceback", "/etc/yuqing"):
        assert leak not in page.text and leak not in answer.text
    assert any(r.exc_info and "secret internals" in str(r.exc_info[1]) for r in caplog.records)


def test_the_search_page_picks_sources_by_chinese_name(as_role) -> None:
    page = as_role("analyst").get("/search", headers=HTML)
    assert page.status_code == 200
    picker = page.text.split('id="source-picker"')[1].split("</select>")[0]
    assert '<option value="demo_weibo" >微博（演示）</option>' in picker
    assert '<option value="weibo_search" >微博</option>' in picker
    assert '<option value="tieba_mile" >百度贴吧 弥勒吧</option>' in picker
    assert 'maxlength="200"' in page.text
