"""The post page over the real Elasticsearch: corrections kept as versions (不改 keeps a field, the same
values add nothing, concurrent saves all kept, each save audited), the scorer's explain in Chinese, the search
words marked without letting the query inject HTML, and an alert's false alarm shown on its posts."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from web_seed import LiveServer, isolated, login, scored_post, seed

from yuqing import es as es_setup
from yuqing.settings import Settings

POST_ID = "demo_weibo:c1"
# What models/runtime/scorer.py writes into `explain` (a real run's shape).
EXPLAIN = {
    "place": {"spots": ["湖泉生态园"], "candidate_spots": [], "aliases": {"湖泉生态园": ["湖泉"]},
              "city": [], "districts": [], "decoys": [], "elsewhere": []},
    "relevance_rule": "Mile named; model p=0.97 vs 0.50",
    "level_rule": "P(high)=0.91 ≥ 0.60 with incident evidence",
    "risk_terms": {"safety": ["溺水"]},
    "probabilities": {"relevance": 0.97, "sentiment": {"neg": 0.8, "neu": 0.15, "pos": 0.05},
                      "level": {"none": 0.01, "low": 0.03, "medium": 0.05, "high": 0.91},
                      "categories": {"safety": 0.93, "consumer": 0.02}},
    "thresholds": {"relevance": 0.5, "high": 0.6},
    "runtime": "onnxruntime",
}  # fmt: skip
ROW = {"sid": "c1", "minutes_ago": 10, "spots": ["湖泉生态园"], "station": "弥阳派出所", "level": "high",
       "categories": ["safety"], "sentiment": "neg", "title": "湖泉<i>求助</i>",
       "text": '湖泉生态园有人溺水<script>alert("x")</script>，请大家注意安全'}  # fmt: skip


@pytest.fixture(scope="module")
def app_settings(initialized: Settings) -> Settings:
    settings = isolated(initialized, "dashpost")
    seed(settings)
    client = es_setup.client(settings.es)
    try:
        post = scored_post(ROW, datetime.now(UTC)).model_copy(update={"explain": EXPLAIN})
        es_setup.index_post(client, settings.es, post, refresh=True)
    finally:
        client.close()
    return settings


@pytest.fixture(scope="module")
def server(app_settings: Settings) -> Iterator[LiveServer]:
    with LiveServer(app_settings) as live:
        yield live


def signed_in(server: LiveServer, username: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=30)
    assert login(client, username).status_code == 303
    return client


@pytest.fixture(scope="module")
def analyst(server: LiveServer) -> httpx.Client:
    return signed_in(server, "ana")


def token(client: httpx.Client) -> str:
    return client.get("/api/me").json()["csrf"]


def form_save(client: httpx.Client, post_id: str, **fields: Any) -> httpx.Response:
    """A save as the page's form sends it (the CSRF field, every select and box, the version shown)."""
    data = {"csrf": token(client), "post_id": post_id, "relevant": "", "level": "", "sentiment": "",
            "categories": "", "spots": "", "note": "", **fields}  # fmt: skip
    return client.post("/api/corrections", data=data, follow_redirects=False)


def page(client: httpx.Client, path: str, **params: str) -> str:
    resp = client.get(path, params=params, headers={"accept": "text/html"})
    assert resp.status_code == 200, resp.text[:300]
    return resp.text


def audited(settings: Settings, post_id: str) -> list[dict[str, Any]]:
    client = es_setup.client(settings.es)
    try:
        client.indices.refresh(index=settings.es.name("audit"))
        resp = client.search(
            index=settings.es.name("audit"),
            query={"bool": {"filter": [{"term": {"target": post_id}}, {"term": {"action": "correct"}}]}},
            sort=[{"at": "asc"}],
            size=100,
        )
    finally:
        client.close()
    return [h["_source"] for h in resp["hits"]["hits"]]


def test_corrections_keep_their_history(analyst: httpx.Client, app_settings: Settings) -> None:
    pid = "demo_weibo:p3"  # model: 中, 消费纠纷, 可邑小镇
    first = form_save(analyst, pid, level="low", categories="consumer", spots="可邑小镇", note="门票贵",
                      base_version="0")  # fmt: skip
    assert first.status_code == 303 and first.headers["location"].endswith("?saved=1")
    # The form as shown after the first save, with 不改 on the level and only the sentiment changed.
    second = form_save(analyst, pid, level="", sentiment="neu", categories="consumer", spots="可邑小镇",
                       note="门票贵", base_version="1")  # fmt: skip
    assert second.headers["location"].endswith("?saved=2")
    view = analyst.get(f"/api/posts/{pid}").json()
    post = view["post"]
    assert post["risk"]["level"] == "low" and post["sentiment"]["label"] == "neu"
    assert post["correction"]["note"] == "门票贵" and view["current"]["version"] == 2
    assert [v["version"] for v in view["history"]] == [2, 1]
    assert view["history"][0]["changes"] == [{"field": "情感", "from": "负面", "to": "中性"}]
    assert {"field": "风险等级", "from": "中", "to": "低"} in view["history"][1]["changes"]
    assert view["history"][1]["note"] == "门票贵" and view["history"][1]["by"] == "ana"

    # The same values again: no version, and the page says so.
    again = form_save(analyst, pid, level="low", sentiment="neu", categories="consumer", spots="可邑小镇",
                      note="门票贵", base_version="2")  # fmt: skip
    assert again.headers["location"].endswith("?saved=0")
    assert len(analyst.get(f"/api/posts/{pid}").json()["history"]) == 2
    html = page(analyst, f"/posts/{pid}", saved="0")
    assert "没有改动，未记录新版本" in html

    # The form shows the current values, and the history newest first.
    assert '<option value="low" selected>' in html and '<option value="neu" selected>' in html
    assert '<option value="high" selected>' not in html
    assert 'name="note" maxlength="2000" size="60" value="门票贵"' in html
    assert 'name="base_version" value="2"' in html
    history = re.findall(r'<li data-version="(\d+)">', html)
    assert history == ["2", "1"]

    entries = audited(app_settings, pid)
    assert [e["details"].get("version") for e in entries] == [1, 2, 2]
    assert entries[0]["details"]["changes"]["level"] == {"from": "medium", "to": "low"}
    assert entries[2]["details"]["unchanged"] is True and all(e["user"] == "ana" for e in entries)


