"""Events as incidents: threads, repost chains, copies, near-duplicates, the same happening; re-crawls,
redeliveries after a crash, replays; escalation, resolution, expiry."""

from __future__ import annotations

import time

from streams import simhash as sh
from streams.envelope import Envelope
from streams.events import Tables, Windows, expire, group, settle, with_scores

TEXT = "弥勒湖泉生态园刚刚有个小孩落水了，还在水里扑腾，快来人！已经打了110"
WINDOW = 48 * 3600
W = Windows(
    event_s=WINDOW,
    incident_s=30 * 60,
    members_s=72 * 3600,
    max_distance=10,
    resolved_terms=("安全找回", "已获救", "已抓获"),
)


def tables() -> Tables:
    return Tables(members={}, texts={}, bands={}, events={})


def env(
    post_id: str, text: str = TEXT, origin: str | None = None, place: str = "湖泉生态园", **post
) -> Envelope:
    source, _, sid = post_id.partition(":")
    links = post.pop("links", {})
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
    return Envelope(
        post=record, normalized=text, place=place, origin=origin or f"raw:0:{post_id}", links=links
    )


def run(t: Tables, e: Envelope):
    return group(e, t, W)


def scores(level="high", cats=("safety",), relevant=True, terms=None, sentiment="neg") -> dict:
    return {
        "risk": {"level": level, "score": 0.9, "categories": list(cats)},
        "spots": ["湖泉生态园"] if relevant else [],
        "relevant": relevant,
        "jurisdiction": "弥阳派出所" if relevant else None,
        "sentiment": {"label": sentiment, "score": 0.9},
        "explain": {"risk_terms": terms or {}},
    }


def through(t: Tables, e: Envelope, s: dict | None = None):
    """Group, then settle with scores: what the pipeline does to one post."""
    grouped = run(t, e)
    if grouped.envelope is None:
        return grouped, None
    event, _ = settle(grouped.envelope, s or scores(), t, W)
    return grouped, event


def test_first_post_starts_an_event_and_a_repost_joins_it() -> None:
    t = tables()
    first = run(t, env("w:1"))
    assert first.kind == "new" and first.envelope.event_new
    repost = run(t, env("w:2", "//@路人甲: 天哪 " + TEXT))
    assert repost.kind == "near" and repost.envelope.event_id == first.envelope.event_id
    assert repost.event["post_count"] == 2 and repost.event["post_ids"] == ["w:1", "w:2"]


def test_an_exact_copy_is_kept_as_its_own_post_with_the_originals_scores() -> None:
    t = tables()
    first, _ = through(t, env("w:1"), scores(level="high"))
    copy = run(t, env("tieba:9", TEXT + " ", author="另一个账号"))
    assert copy.kind == "copy" and copy.envelope is not None  # indexed, not dropped
    assert copy.envelope.copy_of == "w:1" and copy.envelope.copy_scores["risk"]["level"] == "high"
    assert copy.event["post_count"] == 2 and copy.event["sources"] == ["w", "tieba"]
    assert copy.event["id"] == first.event["id"] and copy.event["by_source"] == {"w": 1, "tieba": 1}
    third = run(t, env("w:3", TEXT))  # the same account again, under another id
    assert third.kind == "copy" and third.event["post_count"] == 3


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
    t.recent.clear()
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
    after = with_scores(event, scored, "w:1")
    assert after["peak_level"] == "high" and after["categories"] == ["safety"]
    assert after["evidence_post_id"] == "w:1" and after["status"] == "open"
    lower = with_scores(after, {**scored, "risk": {"level": "low", "score": 0.1, "categories": []}}, "w:2")
    assert lower["peak_level"] == "high" and lower["jurisdiction"] == "弥阳派出所"
    assert lower["evidence_post_id"] == "w:1"


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
    from streams.events import public, rebuild_derived

    t = tables()
    first = run(t, env("w:1"))
    drifted = "//@路人甲: 天哪 " + TEXT + "，消防也到了"
    assert run(t, env("w:2", drifted)).kind == "near"
    # a restart: the changelogged tables come back, the in-memory band index does not
    restarted = Tables(members=dict(t.members), texts=dict(t.texts), bands={}, events=dict(t.events))
    made = rebuild_derived(restarted, window_s=WINDOW, max_distance=10)
    assert made == 2 * 11 and restarted.bands.keys() == t.bands.keys()
    # a repost of the second post (not of the first) still finds the event: its SimHash was kept too
    again = run(restarted, env("w:3", "//@路人乙: " + drifted + " 求平安"))
    assert again.kind == "near" and again.envelope.event_id == first.envelope.event_id
    # the internal keys are never indexed
    assert not [k for k in public(again.event) if k.startswith("_")]
    assert again.event["_place"] == "湖泉生态园" and len(again.event["_simhashes"]) == 3


