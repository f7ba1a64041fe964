"""The happening benchmark's count: a comment counts only when its incident is strictly the nearest."""

from __future__ import annotations

from bench.happening_bench import nearer


def test_a_comment_counts_only_when_its_incident_is_strictly_nearest() -> None:
    def similarity(a: str, b: str) -> float:
        return len(set(a) & set(b))

    comments = ["boat sank", "fire", "boat"]
    # "boat" only: "boat sank" ties with "sank", "fire" is nearer to "fire on hill"
    assert nearer("boat", comments, ["fire on hill", "sank"], similarity) == 1
