"""Generate a province-scale QMS repository with its git history, deterministically.

    python bench/generate.py DEST --documents 10000 --legal 2000 --commits 20000 --seed 1

What it builds (every size is a parameter):

* ``qms.yaml`` of a fictional province (tỉnh Bình Giang, H99) whose agencies share one
  repository: the provincial office and departments (Sở), then communes and wards, each
  with its units and people (roles held from/until; the ISO officer rotates on 01/01/2023).
  One agency per 44 procedures: 227 agencies for 10,000 procedures.
* ``--documents`` procedures (8–15 steps, 3–6 legal references each; six system procedures
  per agency, the rest for administrative procedures with their TTHC parts), forms owned by
  procedures (``--forms-ratio`` per procedure), a quality policy and the 2026 quality
  objectives of every agency.
* ``--legal`` legal documents: the sample's real ones plus generated laws, decrees,
  circulars, provincial decisions and resolutions, with replacement chains (several of
  length 3 to 6), amendments and partial repeals by article, corrections, guidance, some
  not yet in force on 01/07/2026.
* a git history of ``--commits`` commits in two phases:

  A. through the library itself: one document (QT-VPT-01) with ``--big-revisions``
     revisions, each opened (``new``/``revise``), edited in a plain commit by its author,
     submitted, reviewed and approved with Repository's actions at pinned times. Phase A
     depends only on the seed and the revision count, and is cached: it is the slow part.
  B. everything else written with ``git fast-import``: commits and annotated tags in the
     format of :mod:`qmsdocs.workflow` (subjects, bodies, ``QMS-*`` trailers, the acting
     person as author and committer, tag messages, content stamps from
     :func:`qmsdocs.stamp.content_stamp`), so that ``qms verify`` and
     ``Repository.revision_history`` cannot tell them from a history made by the library.
     Each issued revision needs its own approval commit; when ``--commits`` is too small
     for that (the 50,000-document scale point), whole agencies are imported in one plain
     commit each, approved but untagged: ``validate`` passes, ``verify`` reports them.

The same seed and sizes give the same files and the same commit and tag ids: dates, authors
and git's configuration are pinned. Results are cached under ``--cache-dir``
(bench/.cache) by a hash of the parameters and of the code that shapes the output.
"""

from __future__ import annotations

import argparse
import bisect
import dataclasses
import datetime as dt
import functools
import hashlib
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import IO, Any, cast

PROJECT = Path(__file__).resolve().parent.parent
SAMPLE = PROJECT / "sample_repo"
DEFAULT_CACHE = PROJECT / "bench" / ".cache"

if str(PROJECT) not in sys.path:  # run as a script: python bench/generate.py
    sys.path.insert(0, str(PROJECT))

from qmsdocs import workflow  # noqa: E402
from qmsdocs.history import tag_name  # noqa: E402
from qmsdocs.model import MODELS, DocumentKind, LegalDocument  # noqa: E402
from qmsdocs.model.codes import legal_file_code  # noqa: E402
from qmsdocs.schemas import render_schemas, schema_comment  # noqa: E402
from qmsdocs.stamp import content_stamp  # noqa: E402
from qmsdocs.store import yaml as yaml_store  # noqa: E402

__all__ = ["GENERATOR_VERSION", "Params", "ensure_cached", "generate", "main"]

#: Bump when the output changes for the same parameters (the cache key includes it).
GENERATOR_VERSION = 1
#: Bump when phase A (qms.yaml of the first agency, QT-VPT-01's content, the sample's legal
#: documents, the emitter) changes: its cache is keyed by this, not by this file's text, so
#: that editing the generator does not cost a phase A rebuild.
PHASE_A_VERSION = 1

