"""Run health: what each site gave in one run, and the alarms raised against its own past.

This module owns the measures and the rules; the archive stores them (scraper.store.health,
table `run_sites`; the run's alarms also go to `runs.alarms`).

Measured per site and run (`SiteHealth`, fed by the crawl loop through `RunHealth`):
HTTP answers from its hosts (`pages`), listing pages read, requests that got no usable
answer and what failed (dns, refused, timeout, tls, reset, network, http: see
scraper.fetch.FAILURE_KINDS), article pages extracted, articles stored (new + changed),
and per profile the fill rate of each field of the extracted articles: title, published,
body (the share with at least BODY_MIN characters; the mean length is kept too),
captions, source, related (links to related articles). An article page on which the
profile found no article counts as an article with every field empty.

Alarms (`Alarm`, kinds in ALARM_KINDS):
- unreachable: no request to the site got an answer this run (and at least one failed);
  the message names what failed (DNS, refused, timeout, TLS, ...). Raised for every site,
  a new one included.
The others compare the site with its own completed runs and are never raised for a site
with no earlier completed run in `run_sites` (a new site):
- fill_drop: a field's fill rate, for a profile with at least MIN_ARTICLES (5) articles
  this run, is DROP (30 points) or more below the pooled rate of the site's last WINDOW
  (5) completed runs that had at least MIN_ARTICLES articles of that profile, and the
  drop is not chance: so few filled articles would happen with probability below
  SIGNIFICANCE (1 %) if the trailing rate still held (binomial lower tail). Without that
  guard an incremental run of 6 articles would raise an alarm whenever 1 of 6 had
  captions against 60 % before (probability 4 %); a broken template gives 0 of 6 against
  95 % (probability 1e-8).
- profile_changed: the site answered with another profile than in its last completed run.
- stale: no new article for longer than STALE_FACTOR (3) times the median gap between the
  publication days of its newest articles, and at least STALE_MIN_DAYS (7) days (judged
  from the newest RHYTHM_ARTICLES dated articles; needs RHYTHM_MIN distinct days).
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime

from scraper.errors import FetchError
from scraper.urls import host_of

FIELDS = ("title", "published", "body", "captions", "source", "related")
BODY_MIN = 200  # characters: a body shorter than this does not count as filled
WINDOW = 5  # trailing completed runs a fill rate is compared with
MIN_ARTICLES = 5  # articles of one profile a run needs for its fill rates to count
DROP = 0.30  # a fill rate this far (absolute) below the trailing rate raises an alarm
SIGNIFICANCE = 0.01  # ... when so low a count is this improbable under the trailing rate
STALE_FACTOR = 3
STALE_MIN_DAYS = 7
RHYTHM_ARTICLES = 50
RHYTHM_MIN = 5
RELATED_KINDS = frozenset({"same_group", "other_news"})
ALARM_KINDS = ("unreachable", "fill_drop", "profile_changed", "stale")
FAILURE_WORDS = {
    "dns": "DNS lookup failed",
    "refused": "connection refused",
    "timeout": "timed out",
    "tls": "TLS handshake failed",
    "reset": "connection reset",
    "network": "network error",
    "http": "server errors (5xx / 429) after every retry",
}


@dataclass
class Alarm:
    """One alarm: the site, its kind (ALARM_KINDS), one line of plain words, the figures."""

    site: str
    kind: str
    message: str
    figures: dict = field(default_factory=dict)

    def line(self) -> str:
        return f"{self.site}: {self.message}"

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class SiteHealth:
    """What one site gave in one run (see the module docstring)."""

    site: str
    pages: int = 0
    listing_pages: int = 0
    failures: int = 0
    failure_kinds: Counter = field(default_factory=Counter)
    first_error: str | None = None
    articles: int = 0
    stored: int = 0
    new: int = 0
    seed_profile: str | None = None
    profiles: Counter = field(default_factory=Counter)  # articles extracted per profile
    filled: dict[str, Counter] = field(default_factory=dict)  # profile -> field -> count
    body_chars: Counter = field(default_factory=Counter)  # profile -> body characters

    # -- what the crawl loop reports
    def answered(self) -> None:
        self.pages += 1

    def failed(self, exc: BaseException) -> None:
        self.failures += 1
        kind = getattr(exc, "kind", None) or ("http" if getattr(exc, "status", None) else "network")
        self.failure_kinds[kind] += 1
        if self.first_error is None:
            self.first_error = str(exc)

    def listing(self, profile: str, *, seed: bool) -> None:
        self.listing_pages += 1
        if seed:
            self.seed_profile = profile

    def article(self, article, outcome: str | None) -> None:
        """An extracted article (outcome: new / changed / unchanged)."""
        profile = article.profile or "generic"
        self.articles += 1
        self.profiles[profile] += 1
        body = article.body or ""
        related = any(link.kind in RELATED_KINDS for link in article.links)
        present = {
            "title": bool(article.title),
            "published": bool(article.published),
            "body": len(body) >= BODY_MIN,
            "captions": bool(article.captions),
            "source": bool(article.source),
            "related": related,
        }
        counts = self.filled.setdefault(profile, Counter())
        counts.update(name for name, ok in present.items() if ok)
        self.body_chars[profile] += len(body)
        if outcome in ("new", "changed"):
            self.stored += 1
            self.new += outcome == "new"

    def no_article(self, profile: str) -> None:
        """An article page on which the profile found no article: every field empty."""
        self.articles += 1
        self.profiles[profile] += 1
        self.filled.setdefault(profile, Counter())

    # -- what is recorded
    @property
    def unreachable(self) -> str | None:
        """What failed when nothing answered this run (the commonest failure), else None."""
        if self.pages or not self.failures:
            return None
        return self.failure_kinds.most_common(1)[0][0]

    @property
    def profile(self) -> str | None:
        """The profile the site answered with: its articles' commonest, else its seed's."""
        if self.profiles:
            return self.profiles.most_common(1)[0][0]
        return self.seed_profile

    def fill(self) -> dict[str, dict]:
        """profile -> {"n": articles, field: fill rate (0..1) ..., "body_mean": chars}."""
        out = {}
        for profile, n in sorted(self.profiles.items()):
            counts = self.filled.get(profile, Counter())
            rates = {"n": n, **{name: round(counts[name] / n, 4) for name in FIELDS}}
            rates["body_mean"] = round(self.body_chars[profile] / n)
            out[profile] = rates
        return out

    def row(self) -> dict:
        """The `run_sites` row (without run_id and alarms)."""
        return {
            "site": self.site,
            "profile": self.profile,
            "pages": self.pages,
            "listing_pages": self.listing_pages,
            "failures": self.failures,
            "unreachable": self.unreachable,
            "error": self.first_error,
            "articles": self.articles,
            "stored": self.stored,
            "new": self.new,
            "fill": self.fill(),
        }


class RunHealth:
    """The SiteHealth of every site of one crawl; fetch outcomes are routed by host."""

    def __init__(self, sites) -> None:
        """sites: scraper.sites.Site objects (name, hosts)."""
        sites = list(sites)
        self.by_site = {site.name: SiteHealth(site.name) for site in sites}
        self.by_host = {host: self.by_site[site.name] for site in sites for host in site.hosts}

    def of(self, site_name: str) -> SiteHealth:
        return self.by_site.setdefault(site_name, SiteHealth(site_name))

    def for_url(self, url: str) -> SiteHealth | None:
        return self.by_host.get(host_of(url))

    def fetched(self, url: str, exc: FetchError | None = None) -> None:
        """A request's outcome: an answer (exc None) or a failure."""
        health = self.for_url(url)
        if health is None:
            return
        if exc is None:
            health.answered()
        else:
            health.failed(exc)

    def judge(self, archive, run_id: int, now: str | None = None) -> list[Alarm]:
        """Compare every site with its own past, write the run's `run_sites` rows with
        their alarms, and return every alarm (unreachable sites first)."""
        alarms: list[Alarm] = []
        rows = []
        for name in sorted(self.by_site):
            row = self.by_site[name].row()
            history = archive.site_runs(name, before_run=run_id, limit=WINDOW * 10)
            rhythm = archive.site_rhythm(name, RHYTHM_ARTICLES)
            own = judge_site(row, history, rhythm, now)
            row["alarms"] = [alarm.to_dict() for alarm in own]
            rows.append(row)
            alarms.extend(own)
        archive.record_run_sites(run_id, rows)
        alarms.sort(key=lambda alarm: (alarm.kind != "unreachable", alarm.site))
        return alarms


