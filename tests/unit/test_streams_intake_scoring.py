"""Intake refuses bad input with a reason; scoring retries a failing batch, then isolates the bad post."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from streams import intake, scoring
from streams.envelope import DLQ_MAX_ORIGINAL_BYTES, Envelope, dead_letter
from yuqing.errors import InvalidPost
from yuqing.gazetteer import default_matcher


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"{oops", "not valid JSON"),
        (b"\xff\xfe", "UTF-8"),
        (b"[1]", "JSON object"),
        (json.dumps({"source": "s", "source_id": 1, "text": "x"}).encode(), "string"),
        (json.dumps({"source": "s", "source_id": "1"}).encode(), "Field required"),
        (json.dumps({"source": "s", "source_id": "1", "text": "a" * 100_001}).encode(), "100000"),
        (
            json.dumps(
                {
                    "source": "s",
                    "source_id": "1",
                    "text": "弥勒",
                    "published_at": str(datetime.now(UTC) + timedelta(days=2)),
                }
            ).encode(),
            "future",
        ),
        (json.dumps({"source": "s", "source_id": "1", "text": "  \u200b "}).encode(), "text"),
    ],
)
def test_bad_input_is_refused_with_a_reason(raw: bytes, words: str) -> None:
    with pytest.raises(InvalidPost) as err:
        intake.admit(raw, "raw:0:1", default_matcher())
    assert words in str(err.value)


def test_good_input_is_normalised_and_placed() -> None:
    raw = json.dumps({"source": "s", "source_id": "1", "text": "彌勒錦屏山景區今天人好多"}).encode()
    env = intake.admit(raw, "raw:0:1", default_matcher())
    assert env.place == "锦屏山" and "弥勒" in env.normalized and env.post["id"] == "s:1"
    buddha = intake.admit(
        json.dumps({"source": "s", "source_id": "2", "text": "弥勒佛笑口常开"}).encode(),
        "o",
        default_matcher(),
    )
    assert buddha.place == intake.ELSEWHERE_KEY


def test_an_oversized_original_is_cut_but_identified() -> None:
    letter = json.loads(dead_letter("validate", "too long", b"x" * (DLQ_MAX_ORIGINAL_BYTES + 10)))
    assert letter["original_truncated"] and letter["original_bytes"] == DLQ_MAX_ORIGINAL_BYTES + 10
    assert len(base64.b64decode(letter["original_b64"])) == DLQ_MAX_ORIGINAL_BYTES


class FlakyScorer:
    def __init__(self, failures: int, poison: str | None = None) -> None:
        self.failures, self.poison, self.calls = failures, poison, 0

    def score(self, posts):
        self.calls += 1
        if self.failures > 0:
            self.failures -= 1
            raise RuntimeError("onnxruntime: transient")
        if self.poison and any(self.poison in p for p in posts):
            raise ValueError("cannot score this one")
        return [
            {
                "relevant": True,
                "spots": [],
                "jurisdiction": None,
                "sentiment": {"label": "neu", "score": 0.5},
                "risk": {"level": "none", "score": 0.0, "categories": []},
                "explain": {},
            }
            for _ in posts
        ]


def envs(*texts: str) -> list[Envelope]:
    now = datetime.now(UTC).isoformat()
    return [
        Envelope(
            post={"id": f"s:{i}", "source": "s", "source_id": str(i), "text": t, "crawled_at": now},
            normalized=t,
            place="p",
            origin=f"o{i}",
        )
        for i, t in enumerate(texts)
    ]


def test_a_transient_scorer_failure_is_retried() -> None:
    scorer = FlakyScorer(failures=2)
    done, failed = scoring.score_batch(scorer, envs("a", "b"), lambda p: p["text"], pause_s=0)
    assert [e.post["id"] for e, _ in done] == ["s:0", "s:1"] and not failed and scorer.calls == 3


def test_a_post_that_always_fails_goes_to_the_dlq_and_the_rest_go_on() -> None:
    scorer = FlakyScorer(failures=0, poison="bad")
    done, failed = scoring.score_batch(scorer, envs("a", "bad", "c"), lambda p: p["text"], pause_s=0)
    assert [e.post["id"] for e, _ in done] == ["s:0", "s:2"]
    assert [f.envelope.post["id"] for f in failed] == ["s:1"] and "cannot score" in failed[0].reason


def test_the_stream_hands_the_scorer_each_reply_with_what_it_answers():
    from streams.pipeline import _Normalized

    seen: list[tuple[list[str], list[str | None]]] = []

    class Contextual:
        def score_normalized(self, texts, contexts):
            seen.append((texts, contexts))
            return [{} for _ in texts]

    _Normalized(Contextual()).score([("顶", "紅河水鄉有人打架"), ("湖泉真美", None)])
    assert seen == [(["顶", "湖泉真美"], ["红河水乡有人打架", None])]  # the context normalised too
