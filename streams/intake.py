"""Stage 1, validate → normalise → place: raw bytes from `posts.raw` become an envelope, or a dead letter.

Placement here is the gazetteer's alone (cheap, before scoring); its region (the city, or elsewhere) decides
which partition groups the post into events. A reply or comment that names no place of its own is placed by
its parent's text (or its thread's title), so it is compared with its thread's spot. The scorer places the
post again with the model's relevance; the stream keeps the scorer's answer.
"""

from __future__ import annotations

from streams.envelope import Envelope
from yuqing.errors import InvalidPost
from yuqing.gazetteer import Matcher
from yuqing.schema import Post
from yuqing.text import normalize_post_text, normalize_text

# Partition keys for posts with no scenic spot: about the city (or a township) and about somewhere else.
CITY_KEY, ELSEWHERE_KEY = "弥勒", "_elsewhere"


def place_key(spots: list[str], in_mile: bool) -> str:
    """Where a post is, for grouping it into events: the main spot, else the city, else elsewhere."""
    if spots:
        return spots[0]
    return CITY_KEY if in_mile else ELSEWHERE_KEY


def region_of(place: str) -> str:
    """The Kafka key of a post after intake: the city for every place in it, else elsewhere. One city's posts
    share a partition, so a post that names no spot ("游船上好像有小孩 #弥勒#") can join an incident at a spot
    (streams.events); a deployment that covers several cities scales out by city."""
    return ELSEWHERE_KEY if place == ELSEWHERE_KEY else CITY_KEY


def _place(matcher: Matcher, normalized: str, parent_text: str | None) -> str:
    match = matcher.match(normalized, normalized=True)
    spots = match.spots or match.candidate_spots
    if not spots and parent_text:
        context = matcher.match(normalize_text(parent_text), normalized=True)
        if context.spots or context.candidate_spots:
            return place_key(context.spots or context.candidate_spots, True)
        return place_key([], match.in_mile or context.in_mile)
    return place_key(spots, match.in_mile)


def admit(
    raw: bytes, origin: str, matcher: Matcher, *, replay: bool = False, produced_at: float = 0.0
) -> Envelope:
    """Validate and normalise one raw message; InvalidPost (with field and reason) when it cannot enter."""
    post = Post.parse(raw)
    normalized = normalize_post_text(post.title, post.text)
    if not normalized.strip():
        raise InvalidPost("no text left after normalisation", field="text", post_id=post.id)
    return Envelope(
        post=post.model_dump(mode="json"),
        normalized=normalized,
        place=_place(matcher, normalized, post.parent_text),
        origin=origin,
        replay=replay,
        produced_at=produced_at,
        links=post.links(),
    )
