"""A small framework repository and agencies that follow it, built in real git repositories."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from tests.conftest import git
from tests.minirepo import FILES as AGENCY_FILES

TZ = dt.timezone(dt.timedelta(hours=7))

FRAMEWORK_QMS = (
    AGENCY_FILES["qms.yaml"].replace(
        "ỦY BAN NHÂN DÂN XÃ THỬ NGHIỆM", "SỞ KHOA HỌC VÀ CÔNG NGHỆ TỈNH THỬ NGHIỆM"
    )
    + """\
framework:
  name: mo-hinh-xa
  title: Mô hình khung HTQLCL cấp xã tỉnh Thử Nghiệm
  parameters:
    - {name: agency_name, meaning: Tên cơ quan, default: "UBND xã …"}
    - {name: head_title, meaning: Chức danh người đứng đầu, default: Chủ tịch UBND xã}
    - {name: one_stop_desk, meaning: Bộ phận Một cửa, default: Bộ phận Một cửa}
    - {name: time_limit_days, meaning: Thời hạn giải quyết (ngày), type: int, default: 3}
    - {name: birth_fee, meaning: Lệ phí đăng ký khai sinh, default: Miễn lệ phí}
"""
)

MODEL_TTHC = """\
schema_version: 1
kind: procedure
code: QT-HT-01
title: Quy trình đăng ký khai sinh tại {{ agency_name }}
unit: van-phong
category: administrative
revision: 1
status: approved
issued_date: 2025-01-10
effective_date: 2025-01-15
legal_basis:
  - ref: 123/2015/NĐ-CP
    article: Điều 9
purpose: Quy định trình tự đăng ký khai sinh tại {{ agency_name }}.
scope: Áp dụng tại {{ one_stop_desk }} của {{ agency_name }}.
tthc:
  code: "1.001193"
  name: Thủ tục đăng ký khai sinh
  field: Hộ tịch
  methods: [Trực tiếp, Trực tuyến]
  dossier:
    - {name: Tờ khai đăng ký khai sinh, originals: 1}
    - {name: Giấy chứng sinh, originals: 1}
  time_limit: "{{ time_limit_days }} ngày làm việc"
  subjects: [Cá nhân]
  implementing_agency: "{{ agency_name }}"
  fees:
    - {name: Lệ phí đăng ký khai sinh, amount: "{{ birth_fee }}"}
  result: Giấy khai sinh
  place_of_receipt: "{{ one_stop_desk }}"
steps:
  - {no: 1, action: Tiếp nhận hồ sơ và kiểm tra tính đầy đủ, responsible: "{{ one_stop_desk }}", time: "0,5 ngày"}
  - {no: 2, action: Thẩm định hồ sơ đăng ký khai sinh, responsible: Công chức Tư pháp - Hộ tịch, time: "1 ngày"}
  - {no: 3, action: Ký Giấy khai sinh, responsible: "{{ head_title }}", time: "0,5 ngày"}
  - {no: 4, action: Trả kết quả cho người dân, responsible: "{{ one_stop_desk }}"}
records:
  - {name: Hồ sơ đăng ký khai sinh, keeper: Công chức Tư pháp - Hộ tịch, retention: Vĩnh viễn}
history:
  - {revision: 1, date: 2025-01-10, description: Ban hành lần đầu}
"""

MODEL_SYSTEM = """\
schema_version: 1
kind: procedure
code: QT-KS-01
title: Quy trình kiểm soát tài liệu
unit: van-phong
category: system
revision: 1
status: approved
issued_date: 2025-01-10
effective_date: 2025-01-15
legal_basis:
  - ref: 19/2014/QĐ-TTg
purpose: Thống nhất cách kiểm soát tài liệu của {{ agency_name }}.
scope: Mọi tài liệu của HTQLCL.
steps:
  - {no: 1, action: Soạn thảo tài liệu, responsible: Cán bộ phụ trách ISO}
  - {no: 2, action: Phê duyệt tài liệu, responsible: "{{ head_title }}"}
history:
  - {revision: 1, date: 2025-01-10, description: Ban hành lần đầu}
"""

LEGAL_123 = """\
schema_version: 1
kind: legal
number: 123/2015/NĐ-CP
type: decree
issuer: Chính phủ
title: Quy định chi tiết một số điều và biện pháp thi hành Luật Hộ tịch
issued: 2015-11-15
effective_from: 2016-01-01
"""

LEGAL_19 = AGENCY_FILES["legal/19-2014-QD-TTg.yaml"].replace(
    "relations:\n  - {type: replaces, target: 118/2009/QĐ-TTg}\n", ""
)

LEGAL_04 = """\
schema_version: 1
kind: legal
number: 04/2025/NĐ-CP
type: decree
issuer: Chính phủ
title: Sửa đổi, bổ sung một số điều của Nghị định số 123/2015/NĐ-CP
issued: 2025-03-01
effective_from: 2025-04-15
relations:
  - {type: amends, target: 123/2015/NĐ-CP, articles: [Điều 9]}
