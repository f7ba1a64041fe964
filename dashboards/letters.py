"""公安提示函 under a person's control: list, edit a draft, approve it (a number, then the e-mail), reject it.

The stream writes drafts (streams/notify/letters.py) and never touches a letter once it is not a draft. Every
write here is a partial update guarded by the sequence number the person read (`version`, "seq_no:term"), so
two people at once never overwrite each other: the second is told in Chinese what the first did. Numbers are
documents of their own (`letter_numbers`, id `YYYY-N`, created with op_type=create), so two approvals cannot
take the same number. Sending is claimed by a guarded write (`sending_at`) and the Message-ID is fixed per
letter, so a letter is never sent twice; a failed send leaves it approved, with the error, to be sent again.

Exceptions, drawn:

    LetterError    the letter's state or version does not allow it (409), or the request lacks what it needs
                   (400: a reason or a text; 422: a field too long, an unknown status)
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from elasticsearch import AsyncElasticsearch, ConflictError, NotFoundError

from dashboards.alerts import hhmm
from dashboards.messages import say
from yuqing.schema import TZ
from yuqing.settings import ElasticsearchSettings
from yuqing.webstore import LETTER_NUMBERS

PREFIX = "弥公提"  # 弥公提〔2026〕12号, as yuqing.schema.Letter documents it
STATUS_NAMES = {"draft": "待审批", "approved": "已批准，未发出", "sent": "已发送", "rejected": "已驳回"}
ACTION_NAMES = {
    "letter_edit": "修改", "letter_approve": "批准", "letter_reject": "驳回", "letter_send": "发送",
    "letter_send_failed": "发送失败",
}  # fmt: skip
FIELD_NAMES = {"subject": "标题", "facts": "情况", "excerpt": "网民原帖摘录", "requested_action": "提示事项"}
MAX_CHARS = {"subject": 200, "facts": 5000, "excerpt": 5000, "requested_action": 2000}
REQUIRED = ("subject", "facts", "requested_action")
REASON_CHARS = 2000
# A send claimed longer ago than this is taken to have died with its process (PDF + SMTP take seconds).
SEND_CLAIM = timedelta(minutes=2)
PAGE_SIZE = 25


class LetterError(Exception):
    """What cannot be done to this letter; `status` is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.status = status


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def version_of(letter: dict[str, Any]) -> str:
    return f"{letter['_seq_no']}:{letter['_primary_term']}"


def number_text(year: int, seq: int) -> str:
    return f"{PREFIX}〔{year}〕{seq}号"


def message_id(letter_id: str, number: str) -> str:
    """The same for every attempt of one letter: a resend after a crash is the same message to the relay."""
    digest = hashlib.sha1(f"{letter_id}|{number}".encode()).hexdigest()[:24]
    return f"<letter-{digest}@yuqing.mile>"


def taken_message(letter: dict[str, Any]) -> str:
    """What a colleague's earlier action left, in the words the page shows."""
    status = letter.get("status") or "draft"
    if status in ("approved", "sent"):
        number = f"（{letter['number']}）" if letter.get("number") else ""
        key = "letter_taken_sent" if status == "sent" else "letter_taken_approved"
        return say(key, who=letter.get("approved_by"), at=hhmm(letter.get("approved_at")), number=number)
    if status == "rejected":
        who, at = letter.get("rejected_by"), hhmm(letter.get("rejected_at"))
        return say("letter_taken_rejected", who=who, at=at, reason=letter.get("reject_reason"))
    if letter.get("edited_by"):
        return say("letter_taken_edited", who=letter["edited_by"], at=hhmm(letter.get("edited_at")))
    return say("letter_taken_updated")


def edits(letter: dict[str, Any], body: dict[str, Any], user: str) -> dict[str, Any]:
    """The fields a save changes (the letter's texts only), with who and when; LetterError for a bad text."""
    changes: dict[str, Any] = {}
    for field, limit in MAX_CHARS.items():
        if field not in body:
            continue
        value = body[field]
        if not isinstance(value, str):
            raise LetterError(say("letter_field_text", field=FIELD_NAMES[field]), 422)
        value = value.replace("\r\n", "\n").strip()
        if field in REQUIRED and not value:
            raise LetterError(say("letter_field_empty", field=FIELD_NAMES[field]), 400)
        if len(value) > limit:
            raise LetterError(say("letter_field_long", field=FIELD_NAMES[field], limit=limit), 422)
        if value != (letter.get(field) or ""):
            changes[field] = value
    if not changes:
        raise LetterError(say("letter_unchanged"), 400)
    return changes | {"edited_by": user, "edited_at": now_iso()}


