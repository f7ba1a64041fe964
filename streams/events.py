"""Stage 2, group: every post joins the event (the incident) it belongs to (runs per region key: every table
is co-partitioned).

Before scoring (`group`), a post is, in order of the checks:
- `redelivery`: the very raw message already handled (a worker died before committing): finished again with
  the event it was given, nothing counted twice (the event is started again if the crash lost it);
- `update`: an id seen before whose content or engagement changed, or a `yuqing replay`: re-scored and
  re-indexed under its id, the event is not counted again;
- `same_id`: an id seen before with nothing new (an unchanged re-crawl): dropped and counted, never a dead
  letter;
- `thread` / `chain`: it names (thread_id, parent_id, root_id) a post the stream knows, or its parent's text
  is a post the stream knows: it joins that post's event;
- `copy`: another id with the same normalised text at the same place: indexed as its own document (its own
  author, URL and times) with the original's scores, never scored again;
- `near`: a near-duplicate (SimHash within `max_distance`) of a recent event: joins it;
- `new`: starts an event, provisionally.

After scoring (`settle`), a provisional new event that is about the same happening as a live event of the
same place merges into it (see `same_happening`; whichever of its posts is scored first decides), and the
post's scores raise the event's level; a post that reports the case resolved ("安全找回", "已获救", an arrest
通报) marks the event `reported_resolved` and never raises its level.

Same happening, and why this measure: the encoder's sentence vector, measured on a viral incident's comments
(`yuqing bench happening`), says "a safety emergency", not "this boat" (the first post was nearer than five
other emergencies to 4 or 8 of 46 comments, chance 7.7), so "close in meaning" is cheap signals the stream
already has: character-bigram overlap with the
event's vocabulary (place names and @mentions removed) for posts that say the same thing in other words; the
incident profile (the lexicon's incident terms from the scorer's `explain`, and the risk categories) and the
post's *telling words* (jieba words rarer than yuqing.segment.COMMON_WORD_FREQ in jieba's general dictionary,
counted per event) for posts about one accident worded differently ("游船翻了" / "游船公司要负责任"). A post
naming no spot is placed by the recent emergency of its kind in the city; while an emergency spreads, posts at
its spot that use its words or are of its kind join it. Counted terms and words need two of an event's posts
once it has a few, so that one ordinary post that joined cannot make it a magnet; a category alone never
joins a post at a spot before the emergency spreads (a fight and a theft at one spot are two happenings).

The tables are plain mappings here (Faust tables in the worker, dicts in tests). `bands` (the SimHash band
index) and `recent` (live events per place) are memory derived from `events` (`rebuild_derived`); an event
merged into another stays as an alias (`_merged_into`) until it expires. `expire` drops state older than
its window.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import time
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from streams import simhash as sh
from streams.envelope import Envelope
from yuqing.segment import segment, words_of
from yuqing.text import normalize_text

POST_IDS_KEPT = 50
BAND_ENTRIES_KEPT = 64
RECENT_KEPT = 200  # live events per place considered for a same-happening join
MINOR_CANDIDATES = 24  # ...of which minor ones (below medium: joined by the same words only), the latest
TITLE_CHARS = 120
SIMHASHES_KEPT = 16  # per event: the SimHashes of its latest distinct posts, for the band index
GRAMS_KEPT = 2000  # per event: the character bigrams of its posts' texts, the latest kept
TERMS_KEPT = 60  # per event: how many of its posts named each of the lexicon's incident terms, the most named
WORDS_KEPT = 300  # per event: how many of its posts used each telling word (segment.words_of), the most used
ALIAS_HOPS = 8  # merged events form short chains; a longer one is a bug, not a reason to loop
MENTION = re.compile(r"@[^\s:：@/]{1,30}[:：]?")
LEVELS = ("none", "low", "medium", "high")
CITY, ELSEWHERE = "弥勒", "_elsewhere"  # place keys that are not a scenic spot (see streams.intake)
SPOTLESS_PLACES = (CITY, ELSEWHERE)
SURGE_POSTS = 5  # an emergency with this many reposts, replies, copies or near-duplicates spreads
SURGE_RECENT_S = 600.0  # an emergency seen this recently is "minutes ago" for posts that name no spot


@dataclass
class Tables:
    members: MutableMapping[str, Any]  # post id → its event, origin, text hash, first sighting
    texts: MutableMapping[str, Any]  # place|text hash → {event, post, scores}
    bands: MutableMapping[str, Any]  # place|band no|band value → [[event id, simhash, last seen], ...]
    events: MutableMapping[str, Any]  # event id → Event document (+ internal `_` keys)
    recent: dict[str, list[str]] = field(default_factory=dict)  # place → live event ids (derived)


@dataclass(frozen=True)
class Windows:
    """How far back each kind of join looks (seconds) and the near-duplicate distance."""

    event_s: float  # copies, near-duplicates, links, resolution reports
    incident_s: float  # same happening
    members_s: float  # how long a post id is remembered
    max_distance: int = 10
    resolved_terms: tuple[str, ...] = ()


@dataclass
class Grouped:
    kind: str
    envelope: Envelope | None  # what goes on (None: dropped)
    event: dict[str, Any] | None  # the event after this post (to index), None when unchanged


def _event_time(post: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(post.get("published_at") or post["crawled_at"])


def _engagement(post: dict[str, Any]) -> str:
    return json.dumps(post.get("engagement") or {}, sort_keys=True)


def _event_id(post_id: str) -> str:
    return "ev-" + hashlib.sha1(post_id.encode()).hexdigest()[:16]


def resolve(events: MutableMapping[str, Any], event_id: str | None) -> str | None:
    """The live event an id stands for (following merges); None when it is gone."""
    found = resolve_record(events, event_id)
    return found[0] if found else None


def resolve_record(
    events: MutableMapping[str, Any], event_id: str | None
) -> tuple[str, dict[str, Any]] | None:
    """The live event an id stands for and its record, read once (a post is compared with dozens)."""
    for _ in range(ALIAS_HOPS):
        record = events.get(event_id) if event_id else None
        if record is None:
            return None
        target = record.get("_merged_into")
        if not target:
            return event_id, record
        event_id = target
    return None


def _live_target(t: Tables, event_id: str | None, when: datetime, window_s: float) -> str | None:
    """The live event an id stands for, if it was seen within `window_s` of `when`."""
    target = resolve(t.events, event_id)
    return target if target and _live(t.events[target], when, window_s) else None


def _text_entry(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    return {"event": value} if isinstance(value, str) else value  # a bare id: state from before scores


def group(env: Envelope, t: Tables, w: Windows) -> Grouped:
    """Decide what a post is before scoring (see the module docstring) and update the tables."""
    post = env.post
    post_id = post["id"]
    thash = sh.text_hash(env.normalized)
    member = t.members.get(post_id)
    if member is not None:
        return _seen_before(env, member, thash, t, w)
    when = _event_time(post)
    env.first_seen_at = datetime.now(UTC).isoformat()
    linked = _linked(env, t, when, w)
    if linked is not None:
        kind, event_id = linked
        return _join_existing(env, t, event_id, kind, thash, when, w)
    entry = _text_entry(t.texts.get(f"{env.place}|{thash}"))
    copy_of = _live_target(t, entry["event"], when, w.event_s) if entry else None
    if copy_of and entry:
        env.copy_of, env.copy_scores = entry.get("post"), entry.get("scores")
        return _join_existing(env, t, copy_of, "copy", thash, when, w)
    value = sh.simhash(env.normalized)
    keys = band_keys(env.place, value, w.max_distance)
    near = _nearest(keys, value, t, when, w.event_s, w.max_distance)
    if near is not None:
        return _join_existing(env, t, near, "near", thash, when, w, value)
    event_id = _event_id(post_id)
    event = _start(event_id, post, env, when, value)
    _file_event(t, event, env.place, thash, value, when, w, post_id)
    t.members[post_id] = _member(event_id, env, thash, post, "new")
    env.event_id, env.event_new, env.joined_by = event_id, True, "new"
    return Grouped("new", env, event)


def _linked(env: Envelope, t: Tables, when: datetime, w: Windows) -> tuple[str, str] | None:
    """(kind, event id) when the post names a post the stream knows, or quotes one as its parent's text."""
    for name, post_id in (env.links or {}).items():
        member = t.members.get(post_id)
        target = _live_target(t, member["event"], when, w.event_s) if member else None
        if target:
            return ("thread" if name == "thread" else "chain"), target
    parent_text = env.post.get("parent_text")
    if parent_text:
        entry = _text_entry(t.texts.get(f"{env.place}|{sh.text_hash(normalize_text(parent_text))}"))
        target = _live_target(t, entry["event"], when, w.event_s) if entry else None
        if target:
            return "chain", target
    return None


