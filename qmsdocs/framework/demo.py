"""The framework cycle as a demo: a province's framework and a ward that follows it.

:func:`build_framework_demo` builds two real repositories side by side, through the real
actions: ``province/`` (the sample framework, released as ``2025.1``; a decree amending the
civil-status decree registered, the birth-registration model revised and released as
``2025.2``) and ``commune/`` (the sample ward: it follows the framework, adopts every model,
has them approved by its own people, changes one procedure locally, takes release 2025.2 with
one local change kept and one conflict, resolves the conflict by editing, and approves).
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qmsdocs.framework.actions import FrameworkUpdate
from qmsdocs.i18n import N_
from qmsdocs.model import LegalDocument, LegalRef, LegalType, Relation, RelationType
from qmsdocs.read.files import CONFIG_FILE
from qmsdocs.repository import Repository
from qmsdocs.store import yaml as yaml_store
from qmsdocs.store.files import write_atomic
from qmsdocs.store.git import GitStore, Identity

__all__ = ["FrameworkDemo", "build_framework_demo"]

_TZ = dt.timezone(dt.timedelta(hours=7))
FRAMEWORK = "binh-giang-xa"
#: The ward's values of the framework's parameters.
WARD_VALUES: dict[str, str | int] = {
    "agency_short": "UBND phường An Hòa",
    "commune_name": "phường An Hòa",
    "level_word": "phường",
    "head_title": "Chủ tịch UBND phường",
    "one_stop_desk": "Trung tâm Phục vụ hành chính công phường",
}
_MODEL = "QT-TP-01"  # the procedure the decree changes: birth registration (đăng ký khai sinh)
_DECREE = LegalDocument(
    number="07/2025/NĐ-CP",
    type=LegalType.DECREE,
    issuer="Chính phủ",
    title="Sửa đổi, bổ sung một số điều của Nghị định số 123/2015/NĐ-CP (minh họa)",
    issued=dt.date(2025, 9, 1),
    effective_from=dt.date(2025, 9, 15),
    relations=[Relation(type=RelationType.AMENDS, target="123/2015/NĐ-CP")],
)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), _TZ)


@dataclass(frozen=True)
class FrameworkDemo:
    """The two repositories the demo built, and what taking the release did."""

    province: Repository
    commune: Repository
    update: FrameworkUpdate


def _copy_tree(source: Path, dest: Path) -> None:
    from qmsdocs.scaffold import _prepare, _write_schemas

    _prepare(dest).close()
    for path in sorted(source.rglob("*.yaml")):
        relative = path.relative_to(source)
        if relative.parts[0] == "schemas":
            continue
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    _write_schemas(dest)


def _edit(
    repo: Repository, code: str, change: Callable[[Any], dict[str, Any]], by: Identity,
    when: dt.datetime, message: str,
) -> None:  # fmt: skip
    """Edit a draft's file as an officer would in an editor, and commit it."""
    document = repo.document(code)
    path = repo.root / repo.file_of(code)
    text = yaml_store.update_text(path.read_text(encoding="utf-8"), change(document))
    write_atomic(path, text.encode("utf-8"))
    assert repo.git_top is not None
    store = GitStore(repo.git_top)
    try:
        store.commit([path.relative_to(repo.git_top).as_posix()], message, author=by, when=when)
    finally:
        store.close()
    repo._reload()


def _steps(document: Any, number: int, time: str) -> dict[str, Any]:
    steps = [s.model_dump(mode="json", exclude_none=True) for s in document.steps]
    steps[number - 1]["time"] = time
    return {"steps": steps}


def _issue(
    repo: Repository, code: str, when: dt.datetime, author: str, reviewer: str, approver: str
) -> None:
    repo.submit(code, by=author, now=when)
    repo.review(code, by=reviewer, now=when + dt.timedelta(minutes=30))
    repo.approve(code, by=approver, now=when + dt.timedelta(hours=1))


