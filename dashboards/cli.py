"""`yuqing serve`: the dashboard web app."""

from __future__ import annotations

from yuqing.errors import NotImplementedYet


def serve() -> None:
    """Serve the monitoring screen, analyst search and alert console.

    Not available yet: the web app arrives with its own issue.
    """
    raise NotImplementedYet("`yuqing serve` arrives with the dashboards issue")