def test_concurrent_saves_are_all_kept(server: LiveServer, app_settings: Settings) -> None:
    pid = "demo_weibo:p6"
    clients = [signed_in(server, name) for name in ("ana", "admin1") for _ in range(3)]
    tokens = [token(c) for c in clients]
    start = threading.Barrier(len(clients))
    answers: list[int] = []

    def save(i: int) -> None:
        start.wait()
        resp = clients[i].post(
            "/api/corrections",
            json={"post_id": pid, "note": f"核实{i}", "base_version": 0},
            headers={"X-CSRF-Token": tokens[i]},
        )
        answers.append(resp.status_code)

    threads = [threading.Thread(target=save, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == [200] * len(clients)
    history = clients[0].get(f"/api/posts/{pid}").json()["history"]
    assert [v["version"] for v in history] == list(range(len(clients), 0, -1))
    assert sorted(v["note"] for v in history) == sorted(f"核实{i}" for i in range(len(clients)))
    assert {v["by"] for v in history} == {"ana", "admin1"}
    assert len(audited(app_settings, pid)) == len(clients)


def test_a_colleagues_level_survives_a_note_saved_from_an_older_page(analyst: httpx.Client) -> None:
    pid = "demo_weibo:p2"  # model: 高, 安全事故
    assert form_save(analyst, pid, level="medium", categories="safety", base_version="0").status_code == 303
    # A colleague's form still shows 高 (version 0); saving a note from it keeps 中.
    late = form_save(analyst, pid, level="high", categories="safety", note="转发", base_version="0")
    assert late.headers["location"].endswith("?saved=2")
    view = analyst.get(f"/api/posts/{pid}").json()
    assert view["post"]["risk"]["level"] == "medium" and view["post"]["correction"]["note"] == "转发"


def test_explain_panel_is_chinese(analyst: httpx.Client) -> None:
    html = page(analyst, f"/posts/{POST_ID}")
    panel = html[html.index('<div id="explain">') : html.index('<details id="explain-raw">')]
    for english in ("relevance_rule", "level_rule", "risk_terms", "probabilities", "Mile named", "P(high)"):
        assert english not in panel, english
    assert "涉旅判定" in panel and "提及弥勒地名；模型相关概率 0.97，阈值 0.50" in panel
    assert "高风险概率 0.91 达到阈值 0.60，且文中有事件词" in panel
    assert "安全事故" in panel and "溺水" in panel and "高 91%" in panel
    # The raw JSON is only inside the collapsed details.
    visible = re.sub(r"<details.*?</details>", "", html, flags=re.S)
    assert "relevance_rule" not in visible and "&#34;relevance_rule&#34;" in html


def test_search_words_are_marked_and_the_query_escaped(analyst: httpx.Client) -> None:
    html = page(analyst, f"/posts/{POST_ID}", q="溺水 <script>alert(1)</script>")
    text = html[html.index('id="post-text">') : html.index("</article>")]
    assert "<mark>溺水</mark>" in text
    # The post's own <script> stays text (its word `alert` marked inside the escaped text) …
    assert "&lt;script&gt;<mark>alert</mark>(&#34;x&#34;)&lt;/script&gt;" in text
    # … and the query is shown as text wherever the page repeats it.
    assert "<script>" not in html
    assert "已标出检索词：溺水 &lt;script&gt;alert(1)&lt;/script&gt;" in html
    title = re.search(r'<h1 id="post-title">(.*?)</h1>', html).group(1)
    assert title == "湖泉&lt;i&gt;求助&lt;/i&gt;"
    # Without a query nothing is marked.
    assert "<mark>" not in page(analyst, f"/posts/{POST_ID}")


def test_a_false_alarm_shows_on_the_alerts_posts(analyst: httpx.Client) -> None:
    before = page(analyst, "/posts/demo_weibo:p1")
    assert 'id="false-alarm-badge"' not in before
    resp = analyst.post(
        "/api/alerts/alert-drown/false_alarm",
        json={"note": "消防演练"},
        headers={"X-CSRF-Token": token(analyst)},
    )
    assert resp.status_code == 200, resp.text
    for pid in ("demo_weibo:p1", "demo_weibo:p2"):  # the evidence post and the event's other post
        html = page(analyst, f"/posts/{pid}")
        badge = html[
            html.index('id="false-alarm-badge"') : html.index("</p>", html.index("false-alarm-badge"))
        ]
        assert "alert-drown" in badge and "ana" in badge and "理由：消防演练" in badge