TZ = dt.timezone(dt.timedelta(hours=7))  # giờ Việt Nam
PROVINCE = "Bình Giang"  # a fictional province; H99 is no real province's code
PROVINCE_CODE = "H99"
EMAIL_DOMAIN = "binhgiang.gov.vn"
PHASE_A_START = dt.date(2016, 1, 4)
PHASE_B_EARLIEST = dt.date(2018, 10, 1)
HISTORY_END = dt.date(2026, 6, 30)
#: The day the benchmarks ask "as of": after the whole history, before upcoming legal changes.
BENCH_DAY = dt.date(2026, 7, 1)
ROTATION = dt.date(2023, 1, 1)  # the day the second ISO officer of every agency takes over
ROLES_FROM = dt.date(2015, 1, 1)
PROCEDURES_PER_AGENCY = 44
BIG_CODE = "QT-VPT-01"


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """Return *day* at *hour*:*minute*, Vietnam time."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def ascii_slug(text: str) -> str:
    """Return *text* without diacritics, lower case, words joined by dashes."""
    text = text.replace("Đ", "D").replace("đ", "d")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return "-".join("".join(c if c.isalnum() else " " for c in text).split())


# -- YAML ---------------------------------------------------------------------------------
# A small block-style emitter, the style of the library's own files (mapping indent 2,
# sequences "  - "), fifty times faster than a round-trip dump. Strings are plain when they
# cannot be read as anything else, double-quoted (JSON escapes are YAML escapes) otherwise.

_RESERVED = frozenset({"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"})


def _plain_ok(text: str) -> bool:
    return (
        bool(text)
        and text[0].isalpha()
        and text == text.strip()
        and ": " not in text
        and " #" not in text
        and not text.endswith(":")
        and "\n" not in text
        and "\t" not in text
        and text.casefold() not in _RESERVED
    )


def _scalar(value: Any) -> str:
    if isinstance(value, Enum):
        value = value.value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = unicodedata.normalize("NFC", str(value))
    return text if _plain_ok(text) else json.dumps(text, ensure_ascii=False)


def _emit_mapping(data: Mapping[str, Any], indent: int, out: list[str]) -> None:
    pad = " " * indent
    for key, value in data.items():
        if isinstance(value, Mapping):
            if value:
                out.append(f"{pad}{key}:")
                _emit_mapping(value, indent + 2, out)
            else:
                out.append(f"{pad}{key}: {{}}")
        elif isinstance(value, list | tuple):
            if value:
                out.append(f"{pad}{key}:")
                _emit_sequence(value, indent + 2, out)
            else:
                out.append(f"{pad}{key}: []")
        else:
            out.append(f"{pad}{key}: {_scalar(value)}")


def _emit_sequence(items: Sequence[Any], indent: int, out: list[str]) -> None:
    pad = " " * indent
    for item in items:
        if isinstance(item, Mapping) and item:
            start = len(out)
            _emit_mapping(item, indent + 2, out)
            out[start] = pad + "- " + out[start][indent + 2 :]
        elif isinstance(item, list | tuple | Mapping):
            raise ValueError("nested empty mappings or lists in lists are not emitted")
        else:
            out.append(f"{pad}- {_scalar(item)}")


def emit_yaml(data: Mapping[str, Any], header: str = "") -> str:
    """Return *data* as block-style YAML after *header* (a comment line, or nothing)."""
    out: list[str] = []
    _emit_mapping(data, 0, out)
    return header + "\n".join(out) + "\n"


_KEY_ORDER = {
    "procedure": _words(
        "schema_version kind code title unit category revision status issued_date "
        "effective_date review_interval_months supersedes legal_basis purpose scope references "
        "definitions responsibilities tthc steps forms records history approvals "
        "periodic_reviews withdrawal"
    ),
    "form": _words(
        "schema_version kind code title unit procedure revision status issued_date "
        "effective_date review_interval_months supersedes legal_basis description file history "
        "approvals periodic_reviews withdrawal"
    ),
    "policy": _words(
        "schema_version kind code title unit revision status issued_date effective_date "
        "review_interval_months supersedes statement commitments posted_at posted_on "
        "legal_basis history approvals periodic_reviews withdrawal"
    ),
    "objectives": _words(
        "schema_version kind code title unit revision status issued_date effective_date "
        "review_interval_months year period_start period_end supersedes legal_basis objectives "
        "history approvals periodic_reviews withdrawal"
    ),
}


def _without_none(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_without_none(v) for v in value]
    return value


def document_text(data: Mapping[str, Any], keep_empty: Iterable[str] = ()) -> str:
    """Return the file text of a controlled document: schema comment, fields in house order.

    None values are left out, as the library leaves them out (``exclude_none``); so are
    empty top-level lists but those in *keep_empty*: the library writes ``approvals: []``
    when an action empties them, and drops empty lists from the files it creates.
    """
    kind = str(data["kind"])
    kept = set(keep_empty)

    def wanted(key: str) -> bool:
        value = data[key]
        return value is not None and (value != [] or key in kept)

    ordered = {k: data[k] for k in _KEY_ORDER[kind] if k in data and wanted(k)}
    ordered |= {k: v for k, v in data.items() if k not in ordered and wanted(k)}
    return emit_yaml(_without_none(ordered), schema_comment(kind, depth=1))


# -- vocabulary ---------------------------------------------------------------------------
# Real Vietnamese words, fictional people and places. Procedures and legal documents are
# not protected by copyright in Viet Nam (IP Law 2005 Art. 15); the sample agency's real
# legal documents are reused as they are.

SURNAMES = _words(
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Trương "
    "Lâm Mai Tạ Cao Hà Lương Trịnh Đoàn Văn Chu Tô Quách"
)
MIDDLE_MALE = _words("Văn Hữu Đức Minh Quốc Thành Công Xuân Ngọc Thanh Trọng Anh Duy Hoàng Gia")
MIDDLE_FEMALE = _words("Thị Thu Ngọc Thanh Minh Hồng Kim Thùy Phương Mỹ Bích Diệu Khánh")
GIVEN_MALE = _words(
    "Hùng Bảo Tuấn Nam Thắng Dũng Hải Long Phúc Quang Sơn Trung Vinh Khoa Hiếu Đạt Tâm "
    "Lộc Tài Khánh Hòa Cường Thịnh Nghĩa Kiên Toàn Huy Phong Bình Tùng"
)
GIVEN_FEMALE = _words(
    "Mai Hà Lan Anh Hương Linh Trang Thảo Hạnh Nga Yến Loan Hoa Vân Thủy Nhung Phượng "
    "Duyên Ngân Hằng Giang Chi My Oanh Quyên Tuyết Huyền Liên"
)
PLACE_FIRST = _words(
    "An Bình Tân Phú Hòa Long Thạnh Vĩnh Đông Tây Nam Bắc Hưng Phước Thuận Mỹ Hiệp Quang "
    "Trung Đức Thanh Xuân Hải Sơn Kim Ngọc Thái Hồng Lạc Cát Gia Hương Minh Nghĩa Tường Định"
)
PLACE_SECOND = _words(
    "Hòa Phú Lợi Thành Khánh Định Hưng Thịnh Điền Lộc Hải Sơn Bình An Thuận Tiến Phong "
    "Hiệp Mỹ Xuân Trung Lâm Giang Long Đông Tây Nam Bắc Hà Thủy Phước Tân Quý Vinh Yên Hội"
)


@dataclass(frozen=True)
class FieldSpec:
    """A field of administrative procedures (lĩnh vực) and the law that governs it."""

    key: str
    name: str  # lĩnh vực
    ministry: str  # the symbol in circular numbers: TT-BTP
    ministry_name: str
    law: str | None  # "Luật Hộ tịch"
    topic: str  # what its decrees and circulars regulate
    commune: tuple[str, ...]  # TTHC decided by a commune or ward People's Committee
    province: tuple[str, ...]  # TTHC decided by a provincial department
    dossier: tuple[str, ...]  # field-specific dossier components
    result: str  # kết quả
    fee: str | None  # the fee or charge, if any


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "ho-tich",
        "Hộ tịch",
        "BTP",
        "Bộ Tư pháp",
        "Luật Hộ tịch",
        "đăng ký và quản lý hộ tịch",
        (
            "Đăng ký khai sinh",
            "Đăng ký kết hôn",
            "Đăng ký khai tử",
            "Đăng ký nhận cha, mẹ, con",
            "Đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch",
            "Cấp Giấy xác nhận tình trạng hôn nhân",
            "Đăng ký giám hộ",
            "Đăng ký chấm dứt giám hộ",
            "Đăng ký lại khai sinh",
            "Đăng ký lại kết hôn",
            "Đăng ký lại khai tử",
            "Cấp bản sao trích lục hộ tịch",
            "Đăng ký khai sinh có yếu tố nước ngoài",
            "Đăng ký kết hôn có yếu tố nước ngoài",
        ),
        (
            "Ghi vào Sổ hộ tịch việc hộ tịch của công dân Việt Nam đã được giải quyết tại cơ quan có thẩm quyền của nước ngoài",
            "Cấp bản sao trích lục hộ tịch đối với việc hộ tịch có yếu tố nước ngoài",
        ),
        (
            "Tờ khai theo mẫu quy định",
            "Giấy tờ chứng minh nơi cư trú (trường hợp không khai thác được từ Cơ sở dữ liệu quốc gia về dân cư)",
            "Văn bản ủy quyền được chứng thực (trường hợp ủy quyền)",
        ),
        "Trích lục hộ tịch (bản chính); bản sao trích lục (nếu có yêu cầu)",
        "Lệ phí hộ tịch",
    ),
    FieldSpec(
        "chung-thuc",
        "Chứng thực",
        "BTP",
        "Bộ Tư pháp",
        None,
        "cấp bản sao từ sổ gốc, chứng thực bản sao từ bản chính, chứng thực chữ ký và chứng thực hợp đồng, giao dịch",
        (
            "Chứng thực bản sao từ bản chính giấy tờ, văn bản",
            "Chứng thực chữ ký trong các giấy tờ, văn bản",
            "Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản",
            "Chứng thực văn bản thỏa thuận phân chia di sản",
            "Chứng thực văn bản khai nhận di sản",
            "Chứng thực việc sửa đổi, bổ sung, hủy bỏ hợp đồng, giao dịch",
            "Cấp bản sao có chứng thực từ bản chính hợp đồng, giao dịch đã được chứng thực",
        ),
        (
            "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của nước ngoài cấp",
            "Chứng thực chữ ký người dịch",
        ),
        ("Bản chính giấy tờ, văn bản cần chứng thực", "Dự thảo hợp đồng, giao dịch (nếu có)"),
        "Bản sao, giấy tờ, văn bản, hợp đồng được chứng thực",
        "Phí chứng thực",
    ),
    FieldSpec(
        "dat-dai",
        "Đất đai",
        "BNNMT",
        "Bộ Nông nghiệp và Môi trường",
        "Luật Đất đai",
        "đăng ký đất đai, cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
        (
            "Đăng ký đất đai, tài sản gắn liền với đất lần đầu",
            "Đăng ký biến động đất đai, tài sản gắn liền với đất",
            "Hòa giải tranh chấp đất đai",
            "Cấp đổi Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
            "Cho phép chuyển mục đích sử dụng đất đối với hộ gia đình, cá nhân",
            "Xác nhận tiếp tục sử dụng đất nông nghiệp khi hết thời hạn sử dụng đất",
        ),
        (
            "Giao đất, cho thuê đất đối với tổ chức",
            "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất đối với tổ chức",
            "Cung cấp thông tin, dữ liệu đất đai",
            "Gia hạn sử dụng đất đối với tổ chức",
        ),
        (
            "Đơn đăng ký, cấp Giấy chứng nhận theo mẫu",
            "Giấy chứng nhận đã cấp (bản gốc)",
            "Giấy tờ về quyền sử dụng đất, tài sản gắn liền với đất (nếu có)",
            "Chứng từ thực hiện nghĩa vụ tài chính (nếu có)",
        ),
        "Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất; hoặc cập nhật biến động vào hồ sơ địa chính",
        "Lệ phí cấp Giấy chứng nhận quyền sử dụng đất",
    ),
    FieldSpec(
        "xay-dung",
        "Xây dựng",
        "BXD",
        "Bộ Xây dựng",
        "Luật Xây dựng",
        "quản lý dự án đầu tư xây dựng và cấp giấy phép xây dựng",
        (
            "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
            "Cấp giấy phép xây dựng sửa chữa, cải tạo đối với nhà ở riêng lẻ",
            "Điều chỉnh giấy phép xây dựng đối với nhà ở riêng lẻ",
            "Gia hạn giấy phép xây dựng đối với nhà ở riêng lẻ",
            "Cấp giấy phép di dời công trình",
        ),
        (
            "Cấp giấy phép xây dựng mới đối với công trình cấp I, cấp II",
            "Cấp chứng chỉ hành nghề hoạt động xây dựng hạng II, hạng III",
            "Thẩm định Báo cáo nghiên cứu khả thi đầu tư xây dựng",
            "Cấp đổi giấy phép lái xe do ngành Giao thông vận tải cấp",
            "Công nhận hạng nhà chung cư",
        ),
        (
            "Đơn đề nghị cấp giấy phép xây dựng theo mẫu",
            "Bản sao giấy tờ chứng minh quyền sử dụng đất",
            "Hai bộ bản vẽ thiết kế xây dựng",
            "Cam kết bảo đảm an toàn đối với công trình liền kề",
        ),
        "Giấy phép xây dựng; hoặc văn bản trả lời nêu rõ lý do không cấp",
        "Lệ phí cấp giấy phép xây dựng",
    ),
    FieldSpec(
        "ho-kinh-doanh",
        "Thành lập và hoạt động của hộ kinh doanh",
        "BTC",
        "Bộ Tài chính",
        "Luật Doanh nghiệp",
        "đăng ký doanh nghiệp và đăng ký hộ kinh doanh",
        (
            "Đăng ký thành lập hộ kinh doanh",
            "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh",
            "Tạm ngừng kinh doanh, tiếp tục kinh doanh trước thời hạn đã thông báo của hộ kinh doanh",
            "Chấm dứt hoạt động hộ kinh doanh",
            "Cấp lại Giấy chứng nhận đăng ký hộ kinh doanh",
        ),
        (
            "Đăng ký thành lập doanh nghiệp tư nhân",
            "Đăng ký thành lập công ty trách nhiệm hữu hạn một thành viên",
            "Đăng ký thay đổi nội dung đăng ký doanh nghiệp",
            "Thông báo tạm ngừng kinh doanh của doanh nghiệp",
            "Giải thể doanh nghiệp",
            "Cấp mã số đơn vị có quan hệ với ngân sách",
            "Quyết định chủ trương đầu tư dự án thuộc thẩm quyền của Ủy ban nhân dân tỉnh",
        ),
        (
            "Giấy đề nghị đăng ký theo mẫu",
            "Bản sao giấy tờ pháp lý của cá nhân",
            "Biên bản họp thành viên hộ gia đình về việc thành lập hộ kinh doanh (nếu có)",
        ),
        "Giấy chứng nhận đăng ký hộ kinh doanh; hoặc Giấy chứng nhận đăng ký doanh nghiệp",
        "Lệ phí đăng ký kinh doanh",
    ),
    FieldSpec(
        "bao-tro-xa-hoi",
        "Bảo trợ xã hội",
        "BNV",
        "Bộ Nội vụ",
        "Luật Người khuyết tật",
        "chính sách trợ giúp xã hội đối với đối tượng bảo trợ xã hội",
        (
            "Trợ giúp xã hội khẩn cấp về hỗ trợ làm nhà ở, sửa chữa nhà ở",
            "Thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hằng tháng",
            "Hỗ trợ chi phí mai táng cho đối tượng bảo trợ xã hội",
            "Xác định, xác định lại mức độ khuyết tật và cấp Giấy xác nhận khuyết tật",
            "Chi trả trợ cấp xã hội hằng tháng khi đối tượng thay đổi nơi cư trú",
        ),
        (
            "Đăng ký thành lập cơ sở trợ giúp xã hội ngoài công lập",
            "Cấp giấy phép hoạt động đối với cơ sở trợ giúp xã hội",
        ),
        (
            "Tờ khai đề nghị trợ giúp xã hội theo mẫu",
            "Giấy xác nhận khuyết tật (đối với người khuyết tật)",
        ),
        "Quyết định trợ cấp, hỗ trợ của Chủ tịch Ủy ban nhân dân",
        None,
    ),
    FieldSpec(
        "nguoi-co-cong",
        "Người có công",
        "BNV",
        "Bộ Nội vụ",
        None,
        "ưu đãi người có công với cách mạng",
        (
            "Hưởng mai táng phí, trợ cấp một lần khi người có công với cách mạng từ trần",
            "Cấp giấy giới thiệu đi thăm viếng mộ liệt sĩ và hỗ trợ thăm viếng mộ liệt sĩ",
            "Xác nhận vào đơn đề nghị di chuyển hài cốt liệt sĩ",
            "Giải quyết chế độ ưu đãi đối với con đẻ của người hoạt động kháng chiến bị nhiễm chất độc hóa học",
        ),
        (
            "Giải quyết chế độ trợ cấp thờ cúng liệt sĩ",
            "Cấp bổ sung hoặc cấp lại giấy chứng nhận người có công",
        ),
        ("Bản khai theo mẫu", "Bản sao giấy chứng tử (đối với trường hợp từ trần)"),
        "Quyết định giải quyết chế độ ưu đãi",
        None,
    ),
    FieldSpec(
        "giao-duc",
        "Giáo dục và Đào tạo",
        "BGDĐT",
        "Bộ Giáo dục và Đào tạo",
        "Luật Giáo dục",
        "tổ chức và hoạt động của cơ sở giáo dục",
        (
            "Cho phép nhóm trẻ, lớp mẫu giáo độc lập hoạt động giáo dục",
            "Sáp nhập, chia, tách nhóm trẻ, lớp mẫu giáo độc lập",
            "Xét, duyệt chính sách hỗ trợ đối với học sinh bán trú",
            "Cho phép trường tiểu học hoạt động giáo dục",
        ),
        (
            "Cấp bản sao văn bằng, chứng chỉ từ sổ gốc",
            "Chỉnh sửa nội dung văn bằng, chứng chỉ",
            "Cho phép trường trung học phổ thông hoạt động giáo dục",
            "Công nhận trường đạt chuẩn quốc gia",
        ),
        ("Tờ trình đề nghị", "Danh sách đội ngũ giáo viên, nhân viên kèm bản sao văn bằng"),
        "Quyết định cho phép hoạt động giáo dục; hoặc văn bản trả lời",
        None,
    ),
    FieldSpec(
        "y-te",
        "Y tế",
        "BYT",
        "Bộ Y tế",
        "Luật Khám bệnh, chữa bệnh",
        "hành nghề khám bệnh, chữa bệnh và kinh doanh dược",
        (
            "Cấp giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm đối với cơ sở kinh doanh dịch vụ ăn uống",
        ),
        (
            "Cấp giấy phép hành nghề khám bệnh, chữa bệnh",
            "Cấp giấy phép hoạt động đối với phòng khám đa khoa",
            "Cấp Chứng chỉ hành nghề dược",
            "Cấp Giấy chứng nhận đủ điều kiện kinh doanh dược",
            "Cấp giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
        ),
        (
            "Đơn đề nghị theo mẫu",
            "Bản sao văn bằng chuyên môn",
            "Giấy xác nhận quá trình thực hành",
        ),
        "Giấy phép, giấy chứng nhận; hoặc văn bản trả lời nêu rõ lý do",
        "Phí thẩm định cấp giấy phép",
    ),
    FieldSpec(
        "van-hoa",
        "Văn hóa, thể thao và du lịch",
        "BVHTTDL",
        "Bộ Văn hóa, Thể thao và Du lịch",
        "Luật Du lịch",
        "hoạt động văn hóa, lễ hội, thể thao và du lịch",
        (
            "Xét tặng danh hiệu Gia đình văn hóa",
            "Đăng ký tổ chức lễ hội cấp xã",
            "Thông báo tổ chức lễ hội cấp xã",
            "Công nhận câu lạc bộ thể thao cơ sở",
            "Cấp giấy phép kinh doanh karaoke",
        ),
        (
            "Cấp giấy phép kinh doanh dịch vụ lữ hành nội địa",
            "Công nhận cơ sở lưu trú du lịch hạng 1 sao, 2 sao",
            "Cấp giấy phép tổ chức biểu diễn nghệ thuật",
            "Cấp Giấy phép xuất bản bản tin",
        ),
        ("Văn bản đề nghị theo mẫu", "Kế hoạch tổ chức"),
        "Giấy phép, quyết định công nhận; hoặc văn bản trả lời",
        "Phí thẩm định",
    ),
    FieldSpec(
        "thi-dua",
        "Thi đua, khen thưởng",
        "BNV",
        "Bộ Nội vụ",
        "Luật Thi đua, khen thưởng",
        "thi đua, khen thưởng",
        (
            "Tặng Giấy khen của Chủ tịch Ủy ban nhân dân cấp xã về thành tích thực hiện nhiệm vụ chính trị",
            "Tặng danh hiệu Lao động tiên tiến",
            "Tặng Giấy khen theo đợt, chuyên đề",
            "Tặng Giấy khen cho gia đình",
        ),
        (
            "Tặng Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh",
            "Tặng danh hiệu Chiến sĩ thi đua cấp tỉnh",
            "Tặng Cờ thi đua của Ủy ban nhân dân tỉnh",
        ),
        (
            "Tờ trình đề nghị khen thưởng",
            "Báo cáo thành tích có xác nhận của cấp trình khen thưởng",
            "Biên bản họp xét của Hội đồng Thi đua - Khen thưởng",
        ),
        "Quyết định khen thưởng kèm hiện vật khen thưởng",
        None,
    ),
    FieldSpec(
        "ton-giao",
        "Tín ngưỡng, tôn giáo",
        "BDTTG",
        "Bộ Dân tộc và Tôn giáo",
        "Luật Tín ngưỡng, tôn giáo",
        "hoạt động tín ngưỡng, tôn giáo",
        (
            "Đăng ký hoạt động tín ngưỡng",
            "Đăng ký sinh hoạt tôn giáo tập trung",
            "Thông báo danh mục hoạt động tôn giáo đối với tổ chức có địa bàn hoạt động ở một xã",
            "Đề nghị thay đổi địa điểm sinh hoạt tôn giáo tập trung",
        ),
        (
            "Chấp thuận tổ chức hội nghị thường niên của tổ chức tôn giáo",
            "Đăng ký người được bổ nhiệm, bầu cử, suy cử làm chức việc",
        ),
        ("Văn bản đăng ký theo mẫu", "Bản tóm tắt nội dung hoạt động"),
        "Văn bản chấp thuận; hoặc văn bản trả lời nêu rõ lý do",
        None,
    ),
    FieldSpec(
        "khieu-nai",
        "Giải quyết khiếu nại, tố cáo",
        "TTCP",
        "Thanh tra Chính phủ",
        "Luật Khiếu nại",
        "giải quyết khiếu nại, tố cáo và tiếp công dân",
        ("Giải quyết khiếu nại lần đầu", "Giải quyết tố cáo", "Tiếp công dân", "Xử lý đơn"),
        (
            "Giải quyết khiếu nại lần hai",
            "Giải quyết tố cáo thuộc thẩm quyền của Chủ tịch Ủy ban nhân dân tỉnh",
        ),
        (
            "Đơn khiếu nại, đơn tố cáo hoặc bản ghi lời khiếu nại, tố cáo",
            "Tài liệu, chứng cứ kèm theo (nếu có)",
        ),
        "Quyết định giải quyết khiếu nại; kết luận nội dung tố cáo",
        None,
    ),
    FieldSpec(
        "nong-nghiep",
        "Nông nghiệp, thủy lợi và phòng, chống thiên tai",
        "BNNMT",
        "Bộ Nông nghiệp và Môi trường",
        "Luật Trồng trọt",
        "sản xuất nông nghiệp, thủy lợi và phòng, chống thiên tai",
        (
            "Hỗ trợ khôi phục sản xuất vùng bị thiệt hại do thiên tai",
            "Phê duyệt kế hoạch khuyến nông địa phương",
            "Hỗ trợ dự án liên kết sản xuất, tiêu thụ sản phẩm nông nghiệp",
        ),
        (
            "Cấp giấy phép khai thác thủy sản",
            "Cấp giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm nông, lâm, thủy sản",
            "Cấp giấy phép cho các hoạt động trong phạm vi bảo vệ công trình thủy lợi",
        ),
        ("Đơn đề nghị hỗ trợ theo mẫu", "Bản kê khai thiệt hại có xác nhận của thôn, tổ dân phố"),
        "Quyết định hỗ trợ; giấy phép, giấy chứng nhận",
        None,
    ),
    FieldSpec(
        "moi-truong",
        "Môi trường",
        "BNNMT",
        "Bộ Nông nghiệp và Môi trường",
        "Luật Bảo vệ môi trường",
        "bảo vệ môi trường",
        ("Đăng ký môi trường", "Tham vấn trong đánh giá tác động môi trường"),
        (
            "Cấp giấy phép môi trường",
            "Thẩm định báo cáo đánh giá tác động môi trường",
            "Cấp giấy phép khai thác nước mặt",
            "Cấp giấy phép khai thác khoáng sản",
        ),
        (
            "Văn bản đăng ký môi trường theo mẫu",
            "Báo cáo kết quả thực hiện công trình bảo vệ môi trường",
        ),
        "Giấy phép môi trường; văn bản tiếp nhận đăng ký môi trường",
        "Phí thẩm định báo cáo đánh giá tác động môi trường",
    ),
    FieldSpec(
        "cong-thuong",
        "Công Thương",
        "BCT",
        "Bộ Công Thương",
        "Luật Thương mại",
        "kinh doanh hàng hóa có điều kiện",
        (
            "Cấp Giấy phép bán lẻ rượu",
            "Cấp Giấy phép sản xuất rượu thủ công nhằm mục đích kinh doanh",
        ),
        (
            "Cấp Giấy phép bán buôn rượu",
            "Cấp Giấy phép bán lẻ sản phẩm thuốc lá",
            "Cấp Giấy chứng nhận đủ điều kiện cửa hàng bán lẻ xăng dầu",
            "Cấp giấy phép hoạt động điện lực",
            "Đăng ký thực hiện khuyến mại",
        ),
        ("Đơn đề nghị cấp giấy phép theo mẫu", "Bản sao hợp đồng thuê, mượn địa điểm kinh doanh"),
        "Giấy phép kinh doanh; hoặc văn bản trả lời nêu rõ lý do",
        "Phí thẩm định điều kiện kinh doanh",
    ),
    FieldSpec(
        "noi-vu",
        "Công chức, viên chức và tổ chức hành chính",
        "BNV",
        "Bộ Nội vụ",
        "Luật Cán bộ, công chức",
        "tuyển dụng, sử dụng và quản lý công chức, viên chức",
        (
            "Công nhận ban vận động thành lập hội có phạm vi hoạt động trong xã",
            "Thủ tục thành lập thôn mới, tổ dân phố mới",
        ),
        (
            "Thi tuyển công chức",
            "Xét tuyển viên chức",
            "Thẩm định thành lập đơn vị sự nghiệp công lập",
            "Cấp Giấy phép lao động cho người lao động nước ngoài",
            "Đăng ký nội quy lao động",
            "Cấp giấy phép hoạt động cho thuê lại lao động",
        ),
        (
            "Đơn đăng ký dự tuyển theo mẫu",
            "Bản sao văn bằng, chứng chỉ theo yêu cầu của vị trí việc làm",
        ),
        "Quyết định công nhận kết quả tuyển dụng; quyết định, giấy phép",
        "Phí tuyển dụng",
    ),
    FieldSpec(
        "khoa-hoc",
        "Khoa học, công nghệ và chuyển đổi số",
        "BKHCN",
        "Bộ Khoa học và Công nghệ",
        "Luật Khoa học và Công nghệ",
        "hoạt động khoa học, công nghệ và chuyển đổi số",
        ("Cung cấp thông tin về tổ chức khoa học và công nghệ trên địa bàn",),
        (
            "Đăng ký hoạt động khoa học và công nghệ",
            "Cấp Giấy chứng nhận doanh nghiệp khoa học và công nghệ",
            "Cấp giấy phép tiến hành công việc bức xạ",
            "Đăng ký kết quả thực hiện nhiệm vụ khoa học và công nghệ",
            "Cấp giấy phép thiết lập trang thông tin điện tử tổng hợp",
        ),
        ("Đơn đăng ký theo mẫu", "Điều lệ tổ chức và hoạt động"),
        "Giấy chứng nhận, giấy phép; hoặc văn bản trả lời",
        "Phí thẩm định điều kiện hoạt động",
    ),
)
FIELD_BY_KEY = {f.key: f for f in FIELDS}

#: Provincial departments after 01/07/2025: code, name, fields of their TTHC.
DEPARTMENTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("VPT", "Văn phòng Ủy ban nhân dân tỉnh", ("khieu-nai", "thi-dua")),
    ("STP", "Sở Tư pháp", ("ho-tich", "chung-thuc")),
    ("STC", "Sở Tài chính", ("ho-kinh-doanh",)),
    ("SXD", "Sở Xây dựng", ("xay-dung",)),
    ("SYT", "Sở Y tế", ("y-te", "bao-tro-xa-hoi")),
    ("SGDDT", "Sở Giáo dục và Đào tạo", ("giao-duc",)),
    ("SNV", "Sở Nội vụ", ("noi-vu", "nguoi-co-cong", "thi-dua")),
    ("SNNMT", "Sở Nông nghiệp và Môi trường", ("dat-dai", "moi-truong", "nong-nghiep")),
    ("SCT", "Sở Công Thương", ("cong-thuong",)),
    ("SKHCN", "Sở Khoa học và Công nghệ", ("khoa-hoc",)),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", ("van-hoa",)),
    ("TTT", "Thanh tra tỉnh", ("khieu-nai",)),
    ("SDTTG", "Sở Dân tộc và Tôn giáo", ("ton-giao",)),
)
#: Fields every commune and ward handles.
COMMUNE_FIELDS = tuple(f.key for f in FIELDS if f.commune)

#: Variants that turn one TTHC into several procedures when an agency needs more.
TTHC_VARIANTS = (
    "",
    " (trường hợp cấp lại)",
    " (trường hợp thực hiện trực tuyến toàn trình)",
    " (trường hợp điều chỉnh, bổ sung)",
    " (trường hợp có yếu tố nước ngoài)",
    " (trường hợp liên thông)",
    " (trường hợp gia hạn)",
)

#: The TTHC step table: (action, responsible, time, result, mandatory). {tthc} is the
#: procedure's name in lower case, {unit} the unit that decides, {leader} who signs.
TTHC_STEPS: tuple[tuple[str, str, str, str, bool], ...] = (
    (
        "Tiếp nhận hồ sơ đề nghị {tthc} (trực tiếp, trực tuyến hoặc qua dịch vụ bưu chính công ích); "
        "kiểm tra tính đầy đủ, hợp lệ của hồ sơ. Hồ sơ đầy đủ: tiếp nhận trên Hệ thống thông tin giải "
        "quyết thủ tục hành chính của tỉnh, lập Giấy tiếp nhận hồ sơ và hẹn trả kết quả. Hồ sơ chưa đầy "
        "đủ: hướng dẫn bổ sung, hoàn thiện bằng Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ.",
        "Công chức Bộ phận Một cửa",
        "0,5 ngày làm việc",
        "Giấy tiếp nhận hồ sơ và hẹn trả kết quả; Phiếu kiểm soát quá trình giải quyết hồ sơ",
        True,
    ),
    (
        "Chuyển hồ sơ điện tử và hồ sơ giấy (nếu có) đến {unit} để giải quyết.",
        "Công chức Bộ phận Một cửa",
        "0,5 ngày làm việc",
        "Hồ sơ được chuyển trên phần mềm một cửa",
        False,
    ),
    (
        "Phân công công chức thụ lý hồ sơ.",
        "Lãnh đạo {unit}",
        "0,5 ngày làm việc",
        "Hồ sơ được phân công trên phần mềm",
        False,
    ),
    (
        "Thẩm định hồ sơ: kiểm tra tính pháp lý của giấy tờ, đối chiếu thông tin với cơ sở dữ liệu "
        "chuyên ngành và Cơ sở dữ liệu quốc gia về dân cư.",
        "Công chức {unit}",
        "{days} ngày làm việc",
        "Kết quả thẩm định hồ sơ",
        True,
    ),
    (
        "Kiểm tra, xác minh thực tế (trường hợp cần thiết); lập biên bản kiểm tra, xác minh.",
        "Công chức {unit}; cơ quan, đơn vị có liên quan",
        "02 ngày làm việc",
        "Biên bản kiểm tra, xác minh",
        False,
    ),
    (
        "Lấy ý kiến của cơ quan, đơn vị phối hợp bằng văn bản hoặc trên phần mềm (trường hợp cần thiết).",
        "Công chức {unit}",
        "03 ngày làm việc",
        "Ý kiến của cơ quan phối hợp",
        False,
    ),
    (
        "Trường hợp hồ sơ cần giải trình, bổ sung: thông báo cho tổ chức, cá nhân qua Bộ phận Một cửa, "
        "nêu rõ lý do, nội dung và thời hạn bổ sung.",
        "Công chức {unit}",
        "0,5 ngày làm việc",
        "Thông báo bổ sung hồ sơ",
        False,
    ),
    (
        "Tổng hợp kết quả thẩm định; dự thảo kết quả giải quyết việc {tthc} hoặc văn bản trả lời nêu rõ "
        "lý do (trường hợp không đủ điều kiện).",
        "Công chức {unit}",
        "01 ngày làm việc",
        "Dự thảo kết quả giải quyết",
        True,
    ),
    (
        "Xem xét hồ sơ và dự thảo kết quả; trình lãnh đạo cơ quan ký duyệt.",
        "Lãnh đạo {unit}",
        "0,5 ngày làm việc",
        "Hồ sơ trình ký",
        True,
    ),
    (
        "Ký duyệt kết quả giải quyết thủ tục hành chính.",
        "{leader}",
        "01 ngày làm việc",
        "Kết quả giải quyết đã được ký",
        True,
    ),
    (
        "Cho số, đóng dấu, phát hành văn bản; lưu bản chính theo quy định về công tác văn thư.",
        "Văn thư cơ quan",
        "0,5 ngày làm việc",
        "Văn bản được phát hành",
        False,
    ),
    (
        "Chuyển kết quả về Bộ phận Một cửa; cập nhật tình trạng hồ sơ trên phần mềm một cửa.",
        "Công chức {unit}",
        "0,5 ngày làm việc",
        "Kết quả được chuyển Bộ phận Một cửa",
        False,
    ),
    (
        "Trả kết quả cho tổ chức, cá nhân; thu phí, lệ phí (nếu có). Trường hợp nộp trực tuyến, gửi bản "
        "điện tử của kết quả vào tài khoản của người yêu cầu trên Cổng Dịch vụ công quốc gia.",
        "Công chức Bộ phận Một cửa",
        "Theo Giấy hẹn",
        "Kết quả được trả; hồ sơ kết thúc trên phần mềm",
        True,
    ),
    (
        "Trường hợp hồ sơ quá hạn giải quyết: gửi Phiếu xin lỗi và hẹn lại ngày trả kết quả, nêu rõ lý do.",
        "{unit}",
        "Trước thời hạn trả kết quả",
        "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
        False,
    ),
    (
        "Lưu hồ sơ theo Quy trình kiểm soát hồ sơ và quy định về lưu trữ.",
        "Công chức {unit}",
        "Sau khi trả kết quả",
        "Hồ sơ được lưu",
        True,
    ),
    (
        "Khảo sát, đánh giá mức độ hài lòng của tổ chức, cá nhân đối với việc giải quyết hồ sơ.",
        "Công chức Bộ phận Một cửa",
        "Khi trả kết quả",
        "Kết quả đánh giá trên phần mềm",
        False,
    ),
)

#: The six system procedures most agencies keep: title, purpose, the step actions.
SYSTEM_PROCEDURES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "Quy trình kiểm soát tài liệu",
        "Quy định thống nhất cách thức soạn thảo, xem xét, phê duyệt, ban hành, phân phối, sửa đổi và thu hồi tài liệu của Hệ thống quản lý chất lượng, bảo đảm chỉ sử dụng tài liệu đang có hiệu lực",
        (
            "Đề xuất ban hành mới, sửa đổi hoặc hủy bỏ tài liệu bằng Phiếu đề nghị",
            "Kiểm tra sự cần thiết, đối chiếu Danh mục tài liệu nội bộ và trình lãnh đạo cho ý kiến",
            "Soạn thảo dự thảo tài liệu theo cấu trúc thống nhất của Hệ thống quản lý chất lượng",
            "Lấy ý kiến các đơn vị có liên quan đối với dự thảo",
            "Kiểm tra mã hiệu, lần ban hành, thể thức trình bày và sự thống nhất với tài liệu khác",
            "Xem xét nội dung, sự phù hợp với quy định pháp luật hiện hành",
            "Phê duyệt tài liệu và ký quyết định ban hành",
            "Cập nhật Danh mục tài liệu nội bộ, phân phối tài liệu đến các đơn vị",
            'Thu hồi tài liệu lỗi thời, đóng dấu "TÀI LIỆU HẾT HIỆU LỰC" bản lưu',
            "Cập nhật Danh mục tài liệu bên ngoài khi văn bản quy phạm pháp luật thay đổi",
            "Rà soát tài liệu định kỳ hằng năm",
            "Lưu hồ sơ ban hành tài liệu",
        ),
    ),
    (
        "Quy trình kiểm soát hồ sơ",
        "Quy định cách thức nhận biết, lưu trữ, bảo vệ, truy cập, thời gian lưu và hủy bỏ hồ sơ của Hệ thống quản lý chất lượng",
        (
            "Xác định hồ sơ cần lưu tại từng quy trình",
            "Lập Danh mục hồ sơ của đơn vị",
            "Sắp xếp, lưu giữ hồ sơ giấy và hồ sơ điện tử",
            "Bảo quản hồ sơ, bảo đảm dễ truy cập",
            "Cho mượn, khai thác hồ sơ theo quy định",
            "Kiểm tra tình trạng lưu trữ hồ sơ định kỳ",
            "Chuyển hồ sơ vào lưu trữ cơ quan khi hết thời hạn lưu tại đơn vị",
            "Lập danh sách hồ sơ hết thời hạn lưu, trình hủy theo quy định",
            "Hủy hồ sơ và lập biên bản hủy",
            "Lưu Danh mục hồ sơ và biên bản",
        ),
    ),
    (
        "Quy trình đánh giá nội bộ",
        "Quy định việc lập kế hoạch, thực hiện đánh giá nội bộ nhằm xác định Hệ thống quản lý chất lượng phù hợp và được duy trì hiệu lực",
        (
            "Lập chương trình đánh giá nội bộ hằng năm",
            "Thành lập đoàn đánh giá, phân công chuyên gia đánh giá",
            "Lập kế hoạch đánh giá chi tiết và thông báo đến các đơn vị",
            "Chuẩn bị danh mục câu hỏi đánh giá",
            "Họp khai mạc đánh giá",
            "Thực hiện đánh giá tại các đơn vị, thu thập bằng chứng",
            "Họp kết thúc, thông báo các phát hiện",
            "Lập báo cáo đánh giá nội bộ",
            "Theo dõi việc thực hiện hành động khắc phục",
            "Lưu hồ sơ đánh giá nội bộ",
        ),
    ),
    (
        "Quy trình kiểm soát sự không phù hợp và hành động khắc phục",
        "Quy định cách thức nhận biết, kiểm soát đầu ra không phù hợp và thực hiện hành động khắc phục nhằm loại bỏ nguyên nhân của sự không phù hợp",
        (
            "Phát hiện và ghi nhận sự không phù hợp",
            "Xử lý ngay đầu ra không phù hợp",
            "Thông báo cho tổ chức, cá nhân bị ảnh hưởng (nếu có)",
            "Xác định nguyên nhân của sự không phù hợp",
            "Đề xuất hành động khắc phục",
            "Phê duyệt hành động khắc phục",
            "Thực hiện hành động khắc phục",
            "Kiểm tra hiệu lực của hành động khắc phục",
            "Cập nhật rủi ro và cơ hội (nếu cần)",
            "Lưu hồ sơ sự không phù hợp và hành động khắc phục",
        ),
    ),
    (
        "Quy trình xem xét của lãnh đạo",
        "Quy định việc xem xét Hệ thống quản lý chất lượng của lãnh đạo nhằm bảo đảm hệ thống luôn phù hợp, thỏa đáng, có hiệu lực và định hướng chiến lược",
        (
            "Lập kế hoạch họp xem xét của lãnh đạo",
            "Thông báo kế hoạch và yêu cầu các đơn vị báo cáo",
            "Tổng hợp đầu vào xem xét của lãnh đạo",
            "Tổ chức họp xem xét của lãnh đạo",
            "Ban hành biên bản, kết luận cuộc họp",
            "Triển khai các quyết định cải tiến",
            "Theo dõi kết quả thực hiện",
            "Lưu hồ sơ xem xét của lãnh đạo",
        ),
    ),
    (
        "Quy trình quản lý rủi ro và cơ hội",
        "Quy định cách thức nhận diện, đánh giá và xử lý rủi ro, cơ hội trong các quá trình của Hệ thống quản lý chất lượng",
        (
            "Nhận diện bối cảnh và nhu cầu của các bên quan tâm",
            "Nhận diện rủi ro và cơ hội của từng quá trình",
            "Đánh giá mức độ rủi ro",
            "Xác định biện pháp xử lý rủi ro, tận dụng cơ hội",
            "Phê duyệt kế hoạch xử lý rủi ro",
            "Thực hiện biện pháp xử lý",
            "Theo dõi, đánh giá hiệu quả",
            "Cập nhật sổ theo dõi rủi ro",
            "Lưu hồ sơ quản lý rủi ro và cơ hội",
        ),
    ),
)

DEFINITIONS = (
    ("UBND", "Ủy ban nhân dân"),
    ("HĐND", "Hội đồng nhân dân"),
    ("TTHC", "Thủ tục hành chính"),
    ("HTQLCL", "Hệ thống quản lý chất lượng theo TCVN ISO 9001:2015"),
    ("Bộ phận Một cửa", "Bộ phận tiếp nhận và trả kết quả giải quyết thủ tục hành chính"),
    ("CSDLQG về dân cư", "Cơ sở dữ liệu quốc gia về dân cư"),
    ("DVCTT", "Dịch vụ công trực tuyến"),
    ("Phần mềm một cửa", "Hệ thống thông tin giải quyết thủ tục hành chính của tỉnh"),
    ("Hồ sơ hợp lệ", "Hồ sơ có đủ thành phần, số lượng giấy tờ và nội dung kê khai theo quy định"),
    (
        "Cán bộ phụ trách ISO",
        "Công chức được thủ trưởng cơ quan phân công theo dõi, duy trì Hệ thống quản lý chất lượng",
    ),
)
RECORDS = (
    (
        "Phiếu kiểm soát quá trình giải quyết hồ sơ",
        "Bộ phận Một cửa (bản điện tử trên phần mềm)",
        "05 năm",
    ),
    ("Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "Bộ phận Một cửa", "05 năm"),
    ("Hồ sơ đề nghị và kết quả giải quyết", "Công chức thụ lý hồ sơ", "10 năm"),
    ("Sổ theo dõi giải quyết hồ sơ", "Công chức thụ lý hồ sơ", "Vĩnh viễn"),
    ("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", "Bộ phận Một cửa", "05 năm"),
    (
        "Văn bản trả lời, Phiếu xin lỗi và hẹn lại ngày trả kết quả (nếu có)",
        "Công chức thụ lý hồ sơ",
        "05 năm",
    ),
)
REFERENCES = (
    "Sổ tay chất lượng của cơ quan",
    "Quy trình kiểm soát hồ sơ",
    "Quy chế làm việc của cơ quan",
    "Mô hình khung hệ thống quản lý chất lượng theo TCVN ISO 9001:2015 cho cơ quan hành chính nhà nước tại địa phương của Bộ Khoa học và Công nghệ",
    "Hướng dẫn sử dụng Hệ thống thông tin giải quyết thủ tục hành chính của tỉnh",
)
REVISION_REASONS = (
    "Cập nhật theo văn bản quy phạm pháp luật mới",
    "Khắc phục phát hiện của đợt đánh giá nội bộ",
    "Cắt giảm thời gian giải quyết theo chỉ đạo của Ủy ban nhân dân tỉnh",
    "Triển khai dịch vụ công trực tuyến toàn trình",
    "Sắp xếp tổ chức bộ máy, phân công lại trách nhiệm",
    "Tái cấu trúc quy trình theo kết quả số hóa hồ sơ",
    "Tổ chức chính quyền địa phương hai cấp từ ngày 01/7/2025",
    "Kết quả xem xét của lãnh đạo",
)
SENTENCES = (
    "Khai thác thông tin từ Cơ sở dữ liệu quốc gia về dân cư thay cho yêu cầu xuất trình giấy tờ.",
    "Ưu tiên giải quyết hồ sơ của người cao tuổi, người khuyết tật và phụ nữ có thai.",
    "Cập nhật kịp thời trạng thái hồ sơ trên phần mềm một cửa.",
    "Số hóa hồ sơ, kết quả giải quyết theo quy định.",
    "Thông báo cho người yêu cầu qua tin nhắn hoặc thư điện tử khi có kết quả.",
    "Phối hợp với cơ quan liên quan qua hệ thống quản lý văn bản và điều hành.",
)


# -- the province: agencies, units, people ------------------------------------------------

#: The roles of qms.yaml, and which of them may sign each column for each kind.
ROLES = (
    ("head", "Thủ trưởng cơ quan (Giám đốc Sở, Chủ tịch UBND cấp xã, Chánh Văn phòng UBND tỉnh)"),
    ("vice-head", "Cấp phó của thủ trưởng cơ quan"),
    ("unit-head", "Trưởng phòng, Chánh Văn phòng"),
    ("iso-officer", "Cán bộ phụ trách ISO"),
    ("staff", "Công chức, viên chức"),
)
APPROVAL: dict[str, dict[str, tuple[str, ...]]] = {
    "procedure": {
        "author": ("iso-officer", "staff", "unit-head"),
        "review": ("unit-head", "vice-head"),
        "approve": ("head",),
    },
    "policy": {"author": ("iso-officer",), "review": ("vice-head",), "approve": ("head",)},
    "objectives": {
        "author": ("iso-officer",),
        "review": ("vice-head", "unit-head"),
        "approve": ("head",),
    },
    "form": {
        "author": ("iso-officer", "staff", "unit-head"),
        "review": ("unit-head", "vice-head"),
        "approve": ("head", "vice-head"),
    },
}
STEP_OF_MEANING = {"authored": "author", "reviewed": "review", "approved": "approve"}


@dataclass(frozen=True)
class PersonSpec:
    """A person of qms.yaml and the roles held, each from a day until a day (or for now)."""

    id: str
    name: str
    title: str
    email: str
    unit: str
    roles: tuple[tuple[str, dt.date, dt.date | None], ...]

    def roles_on(self, day: dt.date) -> set[str]:
        """Return the roles held on *day*."""
        return {
            r for r, start, until in self.roles if start <= day and (until is None or day <= until)
        }

    def config(self) -> dict[str, Any]:
        """Return the person as qms.yaml lists it."""
        roles = []
        for role, start, until in self.roles:
            entry: dict[str, Any] = {"role": role, "from": start}
            if until is not None:
                entry["until"] = until
            roles.append(entry)
        return {
            "id": self.id,
            "name": self.name,
            "title": self.title,
            "email": self.email,
            "unit": self.unit,
            "roles": roles,
        }


@dataclass
class Agency:
    """One agency of the province: a department, or a commune or ward People's Committee."""

    code: str  # VPT, STP, X001, P001: part of every document code
    name: str  # Sở Tư pháp, UBND xã Tân Phú
    full_name: str  # Ủy ban nhân dân xã Tân Phú
    commune: bool
    fields: tuple[str, ...]
    leader: str  # who signs the results of TTHC
    units: list[tuple[str, str]] = field(default_factory=list)
    people: list[PersonSpec] = field(default_factory=list)
    unit_of_field: dict[str, str] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        """Return the prefix of the agency's unit and person ids."""
        return self.code.lower()

    def unit_name(self, unit_id: str) -> str:
        """Return the name of one of the agency's units."""
        return next(name for uid, name in self.units if uid == unit_id)

    def signer(
        self,
        kind: str,
        meaning: str,
        days: Sequence[dt.date],
        *,
        prefer: str | None = None,
        exclude: Iterable[str] = (),
    ) -> PersonSpec | None:
        """Return who signs *meaning* for a document of *kind*, holding a role on all *days*."""
        allowed = set(APPROVAL[kind][STEP_OF_MEANING[meaning]])
        taken = set(exclude)
        people = sorted(self.people, key=lambda p: 0 if prefer in p.roles_on(days[0]) else 1)
        for person in people:
            if person.id in taken:
                continue
            if all(allowed & person.roles_on(day) for day in days):
                return person
        return None


