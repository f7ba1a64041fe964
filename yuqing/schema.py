"""The records every stage shares (`Post`, `ScoredPost`, `Event`, `Alert`) and the Kafka topic names.

A post's id is stable: `source:source_id` when the source has its own ids, else `source:url-sha1`,
so a replay or a re-crawl never makes a second document.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, computed_field, field_validator

from yuqing.errors import InvalidPost

TZ = ZoneInfo("Asia/Shanghai")

# Kafka topics (prefixed by KafkaSettings.topic_prefix).
TOPIC_RAW = "posts.raw"
TOPIC_SCORED = "posts.scored"
TOPIC_DLQ = "posts.dlq"
TOPIC_ALERTS = "alerts"
# The stream's own hops, keyed by place (the main scenic spot) so that event and rule state is co-partitioned.
TOPIC_PLACED = "posts.placed"
# The fast lane: posts that may be urgent, keyed by place like posts.placed, processed by an agent of
# their own so that they never queue behind ordinary posts.
TOPIC_URGENT = "posts.urgent"
TOPICS = (TOPIC_RAW, TOPIC_SCORED, TOPIC_DLQ, TOPIC_ALERTS, TOPIC_PLACED, TOPIC_URGENT)

MAX_TEXT_CHARS = 100_000
PARENT_TEXT_CHARS = 2000
# Control characters (C0, DEL, C1) and the Unicode line and paragraph separators: never valid in an id or a
# URL (a CR/LF in an id ends up in a mail header), noise in a one-line field such as an author or a title.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# The same, less the line breaks and tabs that body text legitimately has.
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# A clock skew allowance: a post "published" further in the future than this is a parse error upstream.
FUTURE_SKEW = timedelta(hours=1)


class RiskLevel(StrEnum):
    none = "none"
    low = "low"
    medium = "medium"
    high = "high"


class RiskCategory(StrEnum):
    public_order = "public_order"
    traffic = "traffic"
    safety = "safety"
    consumer = "consumer"
    health = "health"
    disaster = "disaster"
    police = "police"
    environment = "environment"


class SentimentLabel(StrEnum):
    neg = "neg"
    neu = "neu"
    pos = "pos"


def normalise_url(url: str) -> str:
    """Lower-case scheme and host, drop the fragment: the same page gives the same id."""
    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))


def make_post_id(source: str, source_id: str | None, url: str | None) -> str:
    """The stable document id of a post."""
    if source_id:
        return f"{source}:{source_id}"
    if url:
        return f"{source}:{hashlib.sha1(normalise_url(url).encode()).hexdigest()[:20]}"
    raise InvalidPost("a post needs a source_id or a url to have a stable id", field="source_id")


def _as_shanghai(value: datetime) -> datetime:
    # Chinese sites print local time without a zone; naive means Asia/Shanghai.
    return value.replace(tzinfo=TZ) if value.tzinfo is None else value


class Engagement(BaseModel):
    """Counts a platform shows next to a post; they change as a post spreads."""

    model_config = ConfigDict(extra="forbid")

    reposts: int = Field(0, ge=0)
    comments: int = Field(0, ge=0)
    likes: int = Field(0, ge=0)
    views: int = Field(0, ge=0)


LINK_FIELDS = ("thread_id", "parent_id", "root_id")


class Post(BaseModel):
    """One crawled post, article, review or reply, as it goes onto `posts.raw`.

    Conversation links name other posts of the same source by their `source_id`: `thread_id` the opening post
    of a forum thread or the post a comment section hangs under (the opening post names itself), `parent_id`
    the post this one replies to, comments on or reposts directly, `root_id` the original at the root of a
    repost chain. `parent_text` is the parent's (or the thread's opening) text when the source shows it beside
    the reply: context for judging "顶" or "太坑了", never indexed as the post's own words.

    Ids and URLs with control characters are refused (a CR/LF in an id would reach a mail header); authors
    and titles have them replaced by spaces; body text keeps its line breaks and tabs and loses the rest.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    source: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.\-]+$")
    source_id: str | None = Field(None, max_length=200)
    url: str | None = Field(None, max_length=4000)
    author: str | None = Field(None, max_length=200)
    title: str | None = Field(None, max_length=1000)
    text: str = Field(max_length=MAX_TEXT_CHARS)
    published_at: datetime | None = None
    crawled_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    engagement: Engagement = Field(default_factory=Engagement)
    thread_id: str | None = Field(None, max_length=200, description="the thread's opening post (source id)")
    parent_id: str | None = Field(None, max_length=200, description="the post replied to or reposted")
    root_id: str | None = Field(None, max_length=200, description="the original of a repost chain")
    parent_text: str | None = Field(
        None, max_length=PARENT_TEXT_CHARS, description="the parent's text, as context (not indexed)"
    )
    extras: dict[str, Any] = Field(default_factory=dict)

    @field_validator("source_id", "thread_id", "parent_id", "root_id", "url")
    @classmethod
    def _no_control(cls, value: str | None) -> str | None:
        if value is not None and _CONTROL.search(value):
            raise ValueError("contains a control character (line break, tab or other)")
        if value == "":
            return None
        return value

    @field_validator("author", "title", mode="before")
    @classmethod
    def _one_line(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = " ".join(_CONTROL.sub(" ", value).split())
            return value or None
        return value

    @field_validator("text", "parent_text", mode="before")
    @classmethod
    def _clean_text(cls, value: Any) -> Any:
        return _TEXT_CONTROL.sub("", value) if isinstance(value, str) else value

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if any(c.isspace() for c in value):
            raise ValueError("contains whitespace")
        if urlsplit(value).scheme not in ("http", "https"):
            raise ValueError("must be an http(s) URL")
        return value

    @field_validator("text")
    @classmethod
    def _has_text(cls, value: str) -> str:
        if not value:
            raise ValueError("must not be empty")
        return value

    @field_validator("published_at", "crawled_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        value = _as_shanghai(value)
        if value > datetime.now(UTC) + FUTURE_SKEW:
            raise ValueError("lies in the future")
        return value

    @computed_field  # type: ignore[prop-decorator]
    @property
    def id(self) -> str:
        return make_post_id(self.source, self.source_id, self.url)

    def links(self) -> dict[str, str]:
        """The posts this one names (`thread`, `parent`, `root`) as post ids; a link to itself is none."""
        own = self.source_id
        named = {f.removesuffix("_id"): getattr(self, f) for f in LINK_FIELDS}
        return {k: f"{self.source}:{v}" for k, v in named.items() if v and v != own}

    @classmethod
    def parse(cls, data: bytes | str | dict[str, Any]) -> Post:
        """Validate raw input; any problem becomes InvalidPost naming the field and the reason."""
        try:
            if isinstance(data, bytes):
                data = data.decode("utf-8")
            if not isinstance(data, dict):
                data = json.loads(data)
            if not isinstance(data, dict):
                raise InvalidPost("must be a JSON object")
            # `id` is derived, never trusted from input.
            post = cls.model_validate({k: v for k, v in data.items() if k != "id"})
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err["loc"]) or None
            raise InvalidPost(err["msg"], field=field) from exc
        except UnicodeDecodeError as exc:
            raise InvalidPost(f"not valid UTF-8: {exc}") from exc
        except ValueError as exc:
            raise InvalidPost(f"not valid JSON: {exc}") from exc
        if not post.source_id and not post.url:
            raise InvalidPost("a post needs a source_id or a url to have a stable id", field="source_id")
        return post

    def to_json(self) -> bytes:
        return self.model_dump_json().encode()


class Sentiment(BaseModel):
    label: SentimentLabel = SentimentLabel.neu
    score: float = Field(0.0, ge=0.0, le=1.0)


class Risk(BaseModel):
    level: RiskLevel = RiskLevel.none
    score: float = Field(0.0, ge=0.0, le=1.0)
    categories: list[RiskCategory] = Field(default_factory=list)


class ScoredPost(Post):
    """A post after the stream: placed, deduplicated into an event, and scored."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    relevant: bool = False
    spots: list[str] = Field(default_factory=list)
    jurisdiction: str | None = None
    sentiment: Sentiment = Field(default_factory=Sentiment)
    risk: Risk = Field(default_factory=Risk)
    event_id: str | None = None
    explain: dict[str, Any] = Field(default_factory=dict)
    text_seg: str | None = Field(None, description="jieba segmentation of title+text for the index")
    first_seen_at: datetime | None = Field(
        None, description="when the stream first saw this id: decides the monthly index of an undated post"
    )
    scored_at: datetime | None = None
    copy_of: str | None = Field(
        None, description="the post whose text this one copies: its scores are that post's, not scored again"
    )
    joined_by: str | None = Field(
        None, description="how the post joined its event: new, thread, chain, copy, near, same_happening"
    )


class AlertStatus(StrEnum):
    """Where an alert stands in the duty room (the dashboard moves it; the stream only creates it)."""

    new = "new"
    acknowledged = "acknowledged"
    resolved = "resolved"
    false_alarm = "false_alarm"


# Fields of an alert the stream owns and may refresh as its event grows; the rest (status, assignee,
# who acknowledged or resolved it, the note) belong to the people working it and are never overwritten.
ALERT_STREAM_FIELDS = (
    "rule", "rule_type", "level", "event_id", "post_ids", "spots", "jurisdiction", "summary", "categories",
    "reason", "evidence", "similar_count", "updated_at", "recipients", "cc", "agencies", "notified_at",
    "message_id", "event_status", "event_size", "sources",
)  # fmt: skip


class Alert(BaseModel):
    """A warning raised by a rule, e-mailed to the station responsible, worked in the alert console."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    rule: str = Field(min_length=1)
    rule_type: str = ""
    level: RiskLevel
    event_id: str | None = None
    post_ids: list[str] = Field(default_factory=list)
    spots: list[str] = Field(default_factory=list)
    jurisdiction: str | None = None
    summary: str = Field(min_length=1, max_length=500)
    categories: list[RiskCategory] = Field(default_factory=list)
    reason: dict[str, Any] = Field(
        default_factory=dict, description="why the rule fired: scores, terms, counts"
    )
    evidence: dict[str, Any] = Field(
        default_factory=dict, description="the post behind it: excerpt, url, author, source, times"
    )
    similar_count: int = Field(0, ge=0, description="posts in the same event besides the first")
    raised_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    updated_at: datetime | None = None
    recipients: list[str] = Field(default_factory=list)
    cc: list[str] = Field(default_factory=list)
    agencies: list[str] = Field(default_factory=list, description="other agencies notified (通报)")
    notified_at: datetime | None = Field(None, description="when the SMTP server accepted the e-mail")
    message_id: str | None = None
    delivered: list[str] = Field(
        default_factory=list, description="Message-IDs the relay accepted (the station's and each agency's)"
    )
    status: AlertStatus = AlertStatus.new
    assignee: str | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    note: str | None = Field(None, max_length=4000)
    event_status: str | None = Field(
        None, description="the event's status: open, escalated, reported_resolved"
    )
    event_size: int = Field(0, ge=0, description="posts in the event when the alert was last refreshed")
    sources: list[str] = Field(default_factory=list, description="platforms the event has reached")
    mailed: dict[str, Any] = Field(
        default_factory=dict, description="what the last e-mail told: level, size, sources, status, when"
    )
    history: list[dict[str, Any]] = Field(
        default_factory=list, description="raised, escalated, grew, spread, reported resolved: each change"
    )
    update_due_at: datetime | None = Field(
        None, description="an update e-mail is owed and goes out at this time (at most one per interval)"
    )

    def stream_fields(self) -> dict[str, Any]:
        """The part of the document the stream may overwrite (see ALERT_STREAM_FIELDS)."""
        return self.model_dump(mode="json", include=set(ALERT_STREAM_FIELDS))


class EventStatus(StrEnum):
    """Where an incident stands: the stream opens, escalates and marks it resolved; people close it."""

    open = "open"
    escalated = "escalated"
    reported_resolved = "reported_resolved"
    closed = "closed"


class Event(BaseModel):
    """One happening (an incident): a thread, a repost chain, copies and near-duplicates, and posts about the
    same thing at the same place and time; its level is the highest level its posts support."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    first_post_id: str
    title: str = Field("", max_length=500, description="an excerpt of the first post")
    first_seen: datetime
    last_seen: datetime
    post_count: int = Field(1, ge=1)
    post_ids: list[str] = Field(default_factory=list, description="the first posts of the event (capped)")
    sources: list[str] = Field(default_factory=list)
    spots: list[str] = Field(default_factory=list)
    jurisdiction: str | None = None
    relevant: bool = False
    peak_level: RiskLevel = RiskLevel.none
    peak_score: float = Field(0.0, ge=0.0, le=1.0)
    categories: list[RiskCategory] = Field(default_factory=list)
    simhash: str = Field("", description="64-bit SimHash of the first post's normalised text, hex")
    status: EventStatus = EventStatus.open
    evidence_post_id: str | None = Field(None, description="the post that supports the event's peak level")
    latest_post_id: str | None = None
    by_source: dict[str, int] = Field(default_factory=dict, description="posts per platform (source)")
    joined_by: dict[str, int] = Field(default_factory=dict, description="posts per way of joining")
    negative_count: int = Field(0, ge=0, description="posts of the event read as negative")
    resolved_post_id: str | None = Field(None, description="the post reporting the case resolved")
    resolved_reported_at: datetime | None = None


class LetterStatus(StrEnum):
    draft = "draft"
    approved = "approved"
    sent = "sent"
    rejected = "rejected"


class Letter(BaseModel):
    """A 公安提示函 to another agency about one event: a draft until a supervisor approves it (then numbered
    弥公提〔YYYY〕N号 and sent); the stream writes and refreshes drafts, never sends one."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    event_id: str
    alert_id: str | None = None
    agency: str = Field(description="the agency's key in stations.yaml")
    agency_name: str
    agency_email: str
    status: LetterStatus = LetterStatus.draft
    number: str | None = Field(None, description="弥公提〔YYYY〕N号, assigned at approval")
    subject: str
    facts: str = Field(description="what happened, where, the station responsible, the categories")
    excerpt: str = ""
    evidence: list[dict[str, Any]] = Field(default_factory=list, description="post id, url, source, time")
    requested_action: str
    spots: list[str] = Field(default_factory=list)
    jurisdiction: str | None = None
    categories: list[RiskCategory] = Field(default_factory=list)
    level: RiskLevel = RiskLevel.medium
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    updated_at: datetime | None = None
    approved_by: str | None = None
    approved_at: datetime | None = None
    sent_at: datetime | None = None
    message_id: str | None = Field(None, description="the e-mail's Message-ID, fixed per letter and number")
    # A person's work on it (dashboards/letters.py): the stream keeps an edited draft's text.
    edited_by: str | None = None
    edited_at: datetime | None = None
    rejected_by: str | None = None
    rejected_at: datetime | None = None
    reject_reason: str | None = None
    sending_at: datetime | None = Field(None, description="a send in progress (a claim: never sent twice)")
    send_error: str | None = Field(None, description="why the last send failed (approved, not sent)")
