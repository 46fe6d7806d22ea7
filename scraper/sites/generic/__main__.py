"""`python -m scraper.sites.generic PAGE [--url URL] [--today YYYY-MM-DD]`: the Article of
a saved page (a .html or .html.gz file) as JSON on stdout; used by the scorer."""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from datetime import date
from pathlib import Path

from scraper.errors import NotAnArticle
from scraper.fetch import decode_html
from scraper.sites.generic import extract_article


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("page")
    parser.add_argument("--url", default=None)
    parser.add_argument("--today", type=date.fromisoformat, default=None)
    args = parser.parse_args(argv)
    path = Path(args.page)
    content = path.read_bytes()
    if path.suffix == ".gz":
        content = gzip.decompress(content)
    _, html = decode_html(content, None)
    url = args.url or path.resolve().as_uri()
    try:
        article = extract_article(html, url, today=args.today)
    except NotAnArticle as error:
        json.dump({"error": str(error), "body": ""}, sys.stdout, ensure_ascii=False)
        return 1
    json.dump(article.to_dict(), sys.stdout, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
