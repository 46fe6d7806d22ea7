"""The replica's generator: builds the deterministic site model from a seed.

Owns `build_site` (categories in a two-level tree, article ids growing with dates, which
article gets which kind, features and date anomalies) and `Gen`, which composes one
article's title, blocks, images and attachments from the pools of `scraper.replica.vocab`
(also used by `ReplicaSite.add_articles`). Same seed and today, same site.

Long because: the site is one deterministic sequence of random draws; moving a part of it
elsewhere risks reordering the draws, which would change every seed's site.
"""

from __future__ import annotations

import random
import unicodedata
from datetime import date, timedelta

from scraper.replica.model import (
    LINK_STYLES,
    Article,
    Block,
    Category,
    Img,
    ReplicaSite,
    _leafish,
    _today_ict,
    fmt_date,
)
from scraper.replica.vocab import (
    ACHIEVE,
    ATTACH_PRE,
    AWARDS,
    CAPTIONS,
    DOC_NAMES,
    EVENTS,
    NOISE_FLAGS,
    NOTICE_ENDS,
    NOTICE_SUBJECTS,
    ORGS,
    PARENTS,
    PEOPLE,
    PERIODS,
    PROBLEMS,
    QUOTES,
    ROLES,
    ROMAN,
    SECTION_TITLES,
    SENTENCES,
    SHORT_HEADLINES,
    SOURCES,
    SPANS,
    STANDALONE,
    TABLE_HEAD,
    TABLE_UNITS,
    TASKS,
    TITLE_ACTIONS,
    TOPICS,
)


