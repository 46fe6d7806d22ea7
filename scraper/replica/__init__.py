"""Local replica of a TT-CMS sub-site (model, pages, HTTP server) for tests and benchmarks.

Owns nothing itself: re-exports `build_site` / `ReplicaSite` (scraper.replica.content:
the deterministic site model and ground truth), `Renderer` (scraper.replica.pages: the
HTML) and `ReplicaServer` (scraper.replica.server: the threaded HTTP server with fault
mode). `python -m scraper.replica` serves a site until Ctrl-C.
"""

from scraper.replica.content import CASES, ReplicaSite, build_site
from scraper.replica.pages import Renderer, decode_viewstate, encode_viewstate
from scraper.replica.server import ReplicaServer

__all__ = [
    "CASES",
    "ReplicaServer",
    "ReplicaSite",
    "Renderer",
    "build_site",
    "decode_viewstate",
    "encode_viewstate",
]