# --- threads, chains, the same happening --------------------------------------------------------------------

ZAIKE = "红河水乡吃饭被宰了，一盘菜三百八，老板还凶人，大家千万别去这家"


def test_replies_join_their_thread_whatever_they_say() -> None:
    t = tables()
    opening, _ = through(t, env("tieba:t1", ZAIKE, place="红河水乡"), scores("medium", ("consumer",)))
    for i, reply in enumerate(["太坑了", "顶，帮转", "已经打12345反映了"], 2):
        grouped = run(t, env(f"tieba:p{i}", reply, place="红河水乡", links={"thread": "tieba:t1"}))
        assert grouped.kind == "thread" and grouped.envelope.event_id == opening.envelope.event_id
    assert t.events[opening.envelope.event_id]["post_count"] == 4
    assert t.events[opening.envelope.event_id]["joined_by"] == {"new": 1, "thread": 3}


def test_a_repost_chain_joins_through_its_root_or_its_quoted_text() -> None:
    t = tables()
    first, _ = through(t, env("wb:1"))
    by_id = run(t, env("wb:2", "转发微博", links={"root": "wb:1", "parent": "wb:1"}))
    assert by_id.kind == "chain" and by_id.envelope.event_id == first.envelope.event_id
    by_text = run(t, env("wb:3", "太吓人了！！", parent_text=TEXT))
    assert by_text.kind == "chain" and by_text.envelope.event_id == first.envelope.event_id


def test_a_link_to_a_post_never_seen_or_to_itself_is_no_link() -> None:
    t = tables()
    orphan = run(t, env("wb:9", "红河水乡的米线真好吃", place="红河水乡", links={"parent": "wb:404"}))
    assert orphan.kind == "new"
    cycle = run(t, env("wb:10", "可邑小镇的篝火晚会", place="可邑小镇", links={"root": "wb:10"}))
    assert cycle.kind == "new"  # a chain that names itself (Post.links drops it too) starts its own event


def test_differently_worded_posts_about_one_accident_join_it() -> None:
    t = tables()
    first, _ = through(
        t, env("wb:1", "湖泉生态园游船翻了，好多人落水"), scores("high", terms={"safety": ["落水"]})
    )
    comments = ["天哪，湖泉游船翻了？希望大家都没事", "湖泉生态园那边救护车一直在响"]
    for i, text in enumerate(comments, 2):
        grouped, event = through(t, env(f"wb:{i}", text), scores("high", terms={"safety": ["救护车"]}))
        assert grouped.kind == "new"  # nothing textual links it...
        assert event["id"] == first.envelope.event_id  # ...but it is the same happening
    event = t.events[first.envelope.event_id]
    assert event["post_count"] == 3 and event["joined_by"]["same_happening"] == 2


def test_the_same_spot_an_hour_later_is_another_happening() -> None:
    t = tables()
    first, _ = through(t, env("wb:1", "湖泉生态园游船翻了，好多人落水"), scores("high"))
    later = env("wb:2", "湖泉生态园湖边有人溺水，快来人", crawled_at="2026-11-30T11:05:00+00:00")
    _, event = through(t, later, scores("high"))
    assert event["id"] != first.envelope.event_id


