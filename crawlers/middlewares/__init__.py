"""Downloader and spider middlewares of the crawler project, one per module."""
