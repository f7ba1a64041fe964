"""Signals of the crawler project (beside Scrapy's own)."""

# A source answered "not welcome": reason is login_expired, captcha or forbidden; sent with url, detail.
source_blocked = object()

BLOCK_REASONS = {
    "login_expired": "login expired (redirected to a login page or told to sign in): renew its cookies",
    "captcha": "answering with a captcha / verification page: slow down or renew its cookies",
    "forbidden": "answering 401/403: blocked or credentials refused",
}
