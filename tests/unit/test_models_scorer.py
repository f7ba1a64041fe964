"""The shipped scorer on the traps, on clear cases and on bad input (gazetteer + model together)."""

from __future__ import annotations

import itertools

import pytest

from models.cli import SHIPPED
from models.runtime.engine import ONNX_FILE

pytestmark = pytest.mark.skipif(not (SHIPPED / ONNX_FILE).exists(), reason="no shipped model")


@pytest.fixture(scope="module")
def scorer():
    from models.runtime.scorer import Scorer

    return Scorer.load(SHIPPED, "onnx")


@pytest.mark.parametrize(
    "text",
    [
        "初一去寺里拜了弥勒佛，求个好运，笑口常开",
        "杭州太平湖今天有人落水，已经救上来了",
        "红河州元阳梯田今天游客爆满，观景台挤得走不动",
        "弥勒一中2024年高考成绩喜报，本科上线率再创新高",
        "大理古城昨晚有人打架，警察来了",
    ],
)
def test_traps_are_not_relevant(scorer, text):
    out = scorer.score([text])[0]
    assert out["relevant"] is False, out["explain"]
    assert out["risk"]["level"] == "none" and out["risk"]["categories"] == []
    assert out["jurisdiction"] is None


@pytest.mark.parametrize(
    "text",
    [
        "弥勒市召开2026年全市经济工作会议，部署明年重点工作",
        "弥勒市第一中学举行高三百日誓师大会，校长勉励学生拼搏",
        "弥勒市人民医院新住院大楼正式投入使用，新增床位300张",
        "【警情通报】弥勒警方破获一起电信网络诈骗案，抓获犯罪嫌疑人3名，提醒市民谨防诈骗",
        "东风韵篝火晚会太火爆了🔥🔥人山人海，跳舞跳到凌晨，吓死我了这么嗨",
        "湖泉生态园的夜景美哭了，挤爆了也值得，强烈推荐",
    ],
)
def test_news_and_praise_about_mile_are_not_high(scorer, text):
    out = scorer.score([text])[0]
    assert out["risk"]["level"] != "high", out["explain"]
    if not out["relevant"]:  # an irrelevant post is never medium or high
        assert out["risk"]["level"] == "none"
    assert len(out["risk"]["categories"]) <= 3


def test_emergency_at_a_spot(scorer):
    out = scorer.score(["弥勒湖泉生态园刚刚有个小孩掉水里了，还在扑腾，快来人啊！🆘"])[0]
    assert out["relevant"] is True
    assert out["spots"] == ["湖泉生态园"] and out["jurisdiction"] == "弥阳派出所"
    assert out["risk"]["level"] == "high"
    assert "safety" in out["risk"]["categories"]
    assert out["sentiment"]["label"] == "neg"
    ex = out["explain"]
    assert ex["place"]["aliases"]["湖泉生态园"] == ["湖泉生态园"]
    assert "safety" in ex["risk_terms"]
    assert ex["level_rule"].startswith("P(high)=")
    assert set(ex["probabilities"]) >= {"relevance", "sentiment", "level", "categories"}


def test_traditional_alias_and_praise(scorer):
    out = scorer.score(["可邑小鎮的阿細跳月太好看了，強烈推薦！👍"])[0]
    assert out["relevant"] is True and out["spots"] == ["可邑小镇"]
    assert out["jurisdiction"] == "西三派出所"
    assert out["risk"]["level"] == "none" and out["sentiment"]["label"] == "pos"


@pytest.mark.parametrize(
    "text", ["", "   ", "hello world, nothing Chinese here", "<script>alert('x')</script>", "弥勒" * 50_000]
)
def test_odd_text_scores_sensibly(scorer, text):
    out = scorer.score([text])[0]
    assert out["sentiment"]["label"] in ("neg", "neu", "pos")
    assert 0.0 <= out["risk"]["score"] <= 1.0


def test_order_is_kept_across_micro_batches(scorer):
    texts = [("弥勒湖泉" + "好" * (i % 37)) if i % 3 else "弥勒佛" for i in range(70)]
    out = scorer.score(texts)
    assert all(not out[i]["relevant"] for i in range(0, 70, 3))  # the 弥勒佛 posts stay where they were
    single = [scorer.score([t])[0]["explain"]["probabilities"]["relevance"] for t in texts[:5]]
    assert [o["explain"]["probabilities"]["relevance"] for o in out[:5]] == pytest.approx(single, abs=0.02)