def _person_name(rng: random.Random) -> tuple[str, bool]:
    female = rng.random() < 0.5
    middle = rng.choice(MIDDLE_FEMALE if female else MIDDLE_MALE)
    given = rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
    return f"{rng.choice(SURNAMES)} {middle} {given}", female


def _place_names(rng: random.Random, count: int) -> list[str]:
    names = [f"{a} {b}" for a in PLACE_FIRST for b in PLACE_SECOND if a != b]
    rng.shuffle(names)
    out = names[:count]
    suffixes = ("Thượng", "Hạ", "Trung", "Đông", "Tây")
    index = 0
    while len(out) < count:  # more places than pairs of syllables: Tân Phú Thượng …
        out.append(f"{names[index % len(names)]} {suffixes[index // len(names) % len(suffixes)]}")
        index += 1
    return out


def build_agencies(count: int, seed: int) -> list[Agency]:
    """Return *count* agencies: the provincial office and departments first, then communes.

    Each agency's people come from a random stream of its own: the provincial office (which
    owns the 500-revision document of phase A) is the same whatever the count.
    """
    rng = random.Random(f"{seed}:places")
    agencies: list[Agency] = []
    for code, name, fields in DEPARTMENTS[: max(1, min(count, len(DEPARTMENTS)))]:
        if code == "VPT":
            leader = "Chánh Văn phòng hoặc Phó Chánh Văn phòng UBND tỉnh"
            full = f"Văn phòng Ủy ban nhân dân tỉnh {PROVINCE}"
        elif code == "TTT":
            leader = "Chánh Thanh tra hoặc Phó Chánh Thanh tra tỉnh"
            full = f"Thanh tra tỉnh {PROVINCE}"
        else:
            leader = f"Giám đốc hoặc Phó Giám đốc {name}"
            full = f"{name} tỉnh {PROVINCE}"
        agencies.append(Agency(code, name, full, False, fields, leader))
    communes = count - len(agencies)
    wards = 0
    for place in _place_names(rng, max(0, communes)):
        ward = rng.random() < 0.3
        wards += ward
        level = "phường" if ward else "xã"
        number = wards if ward else len(agencies) - len(DEPARTMENTS) - wards + 1
        code = f"{'P' if ward else 'X'}{number:03d}"
        agencies.append(
            Agency(
                code,
                f"UBND {level} {place}",
                f"Ủy ban nhân dân {level} {place}",
                True,
                COMMUNE_FIELDS,
                f"Chủ tịch hoặc Phó Chủ tịch UBND {level} {place}",
            )
        )
    for agency in agencies:
        _staff(agency, random.Random(f"{seed}:agency:{agency.code}"))
    return agencies


_COMMUNE_UNIT_OF_FIELD = {
    "dat-dai": "kinh-te",
    "xay-dung": "kinh-te",
    "ho-kinh-doanh": "kinh-te",
    "nong-nghiep": "kinh-te",
    "moi-truong": "kinh-te",
    "cong-thuong": "kinh-te",
    "bao-tro-xa-hoi": "van-hoa-xa-hoi",
    "nguoi-co-cong": "van-hoa-xa-hoi",
    "giao-duc": "van-hoa-xa-hoi",
    "y-te": "van-hoa-xa-hoi",
    "van-hoa": "van-hoa-xa-hoi",
    "ton-giao": "van-hoa-xa-hoi",
}


def _staff(agency: Agency, rng: random.Random) -> None:
    s = agency.slug
    if agency.commune:
        level_place = agency.name.removeprefix("UBND ")
        ward = level_place.startswith("phường")
        agency.units = [
            (f"{s}-lanh-dao", f"Lãnh đạo UBND {level_place}"),
            (f"{s}-van-phong", f"Văn phòng HĐND và UBND {level_place}"),
            (f"{s}-mot-cua", f"Trung tâm Phục vụ hành chính công {level_place}"),
            (f"{s}-kinh-te", "Phòng Kinh tế, Hạ tầng và Đô thị" if ward else "Phòng Kinh tế"),
            (f"{s}-van-hoa-xa-hoi", "Phòng Văn hóa - Xã hội"),
        ]
        agency.unit_of_field = {
            f: f"{s}-{_COMMUNE_UNIT_OF_FIELD.get(f, 'van-phong')}" for f in agency.fields
        }
        titles = {
            "head": f"Chủ tịch UBND {level_place}",
            "vice": f"Phó Chủ tịch UBND {level_place}",
            "office": f"Chánh Văn phòng HĐND và UBND {level_place}",
            "unit": "Trưởng phòng Kinh tế"
            if not ward
            else "Trưởng phòng Kinh tế, Hạ tầng và Đô thị",
            "iso": "Công chức Văn phòng - Thống kê",
            "staff": "Công chức Tư pháp - Hộ tịch",
        }
        main = f"{s}-kinh-te"
        staff_unit = f"{s}-van-phong"
    else:
        lead = {"VPT": "Lãnh đạo Văn phòng UBND tỉnh", "TTT": "Lãnh đạo Thanh tra tỉnh"}
        office = {"VPT": "Phòng Hành chính - Tổ chức", "TTT": "Văn phòng Thanh tra tỉnh"}
        agency.units = [
            (f"{s}-lanh-dao", lead.get(agency.code, f"Ban Giám đốc {agency.name}")),
            (f"{s}-van-phong", office.get(agency.code, f"Văn phòng {agency.name}")),
            (
                f"{s}-mot-cua",
                "Bộ phận tiếp nhận và trả kết quả tại Trung tâm Phục vụ hành chính công tỉnh",
            ),
        ]
        for index, key in enumerate(agency.fields, start=1):
            agency.units.append((f"{s}-phong-{index}", f"Phòng {FIELD_BY_KEY[key].name}"))
            agency.unit_of_field[key] = f"{s}-phong-{index}"
        head = {"VPT": "Chánh Văn phòng UBND tỉnh", "TTT": "Chánh Thanh tra tỉnh"}
        vice = {"VPT": "Phó Chánh Văn phòng UBND tỉnh", "TTT": "Phó Chánh Thanh tra tỉnh"}
        titles = {
            "head": head.get(agency.code, f"Giám đốc {agency.name}"),
            "vice": vice.get(agency.code, f"Phó Giám đốc {agency.name}"),
            "office": "Trưởng phòng Hành chính - Tổ chức"
            if agency.code == "VPT"
            else "Chánh Văn phòng",
            "unit": f"Trưởng phòng {FIELD_BY_KEY[agency.fields[0]].name}",
            "iso": "Chuyên viên"
            + (" Phòng Hành chính - Tổ chức" if agency.code == "VPT" else " Văn phòng"),
            "staff": f"Chuyên viên Phòng {FIELD_BY_KEY[agency.fields[0]].name}",
        }
        main = f"{s}-phong-1"
        staff_unit = main
    until = ROTATION - dt.timedelta(days=1)
    plan = (
        ("head", f"{s}-lanh-dao", (("head", ROLES_FROM, None),)),
        ("vice", f"{s}-lanh-dao", (("vice-head", ROLES_FROM, None),)),
        ("office", f"{s}-van-phong", (("unit-head", ROLES_FROM, None),)),
        ("unit", main, (("unit-head", ROLES_FROM, None),)),
        (
            "iso",
            f"{s}-van-phong",
            (("iso-officer", ROLES_FROM, until), ("staff", ROLES_FROM, None)),
        ),
        ("iso", f"{s}-van-phong", (("iso-officer", ROTATION, None), ("staff", ROLES_FROM, None))),
        ("staff", staff_unit, (("staff", ROLES_FROM, None),)),
    )
    used: set[str] = set()
    for key, unit, roles in plan:
        while True:
            name, _ = _person_name(rng)
            slug = ascii_slug(name)
            if slug not in used:
                break
        used.add(slug)
        parts = slug.split("-")
        email = f"{parts[-1]}.{''.join(p[0] for p in parts[:-1])}.{s}@{EMAIL_DOMAIN}"
        agency.people.append(PersonSpec(f"{s}-{slug}", name, titles[key], email, unit, roles))


