"""Captures of a TT replica site at two epochs, for the Wayback and WARC import tests.

`capture_epochs()` starts a replica (scraper.replica's public API only), fetches a few of
its article pages and its home page at epoch 0, changes the site (one title edited, one
body rewritten, one article re-encoded, one deleted, new articles added so the chrome of
every page changes), fetches the same URLs again at epoch 1, and returns what it saw.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from scraper.replica import ReplicaServer, build_site

EPOCH_TIMES = ("20261101083000", "20261201083000")


@dataclass
class Epochs:
    base_url: str
    home: str
    urls: dict[str, str]  # role -> article URL
    ids: dict[str, str]  # role -> article id
    pages: list[dict[str, tuple[int, str, bytes]]] = field(default_factory=list)  # per epoch


ROLES = ("title", "body", "reencoded", "deleted", "chrome", "chrome2")


def capture_epochs(seed: int = 21, n_articles: int = 14) -> Epochs:
    site = build_site(seed=seed, n_articles=n_articles)
    with ReplicaServer(site) as server:
        base = server.base_url
        tcs = site.tcs()[: len(ROLES)]
        roles = dict(zip(ROLES, tcs, strict=True))
        epochs = Epochs(
            base_url=base,
            home=base,
            urls={r: site.article_url(tc, base) for r, tc in roles.items()},
            ids={r: site.article_id(tc, base) for r, tc in roles.items()},
        )
        with httpx.Client(timeout=30) as client:

            def grab() -> dict[str, tuple[int, str, bytes]]:
                out = {}
                for url in [base, *epochs.urls.values()]:
                    resp = client.get(url)
                    out[url] = (resp.status_code, resp.headers["content-type"], resp.content)
                return out

            epochs.pages.append(grab())
            site.edit(roles["title"], title="Tiêu đề đã được sửa lại sau buổi họp báo chiều")
            site.edit(
                roles["body"],
                body_paragraphs=[
                    "Sáng nay, đoàn công tác đã kiểm tra tiến độ xây dựng cầu mới.",
                    "Các đơn vị cam kết hoàn thành đúng hạn trong quý tới.",
                ],
            )
            site.reencode(roles["reencoded"])
            site.delete(roles["deleted"])
            site.add_articles(3)
            epochs.pages.append(grab())
    return epochs
