"""robots.txt: parse once, answer "may I fetch this URL?" fast (RFC 9309).

Our own small parser rather than urllib.robotparser, because the portals' rules must
match as a prefix of path *plus query* (`Disallow: /?id=99`; the portals route every page
through query parameters), and because RFC 9309 asks for things the stdlib does not do:
longest match wins, Allow wins a tie, `*` and `$` wildcards, percent-encoding compared
normalised.

Group choice: the groups whose user-agent is our product token (`scraper`, compared
case-insensitively, a version suffix such as `scraper/0.1` ignored) are merged and used;
otherwise the `*` groups are merged; otherwise everything is allowed. `Crawl-delay`
(not in the RFC, widely used) is read from the chosen groups; the largest value wins.

What a fetch status means (RFC 9309 section 2.3.1) is decided by scraper.fetch, which
builds `Robots.allow_all()` or `Robots.disallow_all(reason)` when there is no file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

PRODUCT_TOKEN = "scraper"

_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PCT = re.compile(r"%([0-9A-Fa-f]{2})")
_PRINTABLE = "".join(chr(c) for c in range(0x21, 0x7F))
_TOKEN = re.compile(r"[A-Za-z_-]+|\*")


def _pct(match: re.Match[str]) -> str:
    byte = int(match.group(1), 16)
    return chr(byte) if byte in _UNRESERVED else "%" + match.group(1).upper()


def normalise(path: str) -> str:
    """One spelling for comparison: non-ASCII and spaces percent-encoded as UTF-8,
    %XX of unreserved characters decoded, other %XX upper-cased (RFC 9309 2.2.2)."""
    if path.isascii() and " " not in path:
        return _PCT.sub(_pct, path) if "%" in path else path
    return _PCT.sub(_pct, quote(path, safe=_PRINTABLE))


def target_of(url: str) -> str:
    """Path plus query of a URL, the string rules match against ('/' for an empty path)."""
    if url.startswith("/"):
        return url
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target = f"{target}?{parts.query}"
    return target


@dataclass(frozen=True)
class Rule:
    """One Allow / Disallow line; matches a normalised path+query."""

    allow: bool
    pattern: str  # normalised, as written otherwise
    _regex: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def make(cls, allow: bool, value: str) -> Rule:
        pattern = normalise(value)
        if not pattern.startswith(("/", "*")):
            pattern = "/" + pattern
        regex = None
        if "*" in pattern or pattern.endswith("$"):
            body = pattern[:-1] if pattern.endswith("$") else pattern
            parts = [re.escape(p) for p in re.sub(r"\*+", "*", body).split("*")]
            regex = re.compile(".*".join(parts) + ("\\Z" if pattern.endswith("$") else ""), re.S)
        return cls(allow, pattern, regex)

    def matches(self, target: str) -> bool:
        if self._regex is None:
            return target.startswith(self.pattern)
        return self._regex.match(target) is not None


@dataclass
class Robots:
    """The rules that apply to us on one host.

    reason: why there are no rules from a file (e.g. "robots.txt unreachable: HTTP 503"),
    None when parsed from a file.
    """

    rules: list[Rule] = field(default_factory=list)
    crawl_delay: float | None = None
    disallow_everything: bool = False
    reason: str | None = None
    sitemaps: list[str] = field(default_factory=list)  # its `Sitemap:` lines, absolute

    @classmethod
    def allow_all(cls, reason: str | None = None) -> Robots:
        return cls(reason=reason)

    @classmethod
    def disallow_all(cls, reason: str) -> Robots:
        return cls(disallow_everything=True, reason=reason)

    @classmethod
    def parse(cls, text: str, product_token: str = PRODUCT_TOKEN) -> Robots:
        token = product_token.lower()
        # groups: (user-agent tokens, rules, crawl delays)
        groups: list[tuple[list[str], list[Rule], list[float]]] = []
        in_agents = False
        for raw in text.lstrip("\ufeff").splitlines():
            line = raw.split("#", 1)[0].strip()
            if ":" not in line:
                continue
            key, value = line.split(":", 1)
            key = key.strip().lower().replace(" ", "-")
            value = value.strip()
            if key in ("user-agent", "useragent"):
                if not in_agents:
                    groups.append(([], [], []))
                    in_agents = True
                m = _TOKEN.match(value)
                groups[-1][0].append(m.group(0).lower() if m else value.lower())
                continue
            if key not in ("allow", "disallow", "crawl-delay"):
                continue  # sitemap and unknown lines do not end a group
            in_agents = False
            if not groups:
                continue  # rules before any user-agent line belong to no group
            if key == "crawl-delay":
                try:
                    delay = float(value)
                except ValueError:
                    continue
                if delay >= 0:
                    groups[-1][2].append(delay)
            elif value:  # an empty Disallow / Allow is no rule
                groups[-1][1].append(Rule.make(key == "allow", value))

        chosen = [g for g in groups if token in g[0]] or [g for g in groups if "*" in g[0]]
        rules = [rule for g in chosen for rule in g[1]]
        delays = [d for g in chosen for d in g[2]]
        from scraper.sites.discovery import sitemaps_from_robots

        return cls(
            rules=rules,
            crawl_delay=max(delays) if delays else None,
            sitemaps=sitemaps_from_robots(text),
        )

    def allows(self, url: str) -> bool:
        """May we fetch url (absolute, or a path starting with '/')?"""
        target = normalise(target_of(url))
        if target == "/robots.txt":
            return True
        if self.disallow_everything:
            return False
        best: Rule | None = None
        for rule in self.rules:
            if rule.matches(target) and (
                best is None
                or len(rule.pattern) > len(best.pattern)
                or (len(rule.pattern) == len(best.pattern) and rule.allow)
            ):
                best = rule
        return best is None or best.allow
