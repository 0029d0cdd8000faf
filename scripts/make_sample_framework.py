"""Write sample_framework/ from sample_repo/: the province's models of the sample's procedures.

Run from the project root: ``python scripts/make_sample_framework.py``. The models are the
sample agency's procedures and forms with what belongs to that agency replaced by the
framework's parameters, issued once (revision 1) and signed by the province's people; the
shared legal registry is the sample's legal/. Review the diff before committing.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qmsdocs.model import MODELS, DocumentKind  # noqa: E402
from qmsdocs.schemas import schema_comment  # noqa: E402
from qmsdocs.stamp import content_stamp  # noqa: E402
from qmsdocs.store import yaml as yaml_store  # noqa: E402

SOURCE = ROOT / "sample_repo"
DEST = ROOT / "sample_framework"
ISSUED = dt.date(2025, 7, 1)
TZ = dt.timezone(dt.timedelta(hours=7))

#: What belongs to the sample agency, and the parameter standing for it; in this order.
REPLACEMENTS = [
    (r"Trung tâm Phục vụ hành chính công phường An Hòa", "{{ one_stop_desk }}"),
    (r"Trung tâm Phục vụ hành chính công phường", "{{ one_stop_desk }}"),
    (r"UBND phường An Hòa", "{{ agency_short }}"),
    (r"phường An Hòa", "{{ commune_name }}"),
    (r"Chủ tịch UBND phường", "{{ head_title }}"),
    (r"\bphường\b", "{{ level_word }}"),
]

QMS = """\
# yaml-language-server: $schema=schemas/qms.schema.json
# Dữ liệu minh họa: mô hình khung của một tỉnh hư cấu.
# (Illustration only: the model documents of a fictional province for its communes and wards.)
schema_version: 1
organization:
  name: SỞ KHOA HỌC VÀ CÔNG NGHỆ TỈNH BÌNH GIANG
  short_name: Sở KH&CN tỉnh Bình Giang
  parent: Ủy ban nhân dân tỉnh Bình Giang (tỉnh hư cấu)
  province_code: H99
  level: province
language: vi
framework:
  name: binh-giang-xa
  title: Mô hình khung HTQLCL theo TCVN ISO 9001:2015 cho UBND cấp xã tỉnh Bình Giang
  parameters:
    - {name: agency_short, meaning: Tên ngắn của cơ quan (UBND xã …), default: UBND xã}
    - {name: commune_name, meaning: "Tên xã, phường (xã …, phường …)", default: xã}
    - {name: level_word, meaning: "Cấp của cơ quan: xã hoặc phường", default: xã}
    - {name: head_title, meaning: Chức danh người đứng đầu, default: Chủ tịch UBND xã}
    - name: one_stop_desk
      meaning: Tên Bộ phận Một cửa (Trung tâm Phục vụ hành chính công …)
      default: Trung tâm Phục vụ hành chính công xã
units:
{units}
roles:
  - {id: iso-officer, name: Công chức phụ trách ISO của Sở}
  - {id: deputy-director, name: Phó Giám đốc Sở}
  - {id: director, name: Giám đốc Sở}
people:
  - id: do-thi-thu
    name: Đỗ Thị Thu
    title: Chuyên viên Phòng Quản lý tiêu chuẩn chất lượng
    email: thu.dt@skhcn.binhgiang.gov.vn
    unit: van-phong
    roles: [{role: iso-officer, from: 2020-01-01}]
  - id: trinh-van-khoa
    name: Trịnh Văn Khoa
    title: Phó Giám đốc Sở Khoa học và Công nghệ
    email: khoa.tv@skhcn.binhgiang.gov.vn
    unit: lanh-dao
    roles: [{role: deputy-director, from: 2020-01-01}]
  - id: mai-anh-tuan
    name: Mai Anh Tuấn
    title: Giám đốc Sở Khoa học và Công nghệ
    email: tuan.ma@skhcn.binhgiang.gov.vn
    unit: lanh-dao
    roles: [{role: director, from: 2020-01-01}]
approval:
  procedure: {author: [iso-officer], review: [deputy-director], approve: [director]}
  form: {author: [iso-officer], review: [deputy-director], approve: [director]}
"""

SIGNERS = [
    ("authored", "do-thi-thu", "Đỗ Thị Thu", "Chuyên viên Phòng Quản lý tiêu chuẩn chất lượng",
     "iso-officer", 9),
    ("reviewed", "trinh-van-khoa", "Trịnh Văn Khoa", "Phó Giám đốc Sở Khoa học và Công nghệ",
     "deputy-director", 10),
    ("approved", "mai-anh-tuan", "Mai Anh Tuấn", "Giám đốc Sở Khoa học và Công nghệ", "director",
     11),
]  # fmt: skip


def parameterised(value: Any) -> Any:
    """Return *value* with the sample agency's names replaced by placeholders."""
    if isinstance(value, str):
        for pattern, replacement in REPLACEMENTS:
            value = re.sub(pattern, replacement, value)
        return value
    if isinstance(value, dict):
        return {k: parameterised(v) for k, v in value.items()}
    if isinstance(value, list):
        return [parameterised(v) for v in value]
    return value


def model(data: dict[str, Any]) -> dict[str, Any]:
    """Return the model of one sample document: revision 1, issued and signed by the province."""
    data = parameterised(data)
    for key in ("approvals", "periodic_reviews", "supersedes", "withdrawal"):
        data.pop(key, None)
    data |= {
        "revision": 1,
        "status": "approved",
        "issued_date": ISSUED,
        "effective_date": ISSUED,
        "history": [{"revision": 1, "date": ISSUED, "description": "Ban hành lần đầu"}],
    }
    kind = DocumentKind(data["kind"])
    stamp = content_stamp(MODELS[kind].model_validate(data))
    data["approvals"] = [
        {
            "meaning": meaning,
            "person": person,
            "name": name,
            "title": title,
            "role": role,
            "signed_at": dt.datetime.combine(ISSUED, dt.time(hour), TZ),
            "stamp": stamp,
        }
        for meaning, person, name, title, role, hour in SIGNERS
    ]
    MODELS[kind].model_validate(data)
    return data


def main() -> None:
    if DEST.exists():
        shutil.rmtree(DEST)
    config = yaml_store.load((SOURCE / "qms.yaml").read_bytes(), file="qms.yaml")
    units = "\n".join(f'  - {{id: {u["id"]}, name: "{u["name"]}"}}' for u in config["units"])
    (DEST / "legal").mkdir(parents=True)
    (DEST / "qms.yaml").write_text(QMS.replace("{units}", units), encoding="utf-8")
    for kind in (DocumentKind.PROCEDURE, DocumentKind.FORM):
        (DEST / kind.folder).mkdir()
        for path in sorted((SOURCE / kind.folder).glob("*.yaml")):
            data = yaml_store.load(path.read_bytes(), file=path.name)
            text = yaml_store.dump_text(model(data), header=schema_comment(kind.value, 1))
            (DEST / kind.folder / path.name).write_text(text, encoding="utf-8")
    (DEST / "schemas").symlink_to("../schemas")
    for path in sorted((SOURCE / "legal").glob("*.yaml")):
        shutil.copy(path, DEST / "legal" / path.name)


if __name__ == "__main__":
    main()
