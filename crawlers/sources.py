"""Sources as configuration: `config/sources.yaml`, validated on load, one model per spider type.

A source names its spider `type` (rss, news, social_api, forum), where to start, the keywords that drive
searches and admit posts through the relevance gate, how often it runs, and how politely. Secrets never
stand in the YAML: `headers_env` and `cookies_env` name environment variables that hold them, read only
when the source is crawled. `${NAME:-default}` in any string is replaced from the environment on load
(the demo sources use it for the demo site's address). `defaults:` is merged into every source.

Mistakes raise ConfigError naming the file and the key (`sources.2 (demo_news).article.title: ...`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from yuqing.errors import ConfigError
from yuqing.settings import config_dir, read_yaml

SOURCES_FILE = "sources.yaml"
NAME_PATTERN = r"^[A-Za-z0-9_.\-]+$"  # the same alphabet as Post.source
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$")
_SECRET_HEADERS = {"cookie", "authorization", "x-auth-token", "x-csrf-token", "proxy-authorization"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def parse_duration(value: Any) -> float:
    """Seconds from `90`, `30s`, `15m`, `2h`, `1d`."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise ValueError(f"{value!r} is not a duration (e.g. 90, 30s, 15m, 2h, 1d)")
        seconds = float(match.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2) or "s"]
    if seconds <= 0:
        raise ValueError("must be longer than zero")
    return seconds


class Politeness(_Strict):
    """How hard a source may be pressed."""

    obey_robots: bool = True
    download_delay_s: float = Field(1.0, ge=0)
    concurrency_per_domain: int = Field(2, ge=1, le=32)
    autothrottle: bool = True
    autothrottle_max_delay_s: float = Field(30.0, gt=0)
    timeout_s: float = Field(30.0, gt=0)
    retries: int = Field(2, ge=0, le=10)
    backoff_s: float = Field(1.0, ge=0, description="first retry waits this long, doubling after")
    backoff_max_s: float = Field(60.0, ge=0)
    user_agent: str | None = None


