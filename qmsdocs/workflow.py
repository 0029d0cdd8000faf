"""Lifecycle actions: new, revise, submit, review, approve, withdraw, confirm.

Each action is one commit or none. It holds the repository's lock, reloads the repository,
checks the rules (refusing with :class:`ActionRefused` before touching anything), refuses to
overwrite uncommitted edits, writes the file atomically (keeping the officer's comments and
key order), commits it as the acting person with machine-readable trailers, and, on
approval, tags the issued revision. If git fails, the file, the index and the branch are put
back as they were.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from qmsdocs import lifecycle
from qmsdocs.errors import ActionRefused, GitError
from qmsdocs.findings import Severity
from qmsdocs.history import tag_name
from qmsdocs.i18n import N_, NC_, _, translate
from qmsdocs.model import (
    MODELS,
    Document,
    DocumentKind,
    PeriodicReview,
    QmsConfig,
    Status,
    Withdrawal,
)
from qmsdocs.model.codes import canonical_code, check_code
from qmsdocs.read.reader import Reader
from qmsdocs.schemas import schema_comment
from qmsdocs.stamp import content_stamp
from qmsdocs.store import yaml as yaml_store
from qmsdocs.store.files import action_lock, record_intent, write_atomic
from qmsdocs.store.git import GitStore, Identity, parse_trailers
from qmsdocs.validation_run import validate_document

__all__ = ["ActionResult", "Workflow"]

LOCK_NAME = "qms.lock"


@dataclass(frozen=True)
class ActionResult:
    """What an action did: the commit (None when nothing changed) and the tag, if any."""

    action: str
    code: str
    revision: int | None  # None for the legal registry's actions
    commit: str | None
    tag: str | None
    message: str

    @property
    def changed(self) -> bool:
        """Return whether the action made a commit."""
        return self.commit is not None

    def to_dict(self) -> dict[str, Any]:
        """Return the result as JSON-ready values."""
        return {
            "action": self.action,
            "code": self.code,
            "revision": self.revision,
            "commit": self.commit,
            "tag": self.tag,
            "changed": self.changed,
            "message": self.message,
        }


_SUBJECTS = {
    "new": NC_("record", "Draft {code} revision {rev}: {title}"),
    "revise": NC_("record", "Revise {code}: open draft revision {rev}"),
    "submit": NC_("record", "Submit {code} revision {rev} for review"),
    "review": NC_("record", "Review {code} revision {rev}: accepted for approval"),
    "reject": NC_("record", "Review {code} revision {rev}: returned for changes"),
    "approve": NC_("record", "Approve and issue {code} revision {rev}, effective {effective}"),
    "withdraw": NC_("record", "Withdraw {code} (revision {rev})"),
    "confirm": NC_("record", "Periodic review of {code} revision {rev}: still suitable, no change"),
}


def _message(config: QmsConfig, action: str, document: Document, body: str, **trailers: Any) -> str:
    effective = document.effective_date
    subject = translate(config.language, _SUBJECTS[action], "record").format(
        code=document.code,
        rev=document.revision,
        title=document.title,
        effective=f"{effective:%d/%m/%Y}" if effective else "",
    )
    lines = [
        f"QMS-Action: {action}",
        f"QMS-Document: {document.code}",
        f"QMS-Revision: {document.revision}",
    ]
    # One line each: a line break in a reason would end the trailers and hide the action.
    lines += [
        f"QMS-{k.replace('_', '-').title()}: {' '.join(str(v).split())}"
        for k, v in trailers.items()
        if v is not None
    ]
    text = " ".join(subject.split()) + "\n\n"
    if body.strip():
        text += " ".join(body.split()) + "\n\n"
    return text + "\n".join(lines) + "\n"


def _template(
    kind: DocumentKind, code: str, title: str, unit: str, day: dt.date, procedure: str | None
) -> dict[str, Any]:
    base: dict[str, Any] = {
        "schema_version": 1,
        "kind": kind.value,
        "code": code,
        "title": title,
        "unit": unit,
        "revision": 1,
        "status": "draft",
        "legal_basis": [],
        "history": [{"revision": 1, "description": "Ban hành lần đầu"}],
    }
    placeholder = "(cần bổ sung)"
    if kind is DocumentKind.PROCEDURE:
        base |= {
            "category": "system",
            "purpose": placeholder,
            "scope": placeholder,
            "references": [],
            "definitions": [],
            "steps": [{"no": 1, "action": placeholder, "responsible": placeholder}],
            "forms": [],
            "records": [],
        }
    elif kind is DocumentKind.POLICY:
        base |= {"statement": placeholder, "commitments": [placeholder], "posted_at": []}
    elif kind is DocumentKind.OBJECTIVES:
        base |= {
            "year": day.year,
            "period_start": dt.date(day.year, 1, 1),
            "period_end": dt.date(day.year, 12, 31),
            "objectives": [
                {
                    "id": "MT-01",
                    "statement": placeholder,
                    "indicator": placeholder,
                    "target": "100%",
                }
            ],
        }
    elif kind is DocumentKind.FORM:
        base |= {"procedure": procedure, "description": placeholder}
    return base


class ReadsThrough(Protocol):
    """What acts through a workflow: a facade that reads through a :class:`Reader`."""

    @property
    def reader(self) -> Reader:
        """Return the reader the facade reads through."""
        ...


@dataclass(frozen=True)
class _Edit:
    """What an action makes of a document: the new document and how to commit it."""

    action: str  # the action the commit records (review may be a "reject")
    new: Document
    message: str
    tag_message: str | None = None


class Workflow:
    """The lifecycle actions on the QMS repository at *root* (inside a git work tree)."""

    def __init__(
        self,
        root: Path,
        *,
        lock_wait: float = 10.0,
        cache: dict[str, Any] | None = None,
        repository: ReadsThrough | None = None,
    ) -> None:
        self.root = root
        self.lock_wait = lock_wait
        self._cache = cache
        # The facade acting through us: its reader is re-read under the lock instead of
        # opening a second one, and afterwards re-reads only the files we wrote.
        self._repository = repository
        #: Files written and committed by the last action (relative to the root).
        self.written: list[str] = []
        #: Whether the last action began writing files (even if it was then rolled back).
        self.began_writing = False

    # -- helpers -----------------------------------------------------------------------

    def _open(self) -> tuple[Reader, GitStore]:
        if self._repository is not None:
            repo = self._repository.reader
            repo.require_writable()
            repo.rescan()  # what other processes did before we held the lock
        else:
            repo = Reader(self.root, cache=self._cache)
        if repo.git_top is None:
            raise ActionRefused(
                _("{root} is not inside a git work tree: run 'git init' first").format(
                    root=self.root
                )
            )
        return repo, GitStore(repo.git_top)

    @contextlib.contextmanager
    def _held(self) -> Iterator[tuple[Reader, GitStore]]:
        """Hold the repository's lock, and read the repository again under it."""
        with action_lock(self._lock_path(), wait=self.lock_wait):
            yield self._open()

    def _change(
        self,
        code: str,
        *,
        by: str,
        now: dt.datetime,
        doing: str,
        statuses: tuple[Status, ...],
        edit: Callable[[Reader, QmsConfig, Document, str], _Edit],
    ) -> ActionResult:
        """Run the skeleton of every action on one document.

        Lock, re-read, check that *by* is a person and the document is in one of
        *statuses*, let *edit* check the rest and make the new document, write, commit.
        """
        with self._held() as (repo, store):
            document, file = self._load(repo, code)
            config = repo.config
            who = self._person(config, by)
            self._require(document, *statuses, doing=doing)
            change = edit(repo, config, document, file)
            return self._commit(
                repo,
                store,
                action=change.action,
                old=document,
                new=change.new,
                file=file,
                message=change.message,
                by=who,
                now=now,
                tag_message=change.tag_message,
            )

    def _person(self, config: QmsConfig, person_id: str) -> Identity:
        person = config.person(person_id)
        if person is None:
            known = ", ".join(p.id for p in config.people)
            raise ActionRefused(
                _("{person!r} is not a person of qms.yaml (known: {known})").format(
                    person=person_id, known=known
                )
            )
        return Identity(person.name, person.email)

    def _commit(
        self,
        repo: Reader,
        store: GitStore,
        *,
        action: str,
        old: Document | None,
        new: Document,
        file: str,
        message: str,
        by: Identity,
        now: dt.datetime,
        tag_message: str | None = None,
    ) -> ActionResult:
        tag = tag_name(new.code, new.revision) if tag_message is not None else None
        commit = self._commit_files(
            repo,
            store,
            action=action,
            files=[(old, new, file)],
            message=message,
            by=by,
            now=now,
            tag=(tag, tag_message) if tag and tag_message else None,
        )
        if commit is None:
            return ActionResult(action, new.code, new.revision, None, None, _("nothing to change"))
        return ActionResult(action, new.code, new.revision, commit, tag, message.splitlines()[0])

    def _commit_files(
        self,
        repo: Reader,
        store: GitStore,
        *,
        action: str,
        files: list[tuple[Any | None, Any, str]],
        message: str,
        by: Identity,
        now: dt.datetime,
        tag: tuple[str, str] | None = None,
    ) -> str | None:
        """Write each (old, new, file) and commit them all as one commit; None if unchanged."""
        paths = [self.root / file for _, _, file in files]
        assert repo.git_top is not None  # see _open
        rels = [path.relative_to(repo.git_top).as_posix() for path in paths]
        dirty = store.dirty(rels)
        if dirty:
            file = dict(zip(rels, (f for _, _, f in files), strict=True)).get(dirty[0], dirty[0])
            raise ActionRefused(
                _(
                    "{file} has uncommitted edits: commit them (git commit) or discard them "
                    "before this action"
                ).format(file=file),
                file=file,
            )
        writes: list[tuple[Path, str, bytes | None, bytes]] = []
        for (old, new, _file), path, rel in zip(files, paths, rels, strict=True):
            before = path.read_bytes() if path.exists() else None
            if old is None:
                text = yaml_store.dump_text(
                    _new_file_fields(new), header=schema_comment(new.kind, depth=1)
                )
            else:
                assert before is not None
                changes = _changed_fields(old, new)
                if not changes:
                    continue
                order = list(type(new).model_fields)
                order = [k for k in _LEADING if k in order] + [
                    k for k in order if k not in _LEADING
                ]
                text = yaml_store.update_text(before.decode("utf-8-sig"), changes, order=order)
            data = text.encode("utf-8")
            if data != before:
                writes.append((path, rel, before, data))
        if not writes:
            return None
        head = store.head()
        sign = tag is not None and repo.config.require_signed_approvals
        written: list[tuple[Path, str, bytes | None]] = []
        # The journal lets the next action finish or undo this one if we are killed.
        journal = store.git_dir() / LOCK_NAME
        record_intent(journal, _intent(store, head, writes, message, tag, by, now, sign))
        self.began_writing = True
        try:
            for path, rel, before, data in writes:
                written.append((path, rel, before))
                write_atomic(path, data)
            commit = store.commit([w[1] for w in writes], message, author=by, when=now, sign=sign)
            if tag is not None:
                store.tag(tag[0], commit, tag[1], tagger=by, when=now, sign=sign)
        except (GitError, OSError) as error:
            self._roll_back(store, written, head)
            record_intent(journal, None)
            raise GitError(
                _("{action} failed and was rolled back: {error}").format(action=action, error=error)
            ) from None
        record_intent(journal, None)
        self.written = [file for _, _, file in files]
        return commit

    @staticmethod
    def _roll_back(
        store: GitStore, written: list[tuple[Path, str, bytes | None]], head: str | None
    ) -> None:
        if head is not None and store.head() != head:
            store.reset_soft(head)
        for path, _rel, before in written:
            if before is None:
                path.unlink(missing_ok=True)
            else:
                write_atomic(path, before)
        store.unstage([rel for _, rel, _ in written])

    def _load(self, repo: Reader, code: str) -> tuple[Document, str]:
        if code not in repo:
            raise repo.not_found(code, _("no document {code!r}; see 'qms list'").format(code=code))
        return repo.document(code), repo.file_of(code)

    #: The verbs and statuses that refusals name, marked for the catalog.
    _WORDS = (
        N_("revise"), N_("submit"), N_("review"), N_("approve"), N_("withdraw"), N_("confirm"),
        N_("draft"), N_("in_review"), N_("approved"), N_("withdrawn"), N_("pending"),
    )  # fmt: skip

    @staticmethod
    def _require(document: Document, *statuses: Status, doing: str) -> None:
        if document.status not in statuses:
            wanted = _(" or ").join(_(s.value) for s in statuses)
            raise ActionRefused(
                _(
                    "cannot {doing} {code}: it is {status} (revision {revision}); only a "
                    "document that is {wanted} can be"
                ).format(
                    doing=_(doing),
                    code=document.code,
                    status=_(document.status.value),
                    revision=document.revision,
                    wanted=wanted,
                ),
                code=document.code,
            )

    @staticmethod
    def _check_signer(
        config: QmsConfig, document: Document, by: str, meaning: str, day: dt.date
    ) -> None:
        problem = lifecycle.signer_problem(config, document, by, meaning, day)
        if problem:
            raise ActionRefused(f"{document.code}: {problem}", code=document.code)

    @staticmethod
    def _check_valid(repo: Reader, file: str, code: str) -> None:
        errors = [f for f in validate_document(repo, code) if f.severity is Severity.ERROR]
        if errors:
            raise ActionRefused(
                _("{code} has {count} error(s); fix them first (qms validate): {first}").format(
                    code=code, count=len(errors), first=errors[0]
                ),
                code=code,
                file=file,
            )

    @staticmethod
    def _check_after(document: Document, now: dt.datetime) -> None:
        # Two officers acting at once: the one who waited for the lock may hold an earlier
        # time than the signature just made; signing before it would break the date order.
        latest = max(document.approvals, key=lambda s: s.signed_at, default=None)
        if latest is not None and now < latest.signed_at:
            raise ActionRefused(
                _(
                    "{code}: {now} is before the '{meaning}' signature of {name} ({signed}); "
                    "check the time and try again"
                ).format(
                    code=document.code,
                    now=f"{now:%d/%m/%Y %H:%M:%S}",
                    meaning=latest.meaning,
                    name=latest.name,
                    signed=f"{latest.signed_at:%d/%m/%Y %H:%M:%S}",
                ),
                code=document.code,
            )

    @staticmethod
    def _check_unchanged(document: Document) -> None:
        stamp = content_stamp(document)
        for signature in document.approvals:
            if signature.stamp != stamp:
                raise ActionRefused(
                    _(
                        "{code} changed after '{meaning}' was signed by {name}; return it to "
                        "draft (qms review --reject) first"
                    ).format(code=document.code, meaning=signature.meaning, name=signature.name),
                    code=document.code,
                )

    # -- actions -----------------------------------------------------------------------

    def new(
        self,
        kind: DocumentKind | str,
        code: str,
        *,
        title: str,
        by: str,
        now: dt.datetime,
        unit: str | None = None,
        procedure: str | None = None,
        prefill: dict[str, Any] | None = None,
    ) -> ActionResult:
        """Create a new draft of *kind* with *code* from the kind's template.

        A form names the *procedure* that uses it; *prefill* replaces fields of the template.
        """
        kind = DocumentKind(kind)
        code = canonical_code(code)
        if kind is DocumentKind.LEGAL:
            raise ActionRefused(_("legal documents are not drafted here: add them to legal/"))
        if kind is DocumentKind.FORM and not procedure:
            raise ActionRefused(_("a new form needs the procedure that uses it (--procedure)"))
        problem = check_code(code)
        if problem:
            raise ActionRefused(str(problem), code=code)
        with self._held() as (repo, store):
            config = repo.config
            who = self._person(config, by)
            if code in repo:
                taken = repo.document(code).code
                raise ActionRefused(
                    _("a document with code {code!r} already exists").format(code=taken),
                    code=code,
                )  # fmt: skip
            file = f"{kind.folder}/{code}.yaml"
            if (self.root / kind.folder).is_symlink():
                raise ActionRefused(
                    _(
                        "{folder}/ is a symbolic link: documents are written only inside the "
                        "repository"
                    ).format(folder=kind.folder),
                    file=kind.folder,
                )
            if (self.root / file).exists() or (self.root / file).is_symlink():
                raise ActionRefused(
                    _("{file} already exists").format(file=file), file=file, code=code
                )
            person = config.person(by)
            assert person is not None
            if procedure is not None:
                if procedure not in repo:
                    raise ActionRefused(
                        _("no procedure {code!r}").format(code=procedure), code=procedure
                    )
                procedure = repo.document(procedure).code  # as the procedure spells it
            if unit is not None and config.unit(unit) is None:
                raise ActionRefused(_("no unit {unit!r} in qms.yaml").format(unit=unit))
            data = _template(kind, code, title, unit or person.unit, now.date(), procedure)
            data |= prefill or {}
            model: Any = MODELS[kind]
            document = model.model_validate(data)
            self._check_signer(config, document, by, "authored", now.date())
            message = _message(config, "new", document, "")
            return self._commit(
                repo,
                store,
                action="new",
                old=None,
                new=document,
                file=file,
                message=message,
                by=who,
                now=now,
            )

    def revise(self, code: str, *, reason: str, by: str, now: dt.datetime) -> ActionResult:
        """Open a new draft revision of an issued document (revision + 1)."""
        if not reason.strip():
            raise ActionRefused(_("a revision needs a reason (--reason)"))

        def edit(repo: Reader, config: QmsConfig, document: Document, file: str) -> _Edit:
            self._check_signer(
                config, document.model_copy(update={"approvals": []}), by, "authored", now.date()
            )
            new = lifecycle.next_revision(document, reason)
            new = type(document).model_validate(new.model_dump())
            return _Edit("revise", new, _message(config, "revise", new, reason, reason=reason))

        return self._change(
            code, by=by, now=now, doing="revise", statuses=(Status.APPROVED,), edit=edit
        )

    def submit(self, code: str, *, by: str, now: dt.datetime) -> ActionResult:
        """Submit a draft for review; the submitter signs as its author (Soạn thảo)."""

        def edit(repo: Reader, config: QmsConfig, document: Document, file: str) -> _Edit:
            self._check_valid(repo, file, document.code)
            self._check_signer(config, document, by, "authored", now.date())
            signature = lifecycle.signature_for(config, document, by, "authored", now)
            new = document.model_copy(update={"status": Status.IN_REVIEW, "approvals": [signature]})
            message = _message(config, "submit", new, "", person=by, stamp=signature.stamp)
            return _Edit("submit", new, message)

        return self._change(
            code, by=by, now=now, doing="submit", statuses=(Status.DRAFT,), edit=edit
        )

    def review(
        self,
        code: str,
        *,
        by: str,
        now: dt.datetime,
        reject: bool = False,
        comment: str | None = None,
    ) -> ActionResult:
        """Review a submitted draft: accept it for approval (Xem xét) or return it to draft."""
        if reject and not (comment or "").strip():
            raise ActionRefused(_("a rejection needs a comment (--comment) saying what to change"))

        def edit(repo: Reader, config: QmsConfig, document: Document, file: str) -> _Edit:
            self._check_signer(config, document, by, "reviewed", now.date())
            self._check_after(document, now)
            if reject:
                new = document.model_copy(update={"status": Status.DRAFT, "approvals": []})
                message = _message(config, "reject", new, comment or "", person=by, comment=comment)
                return _Edit("reject", new, message)
            self._check_unchanged(document)
            signature = lifecycle.signature_for(config, document, by, "reviewed", now)
            new = document.model_copy(update={"approvals": [*document.approvals, signature]})
            message = _message(
                config, "review", new, comment or "", person=by, stamp=signature.stamp
            )
            return _Edit("review", new, message)

        return self._change(
            code, by=by, now=now, doing="review", statuses=(Status.IN_REVIEW,), edit=edit
        )

    def approve(
        self,
        code: str,
        *,
        by: str,
        now: dt.datetime,
        effective: dt.date | None = None,
    ) -> ActionResult:
        """Approve and issue a reviewed revision (ban hành); tag it as issued.

        *effective* defaults to the day of approval; a later day leaves the previous
        revision in force until then.
        """
        day = now.date()
        if effective is not None and effective < day:
            raise ActionRefused(
                _(
                    "the effective date {effective} is before the approval ({day}); a "
                    "revision cannot take effect in the past"
                ).format(effective=f"{effective:%d/%m/%Y}", day=f"{day:%d/%m/%Y}")
            )

        def edit(repo: Reader, config: QmsConfig, document: Document, file: str) -> _Edit:
            if not any(s.meaning == "reviewed" for s in document.approvals):
                raise ActionRefused(
                    _("{code} has not been reviewed yet (qms review {code})").format(
                        code=document.code
                    ),
                    code=document.code,
                )
            self._check_unchanged(document)
            self._check_signer(config, document, by, "approved", day)
            self._check_after(document, now)
            signature = lifecycle.signature_for(config, document, by, "approved", now)
            history = [
                h.model_copy(update={"date": day})
                if h.revision == document.revision and h.date is None
                else h
                for h in document.history
            ]
            new = document.model_copy(
                update={
                    "status": Status.APPROVED,
                    "issued_date": day,
                    "effective_date": effective or day,
                    "approvals": [*document.approvals, signature],
                    "history": history,
                }
            )
            new = type(document).model_validate(new.model_dump())
            trailers = dict(
                person=by, stamp=signature.stamp, effective=(effective or day).isoformat()
            )
            message = _message(config, "approve", new, "", **trailers)
            assert repo.git_top is not None
            tag_message = (
                f"{new.code} lần ban hành {new.revision}: {new.title}\n\n"
                + "\n".join(
                    [
                        f"QMS-Document: {new.code}",
                        f"QMS-Revision: {new.revision}",
                        f"QMS-Stamp: {signature.stamp}",
                        f"QMS-Effective: {(effective or day).isoformat()}",
                        f"QMS-Person: {by}",
                        f"QMS-File: {(self.root / file).relative_to(repo.git_top).as_posix()}",
                    ]
                )
                + "\n"
            )
            return _Edit("approve", new, message, tag_message)

        return self._change(
            code, by=by, now=now, doing="approve", statuses=(Status.IN_REVIEW,), edit=edit
        )

    def withdraw(
        self,
        code: str,
        *,
        reason: str,
        by: str,
        now: dt.datetime,
        replaced_by: str | None = None,
    ) -> ActionResult:
        """Withdraw an issued document (hủy bỏ), optionally naming the one that replaces it."""
        if not reason.strip():
            raise ActionRefused(_("a withdrawal needs a reason (--reason)"))

        def edit(repo: Reader, config: QmsConfig, document: Document, file: str) -> _Edit:
            if replaced_by is not None and replaced_by not in repo:
                raise ActionRefused(
                    _("no document {code!r} to name as the replacement").format(code=replaced_by)
                )
            check = document.model_copy(update={"approvals": []})
            self._check_signer(config, check, by, "approved", now.date())
            new = document.model_copy(
                update={
                    "status": Status.WITHDRAWN,
                    "withdrawal": Withdrawal(
                        date=now.date(),
                        reason=reason,
                        replaced_by=repo.document(replaced_by).code if replaced_by else None,
                    ),
                }
            )
            message = _message(
                config, "withdraw", new, reason, person=by, reason=reason, replaced_by=replaced_by
            )
            return _Edit("withdraw", new, message)

        return self._change(
            code, by=by, now=now, doing="withdraw", statuses=(Status.APPROVED,), edit=edit
        )

    def confirm(self, code: str, *, reason: str, by: str, now: dt.datetime) -> ActionResult:
        """Record a periodic review that concluded "still suitable, no change"."""
        if not reason.strip():
            raise ActionRefused(_("a periodic review needs a reason (--reason)"))

        def edit(repo: Reader, config: QmsConfig, document: Document, file: str) -> _Edit:
            check = document.model_copy(update={"approvals": []})
            problems = [
                lifecycle.signer_problem(config, check, by, meaning, now.date())
                for meaning in lifecycle.MEANINGS
            ]
            if all(problems):
                raise ActionRefused(f"{document.code}: {problems[0]}", code=document.code)
            review = PeriodicReview(date=now.date(), person=by, reason=reason)
            new = document.model_copy(
                update={"periodic_reviews": [*document.periodic_reviews, review]}
            )
            message = _message(config, "confirm", new, reason, person=by, reason=reason)
            return _Edit("confirm", new, message)

        return self._change(
            code, by=by, now=now, doing="confirm", statuses=(Status.APPROVED,), edit=edit
        )

    def recover(self) -> str | None:
        """Finish or undo an action that a killed process left half-way; say what was done.

        Every action does this first by itself; this runs it alone (None: nothing to do).
        """
        with action_lock(self._lock_path(), wait=self.lock_wait) as held:
            return held.recovered

    def _lock_path(self) -> Path:
        from qmsdocs.store.git import git_state

        top = git_state(self.root).top
        if top is None:
            raise ActionRefused(
                _("{root} is not inside a git work tree: run 'git init' first").format(
                    root=self.root
                )
            )
        store = GitStore(top)
        try:
            return store.git_dir() / LOCK_NAME
        finally:
            store.close()