# --------------------------------------------------------------------------- rules


def judge_site(
    row: dict,
    history: list[dict],
    rhythm: tuple[list[str], str | None] = ([], None),
    now: str | None = None,
) -> list[Alarm]:
    """The alarms of one site's run: row as SiteHealth.row(); history its earlier completed
    runs' rows, newest first; rhythm as Archive.site_rhythm gives it."""
    site = row["site"]
    if row.get("unreachable"):
        return [unreachable_alarm(row)]
    if not any(old.get("pages") for old in history):
        return []  # a new site: nothing to compare with
    alarms = profile_alarm(site, row.get("profile"), history)
    alarms += fill_alarms(site, row.get("fill") or {}, history)
    stale = stale_alarm(site, *rhythm, now=now) if not row.get("new") else None
    if stale is not None:
        alarms.append(stale)
    return alarms


def unreachable_alarm(row: dict) -> Alarm:
    kind = row["unreachable"]
    words = FAILURE_WORDS.get(kind, kind)
    failures = row["failures"]
    message = (
        f"unreachable the whole run: {words} "
        f"({failures} request{'s' if failures != 1 else ''} failed, no answer)"
    )
    figures = {"failure": kind, "failures": failures, "error": row.get("error")}
    return Alarm(row["site"], "unreachable", message, figures)