def test_the_shipped_judgement_mixes_the_ngram_heads_and_can_do_without_them(scorer):
    """The n-gram heads are part of the shipped checkpoint; the encoder alone decides with its own fitted
    thresholds (the column `yuqing eval` prints beside the scorer)."""
    assert scorer.ngram is not None
    assert scorer.th["mix_level"] > 0 and scorer.th["mix_relevance"] > 0
    alone = scorer.encoder_alone()
    assert alone is not None and alone.ngram is None
    assert alone.th["mix_level"] == 0 and alone.th["high"] == scorer.config.thresholds_encoder_alone["high"]
    from models.runtime.ngram import blend

    texts = ["弥勒湖泉生态园刚刚有个小孩掉水里了，快来人", "红河水乡的夜景很美，推荐晚上去"]
    both, enc = scorer.probabilities(texts), alone.probabilities(texts)
    ngram = scorer.ngram.probabilities(texts)
    for head in ("relevance", "level", "categories"):
        mixed = blend(enc[head], ngram[head], scorer.th[f"mix_{head}"], binary=head != "level")
        assert both[head] == pytest.approx(mixed, abs=1e-6)
        assert both[head] != pytest.approx(enc[head], abs=1e-6)
    # the encoder-alone sentiment stays as it is; the reported head mixes in the n-gram sentiment head
    assert both["sentiment"] == pytest.approx(enc["sentiment"])
    assert scorer.sentiment_ngram is not None and alone.sentiment_ngram is None
    sent = scorer.sentiment_ngram.probabilities(texts)["sentiment"]
    head = scorer.sentiment_head
    assert both[head] == pytest.approx(blend(enc[head], sent, scorer.th["mix_sentiment"]), abs=1e-6)
    assert both[head] != pytest.approx(enc[head], abs=1e-6)
    assert [int(p.argmax()) for p in both[head]] == [0, 2]  # an emergency reads negative, praise positive
    assert alone.score(texts)[0]["risk"]["level"] == "high"


PRAISE = (
    "湖泉生态园的早晨很安静，湖面上有薄雾，沿着环湖栈道慢慢走一圈大概一个小时，"
    "路边的花开得很好，空气里都是青草的味道。"
)
BURIED = (
    "走到南门附近的时候，看到湖边围了一圈人，原来是有个小孩刚刚掉进水里了，家长在岸上哭喊，保安正在下水救人。"
)


def test_a_long_text_is_read_in_overlapping_windows_that_cover_it():
    from models.runtime.scorer import windows

    text = "".join(chr(0x4E00 + i) for i in range(2000))  # every character once: a window's place is known
    spans = windows(text[:600], 254)
    starts = [text.index(w) for w in spans]
    assert starts[0] == 0 and starts[-1] + 254 == 600 and all(len(w) == 254 for w in spans)
    assert all(0 < b - a < 254 for a, b in itertools.pairwise(starts))  # they overlap
    sampled = windows(text, 254, most=8)  # longer than 8 windows: evenly spread, first and last kept
    assert len(sampled) == 8 and text.startswith(sampled[0]) and text.endswith(sampled[-1])
    assert windows("湖泉", 254) == ["湖泉"]


def test_a_risk_in_the_middle_of_a_long_review_is_the_reviews_risk(scorer):
    long_review = PRAISE * 5 + BURIED + PRAISE * 3  # the risk starts past the encoder's first window
    assert long_review.index(BURIED) > 256
    (risky, calm) = scorer.score([long_review, PRAISE * 8])
    assert risky["risk"]["level"] in ("medium", "high") and "safety" in risky["risk"]["categories"]
    assert risky["explain"]["model_windows"] >= 2
    assert calm["risk"]["level"] == "none" and calm["sentiment"]["label"] == "pos"


FIGHT = "红河水乡停车场两伙人打起来了，有人拿着刀，好多游客在围观，快报警！"


def test_a_reply_is_judged_in_its_context_without_inheriting_its_risk(scorer):
    from models.runtime.scorer import PostText

    bump, alone, witness = scorer.score(
        [
            PostText("顶", context=FIGHT),
            PostText("顶"),
            PostText("我刚才也在那边，有个人被砍伤了，流了好多血", context=FIGHT),
        ]
    )
    assert bump["relevant"] and bump["spots"] == ["红河水乡"]  # where its thread is
    assert bump["risk"]["level"] == "none" and bump["explain"]["read_in_context"]  # it adds nothing
    assert not alone["relevant"] and "read_in_context" not in alone["explain"]
    assert witness["risk"]["level"] == "high" and witness["spots"] == ["红河水乡"]
