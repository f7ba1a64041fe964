"""The web app's own indices: accounts (`users`), audit trail (`audit`), corrections (`corrections`), sign-in
attempts (`logins`, what the login throttle counts), the 公安提示函 numbers given (`letter_numbers`).

They live beside the stream's indices, take `ES_INDEX_PREFIX` like every other name; `yuqing init` creates
them (idempotent; existing indices gain fields added since, as mappings only grow).
"""

from __future__ import annotations

from typing import Any

from elasticsearch import ApiError, Elasticsearch
from elasticsearch import ConnectionError as ESConnectionError

from yuqing.errors import ServiceError
from yuqing.settings import ElasticsearchSettings

USERS, AUDIT, CORRECTIONS, LOGINS = "users", "audit", "corrections", "logins"
# 公安提示函 numbers: one document per number (id `YYYY-N`, made with op_type=create), so two approvals at
# once can never take the same number.
LETTER_NUMBERS = "letter_numbers"

_KEYWORD = {"type": "keyword"}
_DATE = {"type": "date"}
_OPAQUE = {"type": "object", "enabled": False}

USER_PROPERTIES: dict[str, Any] = {
    "username": _KEYWORD,
    # A hash is read back, never searched.
    "password_hash": {"type": "keyword", "index": False, "doc_values": False},
    "role": _KEYWORD,
    "station": _KEYWORD,
    "display_name": {"type": "keyword", "ignore_above": 100},  # 姓名 as the duty room knows the officer
    "disabled": {"type": "boolean"},
    "created_at": _DATE,
    "updated_at": _DATE,
    "password_changed_at": _DATE,
    "last_login_at": _DATE,
    "failed_logins": {"type": "integer"},
    "locked_until": _DATE,
    "sessions_after": _DATE,
}

AUDIT_PROPERTIES: dict[str, Any] = {
    "at": _DATE,
    "user": _KEYWORD,
    "role": _KEYWORD,
    "action": _KEYWORD,
    "target": _KEYWORD,
    "query": {"type": "keyword", "ignore_above": 1024},
    "ip": _KEYWORD,
    "details": _OPAQUE,
}

CORRECTION_PROPERTIES: dict[str, Any] = {
    "post_id": _KEYWORD,
    "by": _KEYWORD,
    "at": _DATE,
    "relevant": {"type": "boolean"},
    "spots": _KEYWORD,
    "level": _KEYWORD,
    "categories": _KEYWORD,
    "sentiment": _KEYWORD,
    "note": {"type": "text", "analyzer": "standard"},
    "false_alarm": {"type": "boolean"},
    "alert_id": _KEYWORD,
    # the number of saves, and each save (by, at, changes: field → from/to), read back and never searched
    "version": {"type": "integer"},
    "versions": _OPAQUE,
}

# Wall-screen tokens (dashboards/screen_tokens.py): the secret is kept as a hash, read back, never searched.
SCREEN_TOKENS = "screen_tokens"
SCREEN_TOKEN_PROPERTIES: dict[str, Any] = {
    "id": _KEYWORD,
    "name": {"type": "keyword", "ignore_above": 100},
    "station": _KEYWORD,
    "secret_sha256": {"type": "keyword", "index": False, "doc_values": False},
    "created_by": _KEYWORD,
    "created_at": _DATE,
    "revoked": {"type": "boolean"},
    "revoked_by": _KEYWORD,
    "revoked_at": _DATE,
}

LOGIN_PROPERTIES: dict[str, Any] = {
    "at": _DATE,
    "name": _KEYWORD,  # the name as typed: unknown names are counted like real ones
    "ip": _KEYWORD,
    "ok": {"type": "boolean"},
}

LETTER_NUMBER_PROPERTIES: dict[str, Any] = {
    "year": {"type": "integer"},
    "seq": {"type": "integer"},
    "letter_id": _KEYWORD,
    "at": _DATE,
}

MAPPINGS: dict[str, dict[str, Any]] = {
    USERS: USER_PROPERTIES,
    AUDIT: AUDIT_PROPERTIES,
    CORRECTIONS: CORRECTION_PROPERTIES,
    LOGINS: LOGIN_PROPERTIES,
    SCREEN_TOKENS: SCREEN_TOKEN_PROPERTIES,
    LETTER_NUMBERS: LETTER_NUMBER_PROPERTIES,
}


def ensure_web_indices(es_client: Elasticsearch, es: ElasticsearchSettings) -> list[str]:
    """Create the web app's indices (MAPPINGS) if missing; one line per index."""
    lines = []
    try:
        for base, properties in MAPPINGS.items():
            name = es.name(base)
            mappings = {"dynamic": "strict", "properties": properties}
            if es_client.indices.exists(index=name):
                es_client.indices.put_mapping(index=name, **mappings)
                lines.append(f"index {name}: exists")
                continue
            try:
                es_client.indices.create(
                    index=name,
                    settings={"number_of_shards": 1, "number_of_replicas": es.replicas},
                    mappings=mappings,
                )
            except ApiError as exc:
                if exc.error != "resource_already_exists_exception":
                    raise
                lines.append(f"index {name}: exists")
                continue
            lines.append(f"index {name}: created ({base})")
    except ESConnectionError as exc:
        raise ServiceError("elasticsearch", f"cannot reach {es.url}: {exc}") from exc
    except ApiError as exc:
        raise ServiceError("elasticsearch", f"setup of the web indices failed: {exc}") from exc
    return lines
