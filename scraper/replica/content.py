"""The replica's site model and its ground truth (no HTML here).

Owns: the deterministic model of one TT-CMS sub-site built from a seed (categories in a
two-level tree, articles made of typed blocks, images, attachments, date labels), the
per-article re-encoding flags that `scraper.replica.pages` obeys when it renders, the
mutation API used by incremental-crawl tests (`edit`, `reencode`, `delete`,
`add_articles`), and `ReplicaSite.expected()`, which computes what an extractor must
return for an article from this model, never by parsing HTML, following the field rules
of SITE.md section 7 and CONTRACTS.md.
"""

from __future__ import annotations

import random
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from urllib.parse import quote, urljoin

from scraper.sites import id_host
from scraper.text import clean
from scraper.urls import canonical, host_of

ICT = timezone(timedelta(hours=7))
MIN_DATE = date(1990, 1, 1)
_UNSET: object = object()


def _n(items):
    return [unicodedata.normalize("NFC", s) for s in items]


# --------------------------------------------------------------------------- pools
PARENTS = {
    "Tin tức - Sự kiện": ["Tin trong tỉnh", "Tin hoạt động", "Tin trong nước"],
    "Văn bản - Chính sách": ["Văn bản chỉ đạo điều hành", "Thông báo", "Hướng dẫn nghiệp vụ"],
    "Du lịch - Văn hóa": ["Di sản Huế", "Lễ hội - Sự kiện", "Điểm đến hấp dẫn"],
}
STANDALONE = _n(
    [
        "Cải cách hành chính",
        "Chuyển đổi số",
        "Thi đua - Khen thưởng",
        "Y tế - Sức khỏe",
        "Nông nghiệp - Nông thôn",
        "Phổ biến pháp luật",
    ]
)
ORGS = _n(
    [
        "UBND tỉnh",
        "Sở Thông tin và Truyền thông",
        "Sở Du lịch",
        "Sở Y tế",
        "Sở Tư pháp",
        "Sở Nông nghiệp và Phát triển nông thôn",
        "Ban Thi đua - Khen thưởng tỉnh",
        "Trung tâm Giám sát, điều hành đô thị thông minh",
        "UBND xã Vinh Hà",
        "UBND phường Thủy Thanh",
        "UBND xã Quảng An",
        "UBND xã Vinh Xuân",
        "Hội Nông dân tỉnh",
        "Tỉnh đoàn",
        "Sở Văn hóa và Thể thao",
        "Trung tâm Bảo tồn Di tích Cố đô Huế",
        "Sở Kế hoạch và Đầu tư",
        "Sở Khoa học & Công nghệ",
    ]
)
TITLE_ACTIONS = _n(
    [
        "tổ chức hội nghị về",
        "triển khai kế hoạch",
        "tập huấn nghiệp vụ",
        "sơ kết công tác",
        "tổng kết công tác",
        "kiểm tra việc thực hiện",
        "phát động phong trào",
        "ban hành hướng dẫn về",
        "đẩy mạnh",
        "tăng cường công tác",
        "hưởng ứng",
        "ký kết hợp tác về",
    ]
)
TOPICS = _n(
    [
        "chuyển đổi số",
        "cải cách hành chính",
        "phòng, chống dịch bệnh",
        "phát triển du lịch cộng đồng",
        "bảo vệ môi trường",
        "xây dựng nông thôn mới",
        "an toàn thông tin mạng",
        "phổ biến, giáo dục pháp luật",
        "thi đua yêu nước",
        "phòng, chống thiên tai",
        "chăm sóc sức khỏe ban đầu",
        "dịch vụ công trực tuyến",
        "bảo tồn di sản văn hóa Huế",
        "khởi nghiệp đổi mới sáng tạo",
        "tiêm chủng mở rộng",
        "an toàn vệ sinh thực phẩm",
        "quản lý tài nguyên nước",
        "đô thị thông minh",
        "kinh tế tập thể",
        "trồng rừng gỗ lớn",
        "phát triển sản phẩm OCOP",
        "ứng dụng Hue-S",
    ]
)
PERIODS = _n(
    [
        "năm 2021",
        "giai đoạn 2021 - 2025",
        "6 tháng đầu năm",
        "quý III",
        "năm 2022",
        "trên địa bàn tỉnh",
        "tại các địa phương",
        "năm 2019",
        "giai đoạn 2016 - 2020",
    ]
)
SPANS = _n(["năm 2021", "6 tháng đầu năm", "quý III", "năm qua", "giai đoạn 2016 - 2020"])
SHORT_HEADLINES = _n(
    [
        "nhiều kết quả tích cực",
        "những chuyển biến rõ nét",
        "cần sự vào cuộc của cả hệ thống chính trị",
        "người dân là trung tâm",
        "khó khăn và giải pháp",
        "bước đột phá mới",
    ]
)
PEOPLE = _n(
    [
        "ông Nguyễn Văn Phương",
        "bà Lê Thị Hoa",
        "ông Trần Minh Đức",
        "bà Hoàng Thị Lan",
        "ông Phan Quý Thành",
        "ông Lê Trường Sơn",
        "bà Nguyễn Thị Ái Vân",
        "ông Võ Lê Nhật",
        "bà Đặng Thị Mỹ Ngọc",
        "ông Hồ Xuân Trường",
    ]
)
ROLES = _n(
    [
        "Phó Chủ tịch UBND tỉnh",
        "Giám đốc Sở",
        "Phó Giám đốc Sở",
        "Chủ tịch UBND xã",
        "Trưởng phòng Văn hóa - Thông tin",
        "Chánh Văn phòng Sở",
    ]
)
EVENTS = _n(["hội nghị", "hội thảo", "lớp tập huấn", "buổi làm việc", "lễ ra quân", "chương trình"])
TASKS = _n(
    [
        "rà soát, cập nhật cơ sở dữ liệu",
        "nâng cao chất lượng phục vụ người dân",
        "đẩy mạnh tuyên truyền trên các phương tiện thông tin đại chúng",
        "phối hợp chặt chẽ với các địa phương",
        "bố trí đủ nguồn lực để triển khai",
        "kiểm tra, giám sát thường xuyên",
        "công khai thủ tục hành chính tại bộ phận một cửa",
        "hoàn thành hồ sơ đề nghị khen thưởng đúng thời hạn",
    ]
)
PROBLEMS = _n(
    [
        "hạ tầng kỹ thuật chưa đồng bộ",
        "nguồn nhân lực còn thiếu",
        "kinh phí còn hạn chế",
        "sự phối hợp giữa các đơn vị chưa chặt chẽ",
        "ý thức của một bộ phận người dân chưa cao",
    ]
)
AWARDS = _n(["Bằng khen của Chủ tịch UBND tỉnh", "Giấy khen", "Cờ thi đua", "giấy chứng nhận"])
ACHIEVE = _n(
    [
        "hoàn thành {n} chỉ tiêu",
        "tiếp nhận {n} hồ sơ trực tuyến",
        "hỗ trợ {n} hộ gia đình",
        "trồng mới {n} ha rừng",
        "đón {n} lượt khách",
        "tổ chức {n} buổi tuyên truyền",
    ]
)
SENTENCES = _n(
    [
        "{time}, {org} đã tổ chức {event} về {topic} {period}.",
        "Tham dự có {person}, {role}; đại diện lãnh đạo các sở, ban, ngành và {n} đại biểu "
        "đến từ các địa phương.",
        "Theo báo cáo, trong {span}, toàn tỉnh đã {achieve}, đạt {pct}% kế hoạch đề ra.",
        "Phát biểu tại {event}, {person} đề nghị các đơn vị tiếp tục {task} trong thời gian tới.",
        "Bên cạnh những kết quả đạt được, công tác {topic} vẫn còn một số hạn chế như {problem}.",
        "Để khắc phục, {org} yêu cầu các đơn vị {task} và báo cáo kết quả trước ngày {dm}.",
        "Dịp này, {org} đã trao {award} cho {n} tập thể và {n2} cá nhân có thành tích xuất sắc.",
        "Người dân có thể tra cứu thông tin và gửi phản ánh qua ứng dụng Hue-S hoặc gọi số "
        "0234.3822.{n3}.",
        "Chương trình nhằm nâng cao nhận thức của cán bộ, công chức và người dân về {topic}.",
        "Đến nay, đã có {n} hồ sơ được tiếp nhận và giải quyết đúng hạn, đạt tỷ lệ {pct}%.",
        "Các đại biểu đã thảo luận, đóng góp nhiều ý kiến tâm huyết về {topic} {period}.",
        "Mục tiêu đến năm 2025 là 100% cơ quan, đơn vị thực hiện {topic} một cách thực chất.",
        "Kết quả này góp phần quan trọng vào việc thực hiện thắng lợi nhiệm vụ phát triển "
        "kinh tế - xã hội của địa phương.",
        "Ngay sau {event}, các đoàn công tác đã xuống cơ sở để nắm bắt tình hình thực tế.",
    ]
)
QUOTES = _n(
    [
        "“{Task} là nhiệm vụ trọng tâm, cần được triển khai quyết liệt và thực chất”, "
        "{person} nhấn mạnh.",
        "“Chúng ta không được chủ quan, phải lấy người dân làm trung tâm phục vụ”, {person} "
        "chia sẻ.",
        "“Mỗi cán bộ phải là một tuyên truyền viên về {topic}”, {person} khẳng định.",
    ]
)
CAPTIONS = _n(
    [
        "Quang cảnh {event}",
        "{Person} phát biểu tại {event}",
        "Các đại biểu tham quan mô hình {topic}",
        "Trao {award} cho các tập thể, cá nhân",
        "Ảnh minh họa",
        "Lực lượng chức năng ra quân thực hiện {topic}",
        "Đoàn công tác làm việc tại cơ sở. Ảnh: Minh Anh",
    ]
)
SOURCES = _n(
    [
        "thuathienhue.gov.vn",
        "TĐKT",
        "Minh Anh",
        "Sở Du lịch",
        "Hoàng Lan",
        "Văn phòng Sở",
        "Ban Biên tập",
        "Nguồn: baothuathienhue.vn",
        "Thanh Tùng - Phòng TTBCXB",
        "P. Văn hóa - Thông tin",
    ]
)
NOTICE_ENDS = _n(
    [
        "{org} thông báo để các cơ quan, đơn vị và cá nhân biết, thực hiện./.",
        "Trân trọng thông báo./.",
        "Đề nghị các đơn vị nghiêm túc triển khai thực hiện./.",
    ]
)
NOTICE_SUBJECTS = _n(
    [
        "Về việc tuyển dụng viên chức năm {y}",
        "Về việc lấy ý kiến góp ý dự thảo văn bản",
        "Về việc tạm dừng tiếp nhận hồ sơ trực tiếp",
        "Về việc tổ chức kỳ thi nâng ngạch công chức",
        "Về lịch tiếp công dân tháng {m}/{y}",
    ]
)
DOC_NAMES = _n(
    [
        "Kế hoạch số {n}/KH-UBND",
        "Quyết định số {n}/QĐ-UBND",
        "Công văn số {n}/STTTT-VP",
        "Thông báo số {n}/TB-SDL",
        "Hướng dẫn số {n}/HD-STP",
    ]
)
ATTACH_PRE = _n(["Tải về: ", "Xem chi tiết văn bản ", "Toàn văn: ", "File đính kèm: "])
SECTION_TITLES = _n(
    [
        "Mục tiêu",
        "Nhiệm vụ và giải pháp",
        "Tổ chức thực hiện",
        "Kinh phí thực hiện",
        "Kết quả đạt được",
        "Tồn tại, hạn chế",
        "Phương hướng thời gian tới",
        "Kiến nghị, đề xuất",
    ]
)
TABLE_HEAD = _n(["STT", "Đơn vị", "Số hồ sơ", "Tỷ lệ đúng hạn"])
TABLE_UNITS = _n(
    [
        "Sở Tư pháp",
        "Sở Y tế",
        "Sở Du lịch",
        "UBND thị xã Hương Thủy",
        "UBND huyện Phú Vang",
        "UBND huyện A Lưới",
        "Sở Xây dựng",
    ]
)
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]