def reason(text: Any) -> str:
    text = text.strip() if isinstance(text, str) else ""
    if not text:
        raise LetterError(say("letter_reason"), 400)
    if len(text) > REASON_CHARS:
        raise LetterError(say("letter_reason_long", limit=REASON_CHARS), 422)
    return text


def claim_open(letter: dict[str, Any], now: datetime | None = None) -> bool:
    """Whether another request is sending this letter right now."""
    since = letter.get("sending_at")
    if not since:
        return False
    started = datetime.fromisoformat(str(since).replace("Z", "+00:00"))
    return (now or datetime.now(UTC)) - started < SEND_CLAIM


def approved_year(letter: dict[str, Any]) -> int:
    moment = datetime.fromisoformat(str(letter.get("approved_at") or now_iso()).replace("Z", "+00:00"))
    return moment.astimezone(TZ).year


class LetterStore:
    """The `letters` index (the stream's drafts) and the `letter_numbers` index."""

    def __init__(self, es: AsyncElasticsearch, settings: ElasticsearchSettings) -> None:
        self.es, self.index, self.numbers = es, settings.name("letters"), settings.name(LETTER_NUMBERS)

    async def get(self, letter_id: str) -> dict[str, Any] | None:
        try:
            doc = await self.es.get(index=self.index, id=letter_id)
        except NotFoundError:
            return None
        return doc["_source"] | {"_seq_no": doc["_seq_no"], "_primary_term": doc["_primary_term"]}

    async def search(
        self, status: str | None, scope: str | None, page: int = 1, size: int = PAGE_SIZE
    ) -> tuple[int, list[dict[str, Any]], dict[str, int]]:
        """One page of letters (newest first) with the count per status, in the viewer's scope."""
        scoped = [{"term": {"jurisdiction": scope}}] if scope is not None else []
        filters = [*scoped, {"term": {"status": status}}] if status else scoped
        resp = await self.es.search(
            index=self.index,
            query={"bool": {"filter": filters}},
            sort=[{"created_at": "desc"}, {"id": "asc"}],
            size=size,
            from_=min((page - 1) * size, 10_000 - size),
            track_total_hits=True,
        )
        counts = await self.es.search(
            index=self.index,
            query={"bool": {"filter": scoped}},
            size=0,
            aggs={"status": {"terms": {"field": "status", "size": 10}}},
        )
        by_status = {b["key"]: b["doc_count"] for b in counts["aggregations"]["status"]["buckets"]}
        return resp["hits"]["total"]["value"], [h["_source"] for h in resp["hits"]["hits"]], by_status

    async def update(self, letter: dict[str, Any], changes: dict[str, Any], version: str | None = None):
        """Write `changes` if the letter is still at `version` (the one the person read; else as fetched);
        the letter as it is now, or LetterError saying what the other writer did."""
        seq, term = letter["_seq_no"], letter["_primary_term"]
        if version:
            try:
                seq, term = (int(p) for p in str(version).split(":"))
            except ValueError as exc:
                raise LetterError(say("letter_version"), 422) from exc
        try:
            resp = await self.es.update(
                index=self.index, id=letter["id"], doc=changes, if_seq_no=seq, if_primary_term=term,
                refresh="wait_for",
            )  # fmt: skip
        except ConflictError as exc:
            now = await self.get(letter["id"]) or letter
            raise LetterError(taken_message(now)) from exc
        now = {"_seq_no": resp["_seq_no"], "_primary_term": resp["_primary_term"]}
        return {k: v for k, v in letter.items() if not k.startswith("_")} | changes | now

    async def allocate_number(self, letter_id: str, year: int) -> str:
        """The letter's number for `year`: the one it was given before (a retry), else the next free one."""
        await self.es.indices.refresh(index=self.numbers)
        mine = await self.es.search(index=self.numbers, query={"term": {"letter_id": letter_id}}, size=1)
        if mine["hits"]["hits"]:
            src = mine["hits"]["hits"][0]["_source"]
            return number_text(src["year"], src["seq"])
        last = await self.es.search(
            index=self.numbers, query={"term": {"year": year}}, sort=[{"seq": "desc"}], size=1
        )
        seq = last["hits"]["hits"][0]["_source"]["seq"] + 1 if last["hits"]["hits"] else 1
        while True:  # a colleague's number not yet searchable: its id is taken, try the next one
            try:
                await self.es.create(
                    index=self.numbers,
                    id=f"{year}-{seq}",
                    document={"year": year, "seq": seq, "letter_id": letter_id, "at": now_iso()},
                    refresh="wait_for",
                )
                return number_text(year, seq)
            except ConflictError:
                seq += 1
