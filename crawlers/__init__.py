"""Scrapy crawlers: config-driven sources (`config/sources.yaml`) into Kafka `posts.raw`.

`yuqing crawl` (cli.py) → runner.py (one CrawlerProcess, a spider per source via spiderloader.py) →
spiders/ (rss, news, social_api, forum) → pipelines/ (validate → gate → incremental → kafka | jsonl).
sources.py validates the YAML; dates.py parses Chinese dates; state.py remembers what was delivered;
sharding.py splits sources between processes; demo/ is the offline demo site.
"""
