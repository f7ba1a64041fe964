"""Kibana saved objects (`dashboards/kibana/*.ndjson`) and `yuqing kibana import`, which loads them into a
reachable Kibana through its saved-objects import API (overwriting the project's own objects)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from yuqing.errors import ServiceError

KIBANA_DIR = Path(__file__).resolve().parent / "kibana"


def saved_object_files() -> list[Path]:
    return sorted(KIBANA_DIR.glob("*.ndjson"))


def load_objects(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def referenced_fields(obj: dict[str, Any]) -> set[str]:
    """Every index field a saved object names: the data view's time field, aggregation fields, sort fields."""
    attrs = obj.get("attributes", {})
    fields: set[str] = set()
    if attrs.get("timeFieldName"):
        fields.add(attrs["timeFieldName"])
    vis_state = attrs.get("visState")
    if vis_state:
        for agg in json.loads(vis_state).get("aggs", []):
            params = agg.get("params", {})
            if params.get("field"):
                fields.add(params["field"])
    for column in attrs.get("columns", []) or []:
        fields.add(column)
    for sort in attrs.get("sort", []) or []:
        if isinstance(sort, list) and sort:
            fields.add(sort[0])
    return fields


def import_objects(
    kibana_url: str, files: list[Path] | None = None, transport: httpx.BaseTransport | None = None
) -> list[str]:
    """POST each file to `<kibana>/api/saved_objects/_import?overwrite=true`; one line per file."""
    lines = []
    with httpx.Client(base_url=kibana_url, timeout=30, transport=transport) as client:
        for path in files or saved_object_files():
            try:
                resp = client.post(
                    "/api/saved_objects/_import",
                    params={"overwrite": "true"},
                    headers={"kbn-xsrf": "yuqing"},
                    files={"file": (path.name, path.read_bytes(), "application/ndjson")},
                )
            except httpx.HTTPError as exc:
                raise ServiceError("kibana", f"cannot reach {kibana_url}: {exc}") from exc
            if resp.status_code != 200:
                raise ServiceError(
                    "kibana", f"import of {path.name} refused ({resp.status_code}): {resp.text[:300]}"
                )
            body = resp.json()
            if not body.get("success", False):
                raise ServiceError("kibana", f"import of {path.name} failed: {body.get('errors')}")
            lines.append(f"{path.name}: {body.get('successCount', 0)} objects imported")
    return lines
