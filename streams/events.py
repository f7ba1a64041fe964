"""Stage 2, deduplicate and group into events (runs per place key, so every table here is co-partitioned).

A post is, in order of the checks:
- `redelivery`: the very raw message already handled (a worker died before committing): forwarded again with
  the event it was given, nothing counted twice (the event is started again if the crash lost it);
- `update`: an id seen before whose content or engagement changed, or a `yuqing replay`: re-scored and
  re-indexed under its id, the event is not counted again;
- `same_id`: an id seen before with nothing new: dropped;
- `duplicate`: another id with the same normalised text (a copy): dropped, counted in its event;
- `near`: a near-duplicate (SimHash within `simhash_distance`) of a recent event: joins it;
- `new`: starts an event.

The tables are plain mappings here (Faust tables in the worker, dicts in tests). `bands`, the SimHash band
index, is not a changelogged table but memory derived from `events`: every event record carries its place and
the SimHashes of its recent posts (`_place`, `_simhashes`, internal keys never indexed), and `rebuild_bands`
restores the index from the recovered events table after a restart or a rebalance. A post then costs one
events write, not one write per band (eleven at the default distance, each a list of entries).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from streams import simhash as sh
from streams.envelope import Envelope
from yuqing.segment import segment

POST_IDS_KEPT = 50
BAND_ENTRIES_KEPT = 64
TITLE_CHARS = 120


SIMHASHES_KEPT = 16  # per event: the SimHashes of its latest distinct posts, for the band index


@dataclass
class Tables:
    members: MutableMapping[str, Any]  # post id → its event, origin, text hash, first sighting
    texts: MutableMapping[str, Any]  # place|text hash → event id
    bands: MutableMapping[str, Any]  # place|band no|band value → [[event id, simhash, last seen], ...]
    events: MutableMapping[str, Any]  # event id → Event document (+ `_place`, `_simhashes`)


@dataclass
class Grouped:
    kind: str
    envelope: Envelope | None  # what goes on to scoring (None: dropped)
    event: dict[str, Any] | None  # the event after this post (to index), None when unchanged


def _event_time(post: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(post.get("published_at") or post["crawled_at"])


def _engagement(post: dict[str, Any]) -> str:
    return json.dumps(post.get("engagement") or {}, sort_keys=True)


def _event_id(post_id: str) -> str:
    return "ev-" + hashlib.sha1(post_id.encode()).hexdigest()[:16]


def group(env: Envelope, t: Tables, *, window_s: float, max_distance: int) -> Grouped:
    """Decide what a post is (see the module docstring) and update the tables accordingly."""
    post = env.post
    post_id = post["id"]
    thash = sh.text_hash(env.normalized)
    member = t.members.get(post_id)
    if member is not None:
        return _seen_before(env, member, thash, t, window_s, max_distance)
    when = _event_time(post)
    env.first_seen_at = datetime.now(UTC).isoformat()
    copy_of = t.texts.get(f"{env.place}|{thash}")
    if copy_of and _live(t.events.get(copy_of), when, window_s):
        event = _join(t.events[copy_of], post, when)
        t.events[copy_of] = event
        t.members[post_id] = _member(copy_of, env, thash, post, duplicate=True)
        return Grouped("duplicate", None, event)
    value = sh.simhash(env.normalized)
    keys = band_keys(env.place, value, max_distance)
    near = _nearest(keys, value, t, when, window_s, max_distance)
    if near is not None:
        event, kind = _join(t.events[near], post, when), "near"
        hexed = f"{value:016x}"
        kept = [h for h in event.get("_simhashes", []) if h != hexed]
        event["_simhashes"] = [*kept, hexed][-SIMHASHES_KEPT:]
    else:
        near, kind = _event_id(post_id), "new"
        event = _start(near, post, env, when, value)
    _file_event(t, event, env.place, thash, keys, value, when, window_s)
    t.members[post_id] = _member(near, env, thash, post)
    env.event_id, env.event_new = near, kind == "new"
    return Grouped(kind, env, event)


def band_keys(place: str, value: int, max_distance: int) -> list[str]:
    return [f"{place}|{i}|{b}" for i, b in enumerate(sh.bands(value, max_distance))]


def rebuild_bands(bands: MutableMapping[str, Any], records, *, window_s: float, max_distance: int) -> int:
    """Refill the band index from event records (the recovered events table); returns the entries made."""
    bands.clear()
    made = 0
    for event in sorted(records, key=lambda e: e["last_seen"]):
        place = event.get("_place")
        if place is None:  # a record from before the index was derived: nothing to place it by
            continue
        when = datetime.fromisoformat(event["last_seen"])
        for hexed in event.get("_simhashes") or [event["simhash"]]:
            value = int(hexed, 16)
            for key in band_keys(place, value, max_distance):
                bands[key] = _band_entries(bands.get(key) or [], event["id"], value, when, window_s)
                made += 1
    return made


def public(event: dict[str, Any]) -> dict[str, Any]:
    """The event without its internal keys (what is indexed and validated against the schema)."""
    return {k: v for k, v in event.items() if not k.startswith("_")}


def _seen_before(
    env: Envelope, member: dict[str, Any], thash: str, t: Tables, window_s: float, max_distance: int
) -> Grouped:
    env.event_id = member["event"]
    env.first_seen_at = member["first_seen_at"]
    if member["origin"] == env.origin:  # the same raw message again: finish what was started
        env.event_new = member.get("new", False)
        restored = _restore_event(member["event"], env, thash, t, window_s, max_distance)
        return Grouped("redelivery", None if member.get("duplicate") else env, restored)
    changed = member["text"] != thash or member["engagement"] != _engagement(env.post)
    if not (env.replay or changed):
        return Grouped("same_id", None, None)
    t.members[env.post["id"]] = {**member, "text": thash, "engagement": _engagement(env.post)}
    env.update = True
    return Grouped("update", env, None)


def _restore_event(
    event_id: str, env: Envelope, thash: str, t: Tables, window_s: float, max_distance: int
) -> dict[str, Any] | None:
    """The member's event started again from this post when a crash kept the member but lost the event:
    the two tables' changelogs are separate topics, flushed independently, so one write can outlive the
    other. Without it the redelivered post is judged with no event, and its alerts name none."""
    if event_id in t.events:
        return None
    when, value = _event_time(env.post), sh.simhash(env.normalized)
    event = _start(event_id, env.post, env, when, value)
    _file_event(t, event, env.place, thash, band_keys(env.place, value, max_distance), value, when, window_s)
    return event


def _file_event(
    t: Tables,
    event: dict,
    place: str,
    thash: str,
    keys: list[str],
    value: int,
    when: datetime,
    window_s: float,
) -> None:
    """Store an event after a post started or joined it: the record, its text and its band entries."""
    t.events[event["id"]] = event
    t.texts[f"{place}|{thash}"] = event["id"]
    for key in keys:
        t.bands[key] = _band_entries(t.bands.get(key) or [], event["id"], value, when, window_s)


def _member(event_id: str, env: Envelope, thash: str, post: dict[str, Any], duplicate: bool = False):
    return {
        "event": event_id,
        "origin": env.origin,
        "text": thash,
        "engagement": _engagement(post),
        "first_seen_at": env.first_seen_at,
        "duplicate": duplicate,
        "new": event_id == _event_id(post["id"]),
    }


def _live(event: dict[str, Any] | None, when: datetime, window_s: float) -> bool:
    if not event:
        return False
    return abs((when - datetime.fromisoformat(event["last_seen"])).total_seconds()) <= window_s


def _nearest(keys, value: int, t: Tables, when: datetime, window_s: float, k: int) -> str | None:
    best: tuple[int, str] | None = None
    for key in keys:
        for event_id, other, last_seen in t.bands.get(key) or []:
            if abs(when.timestamp() - last_seen) > window_s:
                continue
            d = sh.distance(value, int(other, 16))
            if d <= k and (best is None or d < best[0]) and event_id in t.events:
                best = (d, event_id)
    return best[1] if best else None


def _band_entries(entries, event_id: str, value: int, when: datetime, window_s: float):
    ts = when.timestamp()
    kept = [e for e in entries if e[0] != event_id and abs(ts - e[2]) <= window_s]
    return [*kept, [event_id, f"{value:016x}", ts]][-BAND_ENTRIES_KEPT:]


def _start(event_id: str, post: dict[str, Any], env: Envelope, when: datetime, value: int) -> dict[str, Any]:
    title = (post.get("title") or post["text"]).strip()[:TITLE_CHARS]
    return {
        "id": event_id,
        "first_post_id": post["id"],
        "title": title,
        "first_seen": when.isoformat(),
        "last_seen": when.isoformat(),
        "post_count": 1,
        "post_ids": [post["id"]],
        "sources": [post["source"]],
        "spots": [],
        "jurisdiction": None,
        "relevant": False,
        "peak_level": "none",
        "peak_score": 0.0,
        "categories": [],
        "simhash": f"{value:016x}",
        "title_seg": segment(title),  # segmented once: every snapshot of the event is indexed with it
        "_place": env.place,
        "_simhashes": [f"{value:016x}"],
    }


def _join(event: dict[str, Any], post: dict[str, Any], when: datetime) -> dict[str, Any]:
    event = dict(event)
    event["post_count"] += 1
    if len(event["post_ids"]) < POST_IDS_KEPT:
        event["post_ids"] = [*event["post_ids"], post["id"]]
    if post["source"] not in event["sources"]:
        event["sources"] = [*event["sources"], post["source"]]
    event["first_seen"] = min(event["first_seen"], when.isoformat(), key=datetime.fromisoformat)
    event["last_seen"] = max(event["last_seen"], when.isoformat(), key=datetime.fromisoformat)
    return event


LEVELS = ("none", "low", "medium", "high")


def with_scores(event: dict[str, Any], scored: dict[str, Any]) -> dict[str, Any]:
    """The event after one of its posts was scored: peak risk, categories, spots, relevance, station."""
    event = dict(event)
    risk = scored["risk"]
    if LEVELS.index(risk["level"]) > LEVELS.index(event["peak_level"]):
        event["peak_level"] = risk["level"]
    event["peak_score"] = max(event["peak_score"], float(risk["score"]))
    event["categories"] = sorted(set(event["categories"]) | set(risk["categories"]))
    event["spots"] = [*event["spots"], *(s for s in scored["spots"] if s not in event["spots"])]
    if scored["relevant"]:
        event["relevant"] = True
        event["jurisdiction"] = event["jurisdiction"] or scored["jurisdiction"]
    return event