def _join_existing(
    env: Envelope,
    t: Tables,
    event_id: str,
    kind: str,
    thash: str,
    when: datetime,
    w: Windows,
    value: int | None = None,
) -> Grouped:
    post = env.post
    event = _join(t.events[event_id], post, when, kind)
    if kind != "copy":  # a new wording of the event: findable by later near-duplicates (a copy is not one)
        value = sh.simhash(env.normalized) if value is None else value
        hexed = f"{value:016x}"
        event["_simhashes"] = [*(h for h in event.get("_simhashes", []) if h != hexed), hexed][
            -SIMHASHES_KEPT:
        ]
    _file_event(t, event, env.place, thash, value if kind != "copy" else None, when, w, post["id"])
    t.members[post["id"]] = _member(event_id, env, thash, post, kind)
    env.event_id, env.event_new, env.joined_by = event_id, False, kind
    return Grouped(kind, env, event)


def band_keys(place: str, value: int, max_distance: int) -> list[str]:
    return [f"{place}|{i}|{b}" for i, b in enumerate(sh.bands(value, max_distance))]


def rebuild_derived(t: Tables, *, window_s: float, max_distance: int) -> int:
    """Refill the band index and the live events per place from the (recovered) events table."""
    t.bands.clear()
    t.recent.clear()
    made = 0
    for event in sorted(t.events.values(), key=_last_seen):
        place = event.get("_place")
        if place is None or event.get("_merged_into"):
            continue
        _remember_recent(t, place, event["id"])
        when = datetime.fromisoformat(event["last_seen"])
        for hexed in event.get("_simhashes") or [event["simhash"]]:
            value = int(hexed, 16)
            for key in band_keys(place, value, max_distance):
                t.bands[key] = _band_entries(t.bands.get(key) or [], event["id"], value, when, window_s)
                made += 1
    return made


