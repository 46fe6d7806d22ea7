"""Server-side SVG charts of an archive: plain strings, no JavaScript, no network.

This module owns the chart data queries and their drawing:

- articles per month (of their published date), stacked by site;
- revisions per month (of fetched_at): first versions and later edits;
- field health: the share of revisions with a title, date, body, caption and source, per
  crawl run when revisions carry their run (revisions.run_id), else per month;
- revisions by origin, when revisions.origin exists (issue 13's provenance columns).

`charts(conn, site=None)` returns one `Chart` per chart; a chart whose tables or columns
the archive lacks has no SVG but a note saying what is missing, so an older or newer
archive degrades instead of failing. `bar_chart` and `line_chart` draw any series; every
bar and point carries a `<title>` tooltip with its value (shown by browsers on hover, no
script needed). SVG was chosen over PNG (it would need matplotlib or Pillow, a large
dependency, and is blurry when zoomed) and over canvas or JS chart libraries (scripts and
often a CDN: the report must be one self-contained file and Datasette's page script-free).
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass
from html import escape

from scraper.analysts.schema_doc import actual

WIDTH, HEIGHT = 760, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 40, 56
PALETTE = ("#2b6cb0", "#dd6b20", "#38a169", "#805ad5", "#d53f8c", "#319795", "#b7791f", "#718096")
MAX_LABELS = 14
HEALTH_GROUPS = 60  # runs (or months) in the field health chart
HEALTH_FIELDS = ("title", "published", "body", "captions", "source")


@dataclass
class Chart:
    key: str
    title: str
    caption: str
    svg: str | None = None
    note: str | None = None  # why there is no SVG (missing table/column, no data)


# --------------------------------------------------------------------------- drawing


def _nice_max(value: float, whole: bool = True) -> tuple[float, float]:
    """(axis maximum, tick step) for values up to value: about 5 ticks of 1, 2 or 5 x 10^k;
    whole: the step is at least 1 (counts)."""
    if value <= 0:
        return (1.0, 1.0) if whole else (1.0, 0.2)
    raw = value / 5
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    if whole:
        step = float(max(1, math.ceil(step)))
    return step * math.ceil(value / step), step


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _frame(title: str, y_max: float, step: float, y_label: str, parts: list[str]) -> str:
    plot_h = HEIGHT - TOP - BOTTOM
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{escape(title)}" '
        'font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<text x="{LEFT}" y="18" font-size="14" font-weight="bold" fill="#1a202c">'
        f"{escape(title)}</text>",
    ]
    ticks = int(round(y_max / step))
    for i in range(ticks + 1):
        v = step * i
        y = TOP + plot_h - plot_h * v / y_max
        out.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
            f'stroke="{"#4a5568" if i == 0 else "#e2e8f0"}" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#4a5568">'
            f"{_fmt(v)}</text>"
        )
    out.append(
        f'<text x="14" y="{TOP + plot_h / 2:.1f}" transform="rotate(-90 14 {TOP + plot_h / 2:.1f})"'
        f' text-anchor="middle" fill="#4a5568">{escape(y_label)}</text>'
    )
    out.extend(parts)
    out.append("</svg>")
    return "\n".join(out)


def _x_labels(labels: list[str], xs: list[float]) -> list[str]:
    every = max(1, math.ceil(len(labels) / MAX_LABELS))
    y = HEIGHT - BOTTOM + 14
    out = []
    for i, (label, x) in enumerate(zip(labels, xs, strict=True)):
        if i % every:
            continue
        out.append(
            f'<text x="{x:.1f}" y="{y}" text-anchor="end" fill="#4a5568" '
            f'transform="rotate(-35 {x:.1f} {y})">{escape(label)}</text>'
        )
    return out


def _legend(names: list[str]) -> list[str]:
    out = []
    x: float = WIDTH - RIGHT
    for i, name in reversed(list(enumerate(names))):
        width = 24 + 6.5 * len(name)
        x -= width
        color = PALETTE[i % len(PALETTE)]
        out.append(f'<rect x="{x:.1f}" y="9" width="10" height="10" fill="{color}"/>')
        out.append(f'<text x="{x + 13:.1f}" y="18" fill="#1a202c">{escape(name)}</text>')
    return out


def bar_chart(
    title: str, labels: list[str], series: list[tuple[str, list[float]]], y_label: str
) -> str:
    """Stacked bars: one bar per label, one stacked segment per series."""
    totals = [sum(vals[i] for _, vals in series) for i in range(len(labels))]
    y_max, step = _nice_max(max(totals, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(labels), 1)
    bar_w = min(slot * 0.8, 60)
    parts: list[str] = []
    centres = []
    for i, label in enumerate(labels):
        x = LEFT + slot * i + (slot - bar_w) / 2
        centres.append(x + bar_w / 2)
        base = 0.0
        for s, (name, vals) in enumerate(series):
            v = vals[i]
            if not v:
                continue
            h = plot_h * v / y_max
            y = TOP + plot_h - plot_h * base / y_max - h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{PALETTE[s % len(PALETTE)]}"><title>{escape(label)} · {escape(name)}: '
                f"{_fmt(v)}</title></rect>"
            )
            base += v
    parts += _x_labels(labels, centres)
    parts += _legend([name for name, _ in series])
    return _frame(title, y_max, step, y_label, parts)


def line_chart(
    title: str,
    labels: list[str],
    series: list[tuple[str, list[float | None]]],
    y_label: str,
    y_max: float | None = None,
) -> str:
    """One line (path) per series with a circle per value; None leaves a gap."""
    top = max((v for _, vals in series for v in vals if v is not None), default=0)
    y_max, step = (y_max, y_max / 5) if y_max else _nice_max(top)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(labels), 1)
    xs = [LEFT + slot * (i + 0.5) for i in range(len(labels))]
    parts: list[str] = []
    for s, (name, vals) in enumerate(series):
        color = PALETTE[s % len(PALETTE)]
        points = [
            (xs[i], TOP + plot_h - plot_h * v / y_max, v, labels[i])
            for i, v in enumerate(vals)
            if v is not None
        ]
        if len(points) > 1:
            d = " ".join(
                f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y, _, _) in enumerate(points)
            )
            parts.append(f'<path d="{d}" fill="none" stroke="{color}" stroke-width="2"/>')
        # Earlier series get bigger dots, drawn first: equal values show as rings.
        radius = 3 + 1.5 * (len(series) - 1 - s)
        for x, y, v, label in points:
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="{color}"><title>'
                f"{escape(label)} · {escape(name)}: {_fmt(v)}</title></circle>"
            )
    parts += _x_labels(labels, xs)
    parts += _legend([name for name, _ in series])
    return _frame(title, y_max, step, y_label, parts)


# --------------------------------------------------------------------------- data


def _missing(present: dict[str, set[str]], needs: tuple[str, ...]) -> list[str]:
    out = []
    for need in needs:
        table, _, column = need.partition(".")
        if table not in present or (column and column not in present[table]):
            out.append(need)
    return out


def _site_filter(site: str | None, alias: str = "a") -> tuple[str, list]:
    return (f" AND {alias}.site = ?", [site]) if site else ("", [])


def months(first: str, last: str) -> list[str]:
    """Every month 'YYYY-MM' from first to last, both included (a time axis has no gaps)."""
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _pivot(
    rows: list[tuple[str, str, float]], by_month: bool = True
) -> tuple[list[str], list[tuple[str, list[float]]]]:
    """(label, series, value) rows -> labels in order and one value list per series; month
    labels ('YYYY-MM') are filled in so that empty months show as empty."""
    labels = sorted({r[0] for r in rows})
    if by_month and labels:
        labels = months(labels[0], labels[-1])
    names = sorted({r[1] for r in rows})
    index = {label: i for i, label in enumerate(labels)}
    series = {name: [0.0] * len(labels) for name in names}
    for label, name, value in rows:
        series[name][index[label]] += value or 0
    return labels, [(name, series[name]) for name in names]


def articles_per_month(conn: sqlite3.Connection, site: str | None = None) -> Chart:
    chart = Chart(
        "articles_per_month",
        "Articles per month",
        "Articles by the month of their published date, stacked by site (articles without "
        "a date are not counted).",
    )
    where, params = _site_filter(site)
    rows = conn.execute(
        "SELECT substr(a.published, 1, 7) AS month, a.site, COUNT(*) FROM articles AS a "
        f"WHERE a.published IS NOT NULL{where} GROUP BY month, a.site",
        params,
    ).fetchall()
    if not rows:
        chart.note = "No dated article yet."
        return chart
    labels, series = _pivot(rows)
    chart.svg = bar_chart(chart.title, labels, series, "articles")
    return chart


def revisions_per_month(conn: sqlite3.Connection, site: str | None = None) -> Chart:
    chart = Chart(
        "revisions_per_month",
        "Revisions per month",
        "Versions stored per month of fetching: first versions of new articles, and later "
        "edits (revision 2, 3, ...).",
    )
    where, params = _site_filter(site)
    rows = conn.execute(
        "SELECT substr(r.fetched_at, 1, 7) AS month, "
        "CASE WHEN r.revision = 1 THEN 'first version' ELSE 'edit' END AS kind, COUNT(*) "
        "FROM revisions AS r JOIN articles AS a ON a.id = r.article_id "
        f"WHERE r.fetched_at IS NOT NULL{where} GROUP BY month, kind",
        params,
    ).fetchall()
    if not rows:
        chart.note = "No revision yet."
        return chart
    labels, series = _pivot(rows)
    series.sort(key=lambda s: s[0] != "first version")
    chart.svg = bar_chart(chart.title, labels, series, "revisions")
    return chart


# The store writes NULL, never '', for a missing value; IS NOT NULL spares SQLite reading
# the (long) text itself.
_FILLED = {
    "title": "r.title IS NOT NULL",
    "published": "r.published IS NOT NULL",
    "body": "r.body IS NOT NULL",
    "captions": "r.captions IS NOT NULL AND r.captions <> '[]'",
    "source": "r.source IS NOT NULL",
}


def field_health(
    conn: sqlite3.Connection, site: str | None = None, present: dict | None = None
) -> Chart:
    present = present if present is not None else actual(conn)
    chart = Chart(
        "field_health",
        "Field health",
        "Share of the revisions stored that have each field (captions: at least one image "
        f"caption), for the last {HEALTH_GROUPS} at most; in brackets, the revisions "
        "counted. A drop after a site change points at an extractor that no longer finds "
        "the field.",
    )
    where, params = _site_filter(site)
    rates = ", ".join(
        f"100.0 * AVG(CASE WHEN {_FILLED[f]} THEN 1 ELSE 0 END)" for f in HEALTH_FIELDS
    )
    by_run = (
        "run_id" in present.get("revisions", set())
        and conn.execute("SELECT 1 FROM revisions WHERE run_id IS NOT NULL LIMIT 1").fetchone()
    )
    if by_run:
        group, label = "r.run_id", "'run ' || r.run_id"
        chart.title += " per run"
        where += " AND r.run_id IS NOT NULL"
    else:
        group, label = "substr(r.fetched_at, 1, 7)", "substr(r.fetched_at, 1, 7)"
        chart.title += " per month"
        chart.caption += " Revisions carry no run here, so they are grouped by month."
    rows = conn.execute(
        f"SELECT {label}, COUNT(*), {rates} FROM revisions AS r "
        f"JOIN articles AS a ON a.id = r.article_id WHERE r.fetched_at IS NOT NULL{where} "
        f"GROUP BY {group} ORDER BY {group} DESC LIMIT {HEALTH_GROUPS}",
        params,
    ).fetchall()[::-1]
    if not rows:
        chart.note = "No revision yet."
        return chart
    labels = [f"{row[0]} ({row[1]})" for row in rows]
    series = [(f, [row[2 + i] for row in rows]) for i, f in enumerate(HEALTH_FIELDS)]
    chart.svg = line_chart(chart.title, labels, series, "% of revisions", y_max=100)
    return chart


def revisions_by_origin(
    conn: sqlite3.Connection, site: str | None = None, present: dict | None = None
) -> Chart:
    present = present if present is not None else actual(conn)
    chart = Chart(
        "revisions_by_origin",
        "Revisions by origin",
        "Versions stored per month, by where their content came from.",
    )
    missing = _missing(present, ("revisions.origin", "revisions.fetched_at"))
    if missing:
        chart.note = (
            f"Omitted: this archive has no {', '.join(missing)} (provenance columns, added "
            "by a later schema)."
        )
        return chart
    where, params = _site_filter(site)
    rows = conn.execute(
        "SELECT substr(r.fetched_at, 1, 7) AS month, COALESCE(r.origin, '?'), COUNT(*) "
        f"FROM revisions AS r JOIN articles AS a ON a.id = r.article_id "
        f"WHERE r.fetched_at IS NOT NULL{where} GROUP BY 1, 2",
        params,
    ).fetchall()
    if not rows:
        chart.note = "No revision yet."
        return chart
    labels, series = _pivot(rows)
    chart.svg = bar_chart(chart.title, labels, series, "revisions")
    return chart


# name -> (function, the tables and columns it cannot do without)
CHARTS = (
    (articles_per_month, ("articles.published", "articles.site")),
    (revisions_per_month, ("revisions.fetched_at", "revisions.revision", "articles.site")),
    (field_health, ("revisions.fetched_at", "revisions.title", "articles.site")),
    (revisions_by_origin, ("revisions.fetched_at", "articles.site")),
)


def charts(conn: sqlite3.Connection, site: str | None = None) -> list[Chart]:
    """Every chart for an archive connection (one site's articles only, given site). A
    chart the archive cannot feed comes back with a note instead of an SVG."""
    present = actual(conn)
    out = []
    for func, needs in CHARTS:
        missing = _missing(present, needs)
        if missing:
            name = func.__name__
            out.append(
                Chart(
                    name,
                    name.replace("_", " ").capitalize(),
                    "",
                    note=f"Omitted: this archive has no {', '.join(missing)}.",
                )
            )
            continue
        kwargs = {"present": present} if func in (field_health, revisions_by_origin) else {}
        out.append(func(conn, site, **kwargs))
    return out


def charts_html(items: list[Chart]) -> str:
    """The charts as HTML sections (inline SVG, or the note of an omitted chart)."""
    out = []
    for chart in items:
        out.append(f'<section class="chart" id="{escape(chart.key)}">')
        if chart.svg:
            out.append(
                f"<figure>{chart.svg}<figcaption>{escape(chart.caption)}</figcaption></figure>"
            )
        else:
            out.append(f"<h3>{escape(chart.title)}</h3>")
            out.append(f'<p class="note">{escape(chart.note or "")}</p>')
        out.append("</section>")
    return "\n".join(out)


CSS = """
body { font-family: system-ui, sans-serif; margin: 1.5rem auto; max-width: 60rem;
       color: #1a202c; padding: 0 1rem; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #e2e8f0; }
figure { margin: 1rem 0; } figcaption { color: #4a5568; font-size: .9rem; }
svg { max-width: 100%; height: auto; border: 1px solid #e2e8f0; }
.note { color: #744210; background: #fefcbf; padding: .4rem .6rem; }
table { border-collapse: collapse; font-size: .85rem; margin: .5rem 0 1rem; }
th, td { border: 1px solid #e2e8f0; padding: .25rem .5rem; text-align: left;
         vertical-align: top; }
th { background: #f7fafc; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.stats { display: flex; gap: 1rem; flex-wrap: wrap; }
.wide { overflow-x: auto; }
.stats div { background: #ebf8ff; padding: .5rem .8rem; border-radius: 4px; }
.stats b { display: block; font-size: 1.3rem; }
"""