def build_config(agencies: Sequence[Agency]) -> dict[str, Any]:
    """Return the content of qms.yaml for *agencies*."""
    return {
        "schema_version": 1,
        "organization": {
            "name": f"ỦY BAN NHÂN DÂN TỈNH {PROVINCE.upper()}",
            "short_name": f"UBND tỉnh {PROVINCE}",
            "parent": "Chính phủ",
            "address": f"Số 1 đường Trần Hưng Đạo, phường An Hòa, tỉnh {PROVINCE}",
            "province_code": PROVINCE_CODE,
        },
        "language": "vi",
        "units": [{"id": uid, "name": name} for a in agencies for uid, name in a.units],
        "roles": [{"id": rid, "name": name} for rid, name in ROLES],
        "people": [p.config() for a in agencies for p in a.people],
        "approval": {
            kind: {step: list(roles) for step, roles in rule.items()}
            for kind, rule in APPROVAL.items()
        },
        "review_interval_months": {"procedure": 12, "policy": 36, "objectives": 12, "form": 24},
        "numbering": {"procedure": "QT-", "form": "BM-", "policy": "CSCL", "objectives": "MTCL-"},
        "require_signed_approvals": False,
        "export": {
            "font": "Times New Roman",
            "font_size": 13,
            "change_history_columns": ["date", "description", "revision"],
        },
    }


def config_text(agencies: Sequence[Agency]) -> str:
    """Return qms.yaml for *agencies*, with the schema comment."""
    header = (
        "# yaml-language-server: $schema=schemas/qms.schema.json\n"
        f"# Dữ liệu sinh tự động cho benchmark (bench/generate.py): tỉnh {PROVINCE} là tỉnh hư cấu,\n"
        "# mọi cơ quan, đơn vị và người trong tệp này đều không có thật.\n"
    )
    return emit_yaml(build_config(agencies), header)


# -- the legal registry -------------------------------------------------------------------


@dataclass
class LegalSpec:
    """A legal document to write into legal/ (or, for the sample's, to copy byte for byte)."""

    number: str
    type: str
    issuer: str
    title: str
    issued: dt.date
    effective_from: dt.date | None = None
    effective_until: dt.date | None = None
    relations: list[dict[str, Any]] = field(default_factory=list)
    note: str | None = None
    articles: int = 20
    raw: bytes | None = None

    @property
    def in_force_from(self) -> dt.date:
        """Return the first day in force."""
        return self.effective_from or self.issued

    @property
    def path(self) -> str:
        """Return the file of the document, relative to the repository."""
        return f"legal/{legal_file_code(self.number)}.yaml"

    def text(self) -> bytes:
        """Return the bytes of the document's file."""
        if self.raw is not None:
            return self.raw
        data: dict[str, Any] = {
            "schema_version": 1,
            "kind": "legal",
            "number": self.number,
            "type": self.type,
            "issuer": self.issuer,
            "title": self.title,
            "issued": self.issued,
            "effective_from": self.effective_from,
            "effective_until": self.effective_until,
            "relations": self.relations,
            "note": self.note,
        }
        data = {k: v for k, v in data.items() if v is not None and v != []}
        return emit_yaml(data, schema_comment("legal", depth=1)).encode("utf-8")


@dataclass
class Lineage:
    """Legal documents that replace one another on one subject; the last one is the newest."""

    key: str
    members: list[LegalSpec] = field(default_factory=list)
    ended: dt.date | None = None  # repealed as a whole, with no successor

    def cited_on(self, day: dt.date) -> LegalSpec | None:
        """Return the member an officer cites on *day*: in force since before that day."""
        if self.ended is not None and self.ended <= day:
            return None
        found = None
        for member in self.members:
            if member.in_force_from < day:
                found = member
        if found is not None and found.effective_until is not None and found.effective_until < day:
            return None
        return found


def _legislature(year: int) -> int:
    return 11 + max(0, min(5, (year - 2002) // 5)) if year < 2026 else 16


class _Numbers:
    """Unique legal numbers, as printed, allocated in a deterministic order."""

    def __init__(self, rng: random.Random, taken: Iterable[str]) -> None:
        self.rng = rng
        self.used = {legal_file_code(t).casefold() for t in taken}
        self.next: dict[str, int] = {}

    def take(
        self, series: str, pattern: str, *, start: tuple[int, int], step: tuple[int, int]
    ) -> str:
        n = self.next.get(series, self.rng.randint(*start))
        while True:
            number = pattern.format(n=n)
            n += self.rng.randint(*step)
            if legal_file_code(number).casefold() not in self.used:
                break
        self.next[series] = n
        self.used.add(legal_file_code(number).casefold())
        return number


_TYPE_NAMES = {
    "law": "Luật",
    "decree": "Nghị định",
    "circular": "Thông tư",
    "decision": "Quyết định",
    "resolution": "Nghị quyết",
}


def _random_day(rng: random.Random, year: int) -> dt.date:
    return dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))


def _articles(rng: random.Random, document: LegalSpec, count: int) -> list[str]:
    picks = sorted(rng.sample(range(1, min(document.articles, 15) + 1), k=count))
    return [f"Điều {n}" for n in picks]


#: Kinds of lineage per field: (type, symbol, issuer, start years, gap years, chain lengths)
_LINEAGE_KINDS = (
    "law",
    "decree",
    "decree",
    "circular",
    "circular",
    "rule",
    "announce",
    "announce",
    "fees",
)


class LegalBuilder:
    """The legal registry: the sample's real documents plus generated ones, in lineages."""

    def __init__(self, rng: random.Random, total: int) -> None:
        self.rng = rng
        self.sample = self._sample()
        if total < len(self.sample):
            raise SystemExit(f"--legal must be at least {len(self.sample)} (the sample's own)")
        self.documents: list[LegalSpec] = list(self.sample.values())
        self.numbers = _Numbers(rng, self.sample)
        self.made = 0  # generated lineages
        self.lineages: dict[str, Lineage] = {}
        self.by_field: dict[str, dict[str, list[Lineage]]] = {
            f.key: {k: [] for k in ("law", "decree", "circular", "rule", "announce", "fees")}
            for f in FIELDS
        }
        self._sample_lineages()
        self._generate(total - len(self.sample))

    @staticmethod
    def _sample() -> dict[str, LegalSpec]:
        out = {}
        for path in sorted((SAMPLE / "legal").glob("*.yaml")):
            raw = path.read_bytes()
            doc = LegalDocument.model_validate(yaml_store.load(raw, file=path.name))
            out[doc.number] = LegalSpec(
                number=doc.number,
                type=doc.type.value,
                issuer=doc.issuer,
                title=doc.title,
                issued=doc.issued,
                effective_from=doc.effective_from,
                effective_until=doc.effective_until,
                relations=[r.model_dump(mode="python", exclude_none=True) for r in doc.relations],
                articles=40,
                raw=raw,
            )
        return out

    def lineage(self, key: str, *numbers: str) -> Lineage:
        """Return the lineage *key*, made of sample documents *numbers* the first time."""
        if key not in self.lineages:
            self.lineages[key] = Lineage(key, [self.sample[n] for n in numbers])
        return self.lineages[key]

    def _sample_lineages(self) -> None:
        s = self.lineage
        s("iso", "TCVN ISO 9001:2008", "TCVN ISO 9001:2015")
        s("qms-decision", "144/2006/QĐ-TTg", "19/2014/QĐ-TTg")
        s("qms-circular", "26/2014/TT-BKHCN")
        s("framework", "101/QĐ-BKHCN")
        s("van-thu", "110/2004/NĐ-CP", "30/2020/NĐ-CP")
        s("luu-tru", "01/2011/QH13", "33/2024/QH15")
        s("chinh-quyen", "77/2015/QH13", "65/2025/QH15", "72/2025/QH15")
        s("mot-cua", "09/2015/QĐ-TTg", "61/2018/NĐ-CP")
        s("kiem-soat-tthc", "63/2010/NĐ-CP")
        s("quy-che-tinh", "22/2019/QĐ-UBND")
        fields = self.by_field
        fields["ho-tich"]["law"].append(s("ho-tich-law", "60/2014/QH13"))
        fields["ho-tich"]["decree"].append(s("ho-tich-decree", "123/2015/NĐ-CP"))
        fields["ho-tich"]["circular"].append(s("ho-tich-circ", "15/2015/TT-BTP", "04/2020/TT-BTP"))
        fields["ho-tich"]["fees"].append(s("ho-tich-fees", "85/2019/TT-BTC"))
        fields["chung-thuc"]["decree"].append(s("chung-thuc", "79/2007/NĐ-CP", "23/2015/NĐ-CP"))
        fields["chung-thuc"]["fees"].append(s("chung-thuc-fees", "226/2016/TT-BTC"))
        fields["bao-tro-xa-hoi"]["decree"].append(s("bao-tro", "136/2013/NĐ-CP", "20/2021/NĐ-CP"))
        fields["ho-tich"]["announce"].append(s("cong-bo-2025", "1520/QĐ-UBND"))

    # -- generation ---------------------------------------------------------------------

    def _add(self, document: LegalSpec) -> bool:
        if len(self.documents) >= self.target:
            return False
        self.documents.append(document)
        return True

    def _generate(self, count: int) -> None:
        self.target = len(self.documents) + count
        rng = self.rng
        round_ = 0
        while len(self.documents) < self.target:
            for spec in FIELDS:
                if len(self.documents) >= self.target:
                    break
                kind = _LINEAGE_KINDS[(round_ + FIELDS.index(spec)) % len(_LINEAGE_KINDS)]
                if kind == "law" and (spec.law is None or self.by_field[spec.key]["law"]):
                    kind = rng.choice(("decree", "circular", "rule"))
                self._lineage(spec, kind, round_)
            round_ += 1

    def _member(self, spec: FieldSpec, kind: str, year: int, index: int) -> LegalSpec:
        rng, take = self.rng, self.numbers.take
        issued = _random_day(rng, year)
        if kind == "law":
            number = take(
                f"law{year}", f"{{n}}/{year}/QH{_legislature(year)}", start=(20, 40), step=(1, 6)
            )
            effective = dt.date(year + 1, rng.choice((1, 7)), 1)
            title = spec.law if index == 0 else f"{spec.law} (sửa đổi)"
            return LegalSpec(
                number,
                "law",
                "Quốc hội",
                str(title),
                issued,
                effective,
                articles=rng.randint(60, 120),
            )
        if kind == "decree":
            number = take(f"nd{year}", f"{{n}}/{year}/NĐ-CP", start=(1, 40), step=(1, 9))
            title = (
                f"Nghị định quy định chi tiết một số điều và biện pháp thi hành {spec.law}"
                if spec.law and index % 2 == 0
                else f"Nghị định quy định về {spec.topic}"
            )
            effective = issued + dt.timedelta(days=rng.choice((15, 30, 45, 60)))
            return LegalSpec(
                number,
                "decree",
                "Chính phủ",
                title,
                issued,
                effective,
                articles=rng.randint(30, 60),
            )
        if kind == "circular":
            number = take(
                f"tt{spec.ministry}{year}",
                f"{{n:02d}}/{year}/TT-{spec.ministry}",
                start=(1, 12),
                step=(1, 4),
            )
            title = f"Thông tư hướng dẫn thực hiện một số quy định về {spec.topic}"
            effective = issued + dt.timedelta(days=45)
            doc = LegalSpec(
                number,
                "circular",
                spec.ministry_name,
                title,
                issued,
                effective,
                articles=rng.randint(10, 30),
            )
            decrees = [
                d for lin in self.by_field[spec.key]["decree"] if (d := lin.cited_on(issued))
            ]
            if decrees:
                doc.relations.append({"type": "guides", "target": decrees[0].number})
            return doc
        if kind == "rule":
            number = take(f"qd{year}", f"{{n:02d}}/{year}/QĐ-UBND", start=(1, 20), step=(1, 5))
            title = (
                f"Quyết định ban hành Quy chế phối hợp giải quyết thủ tục hành chính lĩnh vực "
                f"{spec.name.lower()} trên địa bàn tỉnh {PROVINCE}"
            )
            effective = issued + dt.timedelta(days=rng.randint(10, 20))
            doc = LegalSpec(
                number,
                "decision",
                f"Ủy ban nhân dân tỉnh {PROVINCE}",
                title,
                issued,
                effective,
                articles=rng.randint(8, 20),
            )
            if rng.random() < 0.06 and year >= 2022:
                doc.effective_until = dt.date(2025, 12, 31)
                doc.note = "Quy chế áp dụng đến hết ngày 31/12/2025"
            return doc
        if kind == "announce":
            number = take("cb", "{n}/QĐ-UBND", start=(150, 400), step=(7, 90))
            level = rng.choice(("Ủy ban nhân dân cấp xã", "các sở, ban, ngành"))
            title = (
                f"Quyết định công bố Danh mục thủ tục hành chính mới ban hành, được sửa đổi, bổ sung "
                f"lĩnh vực {spec.name.lower()} thuộc thẩm quyền giải quyết của {level} trên địa bàn "
                f"tỉnh {PROVINCE}"
            )
            return LegalSpec(
                number,
                "decision",
                f"Chủ tịch Ủy ban nhân dân tỉnh {PROVINCE}",
                title,
                issued,
                None,
                articles=rng.randint(3, 6),
            )
        number = take(f"nq{year}", f"{{n:02d}}/{year}/NQ-HĐND", start=(1, 25), step=(1, 4))
        title = (
            f"Nghị quyết quy định mức thu, miễn, giảm, chế độ thu, nộp, quản lý và sử dụng phí, lệ phí "
            f"lĩnh vực {spec.name.lower()} trên địa bàn tỉnh {PROVINCE}"
        )
        return LegalSpec(
            number,
            "resolution",
            f"Hội đồng nhân dân tỉnh {PROVINCE}",
            title,
            issued,
            dt.date(year + 1, 1, 1) if issued.month > 9 else issued + dt.timedelta(days=10),
            articles=rng.randint(6, 12),
        )

    _SHAPE = {  # first year range, gap between members in years, chain lengths
        "law": ((2005, 2014), (8, 10), (1, 2, 2, 3)),
        "decree": ((2006, 2017), (4, 7), (1, 2, 3, 3, 4)),
        "circular": ((2008, 2018), (3, 6), (1, 2, 3, 4)),
        "rule": ((2012, 2019), (3, 5), (1, 2, 3)),
        "announce": ((2016, 2020), (1, 2), (2, 3, 4, 5, 6)),
        "fees": ((2014, 2019), (3, 5), (1, 2, 3)),
    }

    def _lineage(self, spec: FieldSpec, kind: str, round_: int) -> None:
        rng = self.rng
        first, gap, lengths = self._SHAPE[kind]
        lineage = Lineage(f"{spec.key}-{kind}-{round_}")
        year = rng.randint(*first)
        for index in range(rng.choice(lengths)):
            if year > HISTORY_END.year:
                break
            member = self._member(spec, kind, year, index)
            if member.issued > HISTORY_END - dt.timedelta(days=15):
                break
            if member.issued.year == HISTORY_END.year and rng.random() < 0.5:
                # announced before the benchmark day, in force only after it: "upcoming"
                member.effective_from = rng.choice(
                    (dt.date(2026, 8, 1), dt.date(2026, 9, 1), dt.date(2027, 1, 1))
                )
            if lineage.members:
                member.relations.insert(
                    0, {"type": "replaces", "target": lineage.members[-1].number}
                )
            if not self._add(member):
                break
            lineage.members.append(member)
            self._extras(spec, kind, member)
            year += rng.randint(*gap)
        if not lineage.members:
            return
        self.made += 1
        if self.made % 8 == 1 and lineage.members[-1].issued.year < 2026:
            self._upcoming(spec, kind, lineage)
        elif (
            kind in ("rule", "announce")
            and rng.random() < 0.04
            and lineage.members[-1].issued.year < 2025
        ):
            self._repeal(lineage)
        self.lineages[lineage.key] = lineage
        self.by_field[spec.key][kind].append(lineage)

    def _upcoming(self, spec: FieldSpec, kind: str, lineage: Lineage) -> None:
        """Add a successor issued in 2026 that takes effect after the benchmark day."""
        rng = self.rng
        member = self._member(spec, kind, 2026, len(lineage.members))
        member.issued = dt.date(2026, rng.randint(3, 5), rng.randint(1, 28))
        member.effective_from = rng.choice(
            (dt.date(2026, 8, 1), dt.date(2026, 9, 1), dt.date(2027, 1, 1))
        )
        member.effective_until = member.note = None
        member.relations.insert(0, {"type": "replaces", "target": lineage.members[-1].number})
        if self._add(member):
            lineage.members.append(member)

    def _extras(self, spec: FieldSpec, kind: str, target: LegalSpec) -> None:
        """Add amendments, partial repeals and corrections of *target*."""
        rng = self.rng
        if kind in ("decree", "circular", "rule", "law") and rng.random() < 0.35:
            self._act_on(spec, kind, target, "amends", (300, 1500), rng.randint(1, 3))
        if kind in ("rule", "circular", "decree") and rng.random() < 0.15:
            self._act_on(spec, kind, target, "repeals", (400, 2000), rng.randint(1, 2))
        if rng.random() < 0.05:
            issued = target.issued + dt.timedelta(days=rng.randint(10, 60))
            if issued < HISTORY_END - dt.timedelta(days=15):
                if target.issuer.endswith(PROVINCE):
                    number = self.numbers.take("cb", "{n}/QĐ-UBND", start=(150, 400), step=(7, 90))
                else:
                    number = self.numbers.take(
                        f"dc{spec.ministry}",
                        f"{{n}}/QĐ-{spec.ministry}",
                        start=(100, 900),
                        step=(3, 60),
                    )
                self._add(
                    LegalSpec(
                        number,
                        "decision",
                        target.issuer,
                        f"Quyết định đính chính văn bản số {target.number}",
                        issued,
                        None,
                        relations=[{"type": "corrects", "target": target.number}],
                        articles=2,
                    )
                )

    def _act_on(
        self,
        spec: FieldSpec,
        kind: str,
        target: LegalSpec,
        relation: str,
        days: tuple[int, int],
        articles: int,
    ) -> None:
        """Add a document of the same kind that amends or repeals articles of *target*."""
        rng = self.rng
        when = target.issued + dt.timedelta(days=rng.randint(*days))
        if when >= HISTORY_END - dt.timedelta(days=15):
            return
        doc = self._member(spec, kind, when.year, 1)
        doc.issued = when
        doc.effective_from = when + dt.timedelta(days=rng.choice((15, 30, 45)))
        if when.year == HISTORY_END.year and rng.random() < 0.5:
            doc.effective_from = dt.date(2026, 9, 1)  # not yet in force on the benchmark day
        name, target_name = _TYPE_NAMES[doc.type], _TYPE_NAMES[target.type]
        verb = "sửa đổi, bổ sung" if relation == "amends" else "bãi bỏ"
        doc.title = f"{name} {verb} một số điều của {target_name} số {target.number}"
        doc.relations = [
            {
                "type": relation,
                "target": target.number,
                "articles": _articles(rng, target, articles),
            }
        ]
        doc.effective_until = None
        doc.note = None
        self._add(doc)

    def _repeal(self, lineage: Lineage) -> None:
        rng = self.rng
        last = lineage.members[-1]
        issued = max(last.issued + dt.timedelta(days=rng.randint(400, 900)), dt.date(2025, 7, 1))
        if issued > HISTORY_END - dt.timedelta(days=15):
            return
        number = self.numbers.take(
            f"qd{issued.year}", f"{{n:02d}}/{issued.year}/QĐ-UBND", start=(1, 20), step=(1, 5)
        )
        doc = LegalSpec(
            number,
            "decision",
            f"Ủy ban nhân dân tỉnh {PROVINCE}",
            f"Quyết định bãi bỏ văn bản số {last.number} do không còn phù hợp với mô hình chính quyền "
            "địa phương hai cấp",
            issued,
            issued + dt.timedelta(days=10),
            relations=[{"type": "repeals", "target": last.number}],
            articles=3,
        )
        if self._add(doc):
            lineage.ended = doc.in_force_from


