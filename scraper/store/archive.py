"""The `Archive` facade: one object over the archive file, made of one part per concern.

This module owns opening and closing (`Archive.__init__` for writing, `Archive.read_only`
for the read commands, `close`, `checkpoint`, the context manager). The methods themselves
live with their tables: articles and revisions (scraper.store.articles), raw pages
(scraper.store.pages), the frontier (scraper.store.frontier), runs and the fetch log
(scraper.store.runs), the sitemap memory (scraper.store.sitemaps), aliases
(scraper.store.aliases), imported captures and re-derived revisions
(scraper.store.captures), run health (scraper.store.health).
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

from scraper.store.aliases import AliasesMixin
from scraper.store.articles import ArticlesMixin
from scraper.store.captures import CapturesMixin
from scraper.store.connection import connect, connect_read_only, migrate
from scraper.store.frontier import FrontierMixin
from scraper.store.health import HealthMixin
from scraper.store.pages import PagesMixin
from scraper.store.runs import RunsMixin
from scraper.store.sitemaps import SitemapsMixin

__all__ = ["Archive"]


class Archive(
    ArticlesMixin,
    AliasesMixin,
    CapturesMixin,
    PagesMixin,
    FrontierMixin,
    RunsMixin,
    SitemapsMixin,
    HealthMixin,
):
    """The archive database. One sqlite_utils.Database (`db`); not thread-safe.

    Opening creates the tables or adds missing columns, sets WAL, foreign keys on and
    synchronous=NORMAL. Use `with Archive(path) as archive:` or call close().
    """

    def __init__(self, path: str | Path, *, any_thread: bool = False):
        """any_thread: the connection may be used from another thread than the one that
        opened it (the crawl writes from one archive thread; never from two at once)."""
        self.path = Path(path)
        self.db = connect(self.path, any_thread=any_thread)
        self._own_runs: set[int] = set()
        self._codecs: OrderedDict[int, tuple] = OrderedDict()  # see store.pages.CODECS_KEPT
        self.immutable = False  # read_only() on a directory where the WAL cannot be read
        self.writable = True
        migrate(self.db, self.path)

    @classmethod
    def read_only(cls, path: str | Path) -> Archive:
        """An existing archive opened for reading only (`mode=ro`, else `immutable=1` when
        its directory cannot be written: see schema.connect_read_only): nothing is created,
        migrated or written. ArchiveError for a file that is not one of our archives,
        SchemaError for a newer one. The caller checks that the file exists."""
        self = cls.__new__(cls)
        self.path = Path(path)
        self.db, self.immutable = connect_read_only(self.path)
        self.writable = False
        self._own_runs = set()
        self._codecs = OrderedDict()
        return self

    def close(self) -> None:
        try:
            if self.writable:
                self.db.execute("PRAGMA optimize")
        finally:
            self.db.close()

    def checkpoint(self) -> None:
        """Fold the WAL into the main file (after a big batch)."""
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
