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
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from models.runtime.lexicon import ReportWords, folder_key, load_lexicon, risk_terms

FIRST_PERSON = re.compile(r"我(?![市局省州县区国])")


@dataclass(frozen=True)
class ReportCap:
    """The most a report may be rated, why, and the words that made the difference."""

    level: str  # "low" or "medium"
    why: str  # "reported_resolved" or "official_notice"
    words: tuple[str, ...]


@lru_cache(maxsize=4)
def _compiled(key: str | None) -> tuple[dict[str, re.Pattern], ReportWords]:
    """The patterns of the lexicon's report words, and the words, for the config folder `key` names."""
    words = load_lexicon().reports
    pats = {
        k: re.compile("|".join(map(re.escape, sorted(getattr(words, k), key=len, reverse=True))) or r"(?!)")
        for k in ("live", "resolved", "harm", "institution", "announce", "complaint")
    }
    return pats, words


def report_cap(text: str) -> ReportCap | None:
    """The level `text` (normalised) may reach as a report of a resolved case or an official notice; None
    when it is neither, or says the case is still live."""
    pats, words = _compiled(folder_key())

    def found(kind: str) -> list[str]:
        return list(dict.fromkeys(pats[kind].findall(text)))

    if found("live"):
        return None
    resolved = found("resolved")
    official = not resolved and _official(found, text)
    if not resolved and not official:
        return None
    incidents = [t for cat, terms in risk_terms(text).items() if cat != "urgent" for t in terms]
    named = [t for t in incidents if t not in words.missing and t not in words.responders]
    harm = list(dict.fromkeys(found("harm") + named))
    level = "medium" if harm else "low"
    why = "reported_resolved" if resolved else "official_notice"
    cues = tuple(resolved or [*found("institution")[:2], *found("announce")[:3]]) + tuple(harm)
    return ReportCap(level, why, cues)


def _official(found: Callable[[str], list[str]], text: str) -> bool:
    """An institution announcing (`found`: the report words of `text`), with no complaint, no first person."""
    if not (found("institution") and found("announce")):
        return False
    return not found("complaint") and not FIRST_PERSON.search(text)
