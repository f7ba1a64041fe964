"""Every field the Kibana saved objects name exists in the real index mapping `yuqing init` makes."""

from __future__ import annotations

from typing import Any

from dashboards.saved_objects import load_objects, referenced_fields, saved_object_files
from yuqing.settings import Settings


def _paths(properties: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out = {}
    for name, spec in properties.items():
        path = prefix + name
        if "properties" in spec:
            out |= _paths(spec["properties"], path + ".")
        else:
            out[path] = spec.get("type", "object")
    return out


def test_saved_objects_name_only_real_fields(initialized: Settings, es_client) -> None:
    objects = [obj for path in saved_object_files() for obj in load_objects(path)]
    views = {o["id"]: o["attributes"]["title"] for o in objects if o["type"] == "index-pattern"}
    assert set(views.values()) == {"posts", "alerts"}
    mappings = {}
    for title in views.values():
        got = es_client.indices.get_mapping(index=initialized.es.name(title))
        mappings[title] = {}
        for index in got.values():
            mappings[title] |= _paths(index["mappings"]["properties"])
    checked = 0
    for obj in objects:
        if obj["type"] == "index-pattern":
            title = obj["attributes"]["title"]
        else:
            refs = [r["id"] for r in obj.get("references", []) if r["type"] == "index-pattern"]
            if not refs:
                continue
            title = views[refs[0]]
        for field in referenced_fields(obj):
            assert field in mappings[title], f"{obj['id']}: {field} is not a field of {title}"
            # Kibana aggregates only on keyword, numeric, date and boolean fields (text has no doc values).
            assert mappings[title][field] != "text" or obj["type"] == "search", (obj["id"], field)
            checked += 1
    assert checked >= 15


def test_the_dashboard_refers_to_objects_in_the_files() -> None:
    objects = [obj for path in saved_object_files() for obj in load_objects(path)]
    ids = {o["id"] for o in objects}
    (dashboard,) = [o for o in objects if o["type"] == "dashboard"]
    assert {r["id"] for r in dashboard["references"]} <= ids
    assert len(dashboard["references"]) >= 7
