"""`yuqing crawl --try NAME`: fetch one page of each kind a source reads and show what every selector got.

In the spirit of `scrapy parse`: before a source is enabled, a user sees at once which selector is wrong. A
news source shows its list page (links, next page) and the first article (title, body, date, author, and
what trafilatura finds where a selector is unset); a forum its thread list and the first thread; a social
API its first result page and first item, field by field; a feed its first entry and, with
`fetch_articles`, that entry's page. Nothing is sent to Kafka and nothing is remembered.

The transport is a function (url → Page), so tests run without a network; the command uses httpx with the
source's headers, credentials and user agent, and obeys robots.txt unless the source says otherwise.
"""

from crawlers.preview.kinds import preview
from crawlers.preview.report import Line, PreviewError, Step, ok, render
from crawlers.preview.transport import Fetch, Page, http_fetcher

__all__ = ["Fetch", "Line", "Page", "PreviewError", "Step", "http_fetcher", "ok", "preview", "render"]
