"""Dashboard pieces without services: sessions, passwords, alert workflow, corrections, CSV, Kibana, feedback
lines (the login throttle and other hardening: test_dash_hardening.py)."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from dashboards.alerts import AlertActionError, plan, response_stats
from dashboards.api.deps import local_path
from dashboards.api.routes.search import csv_row
from dashboards.corrections import CorrectionError, CorrectionIn
from dashboards.corrections import plan as plan_correction
from dashboards.feedback import feedback_line, style_of
from dashboards.query import parse
from dashboards.saved_objects import import_objects, load_objects, referenced_fields, saved_object_files
from dashboards.search import SearchParams, apply_correction, merge_marks, search_body
from dashboards.security import SessionSigner, WeakPassword, hash_password, verify_password
from yuqing.errors import ServiceError

SPOTS = ["湖泉生态园", "可邑小镇"]


def test_session_round_trip_tamper_and_expiry() -> None:
    signer = SessionSigner("secret", ttl_s=60)
    token, session = signer.issue("ana", 1.5)
    assert signer.read(token) == session
    body, sig = token.split(".")
    assert signer.read(body + "." + sig[:-2] + "AA") is None
    assert SessionSigner("other-secret", 60).read(token) is None
    assert signer.read(None) is None and signer.read("garbage") is None
    old, _ = signer.issue("ana", 1.5, now=time.time() - 61)
    assert signer.read(old) is None


def test_passwords_are_argon2_and_short_ones_refused() -> None:
    hashed = hash_password("a long password")
    assert hashed.startswith("$argon2")
    assert verify_password(hashed, "a long password")
    assert not verify_password(hashed, "a long passwore")
    assert not verify_password("not a hash", "x")
    with pytest.raises(WeakPassword):
        hash_password("short")


def test_redirect_targets_stay_on_the_site() -> None:
    assert local_path("/alerts?x=1", "/") == "/alerts?x=1"
    for bad in ("//evil.example", "https://evil.example", "javascript:alert(1)", "/\\evil", None, ""):
        assert local_path(bad, "/home") == "/home"


def test_alert_workflow_transitions() -> None:
    new = {"id": "a", "status": "new"}
    ack = plan(new, "acknowledge", "duty", None, None)
    assert ack["status"] == "acknowledged" and ack["acknowledged_by"] == "duty"
    with pytest.raises(AlertActionError, match="已签收"):
        plan({"status": "acknowledged"}, "acknowledge", "duty", None, None)
    with pytest.raises(AlertActionError, match="办结须填写原因"):
        plan(new, "resolve", "duty", None, "  ")
    done = plan(new, "resolve", "duty", None, "已处置")
    # Resolving an alert nobody acknowledged acknowledges it at the same moment.
    assert done["status"] == "resolved" and done["acknowledged_at"] == done["resolved_at"]
    fa = plan({"status": "acknowledged"}, "false_alarm", "ana", None, "演练")
    assert fa["status"] == "false_alarm" and "acknowledged_at" not in fa
    with pytest.raises(AlertActionError, match="已办结"):
        plan({"status": "resolved"}, "assign", "ana", "duty", None)
    with pytest.raises(AlertActionError) as err:
        plan(new, "delete", "ana", None, None)
    assert err.value.status == 422


def test_response_stats_against_the_1_3_5_minute_goals() -> None:
    def alert(station: str, ack_s: float | None, res_s: float | None, status: str) -> dict:
        def iso(s: float | None) -> str | None:
            return (
                None
                if s is None
                else time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(1_700_000_000 + s))
            )

        times = {"raised_at": iso(0), "acknowledged_at": iso(ack_s), "resolved_at": iso(res_s)}
        return {"jurisdiction": station, "status": status, **times}

    rows = response_stats(
        [
            alert("弥阳派出所", 30, 200, "resolved"),
            alert("弥阳派出所", 90, None, "acknowledged"),
            alert("弥阳派出所", None, None, "new"),
            alert("西三派出所", 20, 20, "false_alarm"),
        ]
    )
    miyang = next(r for r in rows if r["station"] == "弥阳派出所")
    assert miyang["alerts"] == 3 and miyang["open"] == 2
    # The unacknowledged alert (raised long ago) is late in every figure: in the median and in each share.
    assert miyang["unacknowledged"] == 1 and miyang["overdue"] == 1
    assert miyang["ack_median_s"] == 90
    assert miyang["ack_within"] == {
        60: pytest.approx(1 / 3),
        180: pytest.approx(2 / 3),
        300: pytest.approx(2 / 3),
    }
    assert miyang["resolve_within"][180] == 0 and miyang["resolve_within"][300] == pytest.approx(1 / 3)
    assert rows[0]["station"] == "弥阳派出所"  # the busiest first


def test_corrections_follow_the_labelling_rules() -> None:
    post = {"relevant": True, "spots": ["湖泉生态园"], "sentiment": {"label": "neg"},
            "risk": {"level": "high", "categories": ["safety"]}}  # fmt: skip
    ok = CorrectionIn.model_validate({"post_id": "p", "level": "none", "categories": [""], "relevant": ""})
    ok.check(SPOTS)
    assert ok.categories == [] and ok.relevant is None
    assert plan_correction(post, None, ok.fields(), None) == {
        "level": {"from": "high", "to": "none"},
        "categories": {"from": ["safety"], "to": []},
    }
    both = CorrectionIn.model_validate({"post_id": "p", "level": "none", "categories": ["safety"]})
    with pytest.raises(CorrectionError, match="none"):
        plan_correction(post, None, both.fields(), None)
    with pytest.raises(CorrectionError, match="未知景区"):
        CorrectionIn.model_validate({"post_id": "p", "spots": ["大理"]}).check(SPOTS)
    with pytest.raises(CorrectionError, match="至少选一个风险类别"):
        plan_correction(
            post, None, CorrectionIn.model_validate({"post_id": "p", "categories": ""}).fields(), None
        )
    with pytest.raises(ValueError):
        CorrectionIn.model_validate({"post_id": "p", "level": "extreme"})


POST = {
    "id": "demo_weibo:1", "source": "demo_weibo", "title": "标题", "text": "=HYPERLINK(\"http://x\")",
    "relevant": True,
    "spots": ["湖泉生态园"], "sentiment": {"label": "neg", "score": 0.9},
    "risk": {"level": "high", "score": 0.9, "categories": ["safety"]},
}  # fmt: skip


def test_a_correction_replaces_the_model_labels_and_keeps_them_beside() -> None:
    shown = apply_correction(
        POST, {"level": "medium", "categories": ["consumer"], "sentiment": "neu", "by": "ana"}
    )
    assert shown["risk"]["level"] == "medium" and shown["risk"]["categories"] == ["consumer"]
    assert shown["sentiment"]["label"] == "neu" and shown["model"]["risk"]["level"] == "high"
    fa = apply_correction(POST, {"false_alarm": True, "by": "duty"})
    assert fa["risk"]["level"] == "none" and fa["risk"]["categories"] == []
    assert apply_correction(POST, None) is POST


def test_csv_cells_cannot_run_as_formulas() -> None:
    row = csv_row(POST)
    assert row[6].startswith("'=HYPERLINK")


def test_feedback_lines_use_the_tourism_post_format() -> None:
    line = feedback_line(POST, {"post_id": POST["id"], "level": "medium", "categories": ["consumer"]})
    assert set(line) == {
        "id",
        "text",
        "style",
        "relevant",
        "spots",
        "sentiment",
        "categories",
        "level",
        "trap",
        "split",
    }
    assert line["level"] == "medium" and line["categories"] == ["consumer"] and line["style"] == "weibo"
    assert line["trap"] is None and line["text"].startswith("标题\n")
    irrelevant = feedback_line(POST, {"post_id": POST["id"], "relevant": False})
    assert irrelevant["level"] == "none" and irrelevant["categories"] == [] and irrelevant["spots"] == []
    assert irrelevant["trap"] == "feedback"
    false_alarm = feedback_line(POST, {"post_id": POST["id"], "false_alarm": True})
    assert false_alarm["level"] == "none" and false_alarm["relevant"] is True
    assert style_of("dianping_reviews") == "dianping" and style_of("gov_site") == "news"


def test_search_body_filters_sort_page_and_escaped_highlights() -> None:
    params = SearchParams.model_validate(
        {
            "q": "湖泉",
            "level": ["high"],
            "spot": ["湖泉生态园"],
            "relevant": "any",
            "sort": "time",
            "page": 3,
            "size": 10,
        }
    )
    body = search_body(params, parse(params.q))
    assert body["from"] == 20 and body["size"] == 10
    assert {"terms": {"risk.level": ["high"]}} in body["query"]["bool"]["filter"]
    assert not any("relevant" in json.dumps(f) for f in body["query"]["bool"]["filter"])
    assert list(body["sort"][0]) == ["published_at"]
    assert body["highlight"]["encoder"] == "html"
    assert merge_marks("<mark>湖</mark><mark>泉</mark>") == "<mark>湖泉</mark>"


@pytest.mark.parametrize(
    "bad",
    [{"page": 0}, {"size": 101}, {"page": 200, "size": 100}, {"level": ["extreme"]}, {"sort": "random"},
     {"date_from": "2025-02-01", "date_to": "2025-01-01"}, {"spot": ["x" * 300]}, {"date_from": "yesterday"}],
)  # fmt: skip
def test_bad_search_parameters_are_refused(bad: dict) -> None:
    with pytest.raises(ValueError):
        SearchParams.model_validate(bad)


def test_kibana_objects_parse_and_import_through_the_api() -> None:
    files = saved_object_files()
    assert files
    kinds = {obj["type"] for f in files for obj in load_objects(f)}
    assert {"index-pattern", "visualization", "dashboard"} <= kinds
    assert any(referenced_fields(obj) for f in files for obj in load_objects(f))
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        assert request.headers["kbn-xsrf"] and request.url.params["overwrite"] == "true"
        return httpx.Response(200, json={"success": True, "successCount": 3})

    lines = import_objects("http://kibana.test", transport=httpx.MockTransport(handler))
    assert len(seen) == len(files) and all("3 objects" in line for line in lines)

    refuse = httpx.MockTransport(
        lambda r: httpx.Response(200, json={"success": False, "errors": [{"id": "x"}]})
    )
    with pytest.raises(ServiceError, match="failed"):
        import_objects("http://kibana.test", transport=refuse)


def test_the_app_answers_503_when_elasticsearch_is_down() -> None:
    from fastapi.testclient import TestClient

    from dashboards.api.app import create_app
    from yuqing.settings import ElasticsearchSettings, load_settings

    base = load_settings()
    es = ElasticsearchSettings(
        **{**base.es.model_dump(), "url": "http://127.0.0.1:9", "request_timeout_s": 2}
    )
    with TestClient(create_app(base.model_copy(update={"es": es}))) as client:
        client.cookies.set("yq_session", "x.y")
        login = client.get("/login", headers={"accept": "text/html"})
        assert login.status_code == 200  # the login page needs no Elasticsearch
        token = login.text.split('name="csrf" value="')[1].split('"')[0]
        resp = client.post("/login", data={"username": "ana", "password": "whatever-123", "csrf": token})
        assert resp.status_code == 503 and "检索服务（Elasticsearch）暂时无法连接" in resp.text


def test_links_from_crawled_data_are_http_only() -> None:
    from dashboards.api.render import http_url

    assert http_url("https://weibo.example/1") == "https://weibo.example/1"
    for bad in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "//evil.example", None):
        assert http_url(bad) == "#"


def test_a_time_typed_without_a_zone_is_mile_time() -> None:
    params = SearchParams.model_validate({"date_from": "2026-05-01T08:00", "date_to": "2026-05-01T09:00:00Z"})
    rng = json.dumps(params.filters())
    assert "2026-05-01T08:00:00+08:00" in rng and "2026-05-01T09:00:00+00:00" in rng