"""


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def commit_all(root: Path, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


def build_framework(root: Path) -> Path:
    """Write release v1 of the framework (two models, a shared legal registry), tagged."""
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    write(
        root,
        {
            "qms.yaml": FRAMEWORK_QMS,
            "procedures/QT-HT-01.yaml": MODEL_TTHC,
            "procedures/QT-KS-01.yaml": MODEL_SYSTEM,
            "legal/123-2015-ND-CP.yaml": LEGAL_123,
            "legal/19-2014-QD-TTg.yaml": LEGAL_19,
        },
    )
    commit_all(root, "Mô hình khung v1")
    git(root, "tag", "-a", "v1", "-m", "Phát hành v1")
    return root


def revise_framework(root: Path) -> None:
    """Release v2: a decree amends 123/2015/NĐ-CP, and the birth registration model follows."""
    model = (
        MODEL_TTHC.replace("revision: 1\nstatus", "revision: 2\nstatus")
        .replace("issued_date: 2025-01-10", "issued_date: 2025-05-02")
        .replace("effective_date: 2025-01-15", "effective_date: 2025-05-02")
        .replace(
            "  - ref: 123/2015/NĐ-CP\n    article: Điều 9\n",
            "  - ref: 123/2015/NĐ-CP\n    article: Điều 9\n  - ref: 04/2025/NĐ-CP\n",
        )
        .replace(
            "Thẩm định hồ sơ đăng ký khai sinh, responsible: Công chức Tư pháp - Hộ tịch, "
            'time: "1 ngày"',
            "Thẩm định hồ sơ đăng ký khai sinh, responsible: Công chức "
            'Tư pháp - Hộ tịch, time: "0,5 ngày"',
        )  # fmt: skip
        .replace(
            "    - {name: Giấy chứng sinh, originals: 1}\n",
            "    - {name: Giấy chứng sinh, originals: 1}\n"
            "    - {name: Giấy tờ tùy thân của người đi đăng ký, copies: 1}\n",
        )
        .replace(
            "  - {revision: 1, date: 2025-01-10, description: Ban hành lần đầu}\n",
            "  - {revision: 1, date: 2025-01-10, description: Ban hành lần đầu}\n"
            "  - {revision: 2, date: 2025-05-02, description: Cập nhật theo Nghị định số "
            "04/2025/NĐ-CP}\n",
        )
    )
    assert model.count("revision: 2") == 2 and '"0,5 ngày"}\n  - {no: 3' in model
    system = (
        MODEL_SYSTEM.replace("revision: 1\nstatus", "revision: 2\nstatus")
        .replace("issued_date: 2025-01-10", "issued_date: 2025-05-02")
        .replace("effective_date: 2025-01-15", "effective_date: 2025-05-02")
        .replace("Soạn thảo tài liệu", "Soạn thảo tài liệu theo mẫu thống nhất")
        .replace(
            "  - {revision: 1, date: 2025-01-10, description: Ban hành lần đầu}\n",
            "  - {revision: 1, date: 2025-01-10, description: Ban hành lần đầu}\n"
            "  - {revision: 2, date: 2025-05-02, description: Thống nhất mẫu soạn thảo}\n",
        )
    )
    added = (
        MODEL_TTHC.replace("QT-HT-01", "QT-HT-02")
        .replace("đăng ký khai sinh", "đăng ký khai tử")
        .replace('"1.001193"', '"1.000656"')
    )
    write(
        root,
        {
            "procedures/QT-HT-01.yaml": model,
            "procedures/QT-KS-01.yaml": system,
            "procedures/QT-HT-02.yaml": added,
            "legal/04-2025-ND-CP.yaml": LEGAL_04,
        },
    )
    commit_all(root, "Mô hình khung v2: Nghị định 04/2025/NĐ-CP")
    git(root, "tag", "-a", "v2", "-m", "Phát hành v2")


def build_agency(root: Path) -> Path:
    """Write a small commune agency (the test mini repository) in a git repository."""
    from tests.minirepo import write_minirepo

    write_minirepo(root)
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "Agency")
    return root


def edit_field(path: Path, pattern: str, replacement: str) -> None:
    """Replace *pattern* (a regular expression, once) in the file at *path*."""
    text = path.read_text(encoding="utf-8")
    new, count = re.subn(pattern, replacement, text, count=1)
    assert count == 1, f"{pattern!r} not in {path}"
    path.write_text(new, encoding="utf-8")