# -- controlled documents -----------------------------------------------------------------

POLICY_COMMITMENTS = (
    "Công khai, minh bạch đầy đủ thủ tục hành chính, thành phần hồ sơ, thời hạn giải quyết, phí và lệ phí.",
    "Giải quyết hồ sơ thủ tục hành chính đúng quy định, đúng hoặc trước hẹn; hồ sơ trễ hạn phải có văn bản xin lỗi.",
    "Đẩy mạnh cung cấp dịch vụ công trực tuyến toàn trình, số hóa hồ sơ và kết quả giải quyết.",
    "Cán bộ, công chức tận tụy, văn minh, lịch sự; thường xuyên được bồi dưỡng chuyên môn, nghiệp vụ.",
    "Tiếp nhận và xử lý kịp thời phản ánh, kiến nghị của người dân, doanh nghiệp.",
    "Rà soát, cập nhật kịp thời các quy trình khi văn bản pháp luật hoặc tổ chức bộ máy thay đổi.",
    "Đo lường mức độ hài lòng của người dân, doanh nghiệp và sử dụng kết quả để cải tiến.",
)
OBJECTIVES = (
    (
        "100% hồ sơ thủ tục hành chính được giải quyết đúng hoặc trước thời hạn.",
        "Số hồ sơ giải quyết đúng hoặc trước hạn / tổng số hồ sơ đã giải quyết trong kỳ",
        "100%",
        100.0,
    ),
    (
        "Mức độ hài lòng của người dân, doanh nghiệp đạt từ 95% trở lên.",
        "Số phiếu đánh giá hài lòng và rất hài lòng / tổng số phiếu đánh giá",
        "≥ 95%",
        95.0,
    ),
    (
        "Tỷ lệ hồ sơ nộp trực tuyến đạt từ 80% trở lên.",
        "Số hồ sơ nộp trực tuyến / tổng số hồ sơ tiếp nhận",
        "≥ 80%",
        80.0,
    ),
    (
        "100% kết quả giải quyết thủ tục hành chính được số hóa.",
        "Số kết quả được số hóa / tổng số kết quả đã trả",
        "100%",
        100.0,
    ),
)
FORM_TITLES = ("Tờ khai", "Phiếu thẩm định hồ sơ", "Sổ theo dõi giải quyết hồ sơ")


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _national_code(name: str) -> str:
    digest = int(hashlib.sha256(name.encode("utf-8")).hexdigest(), 16)
    return f"{1 + digest % 2}.{100000 + digest % 900000:06d}"


@dataclass
class Topic:
    """A subject a document cites: the lineage's member in force is the reference."""

    lineage: Lineage
    article: str | None = None
    clause: str | None = None
    note: str | None = None


_MESSAGE_CONFIG = cast(Any, type("_Cfg", (), {"language": "vi"})())


@dataclass
class _Head:
    """What the workflow's message builder reads of a document."""

    code: str
    revision: int
    title: str
    effective_date: dt.date | None = None


@dataclass
class CommitSpec:
    """One commit to write: who, when, what, and the tag of an issued revision."""

    when: dt.datetime
    author: PersonSpec
    message: str
    files: list[tuple[str, bytes]]
    tag: tuple[str, str] | None = None


class DocSpec:
    """A controlled document: its content as it evolves, its lifecycle state, its commits.

    Content comes from the document's own random stream, so that a document reads the same
    whatever else the repository holds; the lifecycle methods follow qmsdocs.workflow.
    """

    def __init__(
        self,
        kind: str,
        code: str,
        title: str,
        agency: Agency,
        unit: str,
        *,
        seed: int,
        category: str | None = None,
        field_spec: FieldSpec | None = None,
        tthc: str | None = None,
        system: int | None = None,
        owner: DocSpec | None = None,
    ) -> None:
        self.kind, self.code, self.title, self.agency, self.unit = kind, code, title, agency, unit
        self.category, self.field, self.tthc, self.system, self.owner = (
            category,
            field_spec,
            tthc,
            system,
            owner,
        )
        self.rng = random.Random(f"{seed}:doc:{code}")
        self.forms: list[DocSpec] = []
        self.topics: list[Topic] = []
        self.fee_topic: Topic | None = None
        self.refs_wanted = 3
        # plan
        self.tier = 1  # 0 imported, 1 approved in one commit, 2 the whole lifecycle
        self.first = PHASE_B_EARLIEST
        self.episodes: list[tuple[str, dt.date, int]] = []
        self.final: tuple[str, int] | None = None  # ("withdraw", 0) or ("open", stage)
        self.revisions_planned = 0
        self.confirms_planned = 0
        # content
        self.step_keys: list[int] = []
        self.step_mods: dict[int, dict[str, Any]] = {}
        self.record_keys: list[int] = []
        self.definition_keys: list[int] = []
        self.content: dict[str, Any] = {}
        self.days = 3
        # lifecycle state
        self.revision = 1
        self.status = "draft"
        self.issued: dt.date | None = None
        self.effective: dt.date | None = None
        self.history: list[dict[str, Any]] = []
        self.approvals: list[dict[str, Any]] = []
        self.periodic: list[dict[str, Any]] = []
        self.withdrawal: dict[str, Any] | None = None
        self.stamp: str | None = None
        self.template: dict[str, Any] | None = None
        self.text: str | None = None  # the file as last written
        self.exact = False  # splice action changes into the text exactly as the library does

    @property
    def path(self) -> str:
        """Return the document's file, relative to the repository."""
        return f"{DocumentKind(self.kind).folder}/{self.code}.yaml"

    @property
    def prefer_author(self) -> str:
        """Return the role of the usual author: staff for TTHC and forms, else the ISO officer."""
        return (
            "staff" if self.kind == "form" or self.category == "administrative" else "iso-officer"
        )

    # -- content --------------------------------------------------------------------------

    def legal_basis(self, day: dt.date) -> list[dict[str, Any]]:
        """Return the legal basis an officer writes on *day*: topics resolved to documents."""
        refs: list[dict[str, Any]] = []
        seen: set[str] = set()
        for topic in self.topics:
            document = topic.lineage.cited_on(day)
            if document is None or document.number in seen:
                continue
            seen.add(document.number)
            ref: dict[str, Any] = {"ref": document.number}
            for key in ("article", "clause", "note"):
                if getattr(topic, key) is not None:
                    ref[key] = getattr(topic, key)
            refs.append(ref)
            if len(refs) >= self.refs_wanted:
                break
        return refs

    def _unit_name(self) -> str:
        return self.agency.unit_name(self.unit)

    def _step(self, index: int, number: int) -> dict[str, Any]:
        mods = self.step_mods.get(index, {})
        if self.system is None:
            action, responsible, time_, result, _ = TTHC_STEPS[index]
            assert self.tthc is not None
            values = {
                "tthc": _lower_first(self.tthc),
                "unit": self._unit_name(),
                "leader": self.agency.leader,
                "days": f"{self.days:02d}",
            }
            step: dict[str, Any] = {
                "no": number,
                "action": action.format(**values),
                "responsible": responsible.format(**values),
                "time": time_.format(**values),
            }
            forms = [f.code for f in self.forms]
            slot = {0: forms[:1], 7: forms[1:2], 3: forms[2:3]}.get(index, [])
            if slot:
                step["forms"] = slot
            step["result"] = result
        else:
            actions = SYSTEM_PROCEDURES[self.system][2]
            step = {
                "no": number,
                "action": actions[index] + ".",
                "responsible": (
                    "Cán bộ phụ trách ISO",
                    "Trưởng các đơn vị",
                    "Lãnh đạo cơ quan",
                    "Văn phòng",
                    "Các đơn vị có liên quan",
                )[index % 5],
                "time": (
                    "Khi có yêu cầu",
                    "02 ngày làm việc",
                    "05 ngày làm việc",
                    "03 ngày làm việc",
                    "Hằng năm",
                    "Trong ngày",
                )[index % 6],
            }
            if index == 0 and self.forms:
                step["forms"] = [f.code for f in self.forms]
        if "time" in mods:
            step["time"] = mods["time"]
        if mods.get("extra"):
            step["action"] = step["action"] + " " + " ".join(mods["extra"])
        return step

    def _steps(self) -> list[dict[str, Any]]:
        return [self._step(index, n) for n, index in enumerate(self.step_keys, start=1)]

    def initial_content(self, day: dt.date) -> None:
        """Set the content of revision 1, as drafted on *day*."""
        rng = self.rng
        if self.kind == "procedure":
            self._procedure_content(day)
        elif self.kind == "form":
            assert self.owner is not None
            self.content = {
                "legal_basis": self.legal_basis(day),
                "description": (
                    f"Biểu mẫu sử dụng trong {_lower_first(self.owner.title)}. Sử dụng đúng mẫu "
                    "ban hành, không tự ý thêm, bớt nội dung."
                ),
            }
        elif self.kind == "policy":
            picks = sorted(rng.sample(range(len(POLICY_COMMITMENTS)), k=rng.randint(4, 6)))
            self.content = {
                "statement": (
                    f"{self.agency.full_name} cam kết xây dựng nền hành chính phục vụ, chuyên nghiệp, "
                    "minh bạch và hiệu quả; giải quyết thủ tục hành chính đúng quy định, đúng hoặc "
                    "trước thời hạn, lấy sự hài lòng của người dân, doanh nghiệp làm thước đo chất "
                    "lượng phục vụ; duy trì và cải tiến thường xuyên Hệ thống quản lý chất lượng "
                    "theo TCVN ISO 9001:2015."
                ),
                "commitments": [POLICY_COMMITMENTS[i] for i in picks],
                "posted_at": [
                    f"Bảng tin tại trụ sở {self.agency.name}",
                    f"Trang thông tin điện tử của {self.agency.name}",
                ],
                "legal_basis": self.legal_basis(day),
            }
        else:
            picks = sorted(rng.sample(range(len(OBJECTIVES)), k=rng.randint(2, 3)))
            objectives = []
            for n, index in enumerate(picks, start=1):
                statement, indicator, target, value = OBJECTIVES[index]
                objectives.append(
                    {
                        "id": f"MT-{n:02d}",
                        "statement": statement,
                        "indicator": indicator,
                        "target": target,
                        "target_value": value,
                        "plan": [
                            {
                                "action": "Theo dõi, đôn đốc việc thực hiện; báo cáo tại cuộc họp giao ban hằng tháng.",
                                "responsible": self.agency.unit_name(
                                    f"{self.agency.slug}-van-phong"
                                ),
                                "deadline": "Hằng tháng",
                            }
                        ],
                    }
                )
            self.content = {
                "year": 2026,
                "period_start": dt.date(2026, 1, 1),
                "period_end": dt.date(2026, 12, 31),
                "legal_basis": self.legal_basis(day),
                "objectives": objectives,
            }
        self.history = [
            {
                "revision": 1,
                "date": None,
                "description": "Ban hành lần đầu",
                "reason": "Xây dựng và áp dụng HTQLCL theo TCVN ISO 9001:2015",
            }
        ]

    def _procedure_content(self, day: dt.date) -> None:
        rng = self.rng
        agency, unit_name = self.agency, self._unit_name()
        one_stop = agency.unit_name(f"{agency.slug}-mot-cua")
        self.days = rng.choice((1, 2, 3, 5, 7, 10, 15))
        if self.system is None:
            mandatory = [i for i, s in enumerate(TTHC_STEPS) if s[4]]
            optional = [i for i, s in enumerate(TTHC_STEPS) if not s[4]]
            count = rng.randint(8, 15)
            self.step_keys = sorted(mandatory + rng.sample(optional, k=count - len(mandatory)))
        else:
            pool = len(SYSTEM_PROCEDURES[self.system][2])
            count = rng.randint(8, min(15, pool))
            middle = rng.sample(range(1, pool - 1), k=count - 2)
            self.step_keys = sorted([0, pool - 1, *middle])
        self.record_keys = sorted(rng.sample(range(len(RECORDS)), k=rng.randint(3, 5)))
        self.definition_keys = [
            0,
            2,
            *sorted(rng.sample(range(3, len(DEFINITIONS)), k=rng.randint(1, 3))),
        ]
        references = sorted(rng.sample(range(len(REFERENCES)), k=rng.randint(2, 3)))
        content: dict[str, Any] = {"category": self.category, "legal_basis": self.legal_basis(day)}
        if self.system is None:
            assert self.tthc is not None and self.field is not None
            tthc_l = _lower_first(self.tthc)
            content["purpose"] = (
                f"Quy định trình tự, thủ tục, trách nhiệm và thời gian giải quyết thủ tục {tthc_l} "
                f"tại {agency.full_name}, bảo đảm đúng quy định pháp luật, công khai, minh bạch và "
                "đúng thời hạn."
            )
            content["scope"] = (
                f"Áp dụng đối với việc giải quyết thủ tục {tthc_l} thuộc thẩm quyền của "
                f"{agency.full_name}; áp dụng cho {one_stop}, {unit_name} và Lãnh đạo {agency.name}."
            )
        else:
            title, purpose, _ = SYSTEM_PROCEDURES[self.system]
            content["purpose"] = f"{purpose} của {agency.full_name}."
            content["scope"] = (
                f"Áp dụng đối với các đơn vị, cán bộ, công chức thuộc {agency.full_name} trong phạm "
                f"vi Hệ thống quản lý chất lượng."
            )
        content["references"] = [REFERENCES[i] for i in references]
        content["definitions"] = [
            {"term": DEFINITIONS[i][0], "meaning": DEFINITIONS[i][1]} for i in self.definition_keys
        ]
        content["responsibilities"] = (
            f"{unit_name} chủ trì thực hiện quy trình; {one_stop} tiếp nhận và trả kết quả; "
            f"{agency.leader} ký duyệt; Cán bộ phụ trách ISO theo dõi việc áp dụng."
        )
        if self.system is None:
            assert self.field is not None and self.tthc is not None
            dossier: list[dict[str, Any]] = [{"name": f"{FORM_TITLES[0]} theo mẫu", "originals": 1}]
            if self.forms:
                dossier[0]["form"] = self.forms[0].code
            for item in rng.sample(self.field.dossier, k=rng.randint(1, len(self.field.dossier))):
                dossier.append(
                    {"name": item, "originals": rng.choice((0, 1)), "copies": rng.choice((0, 1, 2))}
                )
            fees: list[dict[str, Any]] = []
            if self.field.fee:
                fee: dict[str, Any] = {
                    "name": self.field.fee,
                    "amount": rng.choice(
                        ("Miễn lệ phí", "50.000 đồng/hồ sơ", "100.000 đồng/hồ sơ", "8.000 đồng/bản")
                    ),
                }
                fees.append(fee)
            content["tthc"] = tthc = {
                "code": f"{_national_code(self.tthc)}.000.00.00.{PROVINCE_CODE}",
                "name": self.tthc,
                "field": self.field.name,
                "methods": [
                    f"Trực tiếp tại {one_stop}",
                    "Trực tuyến qua Cổng Dịch vụ công quốc gia (dichvucong.gov.vn)",
                    *(["Qua dịch vụ bưu chính công ích"] if rng.random() < 0.6 else []),
                ],
                "conditions": (
                    ["Người yêu cầu có nơi cư trú hoặc trụ sở trên địa bàn."]
                    if rng.random() < 0.5
                    else None
                ),
                "dossier": dossier,
                "dossier_sets": 1,
                "time_limit": f"{self.days + 1:02d} ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ",
                "subjects": rng.choice((["Cá nhân"], ["Tổ chức"], ["Cá nhân", "Tổ chức"])),
                "implementing_agency": agency.full_name,
                "coordinating_agencies": (
                    ["Cơ quan thuế", "Cơ quan đăng ký cư trú"][: rng.randint(0, 2)] or None
                ),
                "fees": fees or None,
                "result": self.field.result,
                "place_of_receipt": (f"{one_stop}; hoặc trực tuyến qua Cổng Dịch vụ công quốc gia"),
            }
            for key in [k for k, v in tthc.items() if v is None]:
                del tthc[key]
            self._fee_basis(content["legal_basis"], tthc)
        content["steps"] = self._steps()
        content["forms"] = [f.code for f in self.forms]
        content["records"] = [
            {"name": RECORDS[i][0], "keeper": RECORDS[i][1], "retention": RECORDS[i][2]}
            for i in self.record_keys
        ]
        self.content = content

    def _fee_basis(self, basis: list[dict[str, Any]], tthc: dict[str, Any]) -> None:
        """Point the fee at the fee document the legal basis cites, if it cites one."""
        if not tthc.get("fees") or self.fee_topic is None:
            return
        listed = {r["ref"] for r in basis}
        numbers = [m.number for m in self.fee_topic.lineage.members if m.number in listed]
        fee = tthc["fees"][0]
        fee.pop("basis", None)
        if numbers:
            fee["basis"] = {"ref": numbers[-1]}

    def evolve(self, revision: int, day: dt.date) -> str:
        """Change the content for *revision*, drafted on *day*; return what changed."""
        rng = self.rng
        changes: list[str] = []
        if self.kind == "procedure":
            changes.append(self._evolve_procedure())
        elif self.kind == "form":
            extra = rng.choice(SENTENCES)
            base = self.content["description"].split(" Lưu ý: ")[0]
            self.content["description"] = f"{base} Lưu ý: {extra}"
            changes.append("Cập nhật hướng dẫn sử dụng biểu mẫu")
        elif self.kind == "policy":
            commitments = self.content["commitments"]
            unused = [c for c in POLICY_COMMITMENTS if c not in commitments]
            if unused and len(commitments) < 7:
                commitments.append(rng.choice(unused))
                changes.append("Bổ sung cam kết chất lượng")
            else:
                commitments.pop(rng.randrange(len(commitments)))
                changes.append("Lược bỏ cam kết không còn phù hợp")
        else:
            objective = rng.choice(self.content["objectives"])
            objective["plan"].append(
                {
                    "action": rng.choice(SENTENCES),
                    "responsible": "Các đơn vị",
                    "deadline": "Hằng quý",
                }
            )
            changes.append(f"Bổ sung kế hoạch thực hiện mục tiêu {objective['id']}")
        new = self.new_references(day)
        if new:
            changes.append("cập nhật căn cứ pháp lý theo văn bản số " + ", ".join(new))
        self.content["legal_basis"] = self.legal_basis(day)
        if "tthc" in self.content:
            self._fee_basis(self.content["legal_basis"], self.content["tthc"])
        return "; ".join(changes)

    def new_references(self, day: dt.date) -> list[str]:
        """Return the legal documents a draft written on *day* would newly cite."""
        old = {r["ref"] for r in self.content.get("legal_basis", [])}
        return [r["ref"] for r in self.legal_basis(day) if r["ref"] not in old]

    def _evolve_procedure(self) -> str:
        rng = self.rng
        choice = rng.randrange(6)
        pool = len(TTHC_STEPS) if self.system is None else len(SYSTEM_PROCEDURES[self.system][2])
        if choice == 0 and len(self.step_keys) < 15:
            unused = [i for i in range(pool) if i not in self.step_keys]
            if unused:
                index = rng.choice(unused)
                bisect.insort(self.step_keys, index)
                self.content["steps"] = self._steps()
                return f"Bổ sung Bước {self.step_keys.index(index) + 1}"
        if choice == 1 and len(self.step_keys) > 8:
            removable = self.step_keys[1:-1]
            if self.system is None:
                removable = [i for i in removable if not TTHC_STEPS[i][4]]
            if removable:
                index = rng.choice(removable)
                number = self.step_keys.index(index) + 1
                self.step_keys.remove(index)
                self.content["steps"] = self._steps()
                return f"Lược bỏ Bước {number}, ghép nội dung vào các bước liền kề"
        if choice == 2:
            index = rng.choice(self.step_keys)
            extra: list[str] = self.step_mods.setdefault(index, {}).setdefault("extra", [])
            sentences = [s for s in SENTENCES if s not in extra]
            if sentences:
                extra.append(rng.choice(sentences))
                self.content["steps"] = self._steps()
                return f"Bổ sung nội dung thực hiện tại Bước {self.step_keys.index(index) + 1}"
        if choice == 3:
            if len(self.record_keys) > 3 and rng.random() < 0.5:
                removed = self.record_keys.pop(rng.randrange(len(self.record_keys)))
                text = f"Lược bỏ hồ sơ cần lưu: {RECORDS[removed][0]}"
            else:
                unused = [i for i in range(len(RECORDS)) if i not in self.record_keys]
                if not unused:
                    return self._retime()
                added = rng.choice(unused)
                bisect.insort(self.record_keys, added)
                text = f"Bổ sung hồ sơ cần lưu: {RECORDS[added][0]}"
            self.content["records"] = [
                {"name": RECORDS[i][0], "keeper": RECORDS[i][1], "retention": RECORDS[i][2]}
                for i in self.record_keys
            ]
            return text
        if choice == 4 and self.system is None:
            tthc = self.content["tthc"]
            old = self.days
            self.days = max(1, old + rng.choice((-2, -1, 1, 2)))
            tthc["time_limit"] = (
                f"{self.days + 1:02d} ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ"
            )
            self.content["steps"] = self._steps()
            return f"Điều chỉnh thời hạn giải quyết từ {old + 1:02d} xuống/lên {self.days + 1:02d} ngày làm việc"
        if choice == 5:
            unused = [i for i in range(3, len(DEFINITIONS)) if i not in self.definition_keys]
            if unused:
                added = rng.choice(unused)
                self.definition_keys.append(added)
                self.content["definitions"] = [
                    {"term": DEFINITIONS[i][0], "meaning": DEFINITIONS[i][1]}
                    for i in self.definition_keys
                ]
                return f"Bổ sung định nghĩa, chữ viết tắt: {DEFINITIONS[added][0]}"
        return self._retime()

    def _retime(self) -> str:
        rng = self.rng
        index = rng.choice(self.step_keys)
        number = self.step_keys.index(index) + 1
        current = self._step(index, number)["time"]
        options = [
            t
            for t in (
                "01 ngày làm việc",
                "02 ngày làm việc",
                "03 ngày làm việc",
                "0,5 ngày làm việc",
                "Trong ngày",
            )
            if t != current
        ]
        new = rng.choice(options)
        self.step_mods.setdefault(index, {})["time"] = new
        self.content["steps"] = self._steps()
        return f"Điều chỉnh thời gian thực hiện Bước {number} ({current} thành {new})"

    # -- lifecycle ------------------------------------------------------------------------

    def release(self) -> None:
        """Forget the content once the document's last commit is written (its status stays)."""
        self.content, self.history, self.approvals = {}, [], []
        self.step_mods, self.periodic = {}, []

    def data(self) -> dict[str, Any]:
        """Return the whole file content in the document's current state."""
        out: dict[str, Any] = {
            "schema_version": 1,
            "kind": self.kind,
            "code": self.code,
            "title": self.title,
            "unit": self.unit,
        }
        if self.kind == "form":
            assert self.owner is not None
            out["procedure"] = self.owner.code
        out |= {
            "revision": self.revision,
            "status": self.status,
            "issued_date": self.issued,
            "effective_date": self.effective,
        }
        out |= self.content
        out |= {
            "history": self.history,
            "approvals": self.approvals,
            "periodic_reviews": self.periodic,
            "withdrawal": self.withdrawal,
        }
        return out

    def file(self, keep_empty: Iterable[str] = ()) -> tuple[str, bytes]:
        """Return the document's path and the bytes of its file now, written whole."""
        self.text = document_text(self.data(), keep_empty)
        return self.path, self.text.encode("utf-8")

    def _after(self, before: dict[str, Any], keep_empty: Iterable[str] = ()) -> tuple[str, bytes]:
        """Return the file after an action that changed *before* into the current state.

        Exact mode does what the workflow does: only the changed top-level fields are
        rewritten (a round-trip dump each), spliced into the previous text; otherwise the
        file is written whole, which reads the same and is many times faster.
        """
        if not self.exact or self.text is None:
            return self.file(keep_empty)
        old, new = _without_none(before), _without_none(self.data())
        keys = [*new, *(k for k in old if k not in new)]
        changes = {k: new.get(k) for k in keys if old.get(k) != new.get(k)}
        spliced = yaml_store._splice(self.text, changes, _field_order(self.kind))
        if spliced is None:
            return self.file(keep_empty)
        self.text = spliced
        return self.path, spliced.encode("utf-8")

    def _head(self) -> Any:
        return _Head(self.code, self.revision, self.title, self.effective)

    def _signature(self, person: PersonSpec, meaning: str, when: dt.datetime) -> dict[str, Any]:
        allowed = set(APPROVAL[self.kind][STEP_OF_MEANING[meaning]])
        role = sorted(allowed & person.roles_on(when.date()))[0]
        return {
            "meaning": meaning,
            "person": person.id,
            "name": person.name,
            "title": person.title,
            "role": role,
            "signed_at": when,
            "stamp": self.stamp,
        }

    def _compute_stamp(self) -> None:
        model: Any = MODELS[DocumentKind(self.kind)]
        self.stamp = content_stamp(model.model_validate(self.data()))

    def _message(self, action: str, body: str = "", **trailers: Any) -> str:
        return workflow._message(_MESSAGE_CONFIG, action, self._head(), body, **trailers)

    def new(self, when: dt.datetime, by: PersonSpec) -> CommitSpec:
        """Create the draft from the workflow's template (qms new)."""
        procedure = self.owner.code if self.owner else None
        kind = DocumentKind(self.kind)
        self.template = workflow._template(
            kind, self.code, self.title, self.unit, when.date(), procedure
        )
        # exactly the file the library's `new` writes (a round-trip dump: a few ms)
        model: Any = MODELS[kind]
        fields = workflow._new_file_fields(model.model_validate(self.template))
        self.text = yaml_store.dump_text(fields, header=schema_comment(self.kind, depth=1))
        return CommitSpec(when, by, self._message("new"), [(self.path, self.text.encode("utf-8"))])

    def edit(self, when: dt.datetime, by: PersonSpec) -> CommitSpec:
        """Write the author's draft of the current revision (an ordinary commit)."""
        if self.revision == 1:
            self.initial_content(when.date())
        else:
            self.history[-1]["description"] = self.evolve(self.revision, when.date())
        self.template = None
        message = f"Soạn thảo nội dung {self.code} lần ban hành {self.revision}\n"
        return CommitSpec(when, by, message, [self.file()])

    def submit(self, when: dt.datetime, by: PersonSpec) -> CommitSpec:
        """Sign as author (Soạn thảo) and send for review."""
        before = self.data()
        self._compute_stamp()
        self.status = "in_review"
        self.approvals = [self._signature(by, "authored", when)]
        message = self._message("submit", person=by.id, stamp=self.stamp)
        return CommitSpec(when, by, message, [self._after(before)])

    def review(self, when: dt.datetime, by: PersonSpec) -> CommitSpec:
        """Sign as reviewer (Xem xét)."""
        before = self.data()
        self.approvals = [*self.approvals, self._signature(by, "reviewed", when)]
        message = self._message("review", person=by.id, stamp=self.stamp)
        return CommitSpec(when, by, message, [self._after(before)])

    def _issue(self, when: dt.datetime, by: PersonSpec, effective: dt.date) -> None:
        day = when.date()
        self.status = "approved"
        self.issued = day
        self.effective = effective
        self.approvals = [*self.approvals, self._signature(by, "approved", when)]
        self.history = [
            {**h, "date": day} if h["revision"] == self.revision and h["date"] is None else h
            for h in self.history
        ]

    def _tag(self, by: PersonSpec) -> tuple[str, str]:
        assert self.effective is not None
        message = (
            f"{self.code} lần ban hành {self.revision}: {self.title}\n\n"
            + "\n".join(
                [
                    f"QMS-Document: {self.code}",
                    f"QMS-Revision: {self.revision}",
                    f"QMS-Stamp: {self.stamp}",
                    f"QMS-Effective: {self.effective.isoformat()}",
                    f"QMS-Person: {by.id}",
                    f"QMS-File: {self.path}",
                ]
            )
            + "\n"
        )
        return tag_name(self.code, self.revision), message

    def approve(self, when: dt.datetime, by: PersonSpec, effective: dt.date) -> CommitSpec:
        """Approve and issue (Phê duyệt), tagged."""
        before = self.data()
        self._issue(when, by, effective)
        message = self._message(
            "approve", person=by.id, stamp=self.stamp, effective=effective.isoformat()
        )
        return CommitSpec(when, by, message, [self._after(before)], self._tag(by))

    def signed_first_revision(
        self, signers: Sequence[tuple[PersonSpec, dt.datetime]], effective: dt.date
    ) -> None:
        """Put revision 1 in its issued state, signed by (author, reviewer, approver)."""
        (author, authored), (reviewer, reviewed), (approver, approved) = signers
        self.initial_content(authored.date())
        self._compute_stamp()
        self.approvals = [
            self._signature(author, "authored", authored),
            self._signature(reviewer, "reviewed", reviewed),
        ]
        self._issue(approved, approver, effective)

    def approve_only(
        self, signers: Sequence[tuple[PersonSpec, dt.datetime]], effective: dt.date
    ) -> CommitSpec:
        """Issue revision 1 in one approval commit that adds the file (budget permitting)."""
        self.signed_first_revision(signers, effective)
        approver, when = signers[2]
        message = self._message(
            "approve", person=approver.id, stamp=self.stamp, effective=effective.isoformat()
        )
        return CommitSpec(when, approver, message, [self.file()], self._tag(approver))

    def revise(self, when: dt.datetime, by: PersonSpec, reason: str) -> CommitSpec:
        """Open the next revision's draft (qms revise)."""
        before = self.data()
        self.revision += 1
        self.status = "draft"
        self.issued = self.effective = None
        self.approvals = []
        self.history = [
            *self.history,
            {"revision": self.revision, "date": None, "description": reason, "reason": reason},
        ]
        message = self._message("revise", reason, reason=reason)
        return CommitSpec(when, by, message, [self._after(before, keep_empty=["approvals"])])

    def confirm(self, when: dt.datetime, by: PersonSpec, reason: str) -> CommitSpec:
        """Record a periodic review that found the document still suitable."""
        before = self.data()
        self.periodic = [*self.periodic, {"date": when.date(), "person": by.id, "reason": reason}]
        message = self._message("confirm", reason, person=by.id, reason=reason)
        return CommitSpec(when, by, message, [self._after(before)])

    def withdraw(self, when: dt.datetime, by: PersonSpec, reason: str) -> CommitSpec:
        """Withdraw the issued document (hủy bỏ)."""
        before = self.data()
        self.status = "withdrawn"
        self.withdrawal = {"date": when.date(), "reason": reason}
        message = self._message("withdraw", reason, person=by.id, reason=reason, replaced_by=None)
        return CommitSpec(when, by, message, [self._after(before)])


