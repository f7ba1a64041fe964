"""Text normalisation shared by the crawlers, the streams and the model.

Order matters: markup and control characters go first, then width folding (NFKC), then traditional →
simplified (OpenCC t2s), then social-media furniture. URLs become `[链接]` (kept aside in `urls`),
@mentions stay as `@name`, hashtags lose their `#` marks but keep their words, and emoji that carry
feeling become bracketed words the model and the analyst can read (😡 → [愤怒]); other pictographs
collapse to `[表情]` rather than vanish.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

URL_TOKEN = "[链接]"
EMOJI_TOKEN = "[表情]"

_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]{0,2000}>", re.I | re.S)
_URL = re.compile(r"https?://[^\s<>\"'，。！？、）)】]+|www\.[^\s<>\"'，。！？、）)】]+", re.I)
_MENTION = re.compile(r"@([\w\-\u4e00-\u9fff]{1,30})")
_HASHTAG = re.compile(r"#([^#\n]{1,60})#|＃([^＃\n]{1,60})＃")
_SPACES = re.compile(r"[ \t\u3000\xa0]+")
_NEWLINES = re.compile(r"\n{3,}")
_REPEAT = re.compile(r"(.)\1{4,}")  # 啊啊啊啊啊啊 → 啊啊啊 keeps emphasis, bounds length

# Emoji whose feeling matters for sentiment and risk. Keys are single code points or sequences.
EMOJI_WORDS: dict[str, str] = {
    "😡": "[愤怒]",
    "😠": "[愤怒]",
    "🤬": "[愤怒]",
    "👿": "[愤怒]",
    "😭": "[大哭]",
    "😢": "[流泪]",
    "😿": "[流泪]",
    "💔": "[心碎]",
    "😱": "[惊恐]",
    "😨": "[惊恐]",
    "😰": "[惊恐]",
    "🆘": "[求救]",
    "🚨": "[警报]",
    "🔥": "[火]",
    "🚑": "[救护车]",
    "🚓": "[警车]",
    "🚒": "[消防车]",
    "⚠": "[警告]",
    "🤮": "[恶心]",
    "🤢": "[恶心]",
    "💩": "[差评]",
    "👎": "[差评]",
    "🙄": "[白眼]",
    "😒": "[无语]",
    "😤": "[生气]",
    "😞": "[失望]",
    "😔": "[失望]",
    "😓": "[汗]",
    "🤡": "[小丑]",
    "👍": "[赞]",
    "👏": "[鼓掌]",
    "❤": "[爱心]",
    "😍": "[喜欢]",
    "🥰": "[喜欢]",
    "😊": "[开心]",
    "😄": "[开心]",
    "😁": "[开心]",
    "😂": "[笑哭]",
    "🤣": "[笑哭]",
    "🥳": "[开心]",
    "🌸": "[花]",
    "🌹": "[花]",
    "☀": "[晴]",
    "🌧": "[下雨]",
    "⛈": "[雷雨]",
    "🌊": "[水]",
    "💰": "[钱]",
    "🙏": "[祈祷]",
    "🤔": "[思考]",
    "😅": "[尴尬]",
    "🐶": "[狗]",
}
_EMOJI_KEYS = sorted(EMOJI_WORDS, key=len, reverse=True)
_EMOJI_RE = re.compile("|".join(re.escape(k) + "[\ufe0f\U0001f3fb-\U0001f3ff]*" for k in _EMOJI_KEYS))
_PICTO = re.compile(
    "(?:[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\U0001f1e6-\U0001f1ff][\ufe0f\u200d\U0001f3fb-\U0001f3ff]*)+"
)
_MODIFIERS = "\ufe0f\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff"  # variation selector, skin tones
_JOINERS = re.compile("[\ufe0f\u200d\u200b\u200c\u2060\ufeff]")


@dataclass(frozen=True)
class Normalized:
    """Normalised text and what was lifted out of it."""

    text: str
    urls: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese (OpenCC t2s); other scripts pass through."""
    return _t2s().convert(text)


def strip_markup(text: str) -> str:
    """Remove HTML tags, scripts and styles; unescape entities."""
    return html.unescape(_TAG.sub(" ", text))


def _clean_controls(text: str) -> str:
    return "".join(
        ch if ch in "\n\t\u200d\ufe0f" or unicodedata.category(ch)[0] != "C" else " " for ch in text
    )


def _emoji_to_words(text: str) -> str:
    text = _EMOJI_RE.sub(lambda m: EMOJI_WORDS[m.group(0).rstrip(_MODIFIERS)], text)
    text = _PICTO.sub(EMOJI_TOKEN, text)
    return _JOINERS.sub("", text)


def normalize(raw: str) -> Normalized:
    """Normalise one post's text for matching, the model and the index."""
    text = strip_markup(raw)
    text = _clean_controls(text)
    urls = _URL.findall(text)
    text = _URL.sub(URL_TOKEN, text)
    text = _emoji_to_words(text)  # before NFKC, which would split some emoji sequences
    text = unicodedata.normalize("NFKC", text)
    text = to_simplified(text)
    hashtags = [a or b for a, b in _HASHTAG.findall(text)]
    text = _HASHTAG.sub(lambda m: f" {m.group(1) or m.group(2)} ", text)
    mentions = _MENTION.findall(text)
    text = _REPEAT.sub(lambda m: m.group(1) * 3, text)
    text = _SPACES.sub(" ", text)
    text = _NEWLINES.sub("\n\n", text).strip()
    return Normalized(text=text, urls=urls, mentions=mentions, hashtags=[h.strip() for h in hashtags])


def normalize_text(raw: str) -> str:
    """Shortcut: the normalised text alone."""
    return normalize(raw).text


def normalize_post_text(title: str | None, text: str) -> str:
    """A post's title (its first line, when it has one) and text as one normalised text: what intake carries,
    the scorer reads and the watchlist matches."""
    return normalize_text(f"{title}\n{text}" if title else text)
