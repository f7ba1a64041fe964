"""The project's labelled posts: the template set (tourism_posts.jsonl, made by models/training/templates),
the written posts (written/), the natural test sets (natural/, natural_long/) and their loaders."""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
TOURISM_FILE = DATA_DIR / "tourism_posts.jsonl"