@functools.cache
def _field_order(kind: str) -> tuple[str, ...]:
    """Return the order in which the workflow places a new top-level field of *kind*."""
    model: Any = MODELS[DocumentKind(kind)]
    fields = list(model.model_fields)
    leading = [k for k in workflow._LEADING if k in fields]
    return (*leading, *(k for k in fields if k not in leading))


# -- the world: everything the repository will hold ---------------------------------------


@dataclass(frozen=True)
class Params:
    """The sizes and seed of a generated repository."""

    documents: int = 10_000  # procedures; forms, policies and objectives come on top
    legal: int = 2_000
    commits: int = 20_000
    seed: int = 1
    big_revisions: int = 500
    forms_ratio: float = 0.2
    big_history: str = "library"  # or "fast-import": QT-VPT-01's revisions written directly
    exact: bool = True  # phase B's actions spliced into the files as the workflow does

    def as_dict(self) -> dict[str, Any]:
        """Return the parameters as JSON-ready values."""
        return dataclasses.asdict(self)

    @property
    def phase_a_commits(self) -> int:
        """Return the commits of phase A: init, legal, and five per revision of QT-VPT-01."""
        return 2 + 5 * self.big_revisions


@dataclass
class World:
    """The agencies, legal documents and controlled documents of one generated repository."""

    params: Params
    agencies: list[Agency]
    legal: LegalBuilder
    docs: list[DocSpec]  # written in phase B
    big: DocSpec  # QT-VPT-01, revised through the library in phase A


_ISO_NOTES = (
    "Điều khoản 7.5 - Thông tin dạng văn bản",
    "Điều khoản 7.5.3 - Kiểm soát thông tin dạng văn bản được lưu giữ",
    "Điều khoản 9.2 - Đánh giá nội bộ",
    "Điều khoản 10.2 - Sự không phù hợp và hành động khắc phục",
    "Điều khoản 9.3 - Xem xét của lãnh đạo",
    "Điều khoản 6.1 - Hành động giải quyết rủi ro và cơ hội",
)


def _system_topics(doc: DocSpec, legal: LegalBuilder) -> None:
    rng, lin = doc.rng, legal.lineages
    assert doc.system is not None
    topics = [
        Topic(lin["iso"], note=_ISO_NOTES[doc.system]),
        Topic(lin["qms-decision"]),
        Topic(lin["qms-circular"]),
    ]
    if doc.system in (0, 1):
        topics += [Topic(lin["van-thu"]), Topic(lin["luu-tru"])]
    topics += [
        Topic(lin["framework"]),
        Topic(lin["quy-che-tinh"], article=rng.choice(("Điều 5", "Điều 6", "Điều 7"))),
        Topic(lin["chinh-quyen"]),
    ]
    doc.topics = topics
    doc.refs_wanted = rng.randint(3, 6)


def _tthc_topics(doc: DocSpec, legal: LegalBuilder) -> None:
    rng = doc.rng
    assert doc.field is not None
    lineages = legal.by_field[doc.field.key]
    topics = []
    for kind, chance, with_article in (
        ("law", 0.9, 0.5),
        ("decree", 1.0, 0.3),
        ("circular", 0.7, 0.2),
        ("announce", 0.8, 0.0),
        ("rule", 0.4, 0.4),
    ):
        if lineages[kind] and rng.random() < chance:
            article = f"Điều {rng.randint(1, 8)}" if rng.random() < with_article else None
            topics.append(Topic(rng.choice(lineages[kind]), article=article))
    rng.shuffle(topics)
    lin = legal.lineages
    common = [
        Topic(lin["kiem-soat-tthc"], article="Điều 8", clause="Khoản 2"),
        Topic(lin["mot-cua"]),
        Topic(lin["qms-decision"]),
        Topic(lin["iso"]),
        Topic(lin["chinh-quyen"]),
    ]
    rng.shuffle(common)
    doc.topics = topics + common
    doc.refs_wanted = rng.randint(3, 6)
    if lineages["fees"] and doc.field.fee:
        # the fee's basis is cited in the legal basis too, as officers do (and qms expects)
        doc.fee_topic = Topic(rng.choice(lineages["fees"]), note="Phí, lệ phí")
        doc.topics.insert(0, doc.fee_topic)


def _tthc_names(agency: Agency, count: int, rng: random.Random) -> list[tuple[str, str]]:
    base = [
        (name, key)
        for key in agency.fields
        for name in (FIELD_BY_KEY[key].commune if agency.commune else FIELD_BY_KEY[key].province)
    ]
    rng.shuffle(base)
    out = []
    for variant in TTHC_VARIANTS:
        out += [(name + variant, key) for name, key in base]
        if len(out) >= count:
            break
    while len(out) < count:  # a department with a very large share: number the rest
        name, key = base[len(out) % len(base)]
        out.append((f"{name} (trường hợp {len(out) // len(base) + 1})", key))
    return out[:count]


def build_world(params: Params) -> World:
    """Return everything the repository of *params* holds, before any history is written."""
    seed = params.seed
    count = max(1, round(params.documents / PROCEDURES_PER_AGENCY))
    agencies = build_agencies(count, seed)
    legal = LegalBuilder(random.Random(f"{seed}:legal"), params.legal)
    rng = random.Random(f"{seed}:documents")
    shares = [
        params.documents // count + (1 if i < params.documents % count else 0) for i in range(count)
    ]
    docs: list[DocSpec] = []
    big: DocSpec | None = None
    for agency, share in zip(agencies, shares, strict=True):
        systems = min(len(SYSTEM_PROCEDURES), share)
        for index in range(systems):
            code = f"QT-{agency.code}-{index + 1:02d}"
            doc = DocSpec(
                "procedure",
                code,
                SYSTEM_PROCEDURES[index][0],
                agency,
                f"{agency.slug}-van-phong",
                seed=seed,
                category="system",
                system=index,
            )
            _system_topics(doc, legal)
            if code == BIG_CODE:
                big = doc
            else:
                docs.append(doc)
        names = _tthc_names(agency, share - systems, random.Random(f"{seed}:tthc:{agency.code}"))
        for offset, (name, key) in enumerate(names, start=systems + 1):
            doc = DocSpec(
                "procedure",
                f"QT-{agency.code}-{offset:02d}",
                f"Quy trình {_lower_first(name)}",
                agency,
                agency.unit_of_field[key],
                seed=seed,
                category="administrative",
                field_spec=FIELD_BY_KEY[key],
                tthc=name,
            )
            _tthc_topics(doc, legal)
            docs.append(doc)
        lead = f"{agency.slug}-lanh-dao"
        policy = DocSpec(
            "policy", f"CSCL-{agency.code}", "Chính sách chất lượng", agency, lead, seed=seed
        )
        policy.topics = [
            Topic(legal.lineages["qms-decision"]),
            Topic(legal.lineages["iso"], clause="5.2", note="Điều khoản 5.2 - Chính sách"),
        ]
        objectives = DocSpec(
            "objectives",
            f"MTCL-{agency.code}-2026",
            "Mục tiêu chất lượng năm 2026",
            agency,
            lead,
            seed=seed,
        )
        objectives.topics = [
            Topic(legal.lineages["qms-decision"]),
            Topic(legal.lineages["iso"], clause="6.2", note="Điều khoản 6.2 - Mục tiêu chất lượng"),
        ]
        policy.refs_wanted = objectives.refs_wanted = 2
        docs += [policy, objectives]
    assert big is not None
    _attach_forms(docs, params, rng)
    return World(params, agencies, legal, docs, big)


