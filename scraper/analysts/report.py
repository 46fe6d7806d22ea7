"""The analysts' report: one self-contained HTML file of an archive's charts and tables.

This module owns `write_report(db_path, output, site=None)`. The file has inline CSS and
inline SVG (scraper.analysts.charts), no script and no external resource, so it opens
offline, mails as one attachment and prints. (Not to be confused with scraper/report.py,
the demo's text summary.) The archive is opened read-only; a table or column the archive
lacks leaves its section out with a note.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from html import escape
from pathlib import Path

from scraper.analysts import charts as ch
from scraper.analysts.metadata import CANNED_QUERIES, TITLE
from scraper.analysts.schema_doc import actual, connect_readonly

ROWS = 20


def _cell(value) -> str:
    if value is None:
        return "<td></td>"
    if isinstance(value, int | float):
        return f'<td class="n">{escape(str(value))}</td>'
    text = str(value)
    if len(text) > 140:
        text = text[:139] + "…"
    return f"<td>{escape(text)}</td>"


def _table(conn: sqlite3.Connection, sql: str, params: list | tuple = ()) -> str:
    cursor = conn.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    if not rows:
        return '<p class="note">None.</p>'
    head = "".join(f"<th>{escape(n)}</th>" for n in names)
    body = "\n".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    return (
        f'<div class="wide"><table><thead><tr>{head}</tr></thead><tbody>\n{body}\n'
        "</tbody></table></div>"
    )


def _stats(conn: sqlite3.Connection, site: str | None) -> str:
    where, params = ("WHERE a.site = ?", [site]) if site else ("", [])
    row = conn.execute(
        "SELECT COUNT(*), SUM(a.status = 'live'), SUM(a.status = 'gone'), "
        "COUNT(DISTINCT a.site), MIN(a.published), MAX(a.published) "
        f"FROM articles AS a {where}",
        params,
    ).fetchone()
    revs = conn.execute(
        "SELECT COUNT(*), SUM(r.revision > 1) FROM revisions AS r "
        f"JOIN articles AS a ON a.id = r.article_id {where}",
        params,
    ).fetchone()
    runs = conn.execute("SELECT COUNT(*), MAX(started_at) FROM runs").fetchone()
    items = [
        ("articles", row[0]),
        ("live", row[1] or 0),
        ("gone", row[2] or 0),
        ("sites", row[3]),
        ("revisions", revs[0]),
        ("edits", revs[1] or 0),
        ("runs", runs[0]),
        ("published", f"{row[4] or '?'} – {row[5] or '?'}"),
        ("last run", runs[1] or "never"),
    ]
    return (
        '<div class="stats">'
        + "".join(f"<div><b>{escape(str(v))}</b>{escape(k)}</div>" for k, v in items)
        + "</div>"
    )


def _sections(conn: sqlite3.Connection, site: str | None) -> list[tuple[str, str]]:
    present = actual(conn)
    where, params = (" AND a.site = ?", [site]) if site else ("", [])
    out = [
        (
            "Sites",
            _table(
                conn,
                "SELECT a.site, COUNT(*) AS articles, SUM(a.status = 'live') AS live, "
                "SUM(a.status = 'gone') AS gone, MIN(a.published) AS first_published, "
                "MAX(a.published) AS last_published, MAX(a.last_seen) AS last_seen "
                f"FROM articles AS a WHERE 1{where} GROUP BY a.site ORDER BY articles DESC",
                params,
            ),
        ),
        (
            "Runs",
            _table(conn, CANNED_QUERIES["run_health"]["sql"] + f" LIMIT {ROWS}")
            if "fetches" in present
            else '<p class="note">Omitted: this archive has no fetches table.</p>',
        ),
        (
            "Most revised articles",
            _table(
                conn,
                "SELECT a.id, a.title, a.revision AS revisions, a.last_changed FROM articles "
                f"AS a WHERE a.revision > 1{where} ORDER BY a.revision DESC, a.last_changed "
                f"DESC LIMIT {ROWS}",
                params,
            ),
        ),
        (
            "Recent edits",
            _table(
                conn,
                "SELECT r.article_id, r.revision, r.fetched_at, r.changed_fields, "
                "r.chars_added, r.chars_removed, r.title FROM revisions AS r JOIN articles AS "
                f"a ON a.id = r.article_id WHERE r.revision > 1{where} ORDER BY r.fetched_at "
                f"DESC, r.article_id LIMIT {ROWS}",
                params,
            ),
        ),
        (
            "Gone articles",
            _table(
                conn,
                "SELECT a.id, a.title, a.published, a.last_seen FROM articles AS a "
                f"WHERE a.status = 'gone'{where} ORDER BY a.last_seen DESC LIMIT {ROWS}",
                params,
            ),
        ),
    ]
    return out


def render_report(conn: sqlite3.Connection, site: str | None = None, name: str = "") -> str:
    """The report's HTML for an archive connection."""
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    scope = f"site {site}" if site else "all sites"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="vi"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(TITLE)} — report</title>",
        f"<style>{ch.CSS}</style></head><body>",
        f"<h1>{escape(TITLE)}</h1>",
        f"<p>{escape(name)} · {escape(scope)} · made {now}</p>",
        _stats(conn, site),
        "<h2>Charts</h2>",
        ch.charts_html(ch.charts(conn, site)),
    ]
    for heading, html in _sections(conn, site):
        parts += [f"<h2>{escape(heading)}</h2>", html]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_report(db_path: str | Path, output: str | Path, site: str | None = None) -> Path:
    """Write the HTML report of the archive at db_path (opened read-only) to output, for
    one site's articles when site is given (runs are shown whole). Returns output's Path."""
    db_path = Path(db_path)
    if not db_path.exists():
        raise FileNotFoundError(db_path)
    conn = connect_readonly(db_path)
    try:
        html = render_report(conn, site, db_path.name)
    finally:
        conn.close()
    output = Path(output)
    output.write_text(html, encoding="utf-8")
    return output