# Case names reported by ReplicaSite.cases(); tests assert each is present.
CASES = (
    "no_image",
    "lead_caption",
    "lead_empty_caption",
    "lead_nbsp_caption",
    "lead_alt",
    "cap_table",
    "cap_br",
    "cap_em",
    "cap_i",
    "cap_style_italic",
    "cap_align_center",
    "cap_style_center",
    "body_image_nocap",
    "notice_heading",
    "italic_text_block",
    "centred_text_block",
    "blockquote",
    "nfd",
    "nbsp",
    "zero_width",
    "charref",
    "whitespace",
    "spacer",
    "table",
    "heading",
    "list",
    "div_block",
    "br_in_paragraph",
    "attachment",
    "attachment_lowercase",
    "attachment_space",
    "attachment_only",
    "body_link",
    "source",
    "italic_source",
    "notice_end",
    "date_missing",
    "date_impossible",
    "date_future",
    "date_pre1990",
    "long",
    "src_absolute",
    "src_root",
    "src_relative",
    "src_raw_space",
    "bom",
    "meta_charset_only",
)
NOISE_FLAGS = ("nfd", "nbsp", "zero_width", "charref", "whitespace", "spacer")


# --------------------------------------------------------------------------- model
@dataclass
class Category:
    id: int
    name: str
    parent: int | None = None


