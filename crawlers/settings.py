"""Scrapy settings of the crawler project: politeness on by default, the components and their order.

Per-source values (delay, concurrency, timeout, retries, robots, JOBDIR) come from `config/sources.yaml`
through the spider loader at spider priority; `yuqing crawl -s KEY=VALUE` overrides both.
"""

from __future__ import annotations

from yuqing.settings import get_settings

_settings = get_settings()

BOT_NAME = "yuqing"
SPIDER_LOADER_CLASS = "crawlers.spiderloader.SourceSpiderLoader"

# Identify ourselves honestly; a deployment can set its own contact through the source's user_agent.
USER_AGENT = "Mozilla/5.0 (compatible; YuqingBot/0.1; tourism public-opinion monitoring)"
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,application/json;q=0.8,*/*;q=0.7",
    "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
}

# Politeness.
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_DELAY = 1.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024

# Robustness: retries with exponential backoff on 5xx, 408, 429 and network errors.
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
YUQING_BACKOFF_S = 1.0
YUQING_BACKOFF_MAX_S = 60.0

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawlers.middlewares.retry.BackoffRetryMiddleware": 550,
    # After redirects (600) are followed, before retries (550): a login page or a captcha is not retried.
    "crawlers.middlewares.blocking.BlockDetectionMiddleware": 580,
    # Closest to the downloader (after cookies 700, proxy 750): secrets go on at send time, come off first.
    "crawlers.middlewares.auth.AuthMiddleware": 950,
}
SPIDER_MIDDLEWARES = {
    # Closest to the spider: a callback that raises is logged and skipped, the crawl goes on.
    "crawlers.middlewares.parse_errors.ParseErrorMiddleware": 1000,
}
ITEM_PIPELINES = {
    "crawlers.pipelines.validate.ValidatePipeline": 100,
    "crawlers.pipelines.gate.RelevanceGatePipeline": 200,
    "crawlers.pipelines.incremental.IncrementalPipeline": 300,
    # Exactly one sink runs (YUQING_SINK); it is last, so `item_scraped` means "delivered".
    "crawlers.pipelines.kafka.KafkaPipeline": 900,
    "crawlers.pipelines.jsonl.JsonLinesPipeline": 900,
}
EXTENSIONS = {
    "scrapy.extensions.telnet.TelnetConsole": None,
    "crawlers.extensions.blocks.BlockMonitor": 500,
}
# No listening ports in a crawler process: neither the telnet console nor the remote-control HTTP server.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# Where posts go: "kafka" (the pipeline) or "jsonl" (a file, for development and benchmarks).
YUQING_SINK = "kafka"
YUQING_JSONL_PATH = ""
# KafkaSettings fields (bootstrap_servers, topic_prefix, request_timeout_s ...); posts go to posts.raw.
YUQING_KAFKA = _settings.kafka.model_dump()

# Incremental state and resumable jobs: <state dir>/<source>.sqlite and <state dir>/jobs/<source>/.
YUQING_STATE_DIR = str(_settings.services.state_dir / "crawl")
YUQING_RESUME = True
YUQING_SOURCES_FILE = ""  # default: config/sources.yaml of YUQING_CONFIG_DIR

LOG_LEVEL = "INFO"
LOGSTATS_INTERVAL = 60.0
FEED_EXPORT_ENCODING = "utf-8"
# Pipelines log their own one-line reason for each dropped item; Scrapy's would print the whole item.
DEFAULT_DROPITEM_LOG_LEVEL = "DEBUG"
