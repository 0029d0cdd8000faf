"""The distribution register of controlled copies (sổ theo dõi phân phối tài liệu), and recall.

``distribution.yaml``, next to qms.yaml, lists every numbered controlled copy handed out:
which revision of which document, to whom, when and by whom, and when it came back.
Recording a copy and recording its return are actions like the lifecycle ones: one commit
or none, under the repository's lock, by a person of qms.yaml, with the trailers
``QMS-Action: distribute`` (or ``recall``) and ``QMS-Distribution: <code>/<revision>/<copy>``.

:func:`distribution` gives the state of every copy on a day: *current* while its revision
is the one in force, *to recall* once a later revision is in force or the document is
withdrawn or superseded, until it is returned (ISO 9001:2015, 7.5.3.2 c and d).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, ValidationError, model_validator

from qmsdocs.errors import ActionRefused, DocumentNotFound, GitError, InvalidDocument
from qmsdocs.findings import field_name
from qmsdocs.i18n import N_, NC_, S_, _, translate
from qmsdocs.lifecycle import DocumentState, superseded_by
from qmsdocs.model import Status
from qmsdocs.model.base import Code, Ident, Model, Text
from qmsdocs.model.codes import code_key
from qmsdocs.model.problems import invalid, schema_problem, shown
from qmsdocs.store import yaml as yaml_store
from qmsdocs.store.files import record_intent, write_atomic
from qmsdocs.store.git import GitStore, Identity
from qmsdocs.workflow import LOCK_NAME, ActionResult, Workflow, _intent

if TYPE_CHECKING:
    from qmsdocs.read.reader import Reader
    from qmsdocs.repository import Repository

__all__ = [
    "REGISTER_FILE",
    "CopyState",
    "CopyStatus",
    "DistributedCopy",
    "DistributionRegister",
    "DistributionWorkflow",
    "distribution",
    "read_register",
    "recall",
    "record_copy",
    "return_copy",
]

#: The register's file, at the repository's root next to qms.yaml.
REGISTER_FILE = "distribution.yaml"

_HEADER = NC_(
    "record", "Register of controlled copies: written by 'qms export --copy' and 'qms recall'."
)
_SUBJECTS = {
    "distribute": NC_(
        "record", "Issue controlled copy {copy} of {code} revision {rev} to {holder}"
    ),
    "recall": NC_("record", "Recall controlled copy {copy} of {code} revision {rev} from {holder}"),
}


class DistributedCopy(Model):
    """One numbered controlled copy of an issued revision, and who holds it."""

    code: Code
    revision: int = Field(ge=1)
    copy_number: int = Field(ge=1)
    holder: Text = Field(min_length=1, max_length=200)
    issued_on: dt.date
    issued_by: Ident
    returned_on: dt.date | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _returned_after_issue(self) -> DistributedCopy:
        if self.returned_on is not None and self.returned_on < self.issued_on:
            raise invalid(
                N_("returned_on {returned} is before issued_on {issued}"),
                returned=self.returned_on.isoformat(),
                issued=self.issued_on.isoformat(),
            )
        return self

    @property
    def key(self) -> tuple[str, int, int]:
        """Return (code key, revision, copy number): unique in a register."""
        return code_key(self.code), self.revision, self.copy_number

    @property
    def label(self) -> str:
        """Return ``QT-01/2/3`` (code/revision/copy), as in the commit trailer."""
        return f"{self.code}/{self.revision}/{self.copy_number}"


class DistributionRegister(Model):
    """The register file ``distribution.yaml``: every controlled copy handed out."""

    schema_version: Literal[1] = 1
    copies: list[DistributedCopy] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_copy_numbers(self) -> DistributionRegister:
        seen: set[tuple[str, int, int]] = set()
        for copy in self.copies:
            if copy.key in seen:
                raise invalid(
                    N_("copy {copy} of {code} revision {rev} is listed twice"),
                    copy=copy.copy_number,
                    code=copy.code,
                    rev=copy.revision,
                )
            seen.add(copy.key)
        return self

    def find(self, code: str, revision: int, copy_number: int) -> DistributedCopy | None:
        """Return the copy *copy_number* of *code* revision *revision*, or None."""
        key = (code_key(code), revision, copy_number)
        return next((c for c in self.copies if c.key == key), None)


def _register_path(repo: Repository | Reader) -> Path:
    return Path(repo.root) / REGISTER_FILE


def _parse_register(data: bytes) -> DistributionRegister:
    value = yaml_store.load(data, file=REGISTER_FILE)
    if value is None:
        return DistributionRegister()
    if not isinstance(value, dict):
        raise InvalidDocument(
            S_("expected a mapping of fields, found {found}", found=shown(value)),
            file=REGISTER_FILE,
            line=1,
        )
    try:
        return DistributionRegister.model_validate(value)
    except ValidationError as error:
        item = error.errors(include_url=False)[0]
        loc = tuple(p for p in item["loc"] if isinstance(p, str | int))
        field = ".".join(str(p) for p in loc) or None
        said = schema_problem(item)
        place = yaml_store.locate(data.decode("utf-8-sig"), loc) if loc else None
        raise InvalidDocument(
            f"{field_name(loc)}: {said}" if field else str(said),
            file=REGISTER_FILE,
            line=place[0] if place else None,
            column=place[1] if place else None,
            field=field,
        ) from None


def read_register(repo: Repository | Reader) -> DistributionRegister:
    """Return the distribution register of *repo* (a :class:`~qmsdocs.Repository`).

    A missing file is an empty register. Raise :class:`InvalidDocument` naming the file and
    line when the file is not a valid register.
    """
    path = _register_path(repo)
    if not path.is_file():
        return DistributionRegister()
    return _parse_register(path.read_bytes())


def _trailers(action: str, copy: DistributedCopy) -> str:
    return f"\n\nQMS-Action: {action}\nQMS-Distribution: {copy.label}\n"


class DistributionWorkflow(Workflow):
    """The two actions that keep the distribution register: issue a copy, record its return."""

    def record_copy(
        self,
        code: str,
        revision: int,
        *,
        copy_number: int,
        holder: str,
        by: str,
        now: dt.datetime,
        note: str | None = None,
    ) -> ActionResult:
        """Record that copy *copy_number* of *code* revision *revision* went to *holder*.

        Refused for an unknown document, a revision that was never issued or is already
        obsolete on the day of *now*, a copy number already given for that revision, or a
        person not in qms.yaml.
        """
        day = now.date()
        with self._held() as (repo, store):
            config = repo.config
            who = self._person(config, by)
            if code not in repo:
                missing = repo.not_found(
                    code, _("no document {code!r}; see 'qms list'").format(code=code)
                )
                raise ActionRefused(
                    missing.message,
                    file=missing.file,
                    line=missing.line,
                    column=missing.column,
                    code=code,
                )
            document = repo.document(code)
            issued = [r.revision for r in repo.revisions(document.code)]
            if not issued and document.status is Status.APPROVED:
                issued = [document.revision]  # approved before the repository kept history
            if revision not in issued:
                raise ActionRefused(
                    _("{code} has no issued revision {revision} (issued: {issued})").format(
                        code=document.code,
                        revision=revision,
                        issued=", ".join(map(str, issued)) or _("none"),
                    ),
                    code=document.code,
                )
            state, about = repo.state_on(document.code, day)
            if state in (DocumentState.WITHDRAWN, DocumentState.SUPERSEDED):
                raise ActionRefused(
                    _("{code} is {state} on {date}: no controlled copy of it can be issued").format(
                        code=document.code, state=_(state.value), date=f"{day:%d/%m/%Y}"
                    ),
                    code=document.code,
                )
            if state is DocumentState.EFFECTIVE and revision < about:
                raise ActionRefused(
                    _(
                        "{code} revision {revision} is obsolete on {date}: revision {about} is in force"
                    ).format(
                        code=document.code, revision=revision, date=f"{day:%d/%m/%Y}", about=about
                    ),
                    code=document.code,
                )
            register = self._register(repo)
            taken = register.find(document.code, revision, copy_number)
            if taken is not None:
                raise ActionRefused(
                    _(
                        "copy {copy} of {code} revision {revision} was already issued to "
                        "{holder} on {date}; the next free number is {free}"
                    ).format(
                        copy=copy_number,
                        code=document.code,
                        revision=revision,
                        holder=taken.holder,
                        date=f"{taken.issued_on:%d/%m/%Y}",
                        free=self._next_free(register, document.code, revision),
                    ),
                    code=document.code,
                )
            copy = self._valid_copy(
                code=document.code,
                revision=revision,
                copy_number=copy_number,
                holder=holder,
                issued_on=day,
                issued_by=by,
                note=note,
            )
            new = DistributionRegister(copies=[*register.copies, copy])
            return self._commit_register(
                repo, store, "distribute", copy, new, config.language, who, now
            )

    def return_copy(
        self, code: str, revision: int, copy_number: int, *, by: str, now: dt.datetime
    ) -> ActionResult:
        """Record that copy *copy_number* of *code* revision *revision* came back today."""
        day = now.date()
        with self._held() as (repo, store):
            config = repo.config
            who = self._person(config, by)
            register = self._register(repo)
            copy = register.find(code, revision, copy_number)
            if copy is None:
                raise ActionRefused(
                    _(
                        "no copy {copy} of {code} revision {revision} in {file}; see "
                        "'qms distribution'"
                    ).format(copy=copy_number, code=code, revision=revision, file=REGISTER_FILE),
                    code=code,
                )
            if copy.returned_on is not None:
                raise ActionRefused(
                    _("copy {copy} was already returned on {date}").format(
                        copy=copy.label, date=f"{copy.returned_on:%d/%m/%Y}"
                    ),
                    code=copy.code,
                )
            if day < copy.issued_on:
                raise ActionRefused(
                    _("copy {copy} was issued on {issued}, after {date}").format(
                        copy=copy.label,
                        issued=f"{copy.issued_on:%d/%m/%Y}",
                        date=f"{day:%d/%m/%Y}",
                    ),
                    code=copy.code,
                )
            returned = copy.model_copy(update={"returned_on": day})
            new = DistributionRegister(
                copies=[returned if c.key == copy.key else c for c in register.copies]
            )
            return self._commit_register(
                repo, store, "recall", returned, new, config.language, who, now
            )

    # -- helpers -----------------------------------------------------------------------

    @staticmethod
    def _register(repo: Repository | Reader) -> DistributionRegister:
        try:
            return read_register(repo)
        except InvalidDocument as error:
            raise ActionRefused(
                _("{error}; fix it first").format(error=error), file=REGISTER_FILE, line=error.line
            ) from None

    @staticmethod
    def _next_free(register: DistributionRegister, code: str, revision: int) -> int:
        used = {c.copy_number for c in register.copies if c.key[:2] == (code_key(code), revision)}
        return next(n for n in range(1, len(used) + 2) if n not in used)

    @staticmethod
    def _valid_copy(**values: Any) -> DistributedCopy:
        try:
            return DistributedCopy(**values)
        except ValidationError as error:
            item = error.errors(include_url=False)[0]
            field = ".".join(str(p) for p in item["loc"])
            message = str(item["msg"]).removeprefix("Value error, ")
            raise ActionRefused(f"{field}: {message}" if field else message) from None

    def _commit_register(
        self,
        repo: Any,
        store: GitStore,
        action: str,
        copy: DistributedCopy,
        new: DistributionRegister,
        language: str,
        by: Identity,
        now: dt.datetime,
    ) -> ActionResult:
        """Write the register and commit it alone, or put everything back as it was."""
        path = _register_path(repo)
        rel = path.relative_to(repo.git_top).as_posix()
        if store.dirty([rel]):
            raise ActionRefused(
                _(
                    "{file} has uncommitted edits: commit them (git commit) or discard them "
                    "before this action"
                ).format(file=REGISTER_FILE),
                file=REGISTER_FILE,
            )
        before = path.read_bytes() if path.exists() else None
        copies = new.model_dump(mode="python", exclude_none=True)["copies"]
        if before is None:
            text = yaml_store.dump_text(
                {"schema_version": 1, "copies": copies},
                header=f"# {translate(language, _HEADER, 'record')}\n",
            )
        else:
            text = yaml_store.update_text(
                before.decode("utf-8-sig"), {"copies": copies}, order=["schema_version", "copies"]
            )
        data = text.encode("utf-8")
        if _parse_register(data) != new:  # never commit a register that reads back otherwise
            raise GitError(
                _("{action} failed: {file} would not read back as written").format(
                    action=action, file=REGISTER_FILE
                )
            )
        subject = translate(language, _SUBJECTS[action], "record").format(
            copy=copy.copy_number, code=copy.code, rev=copy.revision, holder=copy.holder
        )
        message = " ".join(subject.split()) + _trailers(action, copy)
        writes = [(path, rel, before, data)]
        head = store.head()
        journal = store.git_dir() / LOCK_NAME
        record_intent(journal, _intent(store, head, writes, message, None, by, now, False))
        written: list[tuple[Path, str, bytes | None]] = []
        try:
            written.append((path, rel, before))
            write_atomic(path, data)
            commit = store.commit([rel], message, author=by, when=now, sign=False)
        except (GitError, OSError) as error:
            self._roll_back(store, written, head)
            record_intent(journal, None)
            raise GitError(
                _("{action} failed and was rolled back: {error}").format(action=action, error=error)
            ) from None
        record_intent(journal, None)
        return ActionResult(action, copy.code, copy.revision, commit, None, subject)


def record_copy(
    repo: Repository,
    code: str,
    revision: int,
    *,
    copy_number: int,
    holder: str,
    by: str,
    now: dt.datetime,
    note: str | None = None,
) -> ActionResult:
    """Record, as one commit, controlled copy *copy_number* of *code* revision *revision*.

    *repo* is a :class:`~qmsdocs.Repository`; *by* a person of qms.yaml; *now* aware.
    See :meth:`DistributionWorkflow.record_copy` for what is refused.
    """
    repo.reader.require_writable()
    return DistributionWorkflow(Path(repo.root)).record_copy(
        code,
        revision,
        copy_number=copy_number,
        holder=holder,
        by=by,
        now=repo.config.local(now),
        note=note,
    )


def return_copy(
    repo: Repository, code: str, revision: int, copy_number: int, *, by: str, now: dt.datetime
) -> ActionResult:
    """Record, as one commit, that a controlled copy was returned on the day of *now*."""
    repo.reader.require_writable()
    return DistributionWorkflow(Path(repo.root)).return_copy(
        code, revision, copy_number, by=by, now=repo.config.local(now)
    )


class CopyState(StrEnum):
    """What a controlled copy is on a given day."""

    CURRENT = "current"  # its revision is in force
    PENDING = "pending"  # its revision is issued but not in force yet
    TO_RECALL = "to_recall"  # obsolete and still out: collect it
    RETURNED = "returned"  # collected


@dataclass(frozen=True)
class CopyStatus:
    """A copy of the register and its state on a day.

    ``document_state`` is the state of the document that day and ``in_force`` the revision
    in force (None when none is, or the document is no longer in the repository).
    """

    code: str
    revision: int
    copy_number: int
    holder: str
    issued_on: dt.date
    issued_by: str
    returned_on: dt.date | None
    note: str | None
    state: CopyState
    document_state: DocumentState | None
    in_force: int | None

    @property
    def to_recall(self) -> bool:
        """Return whether the copy must be collected."""
        return self.state is CopyState.TO_RECALL

    def to_dict(self) -> dict[str, Any]:
        """Return the status as JSON-ready values."""
        return {
            "code": self.code,
            "revision": self.revision,
            "copy_number": self.copy_number,
            "holder": self.holder,
            "issued_on": self.issued_on.isoformat(),
            "issued_by": self.issued_by,
            "returned_on": self.returned_on.isoformat() if self.returned_on else None,
            "note": self.note,
            "state": self.state.value,
            "document_state": self.document_state.value if self.document_state else None,
            "in_force": self.in_force,
        }


def _copy_state(
    copy: DistributedCopy, state: DocumentState | None, about: int | None, on: dt.date
) -> CopyState:
    if copy.returned_on is not None and copy.returned_on <= on:
        return CopyState.RETURNED
    if state is None or state in (DocumentState.WITHDRAWN, DocumentState.SUPERSEDED):
        return CopyState.TO_RECALL
    if state is DocumentState.EFFECTIVE and about is not None:
        if copy.revision < about:
            return CopyState.TO_RECALL
        return CopyState.CURRENT if copy.revision == about else CopyState.PENDING
    return CopyState.PENDING


def distribution(repo: Repository, *, on: dt.date) -> list[CopyStatus]:
    """Return every copy issued on or before *on* with its state that day.

    Sorted by code, revision and copy number. A copy returned after *on* is still out.
    """
    register = read_register(repo)
    supersede_map = superseded_by(repo)
    states: dict[str, tuple[DocumentState | None, int | None]] = {}
    out = []
    for copy in register.copies:
        if copy.issued_on > on:
            continue
        key = code_key(copy.code)
        if key not in states:
            try:
                states[key] = repo.state_on(copy.code, on, superseded_map=supersede_map)
            except DocumentNotFound:
                states[key] = (None, None)
        state, about = states[key]
        returned = copy.returned_on if copy.returned_on and copy.returned_on <= on else None
        out.append(
            CopyStatus(
                code=copy.code,
                revision=copy.revision,
                copy_number=copy.copy_number,
                holder=copy.holder,
                issued_on=copy.issued_on,
                issued_by=copy.issued_by,
                returned_on=returned,
                note=copy.note,
                state=_copy_state(copy, state, about, on),
                document_state=state,
                in_force=about if state is DocumentState.EFFECTIVE else None,
            )
        )
    return sorted(out, key=lambda c: (code_key(c.code), c.revision, c.copy_number))


def recall(repo: Repository, *, on: dt.date) -> list[CopyStatus]:
    """Return the copies to collect on *on*: obsolete on that day and not yet returned."""
    return [c for c in distribution(repo, on=on) if c.state is CopyState.TO_RECALL]
