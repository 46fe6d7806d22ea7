"""Live progress of a crawl on a terminal: one line on stderr, redrawn at most 10 times a second.

Without a terminal (cron, pipes) it draws nothing; the CLI prints one summary line at the
end instead, or nothing with --quiet.
"""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, *, enabled: bool, stream=None):
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.last_draw = 0.0
        self.drawn = False

    def update(self, event: str, stats) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.last_draw < 0.1:
            return
        self.last_draw = now
        rate = stats.fetched / max(now - self.started, 1e-6)
        line = (
            f"\r{stats.fetched} fetched  {stats.new} new  {stats.changed} changed  "
            f"{stats.unchanged} unchanged  {stats.failed} failed  {rate:.1f} pages/s"
        )
        self.stream.write(line + "\x1b[K")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
