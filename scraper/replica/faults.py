"""Faults of the replica's fault mode: one registry the server consults per request.

Owns which fault (if any) an attempt at a URL gets (`FaultPlan.decide`: deterministic
per fault seed, request key and attempt number, never more than two failures in a row
for one key) and what each fault does (`FAULTS`): 5xx answers, 429 with Retry-After
(seconds or an HTTP date), connection resets, truncated bodies and slow answers. A fault
either answers the request itself (`Fault.answer` returns True) or changes how the
normal page is sent (`slow` sleeps first, `truncated` cuts the body in half).
"""

from __future__ import annotations

import email.utils
import hashlib
import math
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ERROR_PAGES = {
    status: f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
    for status, title in (
        (500, "Server Error in '/' Application."),
        (502, "502 Bad Gateway"),
        (503, "503 Service Unavailable"),
        (504, "504 Gateway Time-out"),
        (429, "429 Too Many Requests"),
    )
}

# answer(server, handler, rec, r2, method) -> True when the fault answered the request.
Answer = Callable[[Any, Any, dict, float, str], bool]


@dataclass(frozen=True)
class Fault:
    name: str
    share: float  # share of the fault rate this kind gets
    failure: bool  # the client sees a failure (counts towards the two-in-a-row limit)
    answer: Answer
    truncates: bool = False


def _server_error(server, h, rec, r2, method) -> bool:
    status = (500, 502, 503, 504)[int(r2 * 4)]
    rec["status"] = status
    server.write(h, status, [("Content-Type", "text/html")], ERROR_PAGES[status].encode(), method)
    return True


def _too_many(server, h, rec, r2, method) -> bool:
    if r2 < 0.6:
        value = str(server.retry_after)
        wait = float(server.retry_after)
    else:
        now = time.time()
        target = math.ceil(now) + server.retry_after
        value = email.utils.formatdate(target, usegmt=True)
        wait = target - now
    server.hold_client(rec["client"], wait)
    rec["status"] = 429
    headers = [("Content-Type", "text/html"), ("Retry-After", value)]
    server.write(h, 429, headers, ERROR_PAGES[429].encode(), method)
    return True


def _reset(server, h, rec, r2, method) -> bool:
    # SO_LINGER 0: closing the socket sends a TCP RST instead of a FIN.
    h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    server.reset_on_close(h.connection)
    h.close_connection = True
    return True


def _slow(server, h, rec, r2, method) -> bool:
    time.sleep(0.2 + 0.3 * r2)
    return False


def _none(server, h, rec, r2, method) -> bool:
    return False


FAULTS: dict[str, Fault] = {
    f.name: f
    for f in (
        Fault("5xx", 0.3, True, _server_error),
        Fault("429", 0.2, True, _too_many),
        Fault("reset", 0.15, True, _reset),
        Fault("truncated", 0.15, True, _none, truncates=True),
        Fault("slow", 0.2, False, _slow),
    )
}
FAILURES = tuple(name for name, f in FAULTS.items() if f.failure)


class FaultPlan:
    """Decides the fault of each attempt: same seed, same key, same attempt number, same
    fault. Thread-safe."""

    def __init__(self, seed: int, rate: float = 0.25):
        self.seed = seed
        self.rate = rate
        self._lock = threading.Lock()
        self._attempts: dict[str, int] = {}
        self._streak: dict[str, int] = {}

    def decide(self, key: str) -> tuple[Fault | None, float]:
        """(fault or None, a second number in [0, 1)) for the next attempt at key."""
        with self._lock:
            attempt = self._attempts.get(key, 0)
            self._attempts[key] = attempt + 1
            streak = self._streak.get(key, 0)
            digest = hashlib.blake2b(f"{self.seed}|{key}|{attempt}".encode(), digest_size=16)
            raw = digest.digest()
            r1 = int.from_bytes(raw[:8], "big") / 2**64
            r2 = int.from_bytes(raw[8:], "big") / 2**64
            fault = None
            if r1 < self.rate:
                acc = 0.0
                for f in FAULTS.values():
                    acc += f.share * self.rate
                    if r1 < acc:
                        fault = f
                        break
            if fault is not None and fault.failure and streak >= 2:
                fault = None
            self._streak[key] = streak + 1 if fault is not None and fault.failure else 0
        return fault, r2