def build_framework_demo(
    dest: Path,
    *,
    framework_source: Path,
    agency_source: Path,
    progress: Callable[[str], None] | None = None,
) -> FrameworkDemo:
    """Build ``dest/province`` and ``dest/commune``: the framework cycle, step by step."""
    say = progress or (lambda _step: None)
    province_root, commune_root = dest / "province", dest / "commune"
    # 1. the province issues its framework and releases it
    say(N_("province: release 2025.1"))
    _copy_tree(framework_source, province_root)
    staff = Identity("Đỗ Thị Thu", "thu.dt@skhcn.binhgiang.gov.vn")
    store = GitStore(province_root)
    files = [p.relative_to(province_root).as_posix() for p in sorted(province_root.rglob("*"))
             if p.is_file() and ".git" not in p.relative_to(province_root).parts]  # fmt: skip
    released = _at(dt.date(2025, 7, 1), 14)
    commit = store.commit(files, "Ban hành mô hình khung 2025.1\n", author=staff, when=released)
    store.tag("2025.1", commit, "Mô hình khung 2025.1\n", tagger=staff, when=released)
    province = Repository.open(province_root)

    # 2. the ward follows it, adopts every model and has them approved by its own people
    say(N_("commune: follow the framework, adopt and approve"))
    from qmsdocs.scaffold import _prepare, _write_schemas

    _prepare(commune_root).close()
    shutil.copyfile(agency_source / CONFIG_FILE, commune_root / CONFIG_FILE)
    _write_schemas(commune_root)
    officer = Identity("Võ Minh Tuấn", "tuan.vm@anhoa.binhgiang.gov.vn")
    commune_store = GitStore(commune_root)
    start = _at(dt.date(2025, 7, 8), 8)
    commune_store.commit(
        [CONFIG_FILE, "schemas"], "Khởi tạo hệ thống tài liệu ISO 9001\n", author=officer,
        when=start,
    )  # fmt: skip
    commune_store.close()
    commune = Repository.open(commune_root)
    who = {"author": "vo-minh-tuan", "reviewer": "tran-thi-mai", "approver": "nguyen-van-hung"}
    commune.framework_add(
        FRAMEWORK, str(province_root), release="2025.1", parameters=dict(WARD_VALUES),
        by=who["author"], now=start + dt.timedelta(hours=1),
    )  # fmt: skip
    commune.adopt(FRAMEWORK, every=True, by=who["author"], now=start + dt.timedelta(hours=2))
    day = dt.date(2025, 7, 10)
    for n, document in enumerate(sorted(commune, key=lambda d: d.kind != "form")):
        _issue(commune, document.code, _at(day, 8, 0) + dt.timedelta(minutes=2 * n),
               who["author"], who["reviewer"], who["approver"])  # fmt: skip

    # 3. a local change: one text of the ward's own, one time limit of its own
    say(N_("commune: a local revision"))
    local = _at(dt.date(2025, 8, 4), 9)
    commune.revise(_MODEL, reason="Bổ sung điểm tiếp nhận lưu động", by=who["author"], now=local)

    def ward_change(document: Any) -> dict[str, Any]:
        return _steps(document, 2, "1,5 giờ làm việc") | {
            "scope": document.scope + " Áp dụng cả tại điểm tiếp nhận lưu động của phường."
        }

    _edit(commune, _MODEL, ward_change, officer, local + dt.timedelta(minutes=20),
          "Bổ sung điểm tiếp nhận lưu động\n")  # fmt: skip
    _issue(commune, _MODEL, local + dt.timedelta(hours=1), who["author"], who["reviewer"],
           who["approver"])  # fmt: skip

    # 4. a decree amends the civil-status decree; the province revises the model, releases
    say(N_("province: legal change, model revised, release 2025.2"))
    registered = _at(dt.date(2025, 9, 3), 9)
    province.legal_add(_DECREE, by="do-thi-thu", now=registered)
    province.revise(
        _MODEL, reason="Cập nhật theo Nghị định số 07/2025/NĐ-CP", by="do-thi-thu",
        now=registered + dt.timedelta(hours=1),
    )  # fmt: skip

    def decree_change(document: Any) -> dict[str, Any]:
        basis = [b.model_dump(mode="json", exclude_none=True) for b in document.legal_basis]
        basis.append(LegalRef(ref=_DECREE.number).model_dump(mode="json", exclude_none=True))
        return _steps(document, 2, "1 giờ làm việc") | {"legal_basis": basis}

    _edit(province, _MODEL, decree_change, staff, registered + dt.timedelta(hours=2),
          "Rút ngắn thời gian thẩm định theo Nghị định số 07/2025/NĐ-CP\n")  # fmt: skip
    _issue(province, _MODEL, registered + dt.timedelta(hours=3), "do-thi-thu", "trinh-van-khoa",
           "mai-anh-tuan")  # fmt: skip
    store = GitStore(province_root)
    head = store.head()
    assert head is not None
    store.tag("2025.2", head, "Mô hình khung 2025.2\n", tagger=staff,
              when=registered + dt.timedelta(hours=5))  # fmt: skip
    store.close()

    # 5. the ward takes the release: one local change kept, one conflict; resolved, approved
    say(N_("commune: take release 2025.2, resolve the conflict, approve"))
    commune.framework_fetch(FRAMEWORK)
    taken = _at(dt.date(2025, 9, 10), 9)
    update = commune.framework_update(FRAMEWORK, by=who["author"], now=taken)

    def resolve(document: Any) -> dict[str, Any]:
        (conflict,) = document.conflicts
        return _steps(document, 2, str(conflict.framework)) | {"conflicts": None}

    _edit(commune, _MODEL, resolve, officer, taken + dt.timedelta(minutes=30),
          "Giải quyết xung đột: lấy thời gian thẩm định của mô hình khung\n")  # fmt: skip
    _issue(commune, _MODEL, taken + dt.timedelta(hours=1), who["author"], who["reviewer"],
           who["approver"])  # fmt: skip
    return FrameworkDemo(Repository.open(province_root), Repository.open(commune_root), update)