def test_the_same_words_at_another_spot_are_another_happening() -> None:
    t = tables()
    first, _ = through(t, env("wb:1", "游船翻了，好多人落水", place="湖泉生态园"), scores("high"))
    _, event = through(t, env("wb:2", "游船翻了，好多人落水", place="太平湖森林公园"), scores("high"))
    assert event["id"] != first.envelope.event_id


def test_harmless_or_irrelevant_posts_never_merge_by_meaning() -> None:
    t = tables()
    _, a = through(t, env("wb:1", "湖泉生态园的樱花开了，真美"), scores("none", (), sentiment="pos"))
    _, b = through(t, env("wb:2", "湖泉生态园门票多少钱，有学生优惠吗"), scores("none", (), sentiment="neu"))
    assert a["id"] != b["id"]
    _, c = through(t, env("wb:3", "大理洱海游船翻了", place="_elsewhere"), scores("high", relevant=False))
    _, d = through(t, env("wb:4", "大理洱海救护车来了", place="_elsewhere"), scores("high", relevant=False))
    assert c["id"] != d["id"]


def test_a_found_safe_report_resolves_the_case_and_never_raises_it() -> None:
    t = tables()
    first, _ = through(t, env("wb:1", "太平湖森林公园一名游客走失，家人急疯了", place="太平湖森林公园"),
                       scores("high"))  # fmt: skip
    report = env("police:1", "太平湖森林公园走失游客已于昨晚被民警安全找回", place="太平湖森林公园",
                 crawled_at="2026-11-30T20:00:00+00:00")  # fmt: skip
    grouped, event = through(t, report, scores("high"))  # the model may still read it as high
    assert event["id"] == first.envelope.event_id and grouped.kind == "new"
    assert event["status"] == "reported_resolved" and event["resolved_post_id"] == "police:1"
    assert event["post_count"] == 2 and event["peak_level"] == "high"


def test_a_medium_event_that_turns_high_is_escalated() -> None:
    t = tables()
    _, event = through(t, env("wb:1", "湖泉生态园栈道栏杆松了"), scores("medium"))
    assert event["status"] == "open"
    _, event = through(t, env("wb:2", "湖泉生态园栈道栏杆松了，刚刚有人掉下去了", links={"parent": "wb:1"}))
    assert event["peak_level"] == "high" and event["status"] == "escalated"
    assert event["evidence_post_id"] == "wb:2" and event["latest_post_id"] == "wb:2"


def test_state_older_than_its_window_is_dropped() -> None:
    t = tables()
    first, _ = through(t, env("wb:1"))
    for i in range(2, 2000):  # a thread of many replies: one event, bounded lists
        run(t, env(f"wb:{i}", f"回复{i}", links={"thread": "wb:1"}))
    event = t.events[first.envelope.event_id]
    assert event["post_count"] == 1999 and len(event["post_ids"]) == 50
    assert expire(t, "弥勒", time.time(), W) == 0  # nothing is old yet
    gone = expire(t, "弥勒", time.time() + W.members_s + 1, W)
    assert gone >= 1999 + 1 and not t.members and not t.events and not t.texts and not t.bands


def test_a_new_event_and_the_copies_grouped_with_it_merge_whole() -> None:
    """In one batch every post is grouped before any is scored: a comment and its copy form a provisional
    event, which joins the incident as a whole once the comment is scored."""
    t = tables()
    first, _ = through(t, env("wb:1", "湖泉生态园游船翻了，好多人落水"), scores("high"))
    comment = run(t, env("dy:1", "天哪，湖泉游船翻了？希望大家都没事"))
    copy = run(t, env("dy:2", "天哪，湖泉游船翻了？希望大家都没事！"))
    assert copy.kind == "copy" and copy.envelope.event_id == comment.envelope.event_id
    merged, _ = settle(comment.envelope, scores("none", ("safety",)), t, W)
    assert merged["id"] == first.envelope.event_id and merged["post_count"] == 3
    settle(copy.envelope, scores("none", ("safety",)), t, W)
    assert copy.envelope.event_id == first.envelope.event_id  # indexed under the incident's id
    later = run(t, env("dy:3", "天哪，湖泉游船翻了？希望大家都没事！！"))
    assert later.envelope.event_id == first.envelope.event_id  # the alias resolves