class Gen:
    """Composes articles. One instance per build (rng shared, so output follows the seed)."""

    def __init__(self, rng: random.Random, site: ReplicaSite):
        self.rng = rng
        self.site = site

    # text ----------------------------------------------------------------
    def ctx(self, d: date) -> dict:
        r = self.rng
        person = r.choice(PEOPLE)
        return {
            "org": r.choice(ORGS),
            "topic": r.choice(TOPICS),
            "period": r.choice(PERIODS),
            "span": r.choice(SPANS),
            "event": r.choice(EVENTS),
            "person": person,
            "Person": person[0].upper() + person[1:],
            "role": r.choice(ROLES),
            "award": r.choice(AWARDS),
            "d": d,
        }

    def fill(self, template: str, c: dict) -> str:
        r = self.rng
        d = c["d"]
        task = r.choice(TASKS)
        values = dict(c)
        values.update(
            task=task,
            Task=task[0].upper() + task[1:],
            problem=r.choice(PROBLEMS),
            n=r.randint(3, 1500),
            n2=r.randint(2, 60),
            n3=r.randint(100, 999),
            pct=r.choice(["85", "90,5", "97,2", "100", "78,6", "95"]),
            dm=f"{r.randint(1, 28)}/{r.randint(1, 12)}",
            time=self.time_phrase(d),
            y=d.year,
            m=d.month,
        )
        values["achieve"] = r.choice(ACHIEVE).format(n=r.randint(10, 5000))
        text = template.format(**values)
        return " ".join(text.split())

    def time_phrase(self, d: date) -> str:
        forms = [
            f"Sáng {d.day}/{d.month}",
            f"Chiều ngày {d.day}/{d.month}/{d.year}",
            f"Ngày {d.day}/{d.month}",
            "Vừa qua",
            f"Trong 2 ngày {d.day} - {d.day + 1}/{d.month}",
        ]
        return self.rng.choice(forms)

    def sentence(self, c: dict) -> str:
        return self.fill(self.rng.choice(SENTENCES), c)

    def paragraph(self, c: dict, k: tuple[int, int] = (2, 4)) -> str:
        templates = self.rng.sample(SENTENCES, self.rng.randint(*k))
        return " ".join(self.fill(t, c) for t in templates)

    def title(self, c: dict, kind: str) -> str:
        r = self.rng
        if kind == "notice":
            return self.fill(r.choice(NOTICE_SUBJECTS), c).replace("Về", "Thông báo về", 1)
        if kind == "attachment_only":
            c["doc"] = self.fill(r.choice(DOC_NAMES), c)
            return c["doc"] + " về " + c["topic"]
        forms = [
            "{org} {action} {topic} {period}",
            "Hội nghị {topic} {period}",
            "{Topic}: {headline}",
            "Kế hoạch {topic} {period}",
            "{org} {action} {topic}",
        ]
        t = r.choice(forms).format(
            action=r.choice(TITLE_ACTIONS),
            Topic=c["topic"][0].upper() + c["topic"][1:],
            headline=r.choice(SHORT_HEADLINES),
            **c,
        )
        return " ".join(t.split())

    # files -----------------------------------------------------------------
    def file_dir(self, d: date, lower: bool = False) -> str:
        prefix = "/uploadfiles/tintuc" if lower else "/UploadFiles/TinTuc"
        return f"{prefix}/{d.year}/{d.month}/{d.day}"

    def image(self, tc: int, k: int, d: date, cap_form: str, c: dict) -> Img:
        r = self.rng
        name = r.choice(
            [
                f"{tc}_{k}.jpg",
                f"IMG_{r.randint(1000, 9999)}.JPG",
                f"hoi nghi {tc} {k}.jpg",
                f"anh {tc}-{k}.png",
                f"tin-{tc}-anh{k}.jpeg",
            ]
        )
        path = f"{self.file_dir(d, lower=r.random() < 0.15)}/{name}"
        caption = None
        if cap_form not in ("none", "empty", "nbsp"):
            caption = self.fill(r.choice(CAPTIONS), c)
        roll = r.random()
        if caption is not None:
            alt = caption if roll < 0.5 else ("" if roll < 0.7 else None)
        else:
            alt = r.choice(["Ảnh minh họa", c["topic"], "anh-tin-bai"]) if roll < 0.6 else None
            if cap_form in ("empty", "nbsp"):
                alt = r.choice(["Ảnh minh họa", "Quang cảnh hội nghị", c["topic"]])
        return Img(
            path=path,
            src_form=r.choice(["abs", "root", "root", "rel"]),
            raw_space=" " in name and r.random() < 0.5,
            caption=caption,
            cap_form=cap_form,
            alt=alt,
        )

    def attachment(self, d: date, c: dict, *, only: bool = False, lower: bool = False) -> Block:
        r = self.rng
        doc = c["doc"] if only and "doc" in c else self.fill(r.choice(DOC_NAMES), c)
        n = r.randint(10, 9999)
        name = r.choice(
            [
                f"Ke hoach {n}-KH-UBND.pdf",
                f"QD_{n}_UBND.doc",
                f"TB-so-{n}.docx",
                f"Huong dan {n}.pdf",
                f"cong van {n} STTTT.pdf",
            ]
        )
        path = f"{self.file_dir(d, lower=lower or r.random() < 0.2)}/{name}"
        if only:
            pre, text, post = "", doc, ""
        else:
            pre = r.choice(ATTACH_PRE)
            text, post = r.choice([(doc, ""), ("tại đây", "."), (name, "")])
        return Block(
            "attach", text=text, href=path, pre=pre, post=post, style=r.choice(["abs", "root"])
        )

    # bodies ------------------------------------------------------------------
    def plain(self, c: dict) -> Block:
        return Block("p", text=self.paragraph(c), style=self.rng.choice(["", "justify", ""]))

    def news_blocks(self, a: Article, f: set[str], c: dict, older: list[int]) -> list[Block]:
        r = self.rng
        d = a.file_day
        first = Block("p", text=self.fill(SENTENCES[0], c) + " " + self.paragraph(c, (1, 2)))
        if r.random() < 0.5:
            first.lead_in = 2
        segs: list[list[Block]] = [[first]]
        segs += [[self.plain(c)] for _ in range(r.randint(2, 6))]
        feats: list[list[Block]] = []
        k = 0
        for form in ("table", "br", "em", "i", "style_italic", "align_center", "style_center"):
            if "cap_" + form in f:
                k += 1
                feats.append([Block("img", img=self.image(a.tc, k, d, form, c))])
        if "body_image_nocap" in f:
            k += 1
            feats.append([Block("img", img=self.image(a.tc, k, d, "none", c))])
        if "table" in f:
            rows = [list(TABLE_HEAD)]
            for i, unit in enumerate(r.sample(TABLE_UNITS, r.randint(2, 5)), 1):
                rows.append([str(i), unit, f"{r.randint(1, 9)}.{r.randint(100, 999)}", "98,5%"])
            feats.append([Block("p", text="Kết quả cụ thể như sau:"), Block("table", rows=rows)])
        if "heading" in f or "list" in f:
            seg = []
            if "heading" in f:
                seg.append(
                    Block(
                        "h",
                        text=f"{r.choice(ROMAN[:4])}. {r.choice(SECTION_TITLES).upper()}",
                        style=r.choice(["h3", "h4", "strong"]),
                    )
                )
            if "list" in f:
                style = r.choice(["ul", "ol"])
                seg += [
                    Block("li", text=self.fill("{Task} {period}.", c), style=style)
                    for _ in range(r.randint(2, 4))
                ]
            seg.append(self.plain(c))
            feats.append(seg)
        if "quote" in f:
            feats.append(
                [
                    Block(
                        "quote",
                        text=self.fill(r.choice(QUOTES), c),
                        style=r.choice(["em", "i", "italic", "center"]),
                    )
                ]
            )
        if "blockquote" in f:
            feats.append([Block("bquote", text=self.fill(r.choice(QUOTES), c))])
        if "attachment" in f:
            feats.append([self.attachment(d, c, lower="attachment_lowercase" in f)])
        if "body_link" in f and older:
            target = r.choice(older[-30:])
            t = self.site.articles[target]
            cn = None if r.random() < 0.2 else t.cat
            feats.append(
                [
                    Block(
                        "link",
                        text=t.title,
                        pre=r.choice(["Xem thêm: ", "Tin liên quan: "]),
                        post=r.choice(["", "."]),
                        target=target,
                        cn=cn,
                        style=r.choice(LINK_STYLES),
                    )
                ]
            )
        for seg in feats:
            segs.insert(r.randint(1, len(segs)), seg)
        blocks = [b for seg in segs for b in seg]
        if "div_block" in f:
            for b in blocks[1:]:
                if b.kind == "p" and not b.lead_in:
                    b.style = "div"
                    break
        if "br_in_paragraph" in f:
            for b in blocks:
                if b.kind == "p" and not b.lead_in and b.style != "div" and " " in b.text:
                    b.br = True
                    break
        blocks = self.fix_after_images(blocks, c)
        return self.ending(blocks, f, c)

    def fix_after_images(self, blocks: list[Block], c: dict) -> list[Block]:
        """The block right after a body image is always a plain paragraph."""
        out: list[Block] = []
        for i, b in enumerate(blocks):
            out.append(b)
            nxt = blocks[i + 1] if i + 1 < len(blocks) else None
            if b.kind == "img" and (nxt is None or nxt.kind != "p" or nxt.style == "div"):
                out.append(Block("p", text=self.paragraph(c, (1, 3))))
        return out

    def ending(self, blocks: list[Block], f: set[str], c: dict) -> list[Block]:
        r = self.rng
        if blocks[-1].kind != "p" or blocks[-1].br:
            blocks.append(Block("close", text=self.paragraph(c, (1, 2))))
        if "source" in f:
            style = "em" if "italic_source" in f else r.choice(["", "right", ""])
            blocks.append(Block("source", text=r.choice(SOURCES), style=style))
        else:
            blocks.append(Block("close", text=self.paragraph(c, (1, 2))))
        return blocks

    def notice_blocks(self, a: Article, f: set[str], c: dict) -> list[Block]:
        r = self.rng
        blocks = [
            Block("notice", text="THÔNG BÁO", style=r.choice(["center_strong", "align_center"])),
            Block("notice", text=self.fill(r.choice(NOTICE_SUBJECTS), c), style="center_em"),
        ]
        blocks += [self.plain(c) for _ in range(r.randint(1, 3))]
        if "list" in f or r.random() < 0.4:
            style = r.choice(["ul", "ol"])
            blocks += [
                Block("li", text=self.fill("{Task}.", c), style=style)
                for _ in range(r.randint(2, 5))
            ]
            blocks.append(self.plain(c))
        if "table" in f:
            rows = [["STT", "Họ và tên", "Vị trí dự tuyển"]]
            for i in range(1, r.randint(3, 6)):
                name = r.choice(PEOPLE).split(" ", 1)[1]
                rows.append([str(i), name, r.choice(["Chuyên viên", "Kế toán", "Văn thư"])])
            blocks += [Block("p", text="Danh sách cụ thể như sau:"), Block("table", rows=rows)]
        if "attachment" in f:
            blocks.append(self.attachment(a.file_day, c, lower="attachment_lowercase" in f))
        blocks.append(Block("close", text=self.fill(r.choice(NOTICE_ENDS), c)))
        return blocks

    def long_blocks(self, a: Article, f: set[str], c: dict) -> list[Block]:
        r = self.rng
        blocks: list[Block] = [Block("p", text=self.paragraph(c))]
        for i in range(r.randint(22, 28)):
            blocks.append(
                Block("h", text=f"{ROMAN[i % 10]}. {r.choice(SECTION_TITLES)}", style="strong")
            )
            for _ in range(r.randint(9, 13)):
                if r.random() < 0.2:
                    blocks.append(Block("li", text=self.fill("{Task}.", c), style="ul"))
                else:
                    blocks.append(Block("p", text=self.paragraph(c, (1, 3))))
            if blocks[-1].kind == "li":
                blocks.append(Block("p", text=self.paragraph(c, (1, 2))))
        return self.ending(blocks, f, c)

    # whole articles --------------------------------------------------------------
    def article(
        self, tc: int, cat: int, d: date, kind: str, f: set[str], older: list[int]
    ) -> Article:
        r = self.rng
        c = self.ctx(d)
        a = Article(tc=tc, cat=cat, title="", date_raw=fmt_date(d), blocks=[], file_day=d)
        a.kind = kind
        a.title = self.title(c, kind)
        a.alias = self.site.new_alias(a.title)
        for lead_form, flag in (
            ("td", "lead_caption"),
            ("empty", "lead_empty_caption"),
            ("nbsp", "lead_nbsp_caption"),
        ):
            if flag in f and kind in ("news", "long"):
                a.lead = self.image(tc, 0, d, lead_form, c)
                if lead_form == "td" and a.lead.alt is None and r.random() < 0.5:
                    a.lead.alt = a.lead.caption
                break
        if kind == "attachment_only":
            a.blocks = [self.attachment(d, c, only=True)]
        elif kind == "notice":
            a.blocks = self.notice_blocks(a, f, c)
        elif kind == "long":
            a.blocks = self.long_blocks(a, f, c)
        else:
            a.blocks = self.news_blocks(a, f, c, older)
        a.noise = frozenset(x for x in (*NOISE_FLAGS, "bom", "meta_charset_only") if x in f)
        return a