def profile_alarm(site: str, profile: str | None, history: list[dict]) -> list[Alarm]:
    before = next((old for old in history if old.get("profile")), None)
    if profile is None or before is None or before["profile"] == profile:
        return []
    message = f"answers as profile {profile}, was {before['profile']} in run #{before['run_id']}"
    figures = {"profile": profile, "was": before["profile"], "run_id": before["run_id"]}
    return [Alarm(site, "profile_changed", message, figures)]


def baseline(profile: str, history: list[dict]) -> tuple[dict[str, float], int, int] | None:
    """The pooled fill rates of the profile over the site's last WINDOW completed runs with
    at least MIN_ARTICLES of its articles: (field -> rate plus body_mean, runs, articles)."""
    chosen = []
    for old in history:
        rates = (old.get("fill") or {}).get(profile)
        if rates and rates.get("n", 0) >= MIN_ARTICLES:
            chosen.append(rates)
        if len(chosen) == WINDOW:
            break
    if not chosen:
        return None
    total = sum(rates["n"] for rates in chosen)
    pooled = {
        name: sum(rates.get(name, 0) * rates["n"] for rates in chosen) / total
        for name in (*FIELDS, "body_mean")
    }
    return pooled, len(chosen), total


def fill_alarms(site: str, fill: dict[str, dict], history: list[dict]) -> list[Alarm]:
    alarms = []
    for profile, rates in sorted(fill.items()):
        n = rates.get("n", 0)
        if n < MIN_ARTICLES:
            continue
        base = baseline(profile, history)
        if base is None:
            continue
        pooled, runs, _ = base
        for name in FIELDS:
            now_rate, was = rates.get(name, 0.0), pooled[name]
            if was - now_rate < DROP - 1e-9:
                continue
            chance = lower_tail(round(now_rate * n), n, was)
            if chance >= SIGNIFICANCE:
                continue
            what = f"body of {BODY_MIN}+ chars" if name == "body" else name
            message = (
                f"{what} filled in {now_rate:.0%} of {n} {profile} articles, against "
                f"{was:.0%} over its last {runs} runs (alarm at a drop of {DROP * 100:g} points)"
            )
            figures = {
                "field": name,
                "profile": profile,
                "rate": round(now_rate, 4),
                "baseline": round(was, 4),
                "articles": n,
                "runs": runs,
                "chance": float(f"{chance:.3g}"),
            }
            if name == "body":
                message += f"; mean body {rates.get('body_mean', 0)} chars, was {was_mean(pooled)}"
                figures["body_mean"] = rates.get("body_mean", 0)
                figures["baseline_body_mean"] = was_mean(pooled)
            alarms.append(Alarm(site, "fill_drop", message, figures))
    return alarms