def public(event: dict[str, Any]) -> dict[str, Any]:
    """The event without its internal keys (what is indexed and validated against the schema)."""
    return {k: v for k, v in event.items() if not k.startswith("_")}


def _seen_before(env: Envelope, member: dict[str, Any], thash: str, t: Tables, w: Windows) -> Grouped:
    env.event_id = resolve(t.events, member["event"]) or member["event"]
    env.first_seen_at = member["first_seen_at"]
    env.joined_by = member.get("kind")
    env.copy_of = member.get("copy_of")
    if member["origin"] == env.origin:  # the same raw message again: finish what was started
        env.event_new = member.get("new", False)
        if env.copy_of:
            entry = _text_entry(t.texts.get(f"{env.place}|{thash}")) or {}
            env.copy_scores = entry.get("scores")
        restored = _restore_event(env.event_id, env, thash, t, w)
        return Grouped("redelivery", env, restored)
    changed = member["text"] != thash or member["engagement"] != _engagement(env.post)
    if not (env.replay or changed):
        return Grouped("same_id", None, None)
    t.members[env.post["id"]] = {**member, "text": thash, "engagement": _engagement(env.post)}
    env.update, env.copy_of = True, None  # new content is scored on its own
    return Grouped("update", env, None)


def _restore_event(event_id: str, env: Envelope, thash: str, t: Tables, w: Windows) -> dict[str, Any] | None:
    """The member's event started again from this post when a crash kept the member but lost the event:
    the two tables' changelogs are separate topics, flushed independently, so one write can outlive the
    other. Without it the redelivered post is judged with no event, and its alerts name none."""
    if event_id in t.events:
        return None
    when, value = _event_time(env.post), sh.simhash(env.normalized)
    event = _start(event_id, env.post, env, when, value)
    _file_event(t, event, env.place, thash, value, when, w, env.post["id"])
    return event


def _file_event(
    t: Tables,
    event: dict,
    place: str,
    thash: str,
    value: int | None,
    when: datetime,
    w: Windows,
    post_id: str,
) -> None:
    """Store an event after a post started or joined it: the record, its text and, given the post's SimHash,
    its band entries."""
    event["_touched"] = time.time()
    t.events[event["id"]] = event
    key = f"{place}|{thash}"
    entry = _text_entry(t.texts.get(key))
    # the first post with this text is the one its copies take scores from (until its event is gone)
    if entry is None or (entry["event"] != event["id"] and resolve(t.events, entry["event"]) is None):
        t.texts[key] = {"post": post_id, "event": event["id"]}
    if value is not None:
        for band in band_keys(place, value, w.max_distance):
            t.bands[band] = _band_entries(t.bands.get(band) or [], event["id"], value, when, w.event_s)
    _remember_recent(t, place, event["id"])


def _remember_recent(t: Tables, place: str, event_id: str) -> None:
    ids = [e for e in t.recent.get(place, []) if e != event_id]
    t.recent[place] = [*ids, event_id][-RECENT_KEPT:]


def _member(event_id: str, env: Envelope, thash: str, post: dict[str, Any], kind: str) -> dict[str, Any]:
    return {
        "event": event_id,
        "origin": env.origin,
        "text": thash,
        "engagement": _engagement(post),
        "first_seen_at": env.first_seen_at,
        "kind": kind,
        "copy_of": env.copy_of if kind == "copy" else None,
        "new": kind == "new",
        "place": env.place,
        "at": time.time(),
    }


