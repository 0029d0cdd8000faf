"""Making new QMS repositories: ``init`` (empty, valid) and ``demo`` (the sample, with history).

The demo replays the bundled sample agency through the real lifecycle actions, in date
order from 2021: drafts, edits committed by their authors, submission, review, approval
(some effective later than approved), periodic reviews, legal documents registered as they
were issued, a document merged into another and withdrawn. Its final files are the sample's.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from qmsdocs.errors import ActionRefused, QmsError
from qmsdocs.i18n import _
from qmsdocs.impact import find_numbers
from qmsdocs.model import Document, DocumentKind, LegalDocument, QmsConfig, Status
from qmsdocs.model.codes import code_key
from qmsdocs.model.config import Person
from qmsdocs.repository import CONFIG_FILE, Repository
from qmsdocs.schemas import render_schemas
from qmsdocs.store import yaml as yaml_store
from qmsdocs.store.files import write_atomic
from qmsdocs.store.git import GitStore, Identity, git_state, init_work_tree

__all__ = ["build_demo", "init_repository"]

TZ = dt.timezone(dt.timedelta(hours=7))  # giờ Việt Nam

_QMS_TEMPLATE = """\
# yaml-language-server: $schema=schemas/qms.schema.json
# Hệ thống tài liệu ISO 9001 của cơ quan. Sửa tên cơ quan, đơn vị, người và vai trò cho đúng.
schema_version: 1
organization:
  name: {name}
  parent: {parent}
language: vi
timezone: Asia/Ho_Chi_Minh   # times are shown in the agency's zone, whatever the machine's
units:
  - id: van-phong
    name: Văn phòng
  - id: lanh-dao
    name: Lãnh đạo cơ quan
roles:
  - id: iso-officer
    name: Cán bộ phụ trách ISO
  - id: reviewer
    name: Người xem xét (Chánh Văn phòng, Phó Thủ trưởng)
  - id: head
    name: Thủ trưởng cơ quan
people:
  - id: can-bo-iso
    name: Cán bộ phụ trách ISO (sửa họ tên)
    title: Công chức
    email: {email}
    unit: van-phong
    roles:
      - {{role: iso-officer, from: {today}}}
  - id: nguoi-xem-xet
    name: Người xem xét (sửa họ tên)
    title: Chánh Văn phòng
    email: xem-xet@example.invalid
    unit: van-phong
    roles:
      - {{role: reviewer, from: {today}}}
  - id: thu-truong
    name: Thủ trưởng cơ quan (sửa họ tên)
    title: Thủ trưởng
    email: thu-truong@example.invalid
    unit: lanh-dao
    roles:
      - {{role: head, from: {today}}}
approval:
  procedure: {{author: [iso-officer], review: [reviewer], approve: [head]}}
  policy: {{author: [iso-officer], review: [reviewer], approve: [head]}}
  objectives: {{author: [iso-officer], review: [reviewer], approve: [head]}}
  form: {{author: [iso-officer], review: [reviewer], approve: [head]}}