def lower_tail(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p): how likely so few filled articles are by chance."""
    p = min(max(p, 0.0), 1.0)
    if k >= n or p <= 0.0:
        return 1.0
    if p >= 1.0:
        return 0.0
    logs = (
        math.lgamma(n + 1)
        - math.lgamma(i + 1)
        - math.lgamma(n - i + 1)
        + i * math.log(p)
        + (n - i) * math.log1p(-p)
        for i in range(max(k, 0) + 1)
    )
    return min(1.0, sum(math.exp(value) for value in logs))


def was_mean(pooled: dict[str, float]) -> int:
    return round(pooled.get("body_mean", 0))


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def stale_alarm(
    site: str, days: list[str], last_new: str | None, now: str | None = None
) -> Alarm | None:
    """An alarm when the site's newest article was first seen longer ago than its rhythm
    allows (see the module docstring); None otherwise or when the rhythm is unknown."""
    from scraper.store import iso_utc

    if last_new is None or len(days) < RHYTHM_MIN:
        return None
    dates = sorted({datetime.fromisoformat(day).date() for day in days}, reverse=True)
    gaps = [(a - b).days for a, b in zip(dates, dates[1:], strict=False)]
    if not gaps:
        return None
    median = statistics.median(gaps)
    allowed = max(STALE_FACTOR * median, STALE_MIN_DAYS)
    quiet = (_when(iso_utc(now)) - _when(last_new)).total_seconds() / 86400
    if quiet <= allowed:
        return None
    message = (
        f"no new article for {quiet:.0f} days (its rhythm: a median gap of {median:g} days "
        f"between publication days; alarm after {allowed:g} days)"
    )
    figures = {"days": round(quiet, 1), "median_gap": median, "allowed": allowed}
    return Alarm(site, "stale", message, figures)


# --------------------------------------------------------------------------- reading


def site_health(archive, site: str, runs: int = WINDOW) -> dict | None:
    """A site's health for `scrape status`: its last run's row (any status), the trend of
    its last `runs` completed runs (oldest first) and the open alarms (its last run's)."""
    rows = archive.site_runs(site, limit=runs + 1, completed=False)
    if not rows:
        return None
    last = rows[0]
    done = [row for row in rows if row.get("status") == "ok"][:runs]
    trend = [
        {
            "run_id": row["run_id"],
            "finished_at": row.get("finished_at"),
            "pages": row["pages"],
            "stored": row["stored"],
            "new": row["new"],
            "profile": row["profile"],
            "body": _main_rate(row, "body"),
        }
        for row in reversed(done)
    ]
    return {
        "last_run": {
            key: last.get(key)
            for key in (
                "run_id",
                "finished_at",
                "status",
                "profile",
                "pages",
                "failures",
                "unreachable",
                "articles",
                "stored",
                "new",
                "fill",
            )
        },
        "trend": trend,
        "alarms": last.get("alarms") or [],
    }


def _main_rate(row: dict, name: str) -> float | None:
    """The fill rate of name for the row's own profile (None without articles of it)."""
    rates = (row.get("fill") or {}).get(row.get("profile") or "")
    return None if not rates else rates.get(name)


def health_text(site: str, health: dict | None) -> str:
    """One line of a site's health for `scrape status`."""
    if health is None:
        return f"{site}: no run judged yet"
    last = health["last_run"]
    if last["unreachable"]:
        state = f"unreachable ({FAILURE_WORDS.get(last['unreachable'], last['unreachable'])})"
    else:
        state = f"{last['pages']} pages, {last['stored']} stored ({last['new']} new)"
    text = f"{site}: run #{last['run_id']} {last['status']}: {state}"
    if last["profile"]:
        text += f", profile {last['profile']}"
    bodies = [step["body"] for step in health["trend"] if step["body"] is not None]
    if bodies:
        text += f"; body {BODY_MIN}+ trend " + " ".join(f"{rate:.0%}" for rate in bodies)
    alarms = health["alarms"]
    text += f"; alarms: {len(alarms)}" if alarms else "; no alarm"
    lines = [text] + [f"    alarm: {alarm['message']}" for alarm in alarms]
    return "\n".join(lines)
