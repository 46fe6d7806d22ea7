"""`scrape replica`: serve the local replica of a TT site until Ctrl-C, and move it on.

This module owns the command and the replica's *epochs*: epoch 0 is the site as
`scraper.replica.build_site` makes it; each next epoch (`advance(site, seed, epoch)`,
deterministic) adds a few articles, edits a few (a title, a paragraph) and deletes one,
through the ReplicaSite's public mutations (add_articles, edit, delete). `--epoch N`
starts at epoch N; SIGUSR1 moves a running replica to the next epoch, so a user can crawl,
signal, crawl again and watch revisions (`scrape history --diff`) happen. It uses the
replica package's public entry points only (build_site, ReplicaServer).
"""

from __future__ import annotations

import os
import random
import signal
import time
import unicodedata
from dataclasses import dataclass, field

import click

from scraper.cli.common import sigterm_as_interrupt
from scraper.errors import ScraperError

LAYOUTS = ("tt", "dnn", "hue")  # what --layout offers; the replica decides what it serves

# Our own sentences for edits (NFC): what changes between two epochs of an article.
ADDED_SENTENCES = (
    "Ban tổ chức vừa bổ sung thông tin về thời gian và địa điểm tổ chức.",
    "Bài viết được cập nhật thêm số liệu mới nhất của đơn vị.",
    "Danh sách các đơn vị tham gia đã được điều chỉnh sau cuộc họp chiều nay.",
    "Kinh phí thực hiện được làm rõ theo văn bản hướng dẫn mới.",
)
TITLE_SUFFIXES = ("(cập nhật)", "(bổ sung)", "(điều chỉnh)")


@dataclass
class EpochChanges:
    """What one epoch did to the site (article tcs)."""

    epoch: int
    added: list[int] = field(default_factory=list)
    edited: list[int] = field(default_factory=list)
    deleted: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"epoch {self.epoch}: {len(self.added)} new, {len(self.edited)} edited "
            f"(tc {', '.join(map(str, self.edited)) or '-'}), {len(self.deleted)} deleted "
            f"(tc {', '.join(map(str, self.deleted)) or '-'})"
        )


def advance(site, seed: int, epoch: int, *, new: int = 3, edits: int = 3) -> EpochChanges:
    """Move site to `epoch` (the one after its current): `new` articles added, `edits`
    articles edited (every other one its title, the others a paragraph), one deleted.
    Deterministic for (seed, epoch)."""
    rng = random.Random(f"scrape-replica-{seed}-{epoch}")
    changes = EpochChanges(epoch)
    live = sorted(site.tcs())
    chosen = rng.sample(live, min(len(live), edits + 1))
    for i, tc in enumerate(chosen[:edits]):
        article = site.articles[tc]
        if i % 2 == 0:
            suffix = TITLE_SUFFIXES[epoch % len(TITLE_SUFFIXES)]
            site.edit(tc, title=f"{article.title.split(' (')[0]} {suffix}")
        else:
            paragraphs = list(article.paragraphs()) or [article.title]
            sentence = ADDED_SENTENCES[(epoch + i) % len(ADDED_SENTENCES)]
            at = max(1, len(paragraphs) - 1)  # before a closing source line
            paragraphs.insert(at, f"{sentence} (Lần cập nhật thứ {epoch}.)")
            site.edit(tc, body_paragraphs=[unicodedata.normalize("NFC", p) for p in paragraphs])
        changes.edited.append(tc)
    if len(chosen) > edits and len(live) > edits + 2:
        site.delete(chosen[edits])
        changes.deleted.append(chosen[edits])
    changes.added = list(site.add_articles(new))
    return changes


def _server(site, host: str, port: int, latency: float, faults, layout: str):
    from scraper.replica import ReplicaServer

    options = {"latency": latency, "faults": faults}
    if layout != "tt":
        options["layout"] = layout
    try:
        return ReplicaServer(site, host, port, **options)
    except TypeError:  # a replica without layouts
        raise ScraperError(f"this replica serves the tt layout only, not {layout!r}") from None


@click.command("replica")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port on 127.0.0.1 (0: any free port).",
)
@click.option(
    "--articles",
    type=click.IntRange(10),
    default=240,
    show_default=True,
    help="Articles in the replica.",
)
@click.option(
    "--seed", type=int, default=1, show_default=True, help="Seed of the replica's generator."
)
@click.option(
    "--latency",
    type=click.FloatRange(0),
    default=0.0,
    show_default=True,
    help="Seconds every answer waits (a slow server).",
)
@click.option(
    "--faults",
    type=int,
    default=None,
    metavar="SEED",
    help="Answer some requests with errors (5xx, 429 with Retry-After, resets, truncated "
    "bodies), chosen by this seed.",
)
@click.option(
    "--layout",
    type=click.Choice(LAYOUTS),
    default="tt",
    show_default=True,
    help="The CMS the replica imitates.",
)
@click.option(
    "--epoch",
    type=click.IntRange(0),
    default=0,
    show_default=True,
    help="Start at this epoch: each epoch adds 3 articles, edits 3 and deletes 1.",
)
def replica(port, articles, seed, latency, faults, layout, epoch) -> None:
    """Serve a local replica of a TT site until Ctrl-C; `kill -USR1 <pid>` (printed at
    start) moves it to the next epoch: new, edited and deleted articles.

    Crawl it with --delay 0 (it is yours), signal, crawl again: the second crawl stores
    the edits as revisions (`scrape history ID --diff 1 2`).

    Example: scrape replica --port 8000 ; scrape crawl --site http://127.0.0.1:8000/ --delay 0
    """
    from scraper.replica import build_site

    site = build_site(seed=seed, n_articles=articles)
    for n in range(1, epoch + 1):
        advance(site, seed, n)
    server = _server(site, "127.0.0.1", port, latency, faults, layout)
    try:
        server.start()
    except OSError as exc:
        raise ScraperError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}") from exc
    state = {"epoch": epoch}

    def next_epoch(signum, frame) -> None:
        state["epoch"] += 1
        click.echo(str(advance(site, seed, state["epoch"])))

    click.echo(
        f"replica of a {layout} site ({articles} articles, seed {seed}, epoch {epoch}) at "
        f"{server.base_url}\n"
        f"crawl it:   scrape crawl --site {server.base_url} --delay 0\n"
        f"next epoch: kill -USR1 {os.getpid()}\n"
        "stop:       Ctrl-C"
    )
    previous = signal.signal(signal.SIGUSR1, next_epoch)
    try:
        with sigterm_as_interrupt():
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        click.echo(f"replica stopped at epoch {state['epoch']}")
    finally:
        signal.signal(signal.SIGUSR1, previous)
        server.stop()
