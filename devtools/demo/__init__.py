"""A local demo site in the shape of the sources that matter, so the whole system runs offline.

`python -m devtools.demo` (or `yuqing crawl --serve-demo`) serves, on 127.0.0.1:8765 by default: an
RSS feed of a culture-and-tourism bureau, a paginated news list with articles (two of them GBK), a
Weibo-like mobile search API, a Tieba-like forum, and a robots.txt. The posts are about Mile's scenic
spots, with a few risk posts and a few traps (弥勒佛, 元阳) the relevance gate must drop. Dates are
relative to the server's clock, and Weibo counts grow while it runs, so re-crawls show updates.
"""