def _live(event: dict[str, Any] | None, when: datetime, window_s: float) -> bool:
    if not event:
        return False
    return abs((when - datetime.fromisoformat(event["last_seen"])).total_seconds()) <= window_s


def _nearest(keys, value: int, t: Tables, when: datetime, window_s: float, k: int) -> str | None:
    best: tuple[int, str] | None = None
    ts = when.timestamp()
    for key in keys:
        for event_id, other, last_seen in t.bands.get(key) or []:
            if abs(ts - last_seen) > window_s:
                continue
            d = sh.distance(value, int(other, 16))
            if d > k or (best is not None and d >= best[0]):
                continue
            live = resolve(t.events, event_id)
            if live:
                best = (d, live)
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
        "status": "open",
        "evidence_post_id": post["id"],
        "latest_post_id": post["id"],
        "by_source": {post["source"]: 1},
        "joined_by": {"new": 1},
        "negative_count": 0,
        "title_seg": None,  # segmented once, when its first post settles (`settle`): every snapshot has it
        "_place": env.place,
        "_simhashes": [f"{value:016x}"],
        "_grams": [],
        "_terms": {},
        "_words": {},
        "_provisional": True,  # until its first post is scored: it may still merge into a live event
    }


def _counted(counts: dict[str, int] | None, key: str, n: int) -> dict[str, int]:
    """A copy of per-key counts with `n` added to one key (never below zero)."""
    counts = dict(counts or {})
    counts[key] = max(0, counts.get(key, 0) + n)
    return counts


def _span(event: dict[str, Any], first: str, last: str, latest_post_id: str) -> None:
    """Widen an event's first/last sighting to [first, last]; a later last brings its latest post along.
    Compared as times: an ISO string in +08:00 and one in UTC do not sort as text."""
    if datetime.fromisoformat(last) >= datetime.fromisoformat(event["last_seen"]):
        event["latest_post_id"] = latest_post_id
    event["first_seen"] = min(event["first_seen"], first, key=datetime.fromisoformat)
    event["last_seen"] = max(event["last_seen"], last, key=datetime.fromisoformat)


def _join(event: dict[str, Any], post: dict[str, Any], when: datetime, kind: str) -> dict[str, Any]:
    event = dict(event)
    event["post_count"] += 1
    if len(event["post_ids"]) < POST_IDS_KEPT:
        event["post_ids"] = [*event["post_ids"], post["id"]]
    if post["source"] not in event["sources"]:
        event["sources"] = [*event["sources"], post["source"]]
    event["by_source"] = _counted(event.get("by_source"), post["source"], 1)
    event["joined_by"] = _counted(event.get("joined_by"), kind, 1)
    _span(event, when.isoformat(), when.isoformat(), post["id"])
    return event


# --- after scoring ------------------------------------------------------------------------------


def bigrams(text: str, place: str) -> set[str]:
    """Character bigrams of a normalised text without the place's own name (every candidate shares it) and
    without @mentions (a repost chain's `//@name:` says who carried it, not what happened)."""
    chars = [c for c in MENTION.sub(" ", text) if c.isalnum() and c not in place]
    return {a + b for a, b in itertools.pairwise(chars)}


def incident_terms(scored: dict[str, Any]) -> set[str]:
    terms = (scored.get("explain") or {}).get("risk_terms") or {}
    return {t for cat, found in terms.items() if cat != "urgent" for t in found}


def reports_resolved(normalized: str, terms: tuple[str, ...]) -> bool:
    return any(term in normalized for term in terms)


def post_categories(scored: dict[str, Any]) -> set[str]:
    """The model's risk categories and those of the lexicon's incident terms the post names ("救援车辆" is
    `traffic` to the model and names a `safety` term)."""
    terms = (scored.get("explain") or {}).get("risk_terms") or {}
    named = {cat for cat, found in terms.items() if cat != "urgent" and found}
    return set(scored["risk"]["categories"]) | named


def main_categories(event: dict[str, Any]) -> set[str]:
    """The categories a fair share of the event's posts have (a quarter of the most common one's count): a
    surge gathers every category some comment was read as, which says nothing about the happening."""
    counts: dict[str, int] = event.get("_cats") or {}
    if not counts:
        return set(event.get("categories") or [])
    top = max(counts.values())
    return {c for c, n in counts.items() if 4 * n >= top}