def _choose(rng: random.Random, eligible: list[int], p: float, m: int) -> set[int]:
    """Indices of eligible with probability p each, topped up to at least m."""
    chosen = {i for i in eligible if rng.random() < p}
    rest = [i for i in eligible if i not in chosen]
    if len(chosen) < m and rest:
        chosen |= set(rng.sample(rest, min(m - len(chosen), len(rest))))
    return chosen


def _plan(rng: random.Random, n: int) -> tuple[list[str], list[set[str]], dict[int, str]]:
    """Which article (by chronological index) gets which kind, features and date case."""
    idx = list(range(n))
    kinds = ["news"] * n
    free = idx[:]
    for kind, m in (("attachment_only", 4), ("notice", max(3, n // 24)), ("long", 2)):
        if not free:
            break
        for i in rng.sample(free, min(m, len(free))):
            kinds[i] = kind
            free.remove(i)
    feats: list[set[str]] = [set() for _ in idx]
    news = [i for i in idx if kinds[i] in ("news", "long")]
    text_kinds = [i for i in idx if kinds[i] in ("news", "notice", "long")]
    only_news = [i for i in idx if kinds[i] == "news"]

    def put(flag: str, eligible: list[int], p: float, m: int, exclusive: str = "") -> None:
        pool = [i for i in eligible if not (exclusive and any(x in feats[i] for x in [exclusive]))]
        for i in _choose(rng, pool, p, m):
            feats[i].add(flag)
            if exclusive:
                feats[i].add(exclusive)

    put("lead_empty_caption", news, 0.03, 4, "_lead")
    put("lead_nbsp_caption", news, 0.03, 4, "_lead")
    put("lead_caption", news, 0.5, 4, "_lead")
    for form in ("table", "br", "em", "i", "style_italic", "align_center", "style_center"):
        put("cap_" + form, only_news, 0.04, 3)
    put("body_image_nocap", only_news, 0.08, 3)
    put("table", text_kinds, 0.06, 3)
    put("heading", only_news, 0.12, 3)
    put("list", text_kinds, 0.12, 3)
    put("quote", only_news, 0.12, 4)
    put("blockquote", only_news, 0.05, 2)
    put("div_block", only_news, 0.1, 3)
    put("br_in_paragraph", only_news, 0.1, 3)
    put("attachment", text_kinds, 0.12, 5)
    put("attachment_lowercase", [i for i in text_kinds if "attachment" in feats[i]], 0.2, 2)
    put("body_link", [i for i in only_news if i > 5], 0.12, 3)
    put("source", news, 0.6, 4)
    put("italic_source", [i for i in news if "source" in feats[i]], 0.1, 2)
    put("nfd", idx, 0.05, 3)
    put("nbsp", idx, 0.3, 3)
    put("zero_width", idx, 0.15, 3)
    put("charref", idx, 0.1, 3)
    put("whitespace", idx, 0.3, 3)
    put("spacer", idx, 0.2, 3)
    put("bom", idx, 0.04, 2)
    put("meta_charset_only", idx, 0.08, 2)
    dates: dict[int, str] = {}
    pool = idx[3:] if n > 20 else idx[:]
    for case in ("missing", "impossible", "future", "pre1990"):
        pool = [i for i in pool if i not in dates]
        for i in rng.sample(pool, min(3, len(pool))):
            dates[i] = case
    return kinds, feats, dates


def _anomalous_raw(rng: random.Random, case: str, today: date) -> str | None:
    if case == "missing":
        return None
    if case == "impossible":
        return rng.choice(["31/02/2019", "30/02/2020", "29/02/2019", "31/04/2021", "31/06/2018"])
    if case == "future":
        return fmt_date(today + timedelta(days=rng.randint(300, 900)))
    return rng.choice(["15/08/1985", "01/01/1970", "31/12/1989", "20/11/1988"])


def build_site(seed: int = 1, n_articles: int = 240, *, today: date | None = None) -> ReplicaSite:
    """The deterministic site for a seed: same seed and today, same site."""
    today = today or _today_ict()
    rng = random.Random(seed)
    site = ReplicaSite(seed, today)
    # categories: two parents with 2-3 children each, 3-4 standalone ones (9-12 in all)
    parent_names = rng.sample(sorted(PARENTS), 2)
    ids = rng.sample(range(2, 200), 20)
    for pname in parent_names:
        pid = ids.pop()
        site.categories[pid] = Category(pid, unicodedata.normalize("NFC", pname))
        for cname in rng.sample(PARENTS[pname], rng.randint(2, 3)):
            cid = ids.pop()
            site.categories[cid] = Category(cid, unicodedata.normalize("NFC", cname), pid)
    for name in rng.sample(STANDALONE, rng.randint(3, 4)):
        cid = ids.pop()
        site.categories[cid] = Category(cid, name)
    leaves = _leafish(site)
    parents = [c for c in site.categories if site.children(c)]
    notice_cats = [c.id for c in site.categories.values() if c.name == "Thông báo"] or leaves

    end = today - timedelta(days=1)
    start = date(2015, 1, 1) if end.year > 2016 else end - timedelta(days=3 * 365)
    span = (end - start).days
    days = sorted(start + timedelta(days=rng.randint(0, span)) for _ in range(n_articles))
    kinds, feats, date_cases = _plan(rng, n_articles)
    gen = Gen(rng, site)
    tc = rng.randint(9000, 12000)
    for i, d in enumerate(days):
        kind = kinds[i]
        if kind == "notice" or (kind == "attachment_only" and rng.random() < 0.5):
            cat = rng.choice(notice_cats)
        elif parents and rng.random() < 0.08:
            cat = rng.choice(parents)
        else:
            cat = rng.choice(leaves)
        a = gen.article(tc, cat, d, kind, feats[i], sorted(site.articles))
        if i in date_cases:
            a.date_case = date_cases[i]
            a.date_raw = _anomalous_raw(rng, date_cases[i], today)
        site.articles[tc] = a
        tc += 1 + (rng.randint(1, 4) if rng.random() < 0.06 else 0)
    site._next_tc = tc + 1
    site.rev = 1
    return site