def test_a_copy_scored_before_the_first_post_of_its_batch_takes_the_group_to_the_incident() -> None:
    """A batch is scored in its own order: the copy may come before the comment it copies."""
    t = tables()
    first, _ = through(t, env("wb:1", "湖泉生态园游船翻了，好多人落水"), scores("high"))
    comment = run(t, env("dy:1", "天哪，湖泉游船翻了？希望大家都没事"))
    copy = run(t, env("dy:2", "天哪，湖泉游船翻了？希望大家都没事！"))
    merged, _ = settle(copy.envelope, scores("none", ("safety",)), t, W)
    assert merged["id"] == first.envelope.event_id and merged["post_count"] == 3
    assert copy.envelope.joined_by == "copy"  # it is still its comment's copy
    settle(comment.envelope, scores("none", ("safety",)), t, W)
    assert comment.envelope.event_id == first.envelope.event_id


def test_minutes_into_an_emergency_a_post_of_its_kind_with_one_of_its_telling_words_joins() -> None:
    """Its reposts (copies of one text) add no words, and its comments overtake them in the fast lane."""
    t = tables()
    boat = "湖泉生态园游船翻了，好多人落水，救援正在进行"
    first, _ = through(t, env("wb:1", boat), scores("high", terms={"safety": ["落水", "救援"]}))
    for i in range(2, 5):
        through(t, env(f"wb:{i}", boat))  # copied by other accounts
    comment = env("dy:1", "湖泉生态园那条游船怎么了？希望大家都没事", **LATER)
    _, event = through(t, comment, scores("none", ("safety",)))
    assert event["id"] == first.envelope.event_id  # 游船, and of its kind
    hours = {"crawled_at": "2026-11-30T11:30:00+00:00"}
    _, other = through(t, env("dy:2", "湖泉生态园的游船要整改了？", **hours), scores("none", ("safety",)))
    assert other["id"] != first.envelope.event_id  # an hour and a half on: it needs more than one word


def test_two_incidents_of_one_kind_at_one_spot_stay_apart_without_shared_words() -> None:
    """Public order at 红河水乡 twice in ten minutes: a knife fight and a pickpocket are two happenings."""
    t = tables()
    fight = env("wb:1", "红河水乡停车场两伙人打起来了，有人拿着刀", place="红河水乡")
    first, _ = through(
        t, fight, scores("high", ("public_order",), terms={"public_order": ["打起来", "拿着刀"]})
    )
    theft = env(
        "wb:2", "红河水乡夜市有小偷，我的手机被偷了", place="红河水乡", crawled_at="2026-11-30T10:10:00+00:00"
    )
    _, event = through(
        t, theft, scores("medium", ("public_order",), terms={"public_order": ["小偷", "被偷"]})
    )
    assert event["id"] != first.envelope.event_id


def test_a_post_that_names_no_spot_joins_the_citys_incident_and_another_spot_never_does() -> None:
    t = tables()
    first, _ = through(
        t, env("wb:1", "湖泉生态园游船翻了，好多人落水"), scores("high", terms={"safety": ["落水"]})
    )
    unplaced = env("dy:1", "有人落水了，救援的船已经过去了 #弥勒#", place="弥勒")
    _, event = through(t, unplaced, scores("high", terms={"safety": ["落水"]}))
    assert event["id"] == first.envelope.event_id
    elsewhere = env("dy:2", "锦屏山也有人落水了", place="锦屏山")
    _, other = through(t, elsewhere, scores("high", terms={"safety": ["落水"]}))
    assert other["id"] != first.envelope.event_id