@dataclass(frozen=True)
class Said:
    """What a post says, as `same_happening` compares it with live events: made once per post, not once per
    candidate event (a post at a busy spot is compared with dozens)."""

    grams: set[str]  # character bigrams (place names and @mentions removed)
    words: set[str] | frozenset[str]  # telling words (segment.words_of)
    cats: set[str]  # post_categories
    terms: set[str]  # incident_terms
    relevant: bool
    high: bool
    cry: bool  # of no kind and negative: a cry about whatever it answers

    @classmethod
    def of(cls, grams: set[str], scored: dict[str, Any], words: set[str] | frozenset[str]) -> Said:
        cats = post_categories(scored)
        negative = (scored.get("sentiment") or {}).get("label") == "neg"
        return cls(
            grams=grams,
            words=words,
            cats=cats,
            terms=incident_terms(scored),
            relevant=bool(scored["relevant"]),
            high=scored["risk"]["level"] == "high",
            cry=not cats and negative,
        )


def same_happening(said: Said, event: dict[str, Any], place: str, when: datetime) -> float:
    """How surely a post and a live event of the same city are about one happening (0: not at all). The event
    is at the post's place, or the post names no spot (see `candidates`)."""
    relevant = said.relevant and bool(event.get("relevant"))
    level = LEVELS.index(event.get("peak_level", "none"))
    if level < 2 and not relevant:
        return 0.0  # a minor event is joined by the same words only, between relevant posts
    lexical = _lexical(said, event)
    if level < 2:
        return lexical
    cats = said.cats & main_categories(event)
    unplaced = place == CITY and event.get("_place") not in SPOTLESS_PLACES
    at_spot = place not in SPOTLESS_PLACES and place == event.get("_place")
    if level == 3 and _recent(event, when):
        # minutes after an emergency at a spot, a post in the city that names no spot and is of its kind is
        # about it: it cannot be about a spot it does not name. While the emergency spreads (reposts, copies,
        # replies), so is a post at its spot or naming no spot that uses its telling words ("游船") or, of
        # no kind, is a cry about it ("保佑保佑，一个都不要少") — an unplaced one only if it is no emergency
        # itself. Before it spreads, a post at the spot needs more (below): an emergency must never vanish
        # into whatever the model rated high there.
        if unplaced and cats:
            return max(lexical, 0.6)
        nearby = at_spot or (unplaced and not said.high)
        if _spread(event) >= SURGE_POSTS and nearby:
            told = _shares_words(said.words, event)
            if cats or told or said.cry:
                return max(lexical, 0.6 if cats or told else 0.5)
    if not relevant:
        return 0.0
    profile = 0.0
    spot = place not in SPOTLESS_PLACES or event.get("_place") not in SPOTLESS_PLACES
    if spot:
        # an incident term the event's posts named ("落水"), or its kind and one of its telling words
        # ("游船"); the kind alone is not enough: a fight and a theft at one spot are two happenings
        # an emergency that began minutes ago has few, specific words: one post of its kind naming one of
        # its terms or telling words is enough (its comments overtake its reposts in the fast lane, and its
        # reposts, copies of one text, add no words); otherwise two of its posts must have
        fresh = level == 3 and bool(cats) and _young(event, when)
        least = 1 if fresh else None
        if _shares(said.terms, event, "_terms", least=least):
            profile = 0.75 + 0.25 * bool(cats)
        elif cats and _shares_words(said.words, event, least=least):
            profile = 0.5
    return max(lexical, profile)


def _lexical(said: Said, event: dict[str, Any]) -> float:
    """Half the post's bigrams in the event's vocabulary, and one of its telling words: a growing vocabulary
    covers any post's boilerplate ("来之前在网上看了不少攻略"), which says nothing about a happening. The
    telling word is checked first: it is the cheap test, and most candidates fail it."""
    if not _shares_words(said.words, event, least=1):
        return 0.0
    theirs = _gram_set(event)
    shared = len(said.grams & theirs)
    overlap = shared / max(1, min(len(said.grams), len(theirs)))
    return overlap if shared >= 3 and overlap >= 0.5 else 0.0


def _shares_words(words: set[str], event: dict[str, Any], least: int | None = None) -> bool:
    """Whether the post uses a telling word the event's posts used."""
    if least == 1:  # any of them: every kept count is at least 1
        return not _as_counts(event.get("_words")).keys().isdisjoint(words)
    return _shares(words, event, "_words", least) > 0


def _shares(words: set[str], event: dict[str, Any], key: str, least: int | None = None) -> int:
    """How many of `words` the event's posts used (its `key` counts: telling words or incident terms), each
    by default twice once the event has a few posts: one ordinary post that joined must not pull in
    everything that shares its words, nor make the event a magnet for whatever names them."""
    counts = _as_counts(event.get(key))
    if least is None:
        least = 2 if int(event.get("post_count") or 0) >= 3 else 1
    return sum(counts.get(w, 0) >= least for w in words)


