"""The state of an archive at a glance: `scrape status`.

This module owns `archive_status(db, now=None) -> dict` and its plain-text rendering
`format_status(data)`. Per site: articles live and gone, revisions, failed URLs waiting in
the frontier (state 'failed', retried by the next run) and pending ones, re-checks due
now (next_check_at <= now) and in the next 24 hours, and the last run that covered the
site. Runs are not per site: a run's counts are the whole run's; the site's own share of
new articles and changed ones in that run is counted from revisions.run_id. A run whose
options name no sites counts as covering every site. Each site's health (scraper.health:
its last judged run, the trend of its last completed runs, its open alarms) is under
"health"; the last run carries its alarms.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from typing import Any

from scraper.health import health_text, site_health
from scraper.store import database
from scraper.store.health import HealthReader

# The per-site counts, in the order the table shows them.
SITE_COUNTS = (
    "articles_live",
    "articles_gone",
    "revisions",
    "failed_waiting",
    "pending",
    "due_now",
    "due_24h",
)
RUN_FIELDS = (
    "id",
    "started_at",
    "finished_at",
    "status",
    "fetched",
    "new",
    "changed",
    "unchanged",
    "gone",
    "failed",
)


def _site_names(options: str | None) -> set[str] | None:
    """Site names a run covered (from its options' start URLs); None = unknown (all)."""
    from scraper.sites import Site

    try:
        sites = json.loads(options or "{}").get("sites")
    except (ValueError, AttributeError):
        return None
    if not isinstance(sites, list):
        return None
    names = set()
    for url in sites:
        try:
            names.add(Site.from_url(str(url)).name)
        except (ValueError, TypeError):
            continue
    return names


def archive_status(db: Any, now: str | None = None) -> dict:
    """Counts per site (see the module docstring) and the last run overall."""
    from scraper.store import iso_utc

    db = database(db)
    now = iso_utc(now)
    soon = iso_utc(datetime.fromisoformat(now.replace("Z", "+00:00")) + timedelta(hours=24))
    sites: dict[str, dict] = {}

    def site(name: str | None) -> dict:
        name = name or "(none)"
        if name not in sites:
            sites[name] = {
                "site": name,
                "articles_live": 0,
                "articles_gone": 0,
                "revisions": 0,
                "failed_waiting": 0,
                "pending": 0,
                "due_now": 0,
                "due_24h": 0,
                "last_run": None,
            }
        return sites[name]

    for name, live, gone, due_now, due_24h in db.execute(
        "SELECT site, SUM(status = 'live'), SUM(status = 'gone'), "
        "SUM(status = 'live' AND next_check_at <= ?), "
        "SUM(status = 'live' AND next_check_at > ? AND next_check_at <= ?) "
        "FROM articles GROUP BY site",
        [now, now, soon],
    ):
        entry = site(name)
        entry.update(
            articles_live=live or 0,
            articles_gone=gone or 0,
            due_now=due_now or 0,
            due_24h=due_24h or 0,
        )
    for name, count in db.execute(
        "SELECT a.site, COUNT(*) FROM revisions AS r JOIN articles AS a ON a.id = r.article_id "
        "GROUP BY a.site"
    ):
        site(name)["revisions"] = count
    for name, failed, pending in db.execute(
        "SELECT site, SUM(state = 'failed'), SUM(state = 'pending') FROM frontier GROUP BY site"
    ):
        entry = site(name)
        entry["failed_waiting"] = failed or 0
        entry["pending"] = pending or 0

    runs = []
    for row in db.execute(f"SELECT {', '.join(RUN_FIELDS)}, options FROM runs ORDER BY id DESC"):
        run = dict(zip(RUN_FIELDS, row[:-1], strict=True))
        covered = _site_names(row[-1])
        run["sites"] = None if covered is None else len(covered)
        runs.append((run, covered))
        for name in covered or ():
            site(name)  # a site that was crawled but has nothing stored yet still shows
    waiting = set(sites)
    for run, covered in runs:
        if not waiting:
            break
        targets = waiting if covered is None else waiting & covered
        if not targets:
            continue
        # One query per run, from the run's own revisions (CROSS JOIN keeps that order:
        # a site's articles can outnumber a run's revisions by far).
        per_site = {
            name: (new, changed)
            for name, new, changed in db.execute(
                "SELECT a.site, SUM(r.revision = 1), SUM(r.revision > 1) "
                "FROM revisions AS r CROSS JOIN articles AS a ON a.id = r.article_id "
                "WHERE r.run_id = ? GROUP BY a.site",
                [run["id"]],
            )
        }
        for name in targets:
            own = dict(run)
            own["site_new"], own["site_changed"] = per_site.get(name, (0, 0))
            sites[name]["last_run"] = own
        waiting = waiting - targets
    last_run = runs[0][0] if runs else None
    if last_run is not None:
        last_run["alarms"] = _alarms(db, last_run["id"])
    reader = HealthReader(db)
    judged = reader.has_table()
    for name, entry in sites.items():
        entry["health"] = site_health(reader, name) if judged else None
    rows = [sites[name] for name in sorted(sites)]
    totals = {key: sum(entry[key] for entry in rows) for key in SITE_COUNTS}
    return {"now": now, "sites": rows, "totals": totals, "last_run": last_run}


def _alarms(db, run_id: int) -> list[dict] | None:
    """The alarms recorded on a run (None when its health was not judged)."""
    try:
        text = db.execute("SELECT alarms FROM runs WHERE id = ?", [run_id]).fetchone()[0]
    except sqlite3.Error:  # an archive from before runs.alarms: nothing judged
        return None
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def _run_text(run: dict | None, *, own: bool) -> str:
    if run is None:
        return "never"
    when = run["finished_at"] or run["started_at"] or "?"
    text = f"#{run['id']} {when} {run['status']}"
    if own:
        text += f" (+{run['site_new']} new, {run['site_changed']} changed here)"
    return text


def format_status(data: dict, db_path: str | None = None) -> str:
    """Plain-text table of archive_status()."""
    header = (
        "site",
        "live",
        "gone",
        "revisions",
        "failed",
        "pending",
        "due now",
        "due 24h",
        "last run",
    )
    keys = SITE_COUNTS
    table: list[tuple[str, ...]] = [header]
    for entry in data["sites"]:
        table.append(
            (
                entry["site"],
                *(str(entry[k]) for k in keys),
                _run_text(entry["last_run"], own=True),
            )
        )
    totals = data["totals"]
    table.append(("total", *(str(totals[k]) for k in keys), ""))
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    lines = [f"archive {db_path}  (now {data['now']})" if db_path else f"now {data['now']}"]
    for row in table:
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(widths[i + 1]) for i, cell in enumerate(row[1:-1])]
        cells.append(row[-1])
        lines.append("  ".join(cells).rstrip())
    if any(entry.get("health") for entry in data["sites"]):
        lines.append("health (last run, body fill trend, open alarms):")
        lines += [
            "  " + health_text(entry["site"], entry.get("health")).replace("\n", "\n  ")
            for entry in data["sites"]
        ]
    run = data["last_run"]
    if run is None:
        lines.append("last run: none")
    else:
        counts = ", ".join(f"{run[k]} {k}" for k in RUN_FIELDS[4:])
        span = f"{run['started_at']} -> {run['finished_at'] or '…'}"
        alarms = run.get("alarms")
        judged = "" if alarms is None else f"; {len(alarms)} alarm{'s' if len(alarms) != 1 else ''}"
        lines.append(f"last run #{run['id']} {run['status']}: {span}; {counts}{judged}")
    return "\n".join(lines)