"""


def _write_schemas(root: Path) -> None:
    folder = root / "schemas"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in render_schemas().items():
        write_atomic(folder / name, text.encode("utf-8"))


def _prepare(dest: Path) -> GitStore:
    if dest.exists() and any(dest.iterdir()):
        raise ActionRefused(
            _("{dest} is not empty: choose a new folder").format(dest=dest), file=dest
        )
    dest.mkdir(parents=True, exist_ok=True)
    state = git_state(dest)
    if state.top != dest.resolve():
        init_work_tree(dest)  # its own repository, even inside another work tree
        state = git_state(dest)
    assert state.top is not None
    return GitStore(state.top)


def init_repository(
    dest: Path,
    *,
    name: str = "TÊN CƠ QUAN",
    parent: str = "Cơ quan chủ quản",
    email: str = "iso@example.invalid",
    by: Identity,
    now: dt.datetime,
) -> Repository:
    """Create a new, valid, empty QMS repository in *dest* (git-initialized) and commit it.

    *dest* may be relative (``.`` or ``myqms``). Nothing is left behind when it fails: a folder
    it created is removed, an empty folder it was given is emptied again.
    """
    dest = Path(os.path.abspath(dest))
    existed = dest.exists()
    store = _prepare(dest)
    try:
        text = _QMS_TEMPLATE.format(
            name=name, parent=parent, email=email, today=now.date().isoformat()
        )
        write_atomic(dest / CONFIG_FILE, text.encode("utf-8"))
        _write_schemas(dest)
        for kind in DocumentKind:
            (dest / kind.folder).mkdir(exist_ok=True)
            write_atomic(dest / kind.folder / ".gitkeep", b"")
        paths = [
            p.relative_to(store.top).as_posix()
            for p in sorted(dest.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(dest).parts
        ]
        store.commit(paths, "Khởi tạo hệ thống tài liệu ISO 9001\n", author=by, when=now)
    except BaseException:
        if existed:
            for child in dest.iterdir():
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child)
                else:
                    child.unlink()
        else:
            shutil.rmtree(dest, ignore_errors=True)
        raise
    return Repository.open(dest)


#: The first line after the shebang of the pre-commit hook that qmsdocs writes.
HOOK_MARK = "# qmsdocs: validate the QMS before each commit"


def install_hook(root: Path, *, python: str) -> Path:
    """Install a git pre-commit hook that runs ``qms validate`` on the QMS at *root*.

    The hook runs *python* (the interpreter qmsdocs is installed in) so that it works without
    an activated virtual environment; a commit that breaks a file, a reference or an
    approval is stopped with validate's one-line findings. An existing hook that qmsdocs did
    not write is never overwritten. Return the hook's path.
    """
    repo = Repository.open(root)
    top = repo.git_top
    if top is None:
        raise ActionRefused(
            _("{root} is not inside a git repository").format(root=repo.root), file=repo.root
        )
    hook = GitStore(top).hooks_dir() / "pre-commit"
    if hook.exists() and HOOK_MARK not in hook.read_text(encoding="utf-8", errors="replace"):
        raise ActionRefused(
            _(
                "{hook} exists and was not written by qmsdocs: add 'qms validate' to it yourself"
            ).format(hook=hook),
            file=hook,
        )
    inner = repo.root.relative_to(top).as_posix()
    folder = '"$(git rev-parse --show-toplevel)"' + ("" if inner == "." else f'/"{inner}"')
    script = (
        f"#!/bin/sh\n{HOOK_MARK} (remove this file to stop it)\n"
        f'exec "{python}" -m qmsdocs.cli.main -C {folder} validate\n'
    )
    write_atomic(hook, script.encode("utf-8"))
    hook.chmod(0o755)
    return hook


# -- the demo ---------------------------------------------------------------------------


@dataclass(order=True)
class _Event:
    when: dt.datetime
    order: int
    label: str = field(compare=False)
    run: Callable[[], None] = field(compare=False)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


class _DemoBuilder:
    def __init__(self, source: Path, dest: Path) -> None:
        self.source = source
        self.dest = dest
        self.sample = Repository.open(source)
        if self.sample.validate():
            raise QmsError(
                _("the sample at {source} has findings; run 'qms -C {source} validate'").format(
                    source=source
                )
            )
        self.config: QmsConfig = self.sample.config
        self.earlier = _earlier_revisions(source)
        self.events: list[_Event] = []
        self.exists: dict[str, dt.datetime] = {}  # code key -> when its file first exists

    # who signs, when a revision predates the sample's signatures
    def _signer(
        self, document: Document, meaning: str, day: dt.date, taken: set[str], prefer: str | None
    ) -> str:
        from qmsdocs.lifecycle import STEP_OF_MEANING

        rule = self.config.approval[document.kind]
        allowed = set(getattr(rule, STEP_OF_MEANING[meaning]))
        people = sorted(self.config.people, key=lambda p: (p.id != prefer, p.id))
        for person in people:
            if person.id not in taken and allowed & person.roles_on(day):
                return person.id
        raise QmsError(
            _("no one could sign '{meaning}' for {code} on {day}").format(
                meaning=meaning, code=document.code, day=day
            )
        )

    def _text_for(self, document: Document, revision: int, until: dt.datetime) -> str:
        """Return the sample file as it read while revision *revision* was drafted."""
        path = self.source / self.sample.file_of(document.code)
        final = document.model_dump(mode="python", by_alias=True, exclude_none=True)
        data = self._as_drafted(document, revision, final)
        known_legal = {k for k, t in self.exists.items() if k.startswith("legal:") and t <= until}
        known_docs = {k for k, t in self.exists.items() if t <= until}

        def legal_ok(ref: str) -> bool:
            found = self.sample.legal.get(ref)
            return found is not None and f"legal:{code_key(found.code)}" in known_legal

        changes: dict[str, Any] = {
            **{k: v for k, v in data.items() if k not in final or v != final[k]},
            "revision": revision,
            "status": Status.DRAFT.value,
            "issued_date": None,
            "effective_date": None,
            "approvals": [],
            "withdrawal": None,
            "history": [
                {**h, "date": None} if h["revision"] == revision else h
                for h in data.get("history", [])
                if h["revision"] <= revision
            ],
            "periodic_reviews": [
                r for r in data.get("periodic_reviews", []) if _at(r["date"], 10) < until
            ]
            or None,
            "legal_basis": [b for b in data.get("legal_basis", []) if legal_ok(b["ref"])],
        }
        if "supersedes" in data and revision < document.revision:
            changes["supersedes"] = None  # a replacement belongs to the revision that made it
        if document.kind == "procedure":
            changes["forms"] = [f for f in data["forms"] if code_key(f) in known_docs]
            changes["steps"] = [
                {**s, "forms": [f for f in s.get("forms", []) if code_key(f) in known_docs]}
                for s in data["steps"]
            ]
            if data.get("tthc"):
                tthc = dict(data["tthc"])
                tthc["dossier"] = [
                    {k: v for k, v in d.items() if k != "form" or code_key(v) in known_docs}
                    for d in tthc["dossier"]
                ]
                tthc["fees"] = [
                    {k: v for k, v in f.items() if k != "basis" or legal_ok(v["ref"])}
                    for f in tthc.get("fees", [])
                ]
                changes["tthc"] = tthc
        changes = {k: v for k, v in changes.items() if v != final.get(k)}
        order = list(type(document).model_fields)
        return yaml_store.update_text(path.read_text(encoding="utf-8"), changes, order=order)

    def _as_drafted(
        self, document: Document, revision: int, final: dict[str, Any]
    ) -> dict[str, Any]:
        """Return the fields of *document* as revision *revision* had them.

        ``earlier-revisions.yaml`` beside the sample gives, for a revision, the fields it
        said otherwise than the next one; a field it does not give reads as in the next
        revision that does, or as in the sample. ``tthc`` is given field by field.
        """
        data = dict(final)
        earlier = self.earlier.get(code_key(document.code), {})
        for later in range(document.revision - 1, revision - 1, -1):
            for name, value in earlier.get(later, {}).items():
                if name == "tthc" and isinstance(value, dict):
                    data["tthc"] = {**data.get("tthc", {}), **value}
                else:
                    data[name] = value
        return data

    def plan(self) -> None:
        # Revisions whose reason is "Cập nhật theo <legal document>" are opened together, in
        # one commit, by ``revise_for_legal``; that legal document is registered through the
        # registry's actions (the others are committed as files, as an officer would).
        self.legal_groups: dict[str, list[str]] = {}
        for document in self.sample:
            for entry in document.history:
                legal = self._legal_of(entry.reason)
                if legal is not None:
                    self.legal_groups.setdefault(legal.number, []).append(document.code)
        for order, legal in enumerate(sorted(self.sample.legal, key=lambda d: d.issued)):
            when = max(_at(legal.issued, 8), _at(dt.date(2021, 1, 4), 8, 30))
            file = self.sample.file_of(legal.number)
            self.exists[f"legal:{code_key(legal.code)}"] = when
            run = (
                partial(self._legal_register, legal)
                if legal.number in self.legal_groups
                else self._legal_commit(file, legal.number)
            )
            self.events.append(_Event(when, order, f"legal {legal.number}", run))
        for document in self.sample:
            first = (
                document.history[0].date
                if document.history and document.history[0].date
                else document.issued_date
            )
            assert first is not None
            kind_rank = 0 if document.kind == "procedure" else 1
            self.exists[code_key(document.code)] = _at(
                first, 7, 30 + kind_rank * 10
            ) - dt.timedelta(days=14)
        for document in self.sample:
            self._plan_document(document)
        self._plan_announcements()

    def _plan_announcements(self) -> None:
        # The QMS announced after the first TTHC list (2021), then again on the day of each
        # of the sample's announcements (announcements/), once its scope had changed.
        days = [FIRST_ANNOUNCEMENT] + [a.date for _, a in self.sample.announcements()]
        for order, day in enumerate(sorted(set(days))):
            self._add(_at(day, 16), order, f"announce {day}", self._announce)

    def _announce(self) -> None:
        day = self._now.date()
        head = next(p.id for p in self.config.people if "chairman" in p.roles_on(day))
        self.repo.announce(by=head, now=self._now)

    def _legal_commit(self, file: str, number: str) -> Callable[[], None]:
        def run() -> None:
            when = self._now
            write_atomic(self.dest / file, (self.source / file).read_bytes())
            officer = self._officer(when.date())
            self.store.commit(
                [file], f"Cập nhật văn bản bên ngoài: {number}\n", author=officer, when=when
            )

        return run

    def _legal_of(self, reason: str | None) -> LegalDocument | None:
        if not reason or not reason.startswith("Cập nhật theo"):
            return None
        numbers = find_numbers(reason)
        return self.sample.legal.get(numbers[0]) if numbers else None

    def _legal_register(self, legal: LegalDocument) -> None:
        officer = self._officer_person(self._now.date()).id
        self.repo.legal_add(legal.model_copy(update={"relations": []}), by=officer, now=self._now)
        for relation in legal.relations:
            self.repo.legal_relate(
                legal.number,
                relation.type,
                relation.target,
                by=officer,
                now=self._now,
                articles=relation.articles,
                effective=relation.effective,
                note=relation.note,
            )

    def _officer_person(self, day: dt.date) -> Person:
        for person in self.config.people:
            if "iso-officer" in person.roles_on(day):
                return person
        return self.config.people[0]

    def _officer(self, day: dt.date) -> Identity:
        person = self._officer_person(day)
        return Identity(person.name, person.email)

    def _plan_document(self, document: Document) -> None:
        final = document.revision
        signed = {s.meaning: s for s in document.approvals}
        created = self.exists[code_key(document.code)]
        rank = 0 if document.kind == "procedure" else 1
        for revision in range(1, final + 1):
            entry = next((h for h in document.history if h.revision == revision), None)
            if revision == final:
                assert document.issued_date is not None
                times = {m: s.signed_at for m, s in signed.items()}
                issue_day = times["approved"].date()
                effective = document.effective_date
                people = {m: s.person for m, s in signed.items()}
            else:
                issue_day = entry.date if entry and entry.date else dt.date(2021, 3, 1)
                times = {
                    "authored": _at(issue_day - dt.timedelta(days=6), 9),
                    "reviewed": _at(issue_day - dt.timedelta(days=3), 14),
                    "approved": _at(issue_day, 8, 30),
                }
                effective = issue_day + dt.timedelta(days=5)
                people = {}
                for meaning in ("authored", "reviewed", "approved"):
                    prefer = signed[meaning].person if meaning in signed else None
                    people[meaning] = self._signer(
                        document, meaning, times[meaning].date(), set(people.values()), prefer
                    )
            start = created if revision == 1 else times["authored"] - dt.timedelta(days=4)
            edit_at = times["authored"] - dt.timedelta(hours=1)
            self._add(
                start,
                rank,
                f"{document.code} r{revision} open",
                self._open(document, revision, entry, people["authored"]),
            )
            self._add(
                edit_at,
                rank,
                f"{document.code} r{revision} edit",
                self._edit(document, revision, people["authored"]),
            )
            self._add(
                times["authored"],
                rank,
                f"{document.code} r{revision} submit",
                partial(self._act, "submit", document.code, by=people["authored"]),
            )
            self._add(
                times["reviewed"],
                rank,
                f"{document.code} r{revision} review",
                partial(self._act, "review", document.code, by=people["reviewed"]),
            )
            self._add(
                times["approved"],
                rank,
                f"{document.code} r{revision} approve",
                partial(
                    self._act, "approve", document.code, by=people["approved"], effective=effective
                ),
            )
        for review in document.periodic_reviews:
            self._add(
                _at(review.date, 10),
                rank,
                f"{document.code} confirm",
                partial(
                    self._act, "confirm", document.code, by=review.person, reason=review.reason
                ),
            )
        if document.withdrawal is not None:
            w = document.withdrawal
            approver = (
                signed["approved"].person if "approved" in signed else self.config.people[0].id
            )
            self._add(
                _at(w.date, 15),
                rank + 2,
                f"{document.code} withdraw",
                partial(
                    self._act,
                    "withdraw",
                    document.code,
                    by=approver,
                    reason=w.reason,
                    replaced_by=w.replaced_by,
                ),
            )

    def _add(self, when: dt.datetime, rank: int, label: str, run: Callable[[], None]) -> None:
        self.events.append(_Event(when, rank, label, run))

    def _act(self, action: str, code: str, **kwargs: Any) -> None:
        getattr(self.repo, action)(code, now=self._now, **kwargs)

    def _open(
        self, document: Document, revision: int, entry: Any, author: str
    ) -> Callable[[], None]:
        def run() -> None:
            if revision == 1:
                self.repo.new(
                    document.kind,
                    document.code,
                    title=document.title,
                    by=author,
                    now=self._now,
                    unit=document.unit,
                    procedure=getattr(document, "procedure", None),
                )
            elif (legal := self._legal_of(entry.reason if entry else None)) is not None:
                if self.repo.document(document.code).revision >= revision:
                    return  # opened with the others revised for the same legal change
                self.repo.revise_for_legal(
                    legal.number, self.legal_groups[legal.number], by=author, now=self._now
                )
            else:
                reason = (entry.reason or entry.description) if entry else "Sửa đổi"
                self.repo.revise(document.code, reason=reason, by=author, now=self._now)

        return run

    def _edit(self, document: Document, revision: int, author: str) -> Callable[[], None]:
        def run() -> None:
            file = self.sample.file_of(document.code)
            text = self._text_for(document, revision, self._now)
            path = self.dest / file
            if path.read_text(encoding="utf-8") == text:
                return
            write_atomic(path, text.encode("utf-8"))
            person = self.config.person(author)
            assert person is not None
            self.store.commit(
                [file],
                f"Soạn thảo nội dung {document.code} lần ban hành {revision}\n",
                author=Identity(person.name, person.email),
                when=self._now,
            )
            self.repo._reload()

        return run

    def build(self, progress: Callable[[int, int], None] | None = None) -> Repository:
        self.store = _prepare(self.dest)
        start = _at(dt.date(2021, 1, 4), 8)
        write_atomic(self.dest / CONFIG_FILE, (self.source / CONFIG_FILE).read_bytes())
        _write_schemas(self.dest)
        paths = [CONFIG_FILE, *(f"schemas/{n}" for n in render_schemas())]
        self.store.commit(
            paths,
            "Khởi tạo hệ thống tài liệu ISO 9001\n",
            author=self._officer(start.date()),
            when=start,
        )
        self.repo = Repository.open(self.dest)
        self.plan()
        events = sorted(self.events)
        for done, event in enumerate(events):
            if progress is not None:
                progress(done, len(events))
            self._now = event.when
            try:
                event.run()
            except QmsError as error:
                raise QmsError(
                    _("demo step '{label}' at {when:%Y-%m-%d %H:%M} failed: {error}").format(
                        label=event.label, when=event.when, error=error
                    )
                ) from None
            if event.label.startswith("legal"):
                self.repo._reload()
        if progress is not None:
            progress(len(events), len(events))
        return Repository.open(self.dest)


#: The demo's first announcement of the QMS: after the province's first TTHC list (2021).
FIRST_ANNOUNCEMENT = dt.date(2021, 6, 15)

#: What earlier revisions of the sample's documents said (see ``_DemoBuilder._as_drafted``).
EARLIER_REVISIONS = "earlier-revisions.yaml"


def _earlier_revisions(source: Path) -> dict[str, dict[int, dict[str, Any]]]:
    path = source / EARLIER_REVISIONS
    if not path.is_file():
        return {}
    loaded = yaml_store.load(path.read_bytes(), file=EARLIER_REVISIONS) or {}
    return {
        code_key(str(code)): {int(revision): dict(fields) for revision, fields in revisions.items()}
        for code, revisions in loaded.items()
    }


def build_demo(
    dest: Path, *, source: Path, progress: Callable[[int, int], None] | None = None
) -> Repository:
    """Build a demo repository in *dest* from the sample QMS at *source*, with its history.

    *progress* is called with (steps done, steps in all) before each step and at the end.
    """
    return _DemoBuilder(source, dest).build(progress)


def sample_files(root: Path) -> dict[str, bytes]:
    """Return the YAML files of a QMS repository (qms.yaml and every kind's folder)."""
    out = {CONFIG_FILE: (root / CONFIG_FILE).read_bytes()}
    for kind in DocumentKind:
        for path in sorted((root / kind.folder).glob("*.yaml")):
            out[path.relative_to(root).as_posix()] = path.read_bytes()
    return out
