"""Spider types by the `type` a source names in `config/sources.yaml`."""

from __future__ import annotations

from crawlers.spiders.forum import ForumSpider
from crawlers.spiders.news import NewsSpider
from crawlers.spiders.rss import RssSpider
from crawlers.spiders.social_api import SocialApiSpider

TYPES = {"rss": RssSpider, "news": NewsSpider, "social_api": SocialApiSpider, "forum": ForumSpider}

__all__ = ["TYPES", "ForumSpider", "NewsSpider", "RssSpider", "SocialApiSpider"]
