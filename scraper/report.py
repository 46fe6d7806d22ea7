"""Short plain-text summaries of an archive (used by `scrape demo`)."""

from __future__ import annotations

import sqlite3


def summary(
    db_path: str, *, expected_articles: int | None = None, seconds: float | None = None
) -> str:
    conn = sqlite3.connect(db_path)
    try:
        live, gone = conn.execute(
            "select sum(status = 'live'), sum(status = 'gone') from articles"
        ).fetchone()
        revisions = conn.execute("select count(*) from revisions").fetchone()[0]
        with_date = conn.execute(
            "select count(*) from articles where published is not null"
        ).fetchone()[0]
        images = conn.execute("select count(*) from images").fetchone()[0]
        links = conn.execute("select count(*) from links").fetchone()[0]
        requests = conn.execute(
            "select count(*) from fetches where run_id = (select max(id) from runs)"
        ).fetchone()[0]
        sample = conn.execute(
            "select title, published from articles order by published desc limit 3"
        ).fetchall()
    finally:
        conn.close()
    live, gone = live or 0, gone or 0
    lines = [f"archive {db_path}: {live} live articles, {gone} gone, {revisions} revisions"]
    if expected_articles:
        lines.append(f"  coverage: {live + gone}/{expected_articles} articles of the replica")
    lines.append(f"  {with_date} with a valid date, {images} images, {links} links")
    if seconds is not None:
        lines.append(f"  {requests} requests in {seconds:.1f}s")
    lines.extend(f"  newest: {published}  {title}" for title, published in sample)
    query = "select published, title from articles order by published desc limit 5"
    lines.append(f'try: sqlite3 {db_path} "{query}"')
    return "\n".join(lines)