class Blocking(_Strict):
    """How a source says "you are not welcome": login pages, captchas, 403s."""

    login_url_patterns: list[str] = Field(
        default_factory=lambda: [r"passport\.", r"/login", r"/signin", r"/sso/", r"/account/"]
    )
    captcha_markers: list[str] = Field(
        default_factory=lambda: ["验证码", "安全验证", "人机验证", "访问验证", "captcha", "geetest", "/sorry"]
    )
    forbidden_statuses: list[int] = Field(default_factory=lambda: [401, 403, 418])
    block_after: int = Field(3, ge=1, description="blocked answers before the crawl of this source stops")

    @field_validator("login_url_patterns")
    @classmethod
    def _regexes(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            re.compile(pattern)
        return patterns


class ArticleSelectors(_Strict):
    """CSS (default) or XPath (`xpath:` prefix, or starting with `/`) per field; unset → trafilatura."""

    title: str | None = None
    body: str | None = None
    date: str | None = None
    author: str | None = None


class SourceBase(_Strict):
    name: str = Field(pattern=NAME_PATTERN, max_length=100)
    enabled: bool = True
    description: str = ""
    keywords: list[str] = Field(default_factory=list)
    schedule: float = Field(900.0, description="seconds between runs (`15m`, `2h` ...)")
    relevance_gate: bool = True
    max_pages: int = Field(5, ge=1, le=1000, description="list or result pages per run")
    encoding: str | None = Field(None, description="force a page encoding (e.g. gb18030) when a site lies")
    headers: dict[str, str] = Field(default_factory=dict)
    headers_env: dict[str, str] = Field(default_factory=dict, description="header → env variable")
    cookies_env: str | None = Field(None, description="env variable holding a Cookie header value")
    politeness: Politeness = Field(default_factory=Politeness)
    blocking: Blocking = Field(default_factory=Blocking)

    @field_validator("schedule", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> float:
        return parse_duration(value)

    @field_validator("headers")
    @classmethod
    def _no_secrets(cls, headers: dict[str, str]) -> dict[str, str]:
        for key in headers:
            if key.lower() in _SECRET_HEADERS:
                raise ValueError(f"{key} is a secret: name an environment variable in headers_env instead")
        return headers

    @field_validator("encoding")
    @classmethod
    def _codec(cls, value: str | None) -> str | None:
        if value is not None:
            import codecs

            try:
                codecs.lookup(value)
            except LookupError as exc:
                raise ValueError(f"unknown encoding {value!r}") from exc
        return value

    @property
    def start_urls(self) -> list[str]:
        raise NotImplementedError

    def credentials(
        self, environ: Mapping[str, str] | None = None, file: str = SOURCES_FILE
    ) -> dict[str, str]:
        """Headers taken from the environment now; a missing variable is a ConfigError."""
        environ = os.environ if environ is None else environ
        found: dict[str, str] = {}
        wanted = dict(self.headers_env)
        if self.cookies_env:
            wanted["Cookie"] = self.cookies_env
        for header, var in wanted.items():
            value = environ.get(var, "").strip()
            if not value:
                key = "cookies_env" if var == self.cookies_env else f"headers_env.{header}"
                raise ConfigError(file, f"{self.name}.{key}", f"environment variable {var} is not set")
            found[header] = value
        return found


class RssSource(SourceBase):
    """RSS 2.0 or Atom feeds; optionally follow each entry to its page for the full text."""

    type: Literal["rss"]
    urls: list[str] = Field(min_length=1)
    fetch_articles: bool = False
    article: ArticleSelectors = Field(default_factory=ArticleSelectors)

    @property
    def start_urls(self) -> list[str]:
        return list(self.urls)


class NewsSource(SourceBase):
    """News or government sites: list pages (paginated) → article pages."""

    type: Literal["news"]
    urls: list[str] = Field(min_length=1, description="first list page(s)")
    links: str = Field(description="selector of article links on a list page")
    link_pattern: str | None = Field(None, description="regex an article URL must match")
    next_page: str | None = Field(None, description="selector of the next list page link")
    article: ArticleSelectors = Field(default_factory=ArticleSelectors)

    @property
    def start_urls(self) -> list[str]:
        return list(self.urls)


class ApiFields(_Strict):
    """Dotted paths inside one JSON item; the defaults are Weibo's mobile `mblog`.

    Conversation links: `reposted` is the embedded original of a repost (its id becomes the repost's
    `parent_id` and `root_id`, its text the `parent_text`); `thread_id`, `parent_id`, `root_id` are for APIs
    that name them directly (a comment API: the post a comment hangs under) and win over the embedded one.
    """

    id: str = "id"
    text: str = "text"
    long_text: str | None = "longText.longTextContent"
    author: str | None = "user.screen_name"
    created_at: str | None = "created_at"
    reposts: str | None = "reposts_count"
    comments: str | None = "comments_count"
    likes: str | None = "attitudes_count"
    views: str | None = None
    url: str | None = None
    reposted: str | None = "retweeted_status"
    reposted_id: str | None = Field(
        None, description="the original's id inside `reposted`; unset: the same path as `id`"
    )
    thread_id: str | None = Field(None, description="the post a comment section hangs under")
    parent_id: str | None = Field(None, description="the post this one replies to or reposts directly")
    root_id: str | None = Field(None, description="the original at the root of a repost chain")


class SocialApiSource(SourceBase):
    """Paginated JSON search or timeline APIs shaped like Weibo's mobile card API."""

    type: Literal["social_api"]
    endpoint: str = Field(description="URL with {page} and, for searches, {keyword}")
    first_page: int = Field(1, ge=0)
    item_key: str | None = Field("mblog", description="collect every object under this key, at any depth")
    items_path: str | None = Field(None, description="or: dotted path to the list of items")
    next_page_path: str | None = Field(
        "data.cardlistInfo.page",
        description="dotted path to the next page number the API reports; null there means the last page",
    )
    fields: ApiFields = Field(default_factory=ApiFields)
    url_template: str | None = Field("https://m.weibo.cn/detail/{id}", description="post URL from its id")
    login_expired_if: dict[str, Any] = Field(
        default_factory=lambda: {"ok": -100}, description="dotted path → value that means log in again"
    )

    @model_validator(mode="after")
    def _shape(self) -> SocialApiSource:
        if "{page}" not in self.endpoint:
            raise ValueError("endpoint must contain {page}")
        if "{keyword}" in self.endpoint and not self.keywords:
            raise ValueError("endpoint searches by {keyword} but the source has no keywords")
        if not self.item_key and not self.items_path:
            raise ValueError("set item_key or items_path")
        return self

    @property
    def start_urls(self) -> list[str]:
        return [self.endpoint]


class ForumSelectors(_Strict):
    """Where things are on a thread list and a thread page; the defaults are classic Baidu Tieba."""

    thread: str = "li.j_thread_list"
    thread_link: str = "a.j_th_tit::attr(href)"
    thread_replies: str | None = "span.threadlist_rep_num::text"
    list_next: str | None = "a.next::attr(href)"
    title: str = "h3.core_title_txt::attr(title)"
    post: str = "div.l_post"
    post_id: str = "::attr(data-pid)"
    author: str | None = "a.p_author_name::text"
    content: str = "div.d_post_content"
    time: str | None = "div.post-tail-wrap span.tail-info:last-of-type::text"
    floor: str | None = "::attr(data-floor)"
    thread_next: str | None = "a.pager-next::attr(href)"
    # Within a post, like post_id: the post id of the floor a reply quotes or answers. Unset (or no match):
    # a reply answers the thread's opening post.
    reply_to: str | None = None


class ForumSource(SourceBase):
    """Tieba-like forums: thread lists → threads → reply pages."""

    type: Literal["forum"]
    urls: list[str] = Field(min_length=1, description="thread list page(s); {keyword} allowed")
    thread_id_pattern: str = Field(r"/p/(\d+)", description="regex whose group 1 is the thread id")
    max_reply_pages: int = Field(5, ge=1, le=1000)
    selectors: ForumSelectors = Field(default_factory=ForumSelectors)

    @field_validator("thread_id_pattern")
    @classmethod
    def _one_group(cls, pattern: str) -> str:
        if re.compile(pattern).groups < 1:
            raise ValueError("needs one capturing group for the thread id")
        return pattern

    @property
    def start_urls(self) -> list[str]:
        return list(self.urls)


Source = Annotated[RssSource | NewsSource | SocialApiSource | ForumSource, Field(discriminator="type")]
SOURCE_TYPES = ("rss", "news", "social_api", "forum")


class SourcesFile(_Strict):
    sources: list[Source] = Field(default_factory=list)

    @field_validator("sources")
    @classmethod
    def _unique(cls, sources: list[SourceBase]) -> list[SourceBase]:
        names = [s.name for s in sources]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"source name used twice: {', '.join(dupes)}")
        return sources

    @cached_property
    def by_name(self) -> dict[str, SourceBase]:
        return {s.name: s for s in self.sources}


def _expand(value: Any, environ: Mapping[str, str], where: str, file: str) -> Any:
    if isinstance(value, str):

        def repl(m: re.Match[str]) -> str:
            if m.group(1) in environ:
                return environ[m.group(1)]
            if m.group(2) is None:
                raise ConfigError(file, where, f"environment variable {m.group(1)} is not set (no default)")
            return m.group(2)

        return _ENV_REF.sub(repl, value)
    if isinstance(value, list):
        return [_expand(v, environ, f"{where}.{i}", file) for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {k: _expand(v, environ, f"{where}.{k}" if where else str(k), file) for k, v in value.items()}
    return value


def _merge(defaults: dict[str, Any], source: dict[str, Any]) -> dict[str, Any]:
    merged = dict(defaults)
    for key, value in source.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_sources(path: Path | None = None, environ: Mapping[str, str] | None = None) -> SourcesFile:
    """Read and validate the sources file; errors name the file and the key."""
    path = path or config_dir() / SOURCES_FILE
    file = str(path)
    data = read_yaml(path)
    if data is None:
        return SourcesFile()
    if not isinstance(data, dict):
        raise ConfigError(file, "(top level)", "must be a mapping with a `sources:` list")
    unknown = set(data) - {"defaults", "sources"}
    if unknown:
        raise ConfigError(file, sorted(unknown)[0], "unknown key (expected `defaults` and `sources`)")
    data = _expand(data, os.environ if environ is None else environ, "", file)
    defaults = data.get("defaults") or {}
    raw = data.get("sources") or []
    if not isinstance(defaults, dict):
        raise ConfigError(file, "defaults", "must be a mapping")
    if not isinstance(raw, list):
        raise ConfigError(file, "sources", "must be a list")
    merged = [_merge(defaults, s) if isinstance(s, dict) else s for s in raw]
    try:
        return SourcesFile.model_validate({"sources": merged})
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [str(p) for p in err["loc"]]
        if len(loc) >= 2 and loc[0] == "sources" and loc[1].isdigit():
            item = merged[int(loc[1])]
            name = item.get("name") if isinstance(item, dict) else None
            if name:
                loc[1] = f"{loc[1]} ({name})"
            if len(loc) >= 3 and loc[2] in SOURCE_TYPES:
                del loc[2]  # the discriminator's tag adds nothing for a reader
        raise ConfigError(file, ".".join(loc) or "(top level)", err["msg"]) from exc
