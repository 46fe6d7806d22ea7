"""Compare two archives by what they hold, not by when they fetched it."""

from __future__ import annotations

import sqlite3

ARTICLE_COLUMNS = (
    "id, url, site, category, title, published, published_raw, body, source, captions, "
    "revision, status"
)


def snapshot(db_path) -> dict:
    """The archive's content: articles, revisions (by hash), images, and the links that do
    not change on every request ("Tin cùng nhóm" is drawn anew per request)."""
    conn = sqlite3.connect(db_path)
    try:
        return {
            "articles": conn.execute(
                f"select {ARTICLE_COLUMNS} from articles order by id"
            ).fetchall(),
            "revisions": conn.execute(
                "select article_id, revision, content_hash, changed_fields from revisions "
                "order by article_id, revision"
            ).fetchall(),
            "images": conn.execute(
                "select article_id, revision, position, url, caption, alt from images "
                "order by article_id, revision, position"
            ).fetchall(),
            "links": conn.execute(
                "select article_id, kind, url, target_id, text, date from links "
                "where kind != 'same_group' order by article_id, position"
            ).fetchall(),
        }
    finally:
        conn.close()
