"""Local replica of the Thừa Thiên Huế portals (model, layouts, faults, server, truth) for
tests, benchmarks and `scrape demo`.

Owns nothing itself: re-exports `build_site` (scraper.replica.generate), `ReplicaSite`
(scraper.replica.model), `ReplicaServer` (scraper.replica.server: threaded HTTP server,
`layout="tt"|"dnn"|"hue"`, fault mode), `Renderer` (the TT layout,
scraper.replica.layouts.tt.TTLayout), `make_layout`, `expected` (scraper.replica.truth)
and the TT __VIEWSTATE codec. `python -m scraper.replica --layout tt|dnn|hue` serves a
site until Ctrl-C.
"""

from scraper.replica.generate import build_site
from scraper.replica.layouts import LAYOUTS, make_layout
from scraper.replica.layouts.tt import TTLayout
from scraper.replica.layouts.tt_chrome import decode_viewstate, encode_viewstate
from scraper.replica.model import ReplicaSite
from scraper.replica.server import ReplicaServer
from scraper.replica.truth import expected
from scraper.replica.vocab import CASES

Renderer = TTLayout

__all__ = [
    "CASES",
    "LAYOUTS",
    "ReplicaServer",
    "ReplicaSite",
    "Renderer",
    "TTLayout",
    "build_site",
    "decode_viewstate",
    "encode_viewstate",
    "expected",
    "make_layout",
]