def test_while_an_incident_surges_an_unplaced_post_of_its_kind_joins_it_a_spot_post_needs_more() -> None:
    t = tables()
    first, _ = through(t, env("wb:1", "湖泉生态园游船翻了，好多人落水"), scores("high"))
    for i in range(2, 7):
        run(t, env(f"wb:{i}", "转发", links={"root": "wb:1"}))
    later = dict(crawled_at="2026-11-30T10:06:00+00:00")
    _, event = through(t, env("dy:8", "有人说还有人没找到 #弥勒#", place="弥勒", **later), scores("high"))
    assert event["id"] == first.envelope.event_id  # no spot, the incident's kind, during its surge
    _, other = through(t, env("dy:9", "湖泉生态园有人打架了", **later), scores("high", ("public_order",)))
    assert other["id"] != first.envelope.event_id  # at the spot, but another kind and other words


def test_an_emergency_at_a_spot_never_vanishes_into_a_citywide_event() -> None:
    t = tables()
    unplaced, _ = through(t, env("dy:1", "有人落水了，好多人围着 #弥勒#", place="弥勒"), scores("high"))
    for i in range(2, 9):  # a surging city-wide thread
        run(t, env(f"dy:{i}", "转发", links={"root": "dy:1"}, place="弥勒"))
    fire = env("wb:1", "锦屏山后山有人落水了，快来人", place="锦屏山")
    _, event = through(t, fire, scores("high"))
    assert event["id"] != unplaced.envelope.event_id


def test_while_an_incident_surges_a_calm_post_about_it_at_its_spot_joins_it() -> None:
    t = tables()
    first, _ = through(t, env("wb:1", "湖泉生态园游船翻了，好多人落水"), scores("high"))
    for i in range(2, 7):
        run(t, env(f"wb:{i}", "转发", links={"root": "wb:1"}))
    calm = env("dy:1", "湖泉生态园那条游船翻了以后谁还敢坐啊", crawled_at="2026-11-30T10:06:00+00:00")
    _, event = through(t, calm, scores("none", (), sentiment="neg"))
    assert event["id"] == first.envelope.event_id


def test_the_latest_post_is_found_by_time_whatever_the_offset_it_was_written_with() -> None:
    """10:30 in Mile (+08:00) is before 10:00 UTC, though it sorts after it as text."""
    t = tables()
    first, _ = through(t, env("wb:1", crawled_at="2026-11-30T10:00:00+00:00"))
    run(t, env("wb:2", "//@甲: " + TEXT, published_at="2026-11-30T10:30:00+08:00", links={"root": "wb:1"}))
    event = t.events[first.envelope.event_id]
    assert event["latest_post_id"] == "wb:1" and event["first_seen"] == "2026-11-30T10:30:00+08:00"


def spreading(t: Tables, text: str = "湖泉生态园湖面上观光游船翻了，好多人掉进水里喊救命") -> str:
    """An emergency at 湖泉生态园 with five reposts: it spreads. Its event id."""
    first, _ = through(t, env("wb:1", text), scores("high", terms={"safety": ["掉进"]}))
    for i in range(2, 7):
        through(t, env(f"wb:{i}", "转发 //@甲: " + text, links={"root": "wb:1"}))
    return first.envelope.event_id


LATER = {"crawled_at": "2026-11-30T10:03:00+00:00"}


def test_while_an_emergency_spreads_a_post_at_its_spot_with_one_of_its_telling_words_joins() -> None:
    t = tables()
    event_id = spreading(t)
    blame = env("dy:1", "湖泉生态园的游船公司要负责任", **LATER)
    _, event = through(t, blame, scores("none", (), sentiment="neu"))
    assert event["id"] == event_id  # 游船: a word the event's posts used, rare in general text
    praise = env("dy:2", "湖泉生态园的夜景真的绝了，晚上散步特别舒服", **LATER)
    _, other = through(t, praise, scores("none", (), sentiment="pos"))
    assert other["id"] != event_id  # the same spot, none of its words