def _attach_forms(docs: list[DocSpec], params: Params, rng: random.Random) -> None:
    wanted = round(params.documents * params.forms_ratio)
    procedures = [d for d in docs if d.kind == "procedure"]
    candidates = [d for d in procedures if d.category == "administrative"] or procedures
    rng.shuffle(candidates)
    owners = candidates[: min(len(candidates), math.ceil(wanted / 2))]
    counts = [2] * len(owners)
    surplus = 2 * len(owners) - wanted
    for index in range(len(owners)):
        if surplus > 0:
            counts[index], surplus = 1, surplus - 1
        elif surplus < 0:
            counts[index], surplus = 3, surplus + 1
    for owner, count in zip(owners, counts, strict=True):
        number = owner.code.rsplit("-", 1)[1]
        subject = _lower_first(owner.tthc or owner.title.removeprefix("Quy trình "))
        for k in range(count):
            form = DocSpec(
                "form",
                f"BM-{owner.agency.code}-{number}-{k + 1:02d}",
                f"{FORM_TITLES[k]} {subject}",
                owner.agency,
                owner.unit,
                seed=params.seed,
                owner=owner,
            )
            form.topics = owner.topics[:2]
            form.refs_wanted = 1
            owner.forms.append(form)
            docs.append(form)


# -- phase B: the plan of the history ------------------------------------------------------

Event = tuple[dt.datetime, int, Callable[[], CommitSpec]]

CONFIRM_REASONS = (
    "Rà soát định kỳ hằng năm; quy trình còn phù hợp, không sửa đổi",
    "Rà soát định kỳ; trình tự, thành phần hồ sơ và thời hạn giải quyết không thay đổi",
    "Rà soát theo kế hoạch đánh giá nội bộ; tài liệu còn phù hợp",
)
WITHDRAW_REASON = "Thủ tục hành chính bị bãi bỏ theo Quyết định công bố của Chủ tịch UBND tỉnh"


