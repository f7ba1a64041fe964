"""README's table of source keys names every key the source models accept, and no key they do not."""

from __future__ import annotations

import re

from pydantic import BaseModel

from crawlers.sources import ForumSource, NewsSource, RssSource, SocialApiSource
from yuqing.settings import REPO_ROOT


def model_keys(model: type[BaseModel], prefix: str = "") -> set[str]:
    keys = set()
    for name, info in model.model_fields.items():
        kind = info.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            keys |= model_keys(kind, f"{prefix}{name}.")
        else:
            keys.add(prefix + name)
    return keys


def documented_keys() -> set[str]:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("**Every key of every source**") :]
    section = section[: section.index("\n\n", section.index("| key |"))]
    keys = set()
    for row in section.splitlines():
        if not row.startswith("| `"):
            continue
        cell = row.split("|")[1]
        names = re.findall(r"`([^`]+)`", cell)
        head = names[0]
        keys.add(head)
        parent = head.rsplit(".", 1)[0] if "." in head else ""
        keys |= {parent + name for name in names[1:] if name.startswith(".")}
    return keys


def test_every_source_key_is_documented() -> None:
    accepted = set().union(*(model_keys(m) for m in (RssSource, NewsSource, SocialApiSource, ForumSource)))
    documented = documented_keys()
    assert accepted - documented == set(), "keys missing from README's source table"
    assert documented - accepted == set(), "README documents keys the sources do not accept"
