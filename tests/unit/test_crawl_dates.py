"""Dates as Chinese sites print them, parsed in Asia/Shanghai against an injected `now`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crawlers.dates import parse_date
from yuqing.schema import TZ

NOW = datetime(2024, 8, 12, 9, 0, tzinfo=TZ)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("刚刚", NOW),
        ("5分钟前", NOW - timedelta(minutes=5)),
        ("5 分钟前", NOW - timedelta(minutes=5)),
        ("30秒前", NOW - timedelta(seconds=30)),
        ("3小时前", NOW - timedelta(hours=3)),
        ("3个小时前", NOW - timedelta(hours=3)),
        ("半小时前", NOW - timedelta(minutes=30)),
        ("2天前", NOW - timedelta(days=2)),
        ("1周前", NOW - timedelta(weeks=1)),
        ("今天 08:01", at(2024, 8, 12, 8, 1)),
        ("昨天 12:30", at(2024, 8, 11, 12, 30)),
        ("昨天12:30", at(2024, 8, 11, 12, 30)),
        ("前天", at(2024, 8, 10)),
        ("前天 23:59", at(2024, 8, 10, 23, 59)),
        ("08-11", at(2024, 8, 11)),  # this year
        ("08-13", at(2023, 8, 13)),  # this year would be in the future: last year
        ("12-31 23:59", at(2023, 12, 31, 23, 59)),
        ("8月11日", at(2024, 8, 11)),
        ("8月11日 10:30", at(2024, 8, 11, 10, 30)),
        ("2022年8月11日", at(2022, 8, 11)),
        ("2022年08月11日 10时30分", at(2022, 8, 11, 10, 30)),
        ("２０２２年８月１１日", at(2022, 8, 11)),  # full-width digits
        ("2022-08-11 10:00", at(2022, 8, 11, 10, 0)),
        ("2022-08-11 10:00:05", at(2022, 8, 11, 10, 0, 5)),
        ("2022/8/11", at(2022, 8, 11)),
        ("2022.08.11", at(2022, 8, 11)),
        ("1660183200", at(2022, 8, 11, 10, 0)),  # epoch seconds
        ("1660183200000", at(2022, 8, 11, 10, 0)),  # epoch milliseconds
        (1660183200, at(2022, 8, 11, 10, 0)),
        (1660183200000, at(2022, 8, 11, 10, 0)),
        ("Thu Aug 11 10:00:00 +0800 2022", at(2022, 8, 11, 10, 0)),  # Weibo
        ("Tue Aug 11 10:00:00 +0800 2020", at(2020, 8, 11, 10, 0)),
        ("Thu, 11 Aug 2022 02:00:00 GMT", at(2022, 8, 11, 10, 0)),  # RFC 822 (RSS)
        ("Thu, 11 Aug 2022 10:00:00 +0800", at(2022, 8, 11, 10, 0)),
        ("11 Aug 2022 10:00:00 -0000", at(2022, 8, 11, 10, 0)),  # no zone known: the site's clock
        ("2022-08-11T10:00:00+08:00", at(2022, 8, 11, 10, 0)),  # ISO 8601
        ("2022-08-11T02:00:00Z", at(2022, 8, 11, 10, 0)),
        ("2022-08-11", at(2022, 8, 11)),
        ("发布时间：2022-08-11 10:00　来源：弥勒市人民政府", at(2022, 8, 11, 10, 0)),
        ("10:30", at(2024, 8, 11, 10, 30)),  # a forum's "today" time, in the future today: yesterday
        ("08:30", at(2024, 8, 12, 8, 30)),
    ],
)
def test_formats(text: object, expected: datetime) -> None:
    got = parse_date(text, now=NOW)
    assert got == expected
    assert got.utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize("text", ["", "   ", "abc", "2022-13-45", "25:99", "99-99", None, True, 12, "第二页"])
def test_not_dates(text: object) -> None:
    assert parse_date(text, now=NOW) is None


def test_year_rollover_and_leap_day() -> None:
    new_year = datetime(2025, 1, 2, 8, 0, tzinfo=TZ)
    assert parse_date("12-31", now=new_year) == at(2024, 12, 31)
    assert parse_date("01-01", now=new_year) == at(2025, 1, 1)
    # 02-29 does not exist in 2025: the latest past 29 February is 2024's.
    assert parse_date("02-29", now=datetime(2025, 3, 1, tzinfo=TZ)) == at(2024, 2, 29)


def test_relative_forms_follow_now_and_other_zones_keep_the_instant() -> None:
    later = NOW + timedelta(days=3)
    assert parse_date("昨天 12:30", now=later) == at(2024, 8, 14, 12, 30)
    utc_now = NOW.astimezone(UTC)  # same instant given in UTC
    assert parse_date("昨天 12:30", now=utc_now) == at(2024, 8, 11, 12, 30)
    naive = datetime(2024, 8, 11, 10, 0)
    assert parse_date(naive) == at(2024, 8, 11, 10, 0)
