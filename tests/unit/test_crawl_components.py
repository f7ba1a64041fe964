"""The crawler's components one by one: gate, extraction helpers, state, pipelines, middlewares, summary."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiokafka.errors import KafkaTimeoutError
from scrapy import Request
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.http import HtmlResponse, Response
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawlers import extract
from crawlers.middlewares.blocking import BlockDetectionMiddleware
from crawlers.middlewares.retry import BackoffRetryMiddleware
from crawlers.pipelines.gate import RelevanceGate
from crawlers.pipelines.incremental import IncrementalPipeline
from crawlers.pipelines.kafka import KafkaPipeline
from crawlers.pipelines.validate import ValidatePipeline
from crawlers.sources import Blocking, SourcesFile
from crawlers.spiderloader import spider_class
from crawlers.state import SeenStore, fingerprint
from crawlers.summary import CrawlResult
from yuqing.schema import Engagement, Post

# Gate ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gate() -> RelevanceGate:
    return RelevanceGate(["弥勒", "阿细跳月"])


@pytest.mark.parametrize(
    ("text", "passes"),
    [
        ("湖泉生态园夜景真美", True),  # a scenic spot
        ("可邑小镇的烧烤宰客", True),
        ("紅河水鄉的遊船沒有救生衣", True),  # traditional characters
        ("弥勒一中开学典礼", True),  # the city (not tourism: the model decides, the gate only sifts)
        ("今晚看阿细跳月", True),  # a source keyword
        ("弥勒佛保佑考试顺利", False),  # the Buddha, even though the keyword 弥勒 is a substring
        ("大肚弥勒笑口常开", False),
        ("元阳梯田的日出", False),  # elsewhere in Honghe
        ("今天天气不错", False),
    ],
)
def test_relevance_gate(gate: RelevanceGate, text: str, passes: bool) -> None:
    assert gate(text) is passes


def test_gate_pipeline_is_off_when_the_source_says_so(tmp_path: Path) -> None:
    from crawlers.pipelines.gate import RelevanceGatePipeline

    crawler = crawler_for(
        tmp_path, {"name": "x", "type": "rss", "urls": ["http://a/"], "relevance_gate": False}
    )
    with pytest.raises(NotConfigured):
        RelevanceGatePipeline.from_crawler(crawler)


# Extraction helpers -------------------------------------------------------------------------------


def test_html_to_text_keeps_paragraphs_and_emoticons() -> None:
    assert extract.html_to_text("<p>一</p><p>二<br>三</p><script>x()</script>") == "一\n二\n三"
    assert extract.html_to_text("好<img alt='[赞]' src=x>看") == "好[赞]看"
    assert extract.html_to_text("") == ""


@pytest.mark.parametrize(
    ("shown", "count"),
    [
        (42, 42),
        ("3,456", 3456),
        ("1.2万", 12000),
        ("100万+", 1000000),
        ("2亿", 200000000),
        ("", None),
        (None, None),
        ("评论", None),
        (-3, 0),
    ],
)
def test_counts_as_platforms_show_them(shown: object, count: int | None) -> None:
    assert extract.count(shown) == count


def test_json_helpers() -> None:
    data = {
        "data": {"cards": [{"card_group": [{"mblog": {"id": 1}}]}, {"mblog": {"id": 2}}]},
        "user": [{"a": 3}],
    }
    assert [m["id"] for m in extract.find_key(data, "mblog")] == [1, 2]
    assert extract.dig(data, "data.cards.1.mblog.id") == 2
    assert extract.dig(data, "data.nope.id") is None and extract.dig(data, "user.5") is None
    assert extract.loads_json('jsonp_cb({"ok": 1});') == {"ok": 1}


def test_selectors_css_and_xpath() -> None:
    page = HtmlResponse(
        "http://a/", body="<div class='t'>标题</div><a href='/x'>x</a>".encode(), encoding="utf-8"
    )
    assert extract.first_text(page, "div.t") == "标题"
    assert extract.first_text(page, "xpath://div[@class='t']/text()") == "标题"
    assert extract.select(page, "//a/@href").get() == "/x"
    assert extract.first_text(page, None) is None and extract.first_text(page, "span") is None


# State --------------------------------------------------------------------------------------------


def test_seen_store_remembers_across_instances(tmp_path: Path) -> None:
    store = SeenStore(tmp_path / "s.sqlite", commit_every=2)
    assert store.fingerprint("a") is None and "a" not in store
    store.mark("a", "r1/c0/l0/v0")
    store.mark("a", "r2/c0/l0/v0")
    store.mark_irrelevant("b")
    store.close()
    again = SeenStore(tmp_path / "s.sqlite")
    assert again.fingerprint("a") == "r2/c0/l0/v0" and len(again) == 1
    assert again.known("b") and "b" not in again  # judged irrelevant is not "delivered"
    assert fingerprint(Engagement(reposts=1, comments=2, likes=3)) == "r1/c2/l3/v0"


# Pipelines ----------------------------------------------------------------------------------------


def crawler_for(tmp_path: Path, source: dict, **settings):
    src = SourcesFile.model_validate({"sources": [source]}).sources[0]
    base = Settings()
    base.set("YUQING_STATE_DIR", str(tmp_path))
    cls = spider_class(src, base)
    crawler = get_crawler(cls, {"YUQING_STATE_DIR": str(tmp_path), **settings})
    crawler.spider = cls.from_crawler(crawler)
    return crawler


def post(**changes) -> Post:
    data = {"source": "wb", "source_id": "1", "text": "湖泉生态园夜景", "engagement": {"likes": 1}}
    return Post.model_validate({**data, **changes})


WB = {"name": "wb", "type": "social_api", "endpoint": "http://a/?p={page}"}


def test_validate_drops_what_cannot_be_a_post(tmp_path: Path) -> None:
    crawler = crawler_for(tmp_path, WB)
    pipe = ValidatePipeline.from_crawler(crawler)
    assert isinstance(pipe.process_item({"source": "wb", "url": "http://a/1", "text": "湖泉"}), Post)
    for bad in ({"source": "wb", "url": "http://a/1", "text": ""}, {"source": "wb", "text": "no id"}):
        with pytest.raises(DropItem):
            pipe.process_item(bad)
    assert crawler.stats.get_value("skipped/invalid") == 2


def test_incremental_emits_new_once_updates_on_changed_counts_and_marks_only_on_delivery(
    tmp_path: Path,
) -> None:
    crawler = crawler_for(tmp_path, WB)
    seen = crawler.spider.seen
    pipe = IncrementalPipeline.from_crawler(crawler)
    first = pipe.process_item(post())
    assert "update" not in first.extras and seen.fingerprint(first.id) is None  # not delivered yet
    with pytest.raises(DropItem):
        pipe.process_item(post())  # the same post again in this run
    pipe.item_scraped(first)  # the sink confirmed it
    assert seen.fingerprint(first.id) == "r0/c0/l1/v0"

    later = IncrementalPipeline.from_crawler(crawler)  # the next run
    with pytest.raises(DropItem):
        later.process_item(post())
    grown = later.process_item(post(engagement={"likes": 9}))
    assert grown.id == first.id and grown.extras["update"] is True
    assert grown.extras["previous_counts"] == "r0/c0/l1/v0"
    assert (
        crawler.stats.get_value("skipped/seen") == 1 and crawler.stats.get_value("incremental/updated") == 1
    )


class FakeEngine:
    def __init__(self) -> None:
        self.reasons: list[str] = []

    def close_spider_async(self, reason: str) -> None:
        self.reasons.append(reason)


class FakeProducer:
    def __init__(self, fail: bool) -> None:
        self.fail, self.sent = fail, []

    async def send_and_wait(self, topic: str, value: bytes, key: bytes) -> None:
        if self.fail:
            raise KafkaTimeoutError("no broker answered")
        self.sent.append((topic, key, value))


async def test_kafka_pipeline_confirms_or_stops_the_crawl(tmp_path: Path) -> None:
    crawler = crawler_for(
        tmp_path, WB, YUQING_SINK="kafka", YUQING_KAFKA={"topic_prefix": "x.", "request_timeout_s": 1}
    )
    crawler.engine = FakeEngine()
    pipe = KafkaPipeline.from_crawler(crawler)
    pipe.producer = FakeProducer(fail=False)
    item = post()
    assert await pipe.process_item(item) is item
    assert pipe.producer.sent == [("x.posts.raw", item.id.encode(), item.to_json())]

    pipe.producer = FakeProducer(fail=True)
    for _ in range(3):
        with pytest.raises(DropItem):  # dropped, so `item_scraped` never fires and nothing is marked
            await pipe.process_item(post(source_id="2"))
    assert crawler.engine.reasons == ["kafka_failed"]
    assert crawler.stats.get_value("kafka/failed") == 1 and crawler.stats.get_value("kafka/unsent") == 3


def test_exactly_one_sink(tmp_path: Path) -> None:
    from crawlers.pipelines.jsonl import JsonLinesPipeline

    with pytest.raises(ValueError, match="YUQING_SINK"):
        KafkaPipeline.from_crawler(crawler_for(tmp_path / "a", WB, YUQING_SINK="nowhere"))
    jsonl = crawler_for(tmp_path / "b", WB, YUQING_SINK="jsonl", YUQING_JSONL_PATH=str(tmp_path / "o.jsonl"))
    with pytest.raises(NotConfigured):
        KafkaPipeline.from_crawler(jsonl)
    assert JsonLinesPipeline.from_crawler(jsonl).path == tmp_path / "o.jsonl"
    with pytest.raises(ValueError, match="JSONL_PATH"):
        JsonLinesPipeline.from_crawler(crawler_for(tmp_path / "c", WB, YUQING_SINK="jsonl"))


# Middlewares --------------------------------------------------------------------------------------


def classify(request: Request, response: Response):
    return BlockDetectionMiddleware(crawler=None, blocking=Blocking()).classify(request, response)


def test_block_detection() -> None:
    asked = Request("https://m.weibo.cn/api/x", meta={"redirect_urls": ["https://m.weibo.cn/api/x"]})
    login = HtmlResponse("https://passport.weibo.cn/signin/login?r=x", body=b"<title>login</title>")
    assert classify(asked, login)[0] == "login_expired"
    assert (
        classify(Request("https://a.cn/"), HtmlResponse("https://a.cn/", status=403, body=b"no"))[0]
        == "forbidden"
    )
    captcha = HtmlResponse("https://a.cn/", body="<title>安全验证</title>".encode(), encoding="utf-8")
    assert classify(Request("https://a.cn/"), captcha)[0] == "captcha"
    assert (
        classify(Request("https://a.cn/x"), HtmlResponse("https://a.cn/sorry?x", body=b"hm"))[0] == "captcha"
    )
    normal = HtmlResponse("https://a.cn/", body="<title>湖泉生态园</title>".encode(), encoding="utf-8")
    assert classify(Request("https://a.cn/"), normal) is None
    # Asking for a login page on purpose is not a blocked source.
    direct = Request("https://a.cn/login.html")
    assert classify(direct, HtmlResponse("https://a.cn/login.html", body=b"<title>x</title>")) is None


def test_backoff_grows_is_capped_and_honours_retry_after() -> None:
    settings = Settings({"YUQING_BACKOFF_S": 1.0, "YUQING_BACKOFF_MAX_S": 10.0, "RETRY_ENABLED": True})
    mw = BackoffRetryMiddleware(settings)
    waits = [mw.delay(n) for n in (1, 2, 3, 4)]
    assert 0.75 <= waits[0] <= 1.0 and 1.5 <= waits[1] <= 2.0 and 3.0 <= waits[2] <= 4.0
    assert mw.delay(10) == 10.0
    assert mw.delay(1, retry_after=7) == 7.0 and mw.delay(1, retry_after=99) == 10.0


# Summary ------------------------------------------------------------------------------------------


def test_summary_line_says_what_happened() -> None:
    ok = CrawlResult.from_stats(
        "demo",
        {
            "finish_reason": "finished",
            "response_received_count": 3,
            "item_scraped_count": 2,
            "incremental/new": 2,
            "skipped/robots": 1,
        },
    )
    assert ok.ok and "pages 3" in ok.line() and "robots 1" in ok.line()
    blocked = CrawlResult.from_stats(
        "wb", {"finish_reason": "login_expired", "source/blocked": "login_expired"}
    )
    assert not blocked.ok and "BLOCKED: login expired" in blocked.line()
    kafka = CrawlResult.from_stats("n", {"finish_reason": "kafka_failed"})
    assert kafka.kafka_error and "KAFKA FAILED" in kafka.line()
