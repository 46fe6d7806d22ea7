"""Word pools of the replica's generator: Vietnamese names, phrases and sentence templates
(all written for the replica, NFC), and the list of article case names.

Owns only data: `scraper.replica.generate` draws from these pools; `CASES` names every
case an article can exhibit (`ReplicaSite.cases()` reports them, tests assert each one).
"""

from __future__ import annotations

import unicodedata


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
