"""A small valid QMS repository written file by file, for tests that break one thing."""

from __future__ import annotations

from pathlib import Path

FILES: dict[str, str] = {
    "qms.yaml": """\
# yaml-language-server: $schema=schemas/qms.schema.json
schema_version: 1
organization:
  name: ỦY BAN NHÂN DÂN XÃ THỬ NGHIỆM
  parent: Ủy ban nhân dân tỉnh Thử Nghiệm
language: vi
units:
  - {id: van-phong, name: Văn phòng HĐND và UBND xã}
  - {id: lanh-dao, name: Lãnh đạo UBND xã}
roles:
  - {id: iso-officer, name: Cán bộ phụ trách ISO}
  - {id: chairman, name: Chủ tịch UBND xã}
  - {id: vice-chairman, name: Phó Chủ tịch UBND xã}
people:
  - id: an
    name: Nguyễn Văn An
    title: Công chức Văn phòng - Thống kê
    email: an@xa.gov.vn
    unit: van-phong
    roles: [{role: iso-officer, from: 2020-01-01}]
  - id: binh
    name: Trần Thị Bình
    title: Phó Chủ tịch UBND xã
    email: binh@xa.gov.vn
    unit: lanh-dao
    roles: [{role: vice-chairman, from: 2020-01-01}]
  - id: cuong
    name: Lê Văn Cường
    title: Chủ tịch UBND xã
    email: cuong@xa.gov.vn
    unit: lanh-dao
    roles: [{role: chairman, from: 2020-01-01}]
approval:
  procedure: {author: [iso-officer], review: [vice-chairman], approve: [chairman]}
  form: {author: [iso-officer], review: [vice-chairman], approve: [chairman]}
""",
    "procedures/QT-01.yaml": """\
# yaml-language-server: $schema=../schemas/procedure.schema.json
schema_version: 1
kind: procedure
code: QT-01
title: Quy trình kiểm soát tài liệu
unit: van-phong
category: system
revision: 2
status: approved
issued_date: 2024-03-01
effective_date: 2024-03-15
legal_basis:
  - ref: 19/2014/QĐ-TTg
    article: Điều 4
purpose: Thống nhất cách soạn thảo, phê duyệt và kiểm soát tài liệu.
scope: Mọi tài liệu của Hệ thống quản lý chất lượng.
steps:
  - no: 1
    action: Soạn thảo hoặc sửa đổi tài liệu
    responsible: Cán bộ phụ trách ISO
    forms: [BM-01-01]
  - no: 2
    action: Xem xét và phê duyệt
    responsible: Chủ tịch UBND xã
forms: [BM-01-01]
history:
  - {revision: 1, date: 2021-03-01, description: Ban hành lần đầu}
  - {revision: 2, date: 2024-03-01, description: "Cập nhật theo TCVN ISO 9001:2015"}
approvals:
  - meaning: approved
    person: cuong
    name: Lê Văn Cường
    title: Chủ tịch UBND xã
    role: chairman
    signed_at: 2024-03-01T10:00:00+07:00
""",
    "forms/BM-01-01.yaml": """\
# yaml-language-server: $schema=../schemas/form.schema.json
schema_version: 1
kind: form
code: BM-01-01
title: Phiếu đề nghị ban hành, sửa đổi tài liệu
unit: van-phong
procedure: QT-01
""",
    "legal/118-2009-QD-TTg.yaml": """\
# yaml-language-server: $schema=../schemas/legal.schema.json
schema_version: 1
kind: legal
number: 118/2009/QĐ-TTg
type: decision
issuer: Thủ tướng Chính phủ
title: Sửa đổi, bổ sung một số điều của Quyết định số 144/2006/QĐ-TTg
issued: 2009-09-30
effective_from: 2009-11-20
""",
    "legal/19-2014-QD-TTg.yaml": """\
# yaml-language-server: $schema=../schemas/legal.schema.json
schema_version: 1
kind: legal
number: 19/2014/QĐ-TTg
type: decision
issuer: Thủ tướng Chính phủ
title: Về việc áp dụng Hệ thống quản lý chất lượng theo TCVN ISO 9001:2008
issued: 2014-03-05
effective_from: 2014-04-20
relations:
  - {type: replaces, target: 118/2009/QĐ-TTg}
""",
}


def write_minirepo(root: Path) -> Path:
    """Write the small valid repository into *root* and return *root*."""
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
