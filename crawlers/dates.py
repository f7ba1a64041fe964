"""Parse the dates Chinese sites print (刚刚, 5分钟前, 昨天 12:30, 08-11, 2022年8月11日, epochs, RFC 822 ...).

Every result is an aware datetime in Asia/Shanghai (the same instant when the input carried its own offset);
a string without a zone is Beijing time. Relative forms are relative to `now`, injectable for tests. A
month-day without a year is this year, or last year when that would lie in the future (a post from 12-31
read on 01-02; the clock-skew allowance is the schema's FUTURE_SKEW).
Anything unrecognised gives None: a missing date is better than a wrong one.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta
from email.utils import parsedate_to_datetime

from yuqing.schema import FUTURE_SKEW, TZ

_EPOCH_MIN, _EPOCH_MAX = 946_684_800, 4_102_444_800  # 2000-01-01 .. 2100-01-01

_UNITS = {
    "秒": timedelta(seconds=1),
    "秒钟": timedelta(seconds=1),
    "分": timedelta(minutes=1),
    "分钟": timedelta(minutes=1),
    "小时": timedelta(hours=1),
    "个小时": timedelta(hours=1),
    "天": timedelta(days=1),
    "日": timedelta(days=1),
    "周": timedelta(weeks=1),
    "星期": timedelta(weeks=1),
    "个星期": timedelta(weeks=1),
    "个月": timedelta(days=30),
    "月": timedelta(days=30),
    "年": timedelta(days=365),
}
_TIME = r"(?:\s*(\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2}))?秒?)?"
_RELATIVE = re.compile(
    r"(\d+)\s*(秒钟|秒|分钟|分|个小时|小时|天|日|个星期|星期|周|个月|月|年)\s*(?:前|以前|之前)"
)
_HALF_HOUR = re.compile(r"半\s*(?:个)?小时\s*前")
_DAY_WORD = re.compile(r"(今天|今日|昨天|昨日|前天)" + _TIME)
_YMD_CN = re.compile(r"(?<!\d)(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?" + _TIME)
_YMD = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T\s]+|(?!\d))" + _TIME)
_MD = re.compile(r"(?<![\d.:/-])(\d{1,2})(?:-|/|\s*月\s*)(\d{1,2})(?:\s*日)?(?![\d-])" + _TIME)
_HM_ONLY = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_EPOCH = re.compile(r"^\d{10}(?:\.\d+)?$|^\d{13}$")
_WEIBO = re.compile(r"^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{1,2} \d{2}:\d{2}:\d{2} [+-]\d{4} \d{4}$")
_RFC822 = re.compile(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}")


def parse_date(value: object, now: datetime | None = None) -> datetime | None:
    """The instant `value` names, in Asia/Shanghai, or None when it is not a date we know."""
    current = (now or datetime.now(TZ)).astimezone(TZ)
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=TZ) if value.tzinfo is None else value.astimezone(TZ)
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    if not isinstance(value, str):
        return None
    text = " ".join(unicodedata.normalize("NFKC", value).split())
    if not text:
        return None
    for parser in (_exact, _relative, _day_word, _absolute, _month_day):
        result = parser(text, current)
        if result is not None:
            return result
    return None


def _from_epoch(number: float) -> datetime | None:
    if number > _EPOCH_MAX * 10:  # milliseconds
        number /= 1000
    if not _EPOCH_MIN <= number <= _EPOCH_MAX:
        return None
    return datetime.fromtimestamp(number, TZ)


def _exact(text: str, now: datetime) -> datetime | None:
    """Whole-string machine formats: epochs, Weibo's created_at, RFC 822, ISO 8601."""
    if _EPOCH.match(text):
        return _from_epoch(float(text))
    if _WEIBO.match(text):
        return datetime.strptime(text, "%a %b %d %H:%M:%S %z %Y").astimezone(TZ)
    if _RFC822.match(text):
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            parsed = None
        if parsed is not None:
            # RFC 822 without a zone ("-0000") means unknown: the site's own clock, i.e. Beijing time.
            return parsed.replace(tzinfo=TZ) if parsed.tzinfo is None else parsed.astimezone(TZ)
    if "-" in text and text[:4].isdigit():
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed.replace(tzinfo=TZ) if parsed.tzinfo is None else parsed.astimezone(TZ)
    return None


def _relative(text: str, now: datetime) -> datetime | None:
    if text.startswith("刚刚") or text.lower() in ("just now", "now"):
        return now
    if _HALF_HOUR.search(text):
        return now - timedelta(minutes=30)
    match = _RELATIVE.search(text)
    if match:
        return now - int(match.group(1)) * _UNITS[match.group(2)]
    return None


def _clock(groups: tuple[str | None, ...]) -> time | None:
    hour, minute, second = (int(g) if g else 0 for g in groups)
    if groups[0] is None:
        return time(0, 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second)


def _at(day: date, clock: time | None) -> datetime | None:
    return None if clock is None else datetime.combine(day, clock, TZ)


def _day_word(text: str, now: datetime) -> datetime | None:
    match = _DAY_WORD.search(text)
    if match:
        back = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2}[match.group(1)]
        return _at(now.date() - timedelta(days=back), _clock(match.groups()[1:]))
    match = _HM_ONLY.match(text)
    if match:  # forums print only the time for today's posts
        found = _at(now.date(), _clock(match.groups()))
        return found - timedelta(days=1) if found and found > now + FUTURE_SKEW else found
    return None


def _absolute(text: str, now: datetime) -> datetime | None:
    for pattern in (_YMD_CN, _YMD):
        match = pattern.search(text)
        if match:
            try:
                day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError:
                return None
            return _at(day, _clock(match.groups()[3:]))
    return None


def _month_day(text: str, now: datetime) -> datetime | None:
    match = _MD.search(text)
    if not match:
        return None
    month, day_of_month = int(match.group(1)), int(match.group(2))
    for year in (now.year, now.year - 1):
        try:
            found = _at(date(year, month, day_of_month), _clock(match.groups()[2:]))
        except ValueError:
            continue  # 02-29 in a year without it: try last year
        if found is not None and found <= now + FUTURE_SKEW:
            return found
    return None