@dataclass
class Img:
    """An image: `path` is the decoded path on the server ('/UploadFiles/TinTuc/...')."""

    path: str
    src_form: str = "root"  # "abs" | "root" | "rel"
    raw_space: bool = False  # spaces written raw in src instead of %20
    caption: str | None = None
    # lead: "td" | "empty" | "nbsp"; body: "none" | "table" | "br" | "em" | "i" |
    # "style_italic" | "align_center" | "style_center"
    cap_form: str = "none"
    alt: str | None = None  # None: no alt attribute

    def src(self, base_url: str) -> str:
        path = self.path if self.raw_space else quote(self.path, safe="/-_.~")
        if self.src_form == "abs":
            return base_url.rstrip("/") + path
        if self.src_form == "rel":
            return path.lstrip("/")
        return path


@dataclass
class Block:
    """One block of the body. kind:
    p (style '', 'justify', 'div'), h (style 'h3', 'h4', 'strong'), li (style 'ul', 'ol'),
    table (rows), img (img), quote (style 'em', 'i', 'italic', 'center': italic/centred
    text not after an image), bquote, notice (style 'center_strong', 'align_center',
    'center_em'), attach (pre + <a href=path>text</a> + post), link (same with an
    article link; style = link form), source (style '', 'right', 'em'), close.
    """

    kind: str
    text: str = ""
    style: str = ""
    rows: list[list[str]] = field(default_factory=list)
    img: Img | None = None
    href: str = ""  # attach: decoded file path
    target: int = 0  # link: article tc
    cn: int | None = None  # link: category id written in the href (None: left out)
    pre: str = ""
    post: str = ""
    br: bool = False  # one space is written as <br /> (whitespace)
    lead_in: int = 0  # the first words are in <strong>

    def paragraphs(self) -> list[str]:
        if self.kind == "img":
            return []
        if self.kind == "table":
            return [" ".join(clean(c) for c in row) for row in self.rows]
        if self.kind in ("attach", "link"):
            return [self.pre + self.text + self.post]
        return [self.text]

    def href_for(self, base_url: str, amp: str = "&amp;") -> str:
        """The href written in the body (attachments: %20-encoded path)."""
        if self.kind == "attach":
            path = quote(self.href, safe="/-_.~")
            return base_url.rstrip("/") + path if self.style == "abs" else path
        return article_href(self.style, self.target, self.cn, base_url, amp)


