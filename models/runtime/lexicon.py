"""The risk lexicon, read from `config/lexicon.yaml`: risk terms per category, urgency cues, and the words
that cap the level of a report (models/runtime/reported.py).

Which categories fired is blended into the model's category probabilities (models/runtime/relevance.py
`fused_categories`, weight tuned on dev), a `high` needs one of the terms in the text, and `explain` shows the
terms found, so an analyst sees which words point at which category. `urgent` words (something happening
now) are shown as urgency cues only; the lexicon never decides relevance. A deployment may edit the file
(YUQING_CONFIG_DIR); matching is on normalised (simplified) text. A deployment that changes the terms should
re-run the calibration, since the fitted thresholds assume them.

The file is validated when first read (the scorer reads it when it is built, the stream worker when it
starts): a mistake raises ConfigError naming the file and the key (`risk_terms.safety.27`). A config folder
without the file (one made before the lexicon moved out of the code) gets the one of the checkout.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict

from yuqing.config import load_model
from yuqing.settings import DEFAULT_CONFIG_DIR, config_dir

LEXICON_FILE = "lexicon.yaml"


def _word(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f'{value!r} is not text: write it in quotes ("{value}")')
    if not value.strip() or value != value.strip():
        raise ValueError(f"{value!r}: a word may not be empty nor begin or end with a space")
    return value


Word = Annotated[str, BeforeValidator(_word)]
Words = tuple[Word, ...]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RiskTerms(_Strict):
    """Per risk category (yuqing.schema.RiskCategory, in its order), the words that point at it."""

    public_order: Words
    traffic: Words
    safety: Words
    consumer: Words
    health: Words
    disaster: Words
    police: Words
    environment: Words


class ReportWords(_Strict):
    """The word lists of models/runtime/reported.py."""

    live: Words  # the case is still live, or may be: nothing is capped
    resolved: Words  # the case is reported resolved
    harm: Words  # harm, an offence or a conduct case: a resolved case stays a case (medium)
    missing: Words  # the one trouble a report can close with nobody harmed
    responders: Words  # lexicon terms that name who answered, not what happened
    institution: Words  # with `announce` (and no complaint, no first person): an official notice
    announce: Words
    complaint: Words


class Lexicon(_Strict):
    risk_terms: RiskTerms
    urgent: Words
    reports: ReportWords


def lexicon_path(directory: Path | None = None) -> Path:
    """`lexicon.yaml` of the config folder; the checkout's when that folder has none."""
    path = (directory or config_dir()) / LEXICON_FILE
    return path if path.exists() else DEFAULT_CONFIG_DIR / LEXICON_FILE


def load_lexicon(directory: Path | None = None) -> Lexicon:
    """The validated lexicon of `directory` (default: YUQING_CONFIG_DIR), read once per file and process;
    ConfigError names the file and the key."""
    return _load(lexicon_path(directory))


@lru_cache(maxsize=4)
def _load(path: Path) -> Lexicon:
    return load_model(path, Lexicon)


def alternation(terms: tuple[str, ...]) -> re.Pattern:
    """The longest term first; a number ("120", "110") only standing alone, not inside "门票1200". No terms:
    a pattern that never matches."""

    def one(term: str) -> str:
        edge_l = r"(?<!\d)" if term[0].isdigit() else ""
        edge_r = r"(?!\d)" if term[-1].isdigit() else ""
        return edge_l + re.escape(term) + edge_r

    return re.compile("|".join(one(t) for t in sorted(terms, key=len, reverse=True)) or r"(?!)")


def folder_key() -> str | None:
    """What decides the config folder (`YUQING_CONFIG_DIR`, yuqing.settings.config_dir): the cache key of the
    compiled patterns, read for every post, so a string lookup rather than a Path."""
    return os.environ.get("YUQING_CONFIG_DIR")


@lru_cache(maxsize=4)
def _patterns(key: str | None) -> dict[str, re.Pattern]:
    lexicon = load_lexicon()
    pats = {cat: alternation(terms) for cat, terms in lexicon.risk_terms}
    pats["urgent"] = alternation(lexicon.urgent)
    return pats


def names_incident(terms: dict[str, list[str]]) -> bool:
    """Whether `risk_terms` found a category's term (urgency cues alone are no incident)."""
    return any(k != "urgent" for k in terms)


def risk_terms(text: str) -> dict[str, list[str]]:
    """Category (and `urgent`) → the distinct terms found in normalised `text`, in order of appearance."""
    out: dict[str, list[str]] = {}
    for cat, pat in _patterns(folder_key()).items():
        found = list(dict.fromkeys(pat.findall(text)))
        if found:
            out[cat] = found
    return out