def _spread(event: dict[str, Any]) -> int:
    """How many of the event's posts joined it by spreading it: reposts, replies, copies. Near-duplicates do
    not count: an ordinary text comes back all day with other tails ("…打卡", "#弥勒#"), and a post the model
    over-rated must not become a spreading emergency that gathers its spot."""
    joined = event.get("joined_by") or {}
    return sum(int(joined.get(kind) or 0) for kind in ("thread", "chain", "copy"))


_GRAM_SETS: dict[str, tuple[int, str, frozenset[str]]] = {}
GRAM_SETS_KEPT = 5000


def _gram_set(event: dict[str, Any]) -> frozenset[str]:
    """The event's bigram vocabulary as a set, made once per change of it (a post at a busy spot is compared
    with up to RECENT_KEPT events; their vocabularies change far less often than they are read)."""
    grams = event.get("_grams") or []
    mark = (len(grams), grams[-1] if grams else "")
    cached = _GRAM_SETS.get(event["id"])
    if cached is not None and cached[:2] == mark:
        return cached[2]
    if len(_GRAM_SETS) >= GRAM_SETS_KEPT:
        _GRAM_SETS.clear()
    made = frozenset(grams)
    _GRAM_SETS[event["id"]] = (*mark, made)
    return made


def _young(event: dict[str, Any], when: datetime) -> bool:
    """Whether the event began minutes ago (joins do not keep it young, as they keep it recent)."""
    return abs((when - datetime.fromisoformat(event["first_seen"])).total_seconds()) <= SURGE_RECENT_S


def _recent(event: dict[str, Any], when: datetime) -> bool:
    return abs((when - datetime.fromisoformat(event["last_seen"])).total_seconds()) <= SURGE_RECENT_S


def candidates(t: Tables, place: str) -> list[str]:
    """Live events a post at `place` may be about: its place's; an unplaced post's (one that names no spot)
    also every spot's of the city. A post at a spot never joins an unplaced event: it knows where it is, and
    an emergency at 锦屏山 must not vanish into a city-wide thread about 湖泉. Newest first per place."""
    if place != CITY:
        return list(reversed(t.recent.get(place, [])))
    return [e for p, ids in t.recent.items() if p != ELSEWHERE for e in reversed(ids)]


def _last_seen(event: dict[str, Any] | None) -> datetime:
    return datetime.fromisoformat(event["last_seen"]) if event else datetime.min.replace(tzinfo=UTC)


def settle(
    env: Envelope, scored: dict[str, Any], t: Tables, w: Windows, text_seg: str | None = None
) -> tuple[dict[str, Any] | None, bool]:
    """After scoring: a provisional new event may merge into a live one about the same happening; then the
    event gains the post's scores. Returns (the event after this post, whether the post reports its case
    resolved)."""
    resolved = reports_resolved(env.normalized, w.resolved_terms)
    event_id = resolve(t.events, env.event_id)
    if event_id is None:
        return None, resolved
    env.event_id = event_id  # it may have merged since this post was grouped
    event = t.events[event_id]
    when = _event_time(env.post)
    grams = bigrams(env.normalized, env.place)
    text_seg = segment(env.post["text"]) if text_seg is None else text_seg
    words = words_of(text_seg)
    if event.get("_provisional") and not env.replay:
        # whichever of its posts is scored first decides: a batch is scored in its own order, and a copy
        # grouped after the first post may come first (the first post would then find it settled)
        said = Said.of(grams, scored, words)
        target = _same_happening_target(env, scored, said, t, w, when, resolved, exclude=event_id)
        if target is not None:
            event = _merge(t, event_id, target, "same_happening")
            event_id, env.event_id = target, target
            if env.event_new:
                env.joined_by = "same_happening"
    elif env.joined_by == "near" and not env.replay and _minor(event) and _risky(scored):
        # a near-duplicate of a minor post that reads as an incident the city already has: it goes there
        said = Said.of(grams, scored, words)
        target = _same_happening_target(env, scored, said, t, w, when, resolved, exclude=event_id)
        if target is not None:
            event = _rehome(t, env, event_id, target, when)
            event_id = target
    updated = with_scores(event, scored, env.post["id"], resolved=resolved)
    updated.pop("_provisional", None)
    if env.copy_of is None:  # the event's vocabulary grows with each new wording
        updated["_grams"] = _latest(updated.get("_grams"), grams, GRAMS_KEPT)
        updated["_terms"] = _tally(updated.get("_terms"), incident_terms(scored), TERMS_KEPT)
        updated["_words"] = _tally(updated.get("_words"), words, WORDS_KEPT)
    if updated.get("title_seg") is None and updated.get("first_post_id") == env.post["id"]:
        title = updated["title"]
        updated["title_seg"] = text_seg if title == env.post["text"].strip() else segment(title)
    updated["_touched"] = time.time()
    t.events[event_id] = updated
    if env.copy_of is None and not env.update:  # an original: its copies take these scores
        key = f"{env.place}|{sh.text_hash(env.normalized)}"
        entry = _text_entry(t.texts.get(key)) or {"post": env.post["id"]}
        if entry.get("post") == env.post["id"]:
            t.texts[key] = {**entry, "event": event_id, "scores": kept_scores(scored)}
    return updated, resolved