def article_href(form: str, tc: int, cn: int | None, base_url: str, amp: str = "&amp;") -> str:
    """An article link in one of the URL forms seen on the TT CMS."""
    a = amp
    if cn is None:
        return f"/?gd=1{a}tc={tc}"
    if form == "abs":
        return f"{base_url}?gd=1{a}cn={cn}{a}tc={tc}"
    if form == "q":
        return f"?cn={cn}{a}gd=1{a}tc={tc}"
    if form == "dot":
        return f"./?cn={cn}{a}gd=4{a}tc={tc}"
    if form == "tcfirst":
        return f"/?tc={tc}{a}gd=1{a}cn={cn}"
    return f"/?gd=1{a}cn={cn}{a}tc={tc}"


LINK_FORMS = ("abs", "q", "dot", "tcfirst", "root")


@dataclass
class Article:
    tc: int
    cat: int
    title: str
    date_raw: str | None  # the "Ngày cập nhật" text; None: no label
    blocks: list[Block]
    lead: Img | None = None
    file_day: date = date(2020, 1, 1)  # folder of its files, Last-Modified of its files
    kind: str = "news"  # news | notice | attachment_only | long
    noise: frozenset[str] = frozenset()
    variant: int = 0  # bumped by reencode(): a different rendering of the same content
    rev: int = 0  # bumped by edit(): a content change
    date_case: str | None = None  # missing | impossible | future | pre1990

    def images(self) -> list[Img]:
        out = [self.lead] if self.lead else []
        out += [b.img for b in self.blocks if b.kind == "img" and b.img]
        return out

    def paragraphs(self) -> list[str]:
        """Cleaned, non-empty body paragraphs in order."""
        out = []
        for block in self.blocks:
            for text in block.paragraphs():
                text = clean(text)
                if text:
                    out.append(text)
        return out

    def source(self) -> str | None:
        paras = self.paragraphs()
        if len(paras) < 2:
            return None
        last_block = next(b for b in reversed(self.blocks) if any(map(clean, b.paragraphs())))
        if last_block.kind == "table":
            return None
        last = paras[-1]
        if len(last) <= 40 and not last.endswith("."):
            return last
        return None