class HistoryPlan:
    """Who does what to which document when, within the commit budget; then the commits."""

    def __init__(self, world: World, phase_a_end: dt.date) -> None:
        self.world = world
        params = world.params
        self.rng = random.Random(f"{params.seed}:history")
        self.start = max(PHASE_B_EARLIEST, phase_a_end + dt.timedelta(days=2))
        self.vpt = world.agencies[0]
        self.by_agency: dict[str, list[DocSpec]] = {}
        for doc in world.docs:
            self.by_agency.setdefault(doc.agency.code, []).append(doc)
        self.events: list[Event] = []
        self.imported: list[Agency] = []
        self.shortfall = 0
        self.legal_groups = self._legal_groups()
        self._first_days()
        self._budget(params.commits - params.phase_a_commits)
        self._schedule()

    # -- planning -------------------------------------------------------------------------

    def _legal_groups(self) -> list[tuple[dt.datetime, list[LegalSpec]]]:
        """Group the legal documents of phase B into registration commits.

        A document is registered on or after its issue and on or before it takes effect,
        so that no draft ever cites a document the registry does not hold yet.
        """
        pending = sorted(
            (d for d in self.world.legal.documents if not (d.raw and d.issued < PHASE_A_START)),
            key=lambda d: (d.issued, d.number),
        )
        early = [d for d in pending if d.issued < self.start]
        groups: list[tuple[dt.datetime, list[LegalSpec]]] = []
        if early:
            groups.append((at(self.start, 8, 15), early))
        group: list[LegalSpec] = []
        first_in_force = dt.date.max
        for document in pending[len(early) :]:  # sorted by issue: the last one is the latest
            if group and document.issued > first_in_force:
                groups.append((at(group[-1].issued, 16, 30), group))
                group, first_in_force = [], dt.date.max
            group.append(document)
            first_in_force = min(first_in_force, document.in_force_from)
        if group:
            groups.append((at(group[-1].issued, 16, 30), group))
        return groups

    def _first_days(self) -> None:
        rng = self.rng
        # agencies bring their procedures in over the whole period (a province adopts its
        # shared ISO system progressively; new wards and communes arrive in 2025)
        span = max(1, (HISTORY_END - self.start).days - 90)
        for doc in self.world.docs:
            if doc.kind == "objectives":
                doc.first = max(dt.date(2026, 1, 5), self.start) + dt.timedelta(
                    days=rng.randrange(15)
                )
            elif doc.kind == "policy":
                doc.first = self.start + dt.timedelta(days=10 + rng.randrange(300))
            elif doc.kind == "procedure":
                doc.first = self.start + dt.timedelta(days=10 + rng.randrange(span))
        for doc in self.world.docs:
            if doc.owner is not None:
                doc.first = doc.owner.first
            if doc.forms:
                doc.tier = 2

    def _budget(self, budget: int) -> None:
        docs = self.world.docs
        need = 1 + len(self.legal_groups) + len(docs) + 4 * sum(1 for d in docs if d.forms)
        if budget < need:
            for agency in reversed(self.world.agencies):
                own = self.by_agency.get(agency.code, [])
                need += 1 - len(own) - 4 * sum(1 for d in own if d.forms)
                self.imported.append(agency)
                if need <= budget:
                    break
            if need > budget:
                raise SystemExit(
                    f"--commits {self.world.params.commits} is too small: even importing every "
                    f"agency needs {need + self.world.params.phase_a_commits}"
                )
            imported = {a.code for a in self.imported}
            for doc in docs:
                if doc.agency.code in imported:
                    doc.tier = 0
        self._allocate(budget - need)

    def _capacity(self, doc: DocSpec) -> int:
        start = doc.first + dt.timedelta(days=28)
        return max(0, (HISTORY_END - dt.timedelta(days=30) - start).days // 16)

    def _allocate(self, extras: int) -> None:
        rng = self.rng
        live = [d for d in self.world.docs if d.tier > 0]
        eligible = [d for d in live if d.kind != "objectives"]
        capacity = {d.code: self._capacity(d) for d in eligible}
        n = len(eligible)
        withdrawable = [
            d
            for d in eligible
            if d.category == "administrative" and not d.forms and capacity[d.code] > 0
        ]
        for doc in rng.sample(withdrawable, min(len(withdrawable), n // 200, extras // 50)):
            doc.final = ("withdraw", 0)
            capacity[doc.code] -= 1
            extras -= 1
        openable = [d for d in eligible if d.final is None and capacity[d.code] > 0]
        for doc in rng.sample(openable, min(len(openable), n // 100, extras // 40)):
            stage = rng.randint(1, 4)
            doc.final = ("open", stage)
            capacity[doc.code] -= 1
            extras -= stage
        shares = extras
        upgradable = [d for d in live if d.tier == 1]
        for doc in rng.sample(upgradable, min(len(upgradable), int(shares * 0.35) // 4)):
            doc.tier = 2
            extras -= 4
        available = [d for d in eligible if capacity[d.code] > 0]
        revisions = int(shares * 0.45) // 5
        while revisions > 0 and available and extras >= 5:
            index = rng.randrange(len(available))
            doc = available[index]
            doc.revisions_planned += 1
            capacity[doc.code] -= 1
            if capacity[doc.code] == 0:
                available[index] = available[-1]
                available.pop()
            revisions -= 1
            extras -= 5
        while extras > 0 and available:
            index = rng.randrange(len(available))
            doc = available[index]
            doc.confirms_planned += 1
            capacity[doc.code] -= 1
            if capacity[doc.code] == 0:
                available[index] = available[-1]
                available.pop()
            extras -= 1
        self.shortfall = extras

    # -- scheduling -----------------------------------------------------------------------

    def _add(self, when: dt.datetime, run: Callable[[], CommitSpec]) -> None:
        self.events.append((when, len(self.events), run))

    def _signers(
        self,
        doc: DocSpec,
        author_days: Sequence[dt.date],
        review_day: dt.date,
        approve_day: dt.date,
    ) -> tuple[PersonSpec, PersonSpec, PersonSpec] | None:
        agency = doc.agency
        author = agency.signer(doc.kind, "authored", author_days, prefer=doc.prefer_author)
        if author is None:
            return None
        reviewer = agency.signer(
            doc.kind, "reviewed", [review_day], prefer="unit-head", exclude=[author.id]
        )
        if reviewer is None:
            return None
        approver = agency.signer(
            doc.kind, "approved", [approve_day], prefer="head", exclude=[author.id, reviewer.id]
        )
        return None if approver is None else (author, reviewer, approver)

    def _effective(self, day: dt.date) -> dt.date:
        return day + dt.timedelta(days=self.rng.choice((0, 0, 3, 5, 7, 10, 14)))

    def _schedule(self) -> None:
        rng = self.rng
        first_config = self.vpt.signer("procedure", "authored", [self.start], prefer="iso-officer")
        assert first_config is not None
        config = config_text(self.world.agencies).encode("utf-8")
        count = len(self.world.agencies)
        message = (
            f"Bổ sung đơn vị, cán bộ của {count} cơ quan, đơn vị tham gia hệ thống quản lý chất "
            f"lượng dùng chung của tỉnh\n"
        )
        self._add(
            at(self.start, 8),
            lambda: CommitSpec(at(self.start, 8), first_config, message, [("qms.yaml", config)]),
        )
        for when, group in self.legal_groups:
            self._add(when, self._legal_commit(when, group))
        for index, agency in enumerate(self.imported):
            when = at(self.start + dt.timedelta(days=1 + index // 60), 9) + dt.timedelta(
                minutes=index % 60
            )
            self._add(when, self._import_commit(when, agency))
        for doc in self.world.docs:
            doc.exact = self.world.params.exact
            if doc.tier > 0:
                self._plan_document(doc, rng)

    def _legal_commit(self, when: dt.datetime, group: list[LegalSpec]) -> Callable[[], CommitSpec]:
        def run() -> CommitSpec:
            who = self.vpt.signer("procedure", "authored", [when.date()], prefer="iso-officer")
            assert who is not None
            if len(group) == 1:
                message = f"Cập nhật văn bản bên ngoài: {group[0].number}\n"
            else:
                message = (
                    f"Cập nhật văn bản bên ngoài: {len(group)} văn bản\n\n"
                    + "; ".join(d.number for d in group)
                    + "\n"
                )
            return CommitSpec(when, who, message, [(d.path, d.text()) for d in group])

        return run

    def _import_commit(self, when: dt.datetime, agency: Agency) -> Callable[[], CommitSpec]:
        def run() -> CommitSpec:
            day = when.date()
            files = []
            own = [d for d in self.by_agency[agency.code] if d.tier == 0]
            for doc in own:
                signed = day - dt.timedelta(days=40)
                signers = self._signers(
                    doc, [signed], signed + dt.timedelta(days=3), signed + dt.timedelta(days=6)
                )
                assert signers is not None
                times = (
                    at(signed, 9),
                    at(signed + dt.timedelta(days=3), 14),
                    at(signed + dt.timedelta(days=6), 8, 30),
                )
                doc.signed_first_revision(
                    list(zip(signers, times, strict=True)), signed + dt.timedelta(days=10)
                )
                files.append(doc.file())
                doc.release()  # nothing more happens to it: keep memory flat at 50,000
            who = agency.signer("procedure", "authored", [day], prefer="iso-officer")
            assert who is not None
            message = (
                f"Nhập hệ thống tài liệu của {agency.name} từ hệ thống ISO điện tử của tỉnh\n\n"
                f"{len(own)} tài liệu đã ban hành trước khi chuyển sang quản lý bằng qmsdocs.\n"
            )
            return CommitSpec(when, who, message, files)

        return run

    def _first_revision(self, doc: DocSpec) -> None:
        if doc.owner is not None:
            base = doc.owner.first
            plan = (
                (base + dt.timedelta(days=1), 8),
                (base + dt.timedelta(days=1), 10),
                (base + dt.timedelta(days=2), 9),
                (base + dt.timedelta(days=2), 15),
                (base + dt.timedelta(days=3), 8),
            )
        else:
            base = doc.first
            plan = (
                (base, 8),
                (base, 10),
                (base + dt.timedelta(days=4), 9),
                (base + dt.timedelta(days=6), 14),
                (base + dt.timedelta(days=8), 8),
            )
        (new_d, new_h), (edit_d, edit_h), (sub_d, sub_h), (rev_d, rev_h), (app_d, app_h) = plan
        signers = self._signers(doc, [new_d, sub_d], rev_d, app_d)
        assert signers is not None, f"no signers for {doc.code}"
        author, reviewer, approver = signers
        effective = self._effective(app_d)
        if doc.tier == 2:
            self._add(at(new_d, new_h), lambda: doc.new(at(new_d, new_h), author))
            self._add(at(edit_d, edit_h), lambda: doc.edit(at(edit_d, edit_h), author))
            self._add(at(sub_d, sub_h), lambda: doc.submit(at(sub_d, sub_h), author))
            self._add(at(rev_d, rev_h, 30), lambda: doc.review(at(rev_d, rev_h, 30), reviewer))
            self._add(
                at(app_d, app_h, 30), lambda: doc.approve(at(app_d, app_h, 30), approver, effective)
            )
        else:
            times = (at(sub_d, sub_h), at(rev_d, rev_h, 30), at(app_d, app_h, 30))
            signed = list(zip(signers, times, strict=True))
            self._add(times[2], lambda: doc.approve_only(signed, effective))

    def _plan_document(self, doc: DocSpec, rng: random.Random) -> None:
        self._first_revision(doc)
        approved = (
            (doc.owner.first + dt.timedelta(days=3))
            if doc.owner
            else doc.first + dt.timedelta(days=8)
        )
        begin = approved + dt.timedelta(days=20)
        end = HISTORY_END - dt.timedelta(days=30)
        kinds = ["revision"] * doc.revisions_planned + ["confirm"] * doc.confirms_planned
        rng.shuffle(kinds)
        last = approved
        if kinds:
            slot = (end - begin).days / len(kinds)
            for index, kind in enumerate(kinds):
                day = begin + dt.timedelta(
                    days=int(slot * index) + rng.randrange(max(1, int(slot // 3)))
                )
                last = self._episode(doc, kind, day, 0) or last
        if doc.final is not None:
            kind, stage = doc.final
            if kind == "withdraw":
                day = max(end, last + dt.timedelta(days=16)) + dt.timedelta(days=rng.randrange(8))
            else:
                day = HISTORY_END - dt.timedelta(days=22 - rng.randrange(5))
            self._episode(doc, kind, day, stage)

    def _episode(self, doc: DocSpec, kind: str, day: dt.date, stage: int) -> dt.date | None:
        """Schedule one episode on *day*; return the day it ends, or None if nobody could sign."""
        for shift in range(0, 15, 3):
            start = day + dt.timedelta(days=shift)
            if kind == "confirm":
                who = doc.agency.signer(doc.kind, "authored", [start], prefer="iso-officer")
                if who is None:
                    continue
                reason = self.rng.choice(CONFIRM_REASONS)
                self._add(at(start, 10), functools.partial(doc.confirm, at(start, 10), who, reason))
                return start
            if kind == "withdraw":
                who = doc.agency.signer(doc.kind, "approved", [start], prefer="head")
                if who is None:
                    continue
                self._add(
                    at(start, 15),
                    functools.partial(doc.withdraw, at(start, 15), who, WITHDRAW_REASON),
                )
                return start
            days = [start + dt.timedelta(days=n) for n in (0, 1, 2, 4, 6)]
            signers = self._signers(doc, [days[0], days[2]], days[3], days[4])
            if signers is None:
                continue
            self._revision(doc, days, signers, stage)
            return days[4]
        return None

    def _revision(
        self,
        doc: DocSpec,
        days: list[dt.date],
        signers: tuple[PersonSpec, PersonSpec, PersonSpec],
        stage: int,
    ) -> None:
        author, reviewer, approver = signers
        times = [
            at(days[0], 8),
            at(days[1], 10),
            at(days[2], 9),
            at(days[3], 14, 30),
            at(days[4], 8, 30),
        ]
        fallback = self.rng.choice(REVISION_REASONS)
        effective = self._effective(days[4])

        def revise() -> CommitSpec:
            new = doc.new_references(days[1])
            reason = f"Cập nhật theo văn bản số {new[0]}" if new else fallback
            return doc.revise(times[0], author, reason)

        steps: list[Callable[[], CommitSpec]] = [
            revise,
            lambda: doc.edit(times[1], author),
            lambda: doc.submit(times[2], author),
            lambda: doc.review(times[3], reviewer),
            lambda: doc.approve(times[4], approver, effective),
        ]
        for when, run in list(zip(times, steps, strict=True))[: stage or 5]:
            self._add(when, run)


# -- git ------------------------------------------------------------------------------------


def pin_git_environment() -> None:
    """Make git ignore the user's and the system's configuration (same input, same ids)."""
    os.environ["GIT_CONFIG_NOSYSTEM"] = "1"
    os.environ["GIT_CONFIG_GLOBAL"] = os.devnull
    os.environ["GIT_TERMINAL_PROMPT"] = "0"
    for key in list(os.environ):
        if key.startswith(("GIT_AUTHOR_", "GIT_COMMITTER_")) or key in ("GIT_DIR", "GIT_WORK_TREE"):
            del os.environ[key]


def git(repo: Path, *args: str) -> str:
    """Run git in *repo*; return its output; stop on failure."""
    result = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"git {' '.join(args)} failed in {repo}: {result.stderr.strip()}")
    return result.stdout


class FastImport:
    """A ``git fast-import`` process writing commits and annotated tags on refs/heads/main."""

    def __init__(self, repo: Path, *, continue_branch: bool) -> None:
        self.process = subprocess.Popen(
            ["git", "fast-import", "--quiet", "--done", "--date-format=raw"],
            cwd=repo,
            stdin=subprocess.PIPE,
        )
        assert self.process.stdin is not None
        self.stdin: IO[bytes] = self.process.stdin
        self.marks = 0
        self.commits = 0
        self.tags = 0
        self.parent = b"from refs/heads/main^0\n" if continue_branch else b""

    def write(self, commit: CommitSpec) -> None:
        """Write one commit (and its tag)."""
        self.marks += 1
        offset = commit.when.utcoffset() or dt.timedelta(0)
        minutes = int(offset.total_seconds() // 60)
        zone = f"{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
        ident = (
            f"{commit.author.name} <{commit.author.email}> {int(commit.when.timestamp())} {zone}"
        )
        message = commit.message.encode("utf-8")
        parts = [
            f"commit refs/heads/main\nmark :{self.marks}\nauthor {ident}\ncommitter {ident}\n"
            f"data {len(message)}\n".encode(),
            message,
            b"\n",
            self.parent,
        ]
        self.parent = b""
        for path, data in commit.files:
            parts += [f"M 100644 inline {path}\ndata {len(data)}\n".encode(), data, b"\n"]
        parts.append(b"\n")
        if commit.tag is not None:
            name, text = commit.tag
            body = text.encode("utf-8")
            parts += [
                f"tag {name}\nfrom :{self.marks}\ntagger {ident}\ndata {len(body)}\n".encode(),
                body,
                b"\n",
            ]
            self.tags += 1
        self.stdin.write(b"".join(parts))
        self.commits += 1

    def close(self) -> None:
        """Finish the import; stop if git reports a problem."""
        self.stdin.write(b"done\n")
        self.stdin.close()
        if self.process.wait() != 0:
            raise SystemExit("git fast-import failed")


# -- phase A: one document, 500 revisions, through the library -----------------------------


def run_phase_a(dest: Path, world: World, log: Callable[[str], None]) -> dict[str, Any]:
    """Build phase A in the empty folder *dest*; return its timings and its last day."""
    from qmsdocs.repository import Repository
    from qmsdocs.store.git import GitStore, Identity

    started = time.perf_counter()
    dest.mkdir(parents=True, exist_ok=True)
    git(dest, "init", "-q", "-b", "main")
    git(dest, "config", "gc.auto", "0")
    vpt, big = world.agencies[0], world.big
    officer = vpt.signer("procedure", "authored", [PHASE_A_START], prefer="iso-officer")
    assert officer is not None
    writer = FastImport(dest, continue_branch=False)
    files = [("qms.yaml", config_text([vpt]).encode("utf-8"))]
    files += [(f"schemas/{n}", t.encode("utf-8")) for n, t in sorted(render_schemas().items())]
    writer.write(
        CommitSpec(at(PHASE_A_START, 8), officer, "Khởi tạo hệ thống tài liệu ISO 9001\n", files)
    )
    early = [d for d in world.legal.sample.values() if d.issued < PHASE_A_START]
    message = (
        f"Cập nhật văn bản bên ngoài: {len(early)} văn bản\n\n"
        + "; ".join(d.number for d in early)
        + "\n"
    )
    writer.write(
        CommitSpec(at(PHASE_A_START, 8, 15), officer, message, [(d.path, d.text()) for d in early])
    )
    if world.params.big_history == "fast-import":
        return _phase_a_written(dest, world, writer, started)
    writer.close()
    git(dest, "reset", "-q", "--hard")

    repo = Repository.open(dest)
    store = GitStore(dest)
    timings: dict[str, list[float]] = {
        a: [] for a in ("new", "revise", "submit", "review", "approve")
    }
    edit_times: list[float] = []
    day = PHASE_A_START
    for revision in range(1, world.params.big_revisions + 1):
        day = PHASE_A_START + dt.timedelta(days=2 * (revision - 1))
        author, reviewer, approver = _big_signers(big, day)
        t = time.perf_counter()
        if revision == 1:
            repo.new(
                "procedure",
                big.code,
                title=big.title,
                by=author.id,
                now=at(day, 8, 30),
                unit=big.unit,
            )
            timings["new"].append(time.perf_counter() - t)
        else:
            reason = big.rng.choice(REVISION_REASONS)
            repo.revise(big.code, reason=reason, by=author.id, now=at(day, 8, 30))
            timings["revise"].append(time.perf_counter() - t)
        t = time.perf_counter()
        current = repo.document(big.code).model_dump(
            mode="python", by_alias=True, exclude_none=True
        )
        if revision == 1:
            big.initial_content(day)
            current["history"] = big.history
        else:
            description = big.evolve(revision, day)
            current["history"][-1]["description"] = description
        current |= big.content
        text = document_text(current).encode("utf-8")
        (dest / big.path).write_bytes(text)
        store.commit(
            [big.path],
            f"Soạn thảo nội dung {big.code} lần ban hành {revision}\n",
            author=Identity(author.name, author.email),
            when=at(day, 9, 30),
        )
        edit_times.append(time.perf_counter() - t)
        for action, who, when in (
            ("submit", author, at(day, 10, 30)),
            ("review", reviewer, at(day, 15)),
            ("approve", approver, at(day + dt.timedelta(days=1), 8, 30)),
        ):
            t = time.perf_counter()
            getattr(repo, action)(big.code, by=who.id, now=when)
            timings[action].append(time.perf_counter() - t)
        if revision % 50 == 0 or revision == world.params.big_revisions:
            done = sum(len(v) for v in timings.values())
            log(
                f"phase A: {big.code} revision {revision}/{world.params.big_revisions} "
                f"({done} actions, {time.perf_counter() - started:.0f} s)"
            )
    store.close()
    actions = [x for v in timings.values() for x in v]
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "through": "library",
        "actions": len(actions),
        "edits": len(edit_times),
        "action_seconds": round(sum(actions), 1),
        "action_median_ms": {
            a: round(statistics.median(v) * 1000, 1) for a, v in timings.items() if v
        },
        "action_first_last_ms": {
            a: [round(v[0] * 1000, 1), round(v[-1] * 1000, 1)] for a, v in timings.items() if v
        },
        "edit_median_ms": round(statistics.median(edit_times) * 1000, 1),
        "last_day": (day + dt.timedelta(days=1)).isoformat(),
    }


def _big_signers(big: DocSpec, day: dt.date) -> tuple[PersonSpec, PersonSpec, PersonSpec]:
    """Return who authors, reviews (on *day*) and approves (the day after) QT-VPT-01."""
    agency = big.agency
    author = agency.signer("procedure", "authored", [day], prefer="iso-officer")
    assert author is not None
    reviewer = agency.signer(
        "procedure", "reviewed", [day], prefer="unit-head", exclude=[author.id]
    )
    assert reviewer is not None
    approver = agency.signer(
        "procedure",
        "approved",
        [day + dt.timedelta(days=1)],
        prefer="head",
        exclude=[author.id, reviewer.id],
    )
    assert approver is not None
    return author, reviewer, approver


def _phase_a_written(
    dest: Path, world: World, writer: FastImport, started: float
) -> dict[str, Any]:
    """Write QT-VPT-01's revisions with fast-import instead of the library's actions.

    The same people, days and contents as through the library, in the workflow's format;
    only the bytes of the files differ (the library splices each change into the previous
    text, this writes whole files), hence other commit ids. For quick generation.
    """
    big = world.big
    big.exact = True
    day = PHASE_A_START
    for revision in range(1, world.params.big_revisions + 1):
        day = PHASE_A_START + dt.timedelta(days=2 * (revision - 1))
        author, reviewer, approver = _big_signers(big, day)
        if revision == 1:
            writer.write(big.new(at(day, 8, 30), author))
        else:
            writer.write(big.revise(at(day, 8, 30), author, big.rng.choice(REVISION_REASONS)))
        writer.write(big.edit(at(day, 9, 30), author))
        writer.write(big.submit(at(day, 10, 30), author))
        writer.write(big.review(at(day, 15), reviewer))
        next_day = day + dt.timedelta(days=1)
        writer.write(big.approve(at(next_day, 8, 30), approver, next_day))
    writer.close()
    git(dest, "reset", "-q", "--hard")
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "through": "fast-import",
        "actions": 4 * world.params.big_revisions,
        "edits": world.params.big_revisions,
        "last_day": (day + dt.timedelta(days=1)).isoformat(),
    }


# -- putting it together --------------------------------------------------------------------


def _library_fingerprint() -> str:
    """Return a hash of what the output takes from the library, by what it produces.

    Commit messages of every action, the ``new`` template of every kind, the content stamp
    of a reference document, the tag names: a change of the library's format changes the
    hash and so the cache keys; a change of how fast the library does it does not.
    """
    head = _Head("QT-01", 2, "Quy trình kiểm soát tài liệu", dt.date(2026, 1, 2))
    parts: list[str] = [repr(workflow._SUBJECTS), repr(workflow._LEADING), tag_name("QT-01", 2)]
    for language in ("vi", "en"):
        config = cast(Any, type("_Cfg", (), {"language": language})())
        for action in workflow._SUBJECTS:
            trailers = {"person": "a", "stamp": "sha256:0", "reason": "r", "effective": "e"}
            parts.append(workflow._message(config, action, cast(Any, head), "b", **trailers))
    for kind in ("procedure", "policy", "objectives", "form"):
        template = workflow._template(
            DocumentKind(kind), "X-01", "Tiêu đề", "u", dt.date(2026, 1, 2), "QT-01"
        )
        model: Any = MODELS[DocumentKind(kind)]
        document = model.model_validate(template)
        parts += [repr(workflow._new_file_fields(document)), content_stamp(document)]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def cache_key(params: Params, *, phase_a: bool = False) -> str:
    """Return the cache folder name of a repository (or of its phase A) for *params*."""
    fields: dict[str, Any] = {"library": _library_fingerprint()}
    if phase_a:
        fields |= {
            "v": PHASE_A_VERSION,
            "seed": params.seed,
            "big_revisions": params.big_revisions,
            "big_history": params.big_history,
        }
    else:
        source = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
        fields |= {"v": GENERATOR_VERSION, "source": source, **params.as_dict()}
    text = json.dumps(fields, sort_keys=True)
    name = "phase-a" if phase_a else "repo"
    return f"{name}-{hashlib.sha256(text.encode()).hexdigest()[:16]}"


def _choose_targets(world: World) -> dict[str, Any]:
    """Return the documents and people the benchmark's actions use."""

    def issued_procedures(agency: Agency) -> list[DocSpec]:
        return [
            d
            for d in world.docs
            if d.agency is agency
            and d.kind == "procedure"
            and d.status == "approved"
            and not d.forms
        ]

    agency = next(a for a in reversed(world.agencies) if len(issued_procedures(a)) >= 2)
    first, second = issued_procedures(agency)[:2]
    day = BENCH_DAY

    def people(doc: DocSpec) -> dict[str, str]:
        author = agency.signer(doc.kind, "authored", [day], prefer="iso-officer")
        assert author is not None
        reviewer = agency.signer(
            doc.kind, "reviewed", [day], prefer="unit-head", exclude=[author.id]
        )
        assert reviewer is not None
        approver = agency.signer(
            doc.kind, "approved", [day], prefer="head", exclude=[author.id, reviewer.id]
        )
        assert approver is not None
        return {"author": author.id, "reviewer": reviewer.id, "approver": approver.id}

    return {
        "action": {"code": first.code, **people(first)},
        "cli": {"code": second.code, **people(second)},
    }


def generate(
    dest: Path,
    params: Params,
    *,
    phase_a_cache: Path | None = None,
    log: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Generate the repository of *params* in the new folder *dest*; return its description.

    *phase_a_cache*, if given, is where phase A (the library-made history of QT-VPT-01) is
    kept between runs: it depends only on the seed and the number of revisions.
    """
    started = time.perf_counter()
    pin_git_environment()
    if dest.exists() and any(dest.iterdir()):
        raise SystemExit(f"{dest} is not empty")
    world = build_world(params)
    log(
        f"world: {len(world.agencies)} agencies, {len(world.docs) + 1} documents, "
        f"{len(world.legal.documents)} legal documents ({time.perf_counter() - started:.1f} s)"
    )
    cached = phase_a_cache / cache_key(params, phase_a=True) if phase_a_cache else None
    if cached is not None and (cached / "phase-a.json").exists():
        shutil.copytree(cached / "repo", dest, symlinks=True, dirs_exist_ok=True)
        phase_a = json.loads((cached / "phase-a.json").read_text(encoding="utf-8"))
        phase_a["cached"] = True
        log(f"phase A: reused {cached}")
    else:
        phase_a = run_phase_a(dest, world, log)
        phase_a["cached"] = False
        if cached is not None:
            scratch = cached.with_name(cached.name + f".tmp{os.getpid()}")
            shutil.rmtree(scratch, ignore_errors=True)
            shutil.copytree(dest, scratch / "repo", symlinks=True)
            (scratch / "phase-a.json").write_text(json.dumps(phase_a, indent=2), encoding="utf-8")
            shutil.rmtree(cached, ignore_errors=True)
            scratch.rename(cached)
    # the library's actions took QT-VPT-01 from its template: follow it in the world too
    big = world.big
    big.revision, big.status = params.big_revisions, "approved"

    t = time.perf_counter()
    plan = HistoryPlan(world, dt.date.fromisoformat(phase_a["last_day"]))
    plan.events.sort(key=lambda e: (e[0], e[1]))
    log(f"phase B: {len(plan.events)} commits planned ({time.perf_counter() - t:.1f} s)")
    writer = FastImport(dest, continue_branch=True)
    for index, (_, _, run) in enumerate(plan.events, start=1):
        writer.write(run())
        if index % 2000 == 0:
            log(f"phase B: {index}/{len(plan.events)} commits ({time.perf_counter() - t:.0f} s)")
    writer.close()
    phase_b_seconds = time.perf_counter() - t
    t = time.perf_counter()
    git(dest, "reset", "-q", "--hard")
    git(dest, "gc", "-q")
    git(dest, "config", "--unset", "gc.auto")
    finish_seconds = time.perf_counter() - t
    commits = int(git(dest, "rev-list", "--count", "HEAD"))
    tags = len(git(dest, "for-each-ref", "--format=%(refname)", "refs/tags/qms/").split())
    kinds: dict[str, int] = {}
    for doc in [*world.docs, world.big]:
        kinds[doc.kind] = kinds.get(doc.kind, 0) + 1
    statuses: dict[str, int] = {}
    for doc in world.docs:
        statuses[doc.status] = statuses.get(doc.status, 0) + 1
    meta = {
        "generator": GENERATOR_VERSION,
        "params": params.as_dict(),
        "counts": {
            **kinds,
            "documents": sum(kinds.values()),
            "legal": len(world.legal.documents),
            "agencies": len(world.agencies),
            "units": sum(len(a.units) for a in world.agencies),
            "people": sum(len(a.people) for a in world.agencies),
            "commits": commits,
            "tags": tags,
            "imported_agencies": len(plan.imported),
            "imported_documents": sum(1 for d in world.docs if d.tier == 0),
            "commit_shortfall": plan.shortfall,
            "statuses": {**statuses, "approved": statuses.get("approved", 0) + 1},
        },
        "big": {"code": big.code, "revisions": params.big_revisions},
        "bench_day": BENCH_DAY.isoformat(),
        "targets": _choose_targets(world),
        "expected_warnings": [],
        "seconds": {
            "phase_a": phase_a["seconds"],
            "phase_b": round(phase_b_seconds, 1),
            "checkout_and_gc": round(finish_seconds, 1),
            "total": round(time.perf_counter() - started, 1),
        },
        "phase_a": phase_a,
        "head": git(dest, "rev-parse", "HEAD").strip(),
    }
    log(
        f"done: {commits} commits, {tags} tags in {time.perf_counter() - started:.1f} s "
        f"(phase A {phase_a['seconds']} s{' cached' if phase_a['cached'] else ''})"
    )
    return meta


def ensure_cached(
    params: Params,
    cache_dir: Path = DEFAULT_CACHE,
    *,
    rebuild: bool = False,
    log: Callable[[str], None] = lambda _: None,
) -> tuple[Path, dict[str, Any]]:
    """Return the cached repository of *params* and its description, generating it if needed.

    *rebuild* generates it again (reusing the cached phase A).
    """
    folder = cache_dir / cache_key(params)
    meta_file = folder / "meta.json"
    if meta_file.exists() and not rebuild:
        return folder / "repo", json.loads(meta_file.read_text(encoding="utf-8"))
    cache_dir.mkdir(parents=True, exist_ok=True)
    scratch = folder.with_name(folder.name + f".tmp{os.getpid()}")
    shutil.rmtree(scratch, ignore_errors=True)
    meta = generate(scratch / "repo", params, phase_a_cache=cache_dir, log=log)
    meta_file_tmp = scratch / "meta.json"
    meta_file_tmp.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    scratch.rename(folder)
    return folder / "repo", meta


def check(repo_path: Path, *, verify_history: bool = True) -> dict[str, Any]:
    """Validate (and verify) a generated repository with the library; return the summary."""
    from qmsdocs import Repository, Severity, verify

    t = time.perf_counter()
    repo = Repository.open(repo_path)
    findings = repo.validate()
    out: dict[str, Any] = {
        "validate_seconds": round(time.perf_counter() - t, 1),
        "errors": [str(f) for f in findings if f.severity is Severity.ERROR][:20],
        "error_count": sum(1 for f in findings if f.severity is Severity.ERROR),
        "warnings": sorted({f.check for f in findings if f.severity is Severity.WARNING}),
        "warning_count": sum(1 for f in findings if f.severity is Severity.WARNING),
    }
    if verify_history:
        t = time.perf_counter()
        problems = verify(repo)
        out["verify_seconds"] = round(time.perf_counter() - t, 1)
        out["verify_count"] = len(problems)
        out["verify"] = [str(f) for f in problems][:20]
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Run the generator's command line; return the exit code."""
    parser = argparse.ArgumentParser(
        prog="python bench/generate.py",
        description="Generate a province-scale QMS repository (deterministic, seeded).",
    )
    parser.add_argument(
        "dest", nargs="?", type=Path, help="new folder to write (default: leave it in the cache)"
    )
    parser.add_argument(
        "--documents", type=int, default=Params.documents, help="procedures (default 10000)"
    )
    parser.add_argument(
        "--legal", type=int, default=Params.legal, help="legal documents (default 2000)"
    )
    parser.add_argument(
        "--commits", type=int, default=Params.commits, help="commits (default 20000)"
    )
    parser.add_argument("--seed", type=int, default=Params.seed)
    parser.add_argument(
        "--big-revisions",
        type=int,
        default=Params.big_revisions,
        help="revisions of QT-VPT-01 (default 500)",
    )
    parser.add_argument(
        "--forms-ratio",
        type=float,
        default=Params.forms_ratio,
        help="forms per procedure (default 0.2)",
    )
    parser.add_argument(
        "--big-history",
        choices=("library", "fast-import"),
        default="library",
        help="make QT-VPT-01's revisions with the library's actions (default; slow, cached) "
        "or write them with fast-import like the rest",
    )
    parser.add_argument(
        "--fast-files",
        action="store_true",
        help="write phase B's files whole after each action instead of splicing the change in "
        "as the workflow does (same content, other bytes; faster)",
    )
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    parser.add_argument(
        "--no-cache", action="store_true", help="build DEST from nothing, cache nothing"
    )
    parser.add_argument(
        "--rebuild", action="store_true", help="generate again (reusing the cached phase A)"
    )
    parser.add_argument(
        "--check", action="store_true", help="validate and verify the result with the library"
    )
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    params = Params(
        args.documents,
        args.legal,
        args.commits,
        args.seed,
        args.big_revisions,
        args.forms_ratio,
        args.big_history,
        not args.fast_files,
    )

    def log(text: str) -> None:
        if not args.quiet:
            print(text, file=sys.stderr, flush=True)

    if args.no_cache:
        if args.dest is None:
            parser.error("--no-cache needs DEST")
        meta = generate(args.dest, params, log=log)
        path = args.dest
    else:
        path, meta = ensure_cached(params, args.cache_dir, rebuild=args.rebuild, log=log)
        if args.dest is not None:
            if args.dest.exists() and any(args.dest.iterdir()):
                parser.error(f"{args.dest} is not empty")
            shutil.copytree(path, args.dest, symlinks=True, dirs_exist_ok=True)
            path = args.dest
    meta["path"] = str(path)
    if args.check:
        log("checking with the library (validate, verify) …")
        meta["check"] = check(path)
    print(json.dumps(meta, ensure_ascii=False, indent=2))
    ok = not args.check or (
        meta["check"]["error_count"] == 0 and meta["check"]["verify_count"] == 0
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
