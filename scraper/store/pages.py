"""The raw-page store: every fetched page's bytes, kept once, compressed.

This module owns the `pages` and `page_dicts` tables: `store_page` (content-addressed by
sha256; zstd with the site's dictionary when a site is given, else zlib) and `load_page`.
One zstd dictionary per site: the raw bytes of the first page stored for it, so each later
page of that site costs little more than its own article (bench/README.md).
"""

from __future__ import annotations

import hashlib
import zlib
from collections import OrderedDict

from scraper.store.schedule import iso_utc
from scraper.store.schema import Connected

__all__ = ["PagesMixin", "CODECS_KEPT"]

# Sites whose zstd codecs stay in memory (least recently used dropped first). A compressor
# with its dictionary holds ~0.9 MB: a crawl of 200 sites kept ~180 MB of them. Making one
# again costs ~0.25 ms (bench/README.md, issue 14).
CODECS_KEPT = 16


class PagesMixin(Connected):
    """Archive methods for raw pages. Needs `self._codecs` (an OrderedDict) set by the
    Archive."""

    _codecs: OrderedDict[int, tuple]  # page dictionary id -> (compressor, decompressor)

    def store_page(self, content: bytes, content_type: str, site: str | None = None) -> str:
        """Keep a page's raw bytes once (content-addressed); returns their sha256. With a
        site, the page is compressed with that site's zstd dictionary (made from the first
        page stored for it)."""
        sha = hashlib.sha256(content).hexdigest()
        if self._one("SELECT 1 FROM pages WHERE sha256 = ?", [sha]):
            return sha
        with self.db.atomic():
            if site is None:
                codec, dict_id, data = "zlib", None, zlib.compress(content, 6)
            else:
                dict_id, compressor, _ = self._page_codec(site, content)
                codec, data = "zstd", compressor.compress(content)
            self.db.execute(
                "INSERT OR IGNORE INTO pages (sha256, size, stored, content_type, data, codec, "
                "dict_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [sha, len(content), len(data), content_type, data, codec, dict_id],
            )
        return sha

    def load_page(self, sha: str) -> bytes:
        row = self._one("SELECT data, codec, dict_id FROM pages WHERE sha256 = ?", [sha])
        if row is None:
            raise KeyError(sha)
        data, codec, dict_id = row
        if codec == "zstd":
            return self._dictionary(dict_id)[1].decompress(data)
        return zlib.decompress(data)

    def _page_codec(self, site: str, sample: bytes):
        """(dict_id, compressor, decompressor) for a site; the first page makes the dictionary."""
        row = self._one("SELECT id FROM page_dicts WHERE site = ? ORDER BY id LIMIT 1", [site])
        if row is not None:
            dict_id = row[0]
        else:  # in store_page's transaction: no other writer can add one between the two
            dict_id = self._insert(
                "INSERT INTO page_dicts (site, created_at, data) VALUES (?, ?, ?)",
                [site, iso_utc(), zlib.compress(sample, 9)],
            )
        compressor, decompressor = self._dictionary(dict_id)
        return dict_id, compressor, decompressor

    def _dictionary(self, dict_id: int):
        cached = self._codecs.get(dict_id)
        if cached is not None:
            self._codecs.move_to_end(dict_id)
        else:
            import zstandard

            row = self._one("SELECT data FROM page_dicts WHERE id = ?", [dict_id])
            if row is None:
                raise KeyError(f"page dictionary {dict_id}")
            dictionary = zstandard.ZstdCompressionDict(
                zlib.decompress(row[0]), dict_type=zstandard.DICT_TYPE_RAWCONTENT
            )
            cached = self._codecs[dict_id] = (
                zstandard.ZstdCompressor(level=3, dict_data=dictionary),
                zstandard.ZstdDecompressor(dict_data=dictionary),
            )
            if len(self._codecs) > CODECS_KEPT:
                self._codecs.popitem(last=False)
        return cached
