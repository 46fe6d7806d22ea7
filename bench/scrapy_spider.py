"""A minimal Scrapy spider over a TT-CMS replica: the peer our crawler is measured against.

Owns nothing but itself. No extraction: it requests the home page, follows category
links (`gd=2`) and every article link (`tc=`), one request per article id (links to one
article come in several spellings: `gd=1`/`gd=4`, parameter order, with or without `cn`,
so the spider keeps a set of the `tc` it has asked for; Scrapy's own duplicate filter
handles the rest). Yields no items; counts article pages in the stat
`bench/article_pages` (and its CPU seconds from start to close in `bench/cpu_crawl`)
and writes its final stats as JSON to the file `-a out=...`.

    scrapy runspider bench/scrapy_spider.py -a start=http://127.0.0.1:8000/ -a out=stats.json \
        -s CONCURRENT_REQUESTS=4 -s CONCURRENT_REQUESTS_PER_DOMAIN=4 -s DOWNLOAD_DELAY=0 \
        -s ROBOTSTXT_OBEY=True
"""

from __future__ import annotations

import datetime
import json
import time
from urllib.parse import parse_qsl, urlsplit

import scrapy


class ReplicaSpider(scrapy.Spider):
    name = "replica"
    custom_settings = {
        "ROBOTSTXT_OBEY": True,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
    }

    def __init__(self, start: str = "http://127.0.0.1:8000/", out: str | None = None, **kw):
        super().__init__(**kw)
        self.start_url = start
        self.host = urlsplit(start).netloc
        self.out = out
        self.asked: set[str] = set()

    async def start(self):
        self.cpu_start = time.process_time()
        yield scrapy.Request(self.start_url, callback=self.parse)

    def parse(self, response):
        if response.meta.get("article"):
            self.crawler.stats.inc_value("bench/article_pages")
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href.strip())
            parts = urlsplit(url)
            if parts.netloc != self.host:
                continue
            query = {k.lower(): v for k, v in parse_qsl(parts.query)}
            tc = query.get("tc")
            if tc:
                if tc not in self.asked:
                    self.asked.add(tc)
                    yield scrapy.Request(url, callback=self.parse, meta={"article": True})
            elif query.get("gd") == "2":
                yield scrapy.Request(url, callback=self.parse)

    def closed(self, reason):
        if not self.out:
            return
        stats = {}
        for key, value in self.crawler.stats.get_stats().items():
            if isinstance(value, datetime.datetime):
                value = value.isoformat()
            stats[key] = value
        stats["finish_reason"] = reason
        stats["bench/cpu_crawl"] = time.process_time() - getattr(self, "cpu_start", 0.0)
        if "elapsed_time_seconds" not in stats:  # set by CoreStats after closed() in some versions
            start = self.crawler.stats.get_value("start_time")
            if start is not None:
                now = datetime.datetime.now(tz=start.tzinfo)
                stats["elapsed_time_seconds"] = (now - start).total_seconds()
        with open(self.out, "w", encoding="utf-8") as f:
            json.dump(stats, f, indent=1)
