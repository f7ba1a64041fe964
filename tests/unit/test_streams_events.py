"""Grouping posts into events: copies, reposts, re-crawls, redeliveries after a crash, replays."""

from __future__ import annotations

from streams import simhash as sh
from streams.envelope import Envelope
from streams.events import Tables, group, with_scores

TEXT = "弥勒湖泉生态园刚刚有个小孩落水了，还在水里扑腾，快来人！已经打了110"
WINDOW = 48 * 3600


def tables() -> Tables:
    return Tables(members={}, texts={}, bands={}, events={})


def env(post_id: str, text: str = TEXT, origin: str | None = None, **post) -> Envelope:
    source, _, sid = post_id.partition(":")
    record = {
        "id": post_id,
        "source": source,
        "source_id": sid,
        "text": text,
        "title": None,
        "crawled_at": "2026-11-30T10:00:00+00:00",
        "published_at": None,
        "engagement": {},
        **post,
    }
    return Envelope(post=record, normalized=text, place="湖泉生态园", origin=origin or f"raw:0:{post_id}")


def run(t: Tables, e: Envelope):
    return group(e, t, window_s=WINDOW, max_distance=10)


def test_first_post_starts_an_event_and_a_repost_joins_it() -> None:
    t = tables()
    first = run(t, env("w:1"))
    assert first.kind == "new" and first.envelope.event_new
    repost = run(t, env("w:2", "//@路人甲: 天哪 " + TEXT))
    assert repost.kind == "near" and repost.envelope.event_id == first.envelope.event_id
    assert repost.event["post_count"] == 2 and repost.event["post_ids"] == ["w:1", "w:2"]


def test_an_exact_copy_is_dropped_but_counted() -> None:
    t = tables()
    first = run(t, env("w:1"))
    copy = run(t, env("tieba:9", TEXT + " "))
    assert copy.kind == "duplicate" and copy.envelope is None
    assert copy.event["post_count"] == 2 and copy.event["sources"] == ["w", "tieba"]
    assert copy.event["id"] == first.event["id"]


def test_unrelated_posts_make_their_own_events() -> None:
    t = tables()
    a = run(t, env("w:1"))
    b = run(t, env("w:2", "可邑小镇的阿细跳月太好看了，篝火晚会火爆，强烈推荐大家来玩"))
    assert b.kind == "new" and a.envelope.event_id != b.envelope.event_id


def test_the_same_post_again_is_dropped_unless_it_changed() -> None:
    t = tables()
    run(t, env("w:1", origin="raw:0:1"))
    assert run(t, env("w:1", origin="raw:0:2")).kind == "same_id"
    grown = run(t, env("w:1", origin="raw:0:3", engagement={"likes": 40}))
    assert grown.kind == "update" and grown.envelope.update and grown.event is None
    assert t.events[grown.envelope.event_id]["post_count"] == 1


def test_a_redelivered_message_is_forwarded_again_without_counting_twice() -> None:
    t = tables()
    first = run(t, env("w:1", origin="raw:0:7"))
    again = run(t, env("w:1", origin="raw:0:7"))  # the worker died before committing offset 7
    assert again.kind == "redelivery" and again.envelope is not None
    assert again.envelope.event_id == first.envelope.event_id and again.envelope.event_new
    assert again.envelope.first_seen_at == first.envelope.first_seen_at
    assert t.events[first.envelope.event_id]["post_count"] == 1


def test_a_redelivery_restores_an_event_the_crash_lost() -> None:
    """A worker killed between two changelog writes can keep the member and lose its event: the redelivered
    post starts the event again under its id, so it is judged with its event and its alerts name it."""
    t = tables()
    first = run(t, env("w:1", origin="raw:0:7"))
    event_id = first.envelope.event_id
    del t.events[event_id]  # the events changelog lost the write, the members changelog kept it
    t.bands.clear()
    again = run(t, env("w:1", origin="raw:0:7"))
    assert again.kind == "redelivery" and again.envelope.event_id == event_id
    assert again.event is not None and t.events[event_id]["post_count"] == 1
    assert t.events[event_id]["first_post_id"] == "w:1"
    repost = run(t, env("w:2", "//@路人甲: 天哪 " + TEXT))  # the band index knows the event again
    assert repost.kind == "near" and repost.envelope.event_id == event_id
    # an event that survived is left as it was
    assert run(t, env("w:1", origin="raw:0:7")).event is None and t.events[event_id]["post_count"] == 2