def _minor(event: dict[str, Any]) -> bool:
    return LEVELS.index(event.get("peak_level", "none")) < 2


def _risky(scored: dict[str, Any]) -> bool:
    return LEVELS.index(scored["risk"]["level"]) >= 2


def _rehome(t: Tables, env: Envelope, from_id: str, to_id: str, when: datetime) -> dict[str, Any]:
    """Move one post (grouped, not yet indexed) from a minor event to the incident it is about."""
    post_id, source = env.post["id"], env.post["source"]
    old = dict(t.events[from_id])
    old["post_count"] = max(1, old["post_count"] - 1)
    old["post_ids"] = [p for p in old["post_ids"] if p != post_id]
    old["by_source"] = _counted(old.get("by_source"), source, -1)
    old["joined_by"] = _counted(old.get("joined_by"), "near", -1)
    t.events[from_id] = old
    member = t.members.get(post_id)
    if member is not None:
        t.members[post_id] = {**member, "event": to_id, "kind": "same_happening"}
    env.event_id, env.joined_by = to_id, "same_happening"
    return _join(t.events[to_id], env.post, when, "same_happening")


def _tally(counts: Any, words: set[str], limit: int) -> dict[str, int]:
    """Counts with one more post's words, the `limit` most used kept (the newest among equals)."""
    counts = dict(_as_counts(counts))
    for word in words:
        counts[word] = counts.pop(word, 0) + 1  # popped: an equal count newer than another sorts after it
    if len(counts) > limit:
        ranked = sorted(enumerate(counts.items()), key=lambda item: (item[1][1], item[0]))
        counts = dict(pair for _, pair in ranked[-limit:])
    return counts


def _as_counts(counts: Any) -> dict[str, int]:
    """Counts as kept now, to read (state from before kept a plain list: each once)."""
    if isinstance(counts, list):
        return dict.fromkeys(counts, 1)
    return counts or {}


def _latest(kept: list[str] | None, new: set[str], limit: int) -> list[str]:
    fresh = sorted(new - set(kept or []))
    return [*(kept or []), *fresh][-limit:]


def _same_happening_target(
    env: Envelope,
    scored: dict[str, Any],
    said: Said,
    t: Tables,
    w: Windows,
    when: datetime,
    resolved: bool,
    exclude: str,
) -> str | None:
    best: tuple[tuple[float, int, int], str] | None = None
    minor_left = MINOR_CANDIDATES
    for candidate in candidates(t, env.place):
        found = resolve_record(t.events, candidate)
        if found is None or found[0] == exclude:
            continue
        live, event = found
        if _minor(event):  # joined by the same words only: the latest few are enough (busy spots have many)
            if minor_left <= 0:
                continue
            minor_left -= 1
        # a resolution report may come the next morning; the happening itself within the incident window
        if not _live(event, when, w.event_s if resolved else w.incident_s):
            continue
        score = same_happening(said, event, env.place, when)
        if resolved and not score and event.get("relevant") and scored["relevant"]:
            # a 通报 names the case in its words ("走失"), of the incident's kind
            shared = set(scored["risk"]["categories"]) & set(event.get("categories") or [])
            named = _shares_words(said.words, event, least=1)
            score = 0.5 if shared and named and LEVELS.index(event["peak_level"]) >= 2 else 0.0
        # equally sure: the one that shares more of the post's telling words, then the larger
        told = _shares(said.words, event, "_words", least=1) if score else 0
        rank = (score, told, int(event.get("post_count") or 1))
        if score > 0 and (best is None or rank > best[0]):
            best = (rank, live)
    return best[1] if best else None