def parse_published(raw: str | None, today: date) -> str | None:
    """ISO date of a 'dd/mm/yyyy' label, None when missing, impossible, future or < 1990."""
    if not raw:
        return None
    m = re.fullmatch(r"\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*", raw)
    if not m:
        return None
    try:
        d = date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        return None
    if d > today or d < MIN_DATE:
        return None
    return d.isoformat()


def fmt_date(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


# --------------------------------------------------------------------------- generator
class _Gen:
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
                        style=r.choice(LINK_FORMS),
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


# --------------------------------------------------------------------------- the site
class ReplicaSite:
    """The whole sub-site: categories, articles, indexes, ground truth and mutations.

    Thread-safe enough for one writer (a test) and many readers (server threads):
    mutations take a lock and bump `rev`; index caches are rebuilt when `rev` moves.
    """

    name = "Trang thông tin điện tử Sở Thông tin và Truyền thông tỉnh Thừa Thiên Huế"

    def __init__(self, seed: int, today: date):
        self.seed = seed
        self.today = today
        self.categories: dict[int, Category] = {}
        self.articles: dict[int, Article] = {}
        self.deleted: set[int] = set()
        self.rev = 0
        self._lock = threading.RLock()
        self._index_rev = -1
        self._index: dict = {}
        self._next_tc = 1
        self._added = 0

    # ---- indexes
    def _ix(self) -> dict:
        if self._index_rev != self.rev:
            with self._lock:
                tcs = sorted(self.articles)
                by_cat: dict[int, list[int]] = {cn: [] for cn in self.categories}
                by_day: dict[str, list[int]] = {}
                for tc in tcs:
                    a = self.articles[tc]
                    by_cat.setdefault(a.cat, []).append(tc)
                    pub = parse_published(a.date_raw, self.today)
                    if pub:
                        by_day.setdefault(pub, []).append(tc)
                listing: dict[int, list[int]] = {}
                for cn in self.categories:
                    members = set(by_cat.get(cn, []))
                    for child in self.children(cn):
                        members.update(by_cat.get(child, []))
                    listing[cn] = sorted(members, reverse=True)
                self._index = {
                    "tcs": tcs,
                    "by_cat": by_cat,
                    "by_day": by_day,
                    "listing": listing,
                    "files": self._files(),
                }
                self._index_rev = self.rev
        return self._index

    def _files(self) -> dict[str, tuple[str, date]]:
        files: dict[str, tuple[str, date]] = {}
        for a in self.articles.values():
            for img in a.images():
                files[img.path.lower()] = (img.path, a.file_day)
            for b in a.blocks:
                if b.kind == "attach":
                    files[b.href.lower()] = (b.href, a.file_day)
        return files

    def tcs(self) -> list[int]:
        """Live article ids, ascending."""
        return list(self._ix()["tcs"])

    def children(self, cn: int) -> list[int]:
        return [c.id for c in self.categories.values() if c.parent == cn]

    def roots(self) -> list[int]:
        return [c.id for c in self.categories.values() if c.parent is None]

    def category_path(self, cn: int) -> list[Category]:
        cat = self.categories[cn]
        return [self.categories[cat.parent], cat] if cat.parent else [cat]

    def category_label(self, cn: int) -> str:
        return " >> ".join(clean(c.name) for c in self.category_path(cn))

    def listing(self, cn: int | None = None) -> list[int]:
        """Newest first; a parent includes its children's articles; None: every article."""
        ix = self._ix()
        if cn is None:
            return ix["tcs"][::-1]
        return list(ix["listing"].get(cn, []))

    def same_category(self, tc: int) -> list[int]:
        """Articles of the article's own category, ascending."""
        return self._ix()["by_cat"].get(self.articles[tc].cat, [])

    def older_in_category(self, tc: int, k: int = 10) -> list[int]:
        """The k next-older articles of the same category, newest first ('Các tin khác')."""
        import bisect

        same = self.same_category(tc)
        i = bisect.bisect_left(same, tc)
        return same[max(0, i - k) : i][::-1]

    def on_day(self, day: date) -> list[int]:
        """Articles whose valid date is that day, newest first (date browse)."""
        return self._ix()["by_day"].get(day.isoformat(), [])[::-1]

    def published(self, tc: int) -> str | None:
        return parse_published(self.articles[tc].date_raw, self.today)

    def file(self, path: str) -> tuple[str, date] | None:
        """(stored path, day) of a file, looked up percent-decoded and case-insensitively."""
        return self._ix()["files"].get(path.lower())

    def article_url(self, tc: int, base_url: str) -> str:
        """Canonical URL of the article in its usual form."""
        return canonical(f"{base_url}?gd=1&cn={self.articles[tc].cat}&tc={tc}")

    def article_id(self, tc: int, base_url: str) -> str:
        return f"{id_host(host_of(base_url))}/{tc}"

    # ---- ground truth
    def expected(self, tc: int, base_url: str) -> dict:
        """What an extractor must return for article tc served at base_url (from the model)."""
        with self._lock:
            a = self.articles[tc]
            page = f"{base_url}?gd=1&cn={a.cat}&tc={tc}"
            images = []
            for img in a.images():
                images.append(
                    {
                        "url": canonical(urljoin(page, img.src(base_url))),
                        "caption": clean(img.caption) or None,
                        "alt": clean(img.alt) or None,
                    }
                )
            attachments = [
                canonical(urljoin(page, b.href_for(base_url)))
                for b in a.blocks
                if b.kind == "attach"
            ]
            body_links = [
                canonical(urljoin(page, b.href_for(base_url))) for b in a.blocks if b.kind == "link"
            ]
            host = id_host(host_of(base_url))
            return {
                "id": f"{host}/{tc}",
                "site": host,
                "url": canonical(page),
                "title": clean(a.title),
                "category": self.category_label(a.cat),
                "published": parse_published(a.date_raw, self.today),
                "published_raw": clean(a.date_raw) or None,
                "body": "\n\n".join(a.paragraphs()),
                "source": a.source(),
                "captions": [i["caption"] for i in images if i["caption"]],
                "images": images,
                "attachments": attachments,
                "body_links": body_links,
            }

    def cases(self) -> dict[str, list[int]]:
        """Every case name of CASES -> the live tcs that exhibit it."""
        out: dict[str, list[int]] = {name: [] for name in CASES}
        for tc in self.tcs():
            for name in article_cases(self.articles[tc]):
                out.setdefault(name, []).append(tc)
        return out

    # ---- mutations
    def edit(
        self,
        tc: int,
        *,
        title: str | None = None,
        body_paragraphs: list[str] | None = None,
        captions: list[str | None] | None = None,
        date: object = _UNSET,
    ) -> None:
        """Change an article's content (a new revision for a crawler).

        body_paragraphs replaces the whole body with plain paragraphs (body images and
        attachments go; the lead image stays). captions sets the captions of the article's
        images in order (lead first); None or "" removes one. date: a datetime.date, a raw
        label string (e.g. '31/02/2019'), or None to drop the "Ngày cập nhật" label.
        """
        with self._lock:
            a = self.articles[tc]
            if title is not None:
                a.title = unicodedata.normalize("NFC", title)
            if body_paragraphs is not None:
                a.blocks = [
                    Block("p", text=unicodedata.normalize("NFC", t)) for t in body_paragraphs
                ]
                a.kind = "news"
            if captions is not None:
                images = a.images()
                if len(captions) > len(images):
                    raise ValueError(f"article {tc} has {len(images)} images")
                for img, cap in zip(images, captions, strict=False):
                    cap = unicodedata.normalize("NFC", cap) if cap else None
                    img.caption = cap
                    if img is a.lead:
                        img.cap_form = "td" if cap else "empty"
                    elif cap and img.cap_form == "none":
                        img.cap_form = "table"
                    elif not cap:
                        img.cap_form = "none"
            if date is not _UNSET:
                if date is None:
                    a.date_raw = None
                elif isinstance(date, str):
                    a.date_raw = date
                else:
                    a.date_raw = fmt_date(date)  # type: ignore[arg-type]
            a.rev += 1
            self.rev += 1

    def reencode(self, tc: int) -> None:
        """Same content, different bytes: NFD toggled, &nbsp;, whitespace, zero-width
        characters, character references and spacer paragraphs. Not a new revision."""
        with self._lock:
            a = self.articles[tc]
            keep = a.noise & {"bom", "meta_charset_only"}
            flags = {"nbsp", "zero_width", "charref", "whitespace", "spacer"}
            if "nfd" not in a.noise:
                flags.add("nfd")
            a.noise = frozenset(flags | keep)
            a.variant += 1
            self.rev += 1

    def delete(self, tc: int) -> None:
        """The article disappears: its URL answers 404, listings and related lists drop it."""
        with self._lock:
            del self.articles[tc]
            self.deleted.add(tc)
            self.rev += 1

    def add_articles(self, n: int) -> list[int]:
        """n new articles with the newest ids, dated yesterday; returns their tcs."""
        with self._lock:
            self._added += 1
            rng = random.Random(f"{self.seed}-add-{self._added}")
            gen = _Gen(rng, self)
            day = self.today - timedelta(days=1)
            cats = _leafish(self)
            new = []
            for _ in range(n):
                tc = self._next_tc
                self._next_tc += 1 + (rng.randint(1, 3) if rng.random() < 0.1 else 0)
                f = {"lead_caption", "source"} if rng.random() < 0.5 else {"attachment"}
                older = sorted(self.articles)
                a = gen.article(tc, rng.choice(cats), day, "news", f, older)
                self.articles[tc] = a
                new.append(tc)
            self.rev += 1
            return new


def _leafish(site: ReplicaSite) -> list[int]:
    """Categories articles go to: children and standalone categories (parents rarely)."""
    return [c.id for c in site.categories.values() if not site.children(c.id)]


def article_cases(a: Article) -> set[str]:
    """The case names (CASES) this article exhibits, derived from the model."""
    s: set[str] = set()
    imgs = a.images()
    if not imgs:
        s.add("no_image")
    if a.lead:
        s.add(
            {"td": "lead_caption", "empty": "lead_empty_caption", "nbsp": "lead_nbsp_caption"}[
                a.lead.cap_form
            ]
        )
        if clean(a.lead.alt):
            s.add("lead_alt")
    for img in imgs:
        s.add({"abs": "src_absolute", "root": "src_root", "rel": "src_relative"}[img.src_form])
        if img.raw_space:
            s.add("src_raw_space")
    for b in a.blocks:
        k = b.kind
        if k == "img" and b.img:
            s.add("body_image_nocap" if b.img.cap_form == "none" else "cap_" + b.img.cap_form)
        elif k in ("table", "blockquote"):
            s.add(k)
        elif k == "bquote":
            s.add("blockquote")
        elif k == "h":
            s.add("heading")
        elif k == "li":
            s.add("list")
        elif k == "quote":
            s.add("centred_text_block" if b.style == "center" else "italic_text_block")
        elif k == "notice":
            s.add("notice_heading")
            s.add("italic_text_block" if b.style == "center_em" else "centred_text_block")
        elif k == "attach":
            s.add("attachment")
            if b.href.startswith("/uploadfiles/"):
                s.add("attachment_lowercase")
            if " " in b.href:
                s.add("attachment_space")
        elif k == "link":
            s.add("body_link")
        elif k == "p" and b.style == "div":
            s.add("div_block")
        if b.br:
            s.add("br_in_paragraph")
    if a.kind == "attachment_only":
        s.add("attachment_only")
    if a.source():
        s.add("source")
        if a.blocks[-1].kind == "source" and a.blocks[-1].style == "em":
            s.add("italic_source")
    paras = a.paragraphs()
    if paras and paras[-1].endswith("./."):
        s.add("notice_end")
    if a.date_case:
        s.add("date_" + a.date_case)
    if len(paras) >= 200:
        s.add("long")
    s.update(a.noise)
    return s


def _today_ict() -> date:
    return datetime.now(ICT).date()


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
    gen = _Gen(rng, site)
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