def test_while_an_emergency_spreads_an_unplaced_cry_joins_it_an_emergency_of_another_kind_never() -> None:
    t = tables()
    event_id = spreading(t)
    cry = env("dy:1", "保佑保佑，一个都不要少 #弥勒#", place="弥勒", **LATER)
    _, event = through(t, cry, scores("none", (), relevant=False))
    assert event["id"] == event_id
    chat = env("dy:2", "弥勒今天天气不错，出去走走 #弥勒#", place="弥勒", **LATER)
    _, other = through(t, chat, scores("none", (), sentiment="pos"))
    assert other["id"] != event_id
    knife = env("dy:3", "步行街刚刚有人拿刀砍人 #弥勒#", place="弥勒", **LATER)
    _, own = through(t, knife, scores("high", ("public_order",), terms={"public_order": ["砍人"]}))
    assert own["id"] != event_id  # names no spot, but another kind and an emergency itself


def test_one_false_alarm_at_a_spot_never_gathers_its_spots_emergencies() -> None:
    """A post the model over-rated at a spot is no spreading incident: a real emergency there of the same
    kind but other words is its own happening (it must get its own alert)."""
    t = tables()
    false_alarm, _ = through(t, env("wb:1", "湖泉生态园南门正在进行道路改造"), scores("high"))
    for i in range(2, 5):  # other ordinary posts at the spot, none spreading it
        through(t, env(f"wb:{i}", f"湖泉生态园周末人好多{i}", **LATER), scores("none", ()))
    drowning = env("wb:9", "湖泉生态园有个小孩落水了，快来人", **LATER)
    _, event = through(t, drowning, scores("high", terms={"safety": ["落水"]}))
    assert event["id"] != false_alarm.envelope.event_id


def test_a_term_one_post_of_a_grown_event_named_does_not_make_it_a_magnet() -> None:
    t = tables()
    place = {"place": "红河水乡"}
    fee = scores("medium", ("consumer",), terms={"consumer": ["乱收费"]})
    fees, _ = through(t, env("dp:1", "红河水乡停车场乱收费，一次二十块", **place), fee)
    through(t, env("dp:2", "红河水乡停车场乱收费太离谱", **place), fee)
    also = scores("medium", ("consumer",), terms={"consumer": ["乱收费"], "health": ["厕所"]})
    through(t, env("dp:3", "红河水乡乱收费，上个厕所都要两块", **place), also)
    assert t.events[fees.envelope.event_id]["post_count"] == 3
    toilet = env("dp:7", "红河水乡厕所太脏了，卫生没人管", **place)
    _, event = through(t, toilet, scores("medium", ("health",), terms={"health": ["厕所"]}))
    assert event["id"] != fees.envelope.event_id  # 厕所: one of its three posts named it, in passing


def test_a_found_safe_report_goes_to_the_case_it_names_not_the_largest_event_of_its_kind() -> None:
    t = tables()
    place = {"place": "太平湖森林公园"}
    for i in range(1, 6):  # an unrelated safety event at the spot, larger
        through(t, env(f"xhs:{i}", f"太平湖森林公园栈道湿滑，摔了一跤{i}", **place),
                scores("medium", terms={"safety": ["摔"]}))  # fmt: skip
    missing, _ = through(t, env("wb:1", "太平湖森林公园有个老人走失了，穿灰色夹克", **place), scores("high"))
    report = env("police:1", "走失老人已被民警安全找回，身体状况良好", crawled_at="2026-11-30T20:00:00+00:00",
                 **place)  # fmt: skip
    _, event = through(t, report, scores("medium"))
    assert event["id"] == missing.envelope.event_id and event["status"] == "reported_resolved"
