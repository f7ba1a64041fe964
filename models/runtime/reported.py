"""What a report says happened, when it is not happening now: a case resolved (found safe, rescued, arrested,
handled) or an official notice (an opening, a campaign, statistics, a reminder). Such text names incident
words without being an emergency, and the level head, trained mostly on posts written in the moment, reads
"走失 … 民警连夜搜寻安全找回" as `high`.

The level such text may reach (`report_cap`):
- a case reported resolved: `medium` when it names harm, an offence or any incident of the risk lexicon (the
  case is still the police's: a follow-up, a record; the training writers label such reports medium), `low`
  when the only trouble was someone missing, found safe;
- an official notice (an institution announcing, campaigning, counting or reminding, with no first-person
  complaint): `low`, or `medium` when it names harm, an offence or an incident.
Nothing is capped while the text says the case is still live or may be ("还没找到", "正在", "今日", "在逃"),
nor in a repost chain ("//@": it quotes the post written in the moment). The words that made the difference
are returned, and shown in `explain`.

The word lists are the `reports` of config/lexicon.yaml (models/runtime/lexicon.py), written from the risk
taxonomy (shared/domain) and the police article the product was born from, and checked against the written
train and dev splits (their writers label a resolved report with an offence or an incident `medium`; live
emergencies with "已救起6人" among them stay `high`), never against a test set; matching is on normalised
(simplified) text. The first-person rule (a complaint, not a notice) is code: "我" but not "我市".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from models.runtime.lexicon import ReportWords, load_lexicon, risk_terms
from yuqing.settings import config_dir

FIRST_PERSON = re.compile(r"我(?![市局省州县区国])")


@dataclass(frozen=True)
class ReportCap:
    """The most a report may be rated, why, and the words that made the difference."""

    level: str  # "low" or "medium"
    why: str  # "reported_resolved" or "official_notice"
    words: tuple[str, ...]


@lru_cache(maxsize=4)
def _patterns(directory: Path) -> dict[str, re.Pattern]:
    words = load_lexicon(directory).reports
    return {
        k: re.compile("|".join(map(re.escape, sorted(getattr(words, k), key=len, reverse=True))) or r"(?!)")
        for k in ("live", "resolved", "harm", "institution", "announce", "complaint")
    }


def _words() -> ReportWords:
    return load_lexicon(config_dir()).reports


def _found(kind: str, text: str) -> list[str]:
    return list(dict.fromkeys(_patterns(config_dir())[kind].findall(text)))


def report_cap(text: str) -> ReportCap | None:
    """The level `text` (normalised) may reach as a report of a resolved case or an official notice; None
    when it is neither, or says the case is still live."""
    if _found("live", text):
        return None
    resolved = _found("resolved", text)
    official = not resolved and _official(text)
    if not resolved and not official:
        return None
    incidents = [t for cat, found in risk_terms(text).items() if cat != "urgent" for t in found]
    lists = _words()
    harm = _found("harm", text) + [
        t for t in incidents if t not in lists.missing and t not in lists.responders
    ]
    harm = list(dict.fromkeys(harm))
    level = "medium" if harm else "low"
    why = "reported_resolved" if resolved else "official_notice"
    words = tuple(resolved or [*_found("institution", text)[:2], *_found("announce", text)[:3]]) + tuple(harm)
    return ReportCap(level, why, words)


def _official(text: str) -> bool:
    return bool(
        _found("institution", text)
        and _found("announce", text)
        and not _found("complaint", text)
        and not FIRST_PERSON.search(text)
    )
