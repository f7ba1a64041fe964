"""`yuqing worker`: the Faust stream worker."""

from __future__ import annotations

from yuqing.errors import NotImplementedYet


def worker() -> None:
    """Run a Faust stream worker (validate → normalise → place → dedup → score → index, alerts).

    Not available yet: the stream workers arrive with their own issue.
    """
    raise NotImplementedYet("`yuqing worker` arrives with the stream-processing issue")