def _merge(t: Tables, source_id: str, target_id: str, kind: str) -> dict[str, Any]:
    """Fold a provisional event (its first post, and copies or near-duplicates grouped with it in the same
    batch) into `target_id`; the old id stays as an alias until it expires."""
    source, target = t.events[source_id], dict(t.events[target_id])
    target["post_count"] += source["post_count"]
    for pid in source["post_ids"]:
        if len(target["post_ids"]) < POST_IDS_KEPT and pid not in target["post_ids"]:
            target["post_ids"] = [*target["post_ids"], pid]
    target["sources"] = [*target["sources"], *(s for s in source["sources"] if s not in target["sources"])]
    for name, n in (source.get("by_source") or {}).items():
        target["by_source"] = _counted(target.get("by_source"), name, n)
    target["joined_by"] = _counted(target.get("joined_by"), kind, source["post_count"])
    _span(target, source["first_seen"], source["last_seen"], source["latest_post_id"])
    target["_simhashes"] = [*target.get("_simhashes", []), *source.get("_simhashes", [])][-SIMHASHES_KEPT:]
    t.events[source_id] = {
        "id": source_id,
        "_merged_into": target_id,
        "_place": source.get("_place"),
        "last_seen": source["last_seen"],
        "_touched": time.time(),
    }
    t.recent[source.get("_place") or ""] = [
        e for e in t.recent.get(source.get("_place") or "", []) if e != source_id
    ]
    return target


def kept_scores(scored: dict[str, Any]) -> dict[str, Any]:
    """What a copy takes from its original: the scores and the part of `explain` people read."""
    explain = scored.get("explain") or {}
    return {
        "relevant": scored["relevant"],
        "spots": scored["spots"],
        "jurisdiction": scored["jurisdiction"],
        "sentiment": scored["sentiment"],
        "risk": scored["risk"],
        "explain": {
            k: explain[k] for k in ("place", "relevance_rule", "level_rule", "risk_terms") if k in explain
        },
    }


def with_scores(
    event: dict[str, Any], scored: dict[str, Any], post_id: str | None = None, *, resolved: bool = False
) -> dict[str, Any]:
    """The event after one of its posts was scored: level (a resolution report never raises it), evidence,
    categories, spots, relevance, station, negative count and status."""
    event = dict(event)
    risk = scored["risk"]
    before = event["peak_level"]
    if not resolved and LEVELS.index(risk["level"]) > LEVELS.index(before):
        event["peak_level"] = risk["level"]
        if post_id:
            event["evidence_post_id"] = post_id
        if LEVELS.index(before) >= 1 and event.get("status") == "open":
            event["status"] = "escalated"
    if not resolved:
        event["peak_score"] = max(event["peak_score"], float(risk["score"]))
        event["categories"] = sorted(set(event["categories"]) | set(risk["categories"]))
        cats = dict(event.get("_cats") or {})
        for category in post_categories(scored):
            cats[category] = cats.get(category, 0) + 1
        event["_cats"] = cats
    event["spots"] = [*event["spots"], *(s for s in scored["spots"] if s not in event["spots"])]
    if scored["relevant"]:
        event["relevant"] = True
        event["jurisdiction"] = event["jurisdiction"] or scored["jurisdiction"]
    if (scored.get("sentiment") or {}).get("label") == "neg":
        event["negative_count"] = int(event.get("negative_count") or 0) + 1
    open_case = event.get("relevant") and event.get("status") != "closed"
    if resolved and open_case and post_id and LEVELS.index(event["peak_level"]) >= 1:
        event["status"] = "reported_resolved"
        event["resolved_post_id"] = post_id
        event["resolved_reported_at"] = datetime.now(UTC).isoformat()
    return event


# --- expiry -------------------------------------------------------------------------------------


def expire(t: Tables, region: str, now: float, w: Windows) -> int:
    """Drop this region's state older than its window (members: `members_s`; events and texts: `event_s`,
    by when the stream last touched them). Called with one of the region's posts as Faust's current event,
    so the deletions go to the right changelog partition. Returns how many entries went."""
    gone = [
        k
        for k, m in list(t.members.items())
        if region_of(m.get("place") or "") == region and now - m.get("at", now) > w.members_s
    ]
    old_events = {
        k
        for k, e in list(t.events.items())
        if region_of(e.get("_place") or "") == region and now - e.get("_touched", now) > w.event_s
    }
    for k in gone:
        del t.members[k]
    for k in old_events:
        del t.events[k]
    texts = [
        k
        for k, v in list(t.texts.items())
        if region_of(k.partition("|")[0]) == region
        and resolve(t.events, (_text_entry(v) or {}).get("event")) is None
    ]
    for k in texts:
        del t.texts[k]
    for place in [p for p in t.recent if region_of(p) == region]:
        t.recent[place] = [e for e in t.recent[place] if e in t.events]
    for key in [k for k in t.bands if region_of(k.partition("|")[0]) == region]:
        kept = [e for e in t.bands[key] if e[0] in t.events]
        if kept:
            t.bands[key] = kept
        else:
            del t.bands[key]
    return len(gone) + len(old_events) + len(texts)


def region_of(place: str) -> str:
    return ELSEWHERE if place == ELSEWHERE else CITY