def _changed_fields(old: Document, new: Document) -> dict[str, Any]:
    before = old.model_dump(mode="python", by_alias=True, exclude_none=True)
    after = new.model_dump(mode="python", by_alias=True, exclude_none=True)
    changes: dict[str, Any] = {}
    for key in [*after, *(k for k in before if k not in after)]:
        if before.get(key) != after.get(key):
            changes[key] = after.get(key)
    return changes


_LEADING = ("schema_version", "kind", "code", "title", "unit", "revision", "status")


def _new_file_fields(document: Document) -> dict[str, Any]:
    """Return the fields of a new file: header first, then content; no empty lists."""
    data = document.model_dump(mode="python", by_alias=True, exclude_none=True)
    leading = _LEADING if "code" in data else ()  # a legal document keeps its model's order
    ordered = {k: data[k] for k in leading if k in data}
    ordered |= {k: v for k, v in data.items() if k not in ordered and v != []}
    return ordered


def _intent(
    store: GitStore,
    head: str | None,
    writes: list[tuple[Path, str, bytes | None, bytes]],
    message: str,
    tag: tuple[str, str] | None,
    by: Identity,
    now: dt.datetime,
    sign: bool,
) -> dict[str, Any]:
    """Return the journal of a commit about to be made: enough to finish or undo it."""
    return {
        "top": str(store.top),
        "head": head,
        "files": [rel for _, rel, _, _ in writes],
        "trailers": parse_trailers(message),
        "tag": None
        if tag is None
        else {
            "name": tag[0],
            "message": tag[1],
            "tagger": by.name,
            "email": by.email,
            "when": now.isoformat(),
            "sign": sign,
        },
    }
