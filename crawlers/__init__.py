"""Scrapy crawlers: config-driven sources into Kafka `posts.raw`."""
