"""scraper: archive the news articles of the Thừa Thiên Huế portals into one SQLite file.

Data flows one way:

    site profile (scraper.sites) yields start URLs
      -> crawl loop (scraper.crawl) hands the next URL to the fetcher
      -> fetcher (scraper.fetch) returns a Response or a recorded failure
      -> the site profile extracts an Article (pure: text + URL in, dataclass out)
      -> the archive (scraper.store) decides: new article, new revision or unchanged
      -> newly discovered links go back to the crawl frontier (kept in the DB)
"""

__version__ = "0.1.0"

# The User-Agent of every request (scraper.fetch.FetchConfig; `scrape crawl --user-agent`
# shows it as its default): it names the tool and where to reach its maintainers.
USER_AGENT = "scraper/0.1 (+https://github.com/thuathienhue-archive/scraper)"