def test_a_replay_is_rescored_under_its_first_sighting() -> None:
    t = tables()
    first = run(t, env("w:1", origin="raw:0:1"))
    replayed = env("w:1", origin="raw:0:99")
    replayed.replay = True
    out = run(t, replayed)
    assert out.kind == "update" and out.envelope.first_seen_at == first.envelope.first_seen_at


def test_an_old_event_is_not_joined_after_the_window() -> None:
    t = tables()
    run(t, env("w:1", crawled_at="2026-11-01T10:00:00+00:00"))
    later = run(t, env("w:2", "//@甲: " + TEXT, crawled_at="2026-11-30T10:00:00+00:00"))
    assert later.kind == "new"


def test_scores_raise_the_peak_and_set_the_station() -> None:
    t = tables()
    event = run(t, env("w:1")).event
    scored = {
        "risk": {"level": "high", "score": 0.9, "categories": ["safety"]},
        "spots": ["湖泉生态园"],
        "relevant": True,
        "jurisdiction": "弥阳派出所",
    }
    after = with_scores(event, scored)
    assert after["peak_level"] == "high" and after["categories"] == ["safety"]
    lower = with_scores(after, {**scored, "risk": {"level": "low", "score": 0.1, "categories": []}})
    assert lower["peak_level"] == "high" and lower["jurisdiction"] == "弥阳派出所"


def test_near_duplicates_within_the_distance_share_a_band() -> None:
    a = sh.simhash(TEXT)
    b = sh.simhash(TEXT + "求扩散")
    assert sh.distance(a, b) <= 10
    assert set(enumerate(sh.bands(a, 10))) & set(enumerate(sh.bands(b, 10)))
    assert sh.distance(a, sh.simhash("建水古城的烧豆腐真好吃，下次还来")) > 16


def test_an_undated_post_keeps_the_month_of_its_first_sighting() -> None:
    from yuqing.es import index_for
    from yuqing.schema import ScoredPost

    t = tables()
    first = run(t, env("w:1", origin="raw:0:1"))
    later = run(t, env("w:1", origin="raw:9:1", engagement={"likes": 9}))  # crawled again a month on
    assert later.kind == "update" and later.envelope.first_seen_at == first.envelope.first_seen_at
    seen = ScoredPost(
        source="w", source_id="1", text=TEXT, crawled_at="2026-11-03T10:00:00+00:00",
        first_seen_at="2026-10-30T10:00:00+00:00",
    )  # fmt: skip
    assert index_for(seen).endswith("posts-2026.10")  # not 2026.11: the re-crawl overwrites the same document


def test_the_band_index_is_rebuilt_from_the_events_after_a_restart() -> None:
    from streams.events import public, rebuild_bands

    t = tables()
    first = run(t, env("w:1"))
    drifted = "//@路人甲: 天哪 " + TEXT + "，消防也到了"
    assert run(t, env("w:2", drifted)).kind == "near"
    # a restart: the changelogged tables come back, the in-memory band index does not
    restarted = Tables(members=dict(t.members), texts=dict(t.texts), bands={}, events=dict(t.events))
    made = rebuild_bands(restarted.bands, restarted.events.values(), window_s=WINDOW, max_distance=10)
    assert made == 2 * 11 and restarted.bands.keys() == t.bands.keys()
    # a repost of the second post (not of the first) still finds the event: its SimHash was kept too
    again = run(restarted, env("w:3", "//@路人乙: " + drifted + " 求平安"))
    assert again.kind == "near" and again.envelope.event_id == first.envelope.event_id
    # the internal keys are never indexed
    assert not [k for k in public(again.event) if k.startswith("_")]
    assert again.event["_place"] == "湖泉生态园" and len(again.event["_simhashes"]) == 3
