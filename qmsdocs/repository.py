"""The facade: open a QMS repository, read its documents, validate it, act on it.

A QMS repository is a folder holding ``qms.yaml`` and one folder per kind of document
(procedures/, policies/, objectives/, forms/, legal/), usually the top of a git work tree.

The facade ties the layers together and holds no logic of its own: reading and its caches
are :class:`qmsdocs.read.reader.Reader`; validation runs in :mod:`qmsdocs.validation_run`,
legal impact in :mod:`qmsdocs.impact_run`, lists and histories in :mod:`qmsdocs.listing`;
the lifecycle actions in :mod:`qmsdocs.workflow` and :mod:`qmsdocs.legal_actions`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from pydantic import ValidationError

from qmsdocs import impact_run, listing, validation_run
from qmsdocs.errors import (
    ActionRefused,
    DocumentNotFound,
    GitError,
    InvalidDocument,
    RepositoryNotFound,
)
from qmsdocs.findings import Finding, field_name
from qmsdocs.history import Action, IssuedRevision, RevisionHistory
from qmsdocs.i18n import _, ngettext
from qmsdocs.impact import Citation, ImpactedDocument
from qmsdocs.legal import LegalRegistry
from qmsdocs.legal_import import LegalBatch
from qmsdocs.lifecycle import DocumentState
from qmsdocs.listing import DocumentSummary, DueReview, RevisionRecord, WorkingRevision
from qmsdocs.model import Document, LegalDocument, QmsConfig, Relation, RelationType
from qmsdocs.read.files import CONFIG_FILE, find_root
from qmsdocs.read.reader import Reader
from qmsdocs.read.sources import CommitTree, Source

if TYPE_CHECKING:
    from qmsdocs.desk import WaitingItem
    from qmsdocs.framework.actions import FrameworkUpdate
    from qmsdocs.framework.follow import FetchedFramework
    from qmsdocs.framework.status import FrameworkStatus
    from qmsdocs.model.announcement import Announcement
    from qmsdocs.tthc.rows import TthcBatch
    from qmsdocs.tthc.scope import Scope
    from qmsdocs.tthc.tasks import TthcTask
    from qmsdocs.tthc_run import InForce
    from qmsdocs.workflow import ActionResult

__all__ = [
    "CONFIG_FILE",
    "DocumentSummary",
    "DueReview",
    "Repository",
    "RevisionRecord",
    "WorkingRevision",
    "find_root",
]


class Repository:
    """A QMS repository opened from disk: its configuration, documents and legal registry.

    Open one with :meth:`Repository.open`. Reading never raises for bad content: files that
    cannot be read are left out and reported by :meth:`validate`. Documents are parsed when
    first used; what was read is kept in ``<git dir>/qms-cache/`` (see
    :mod:`qmsdocs.store.cache`) so that an unchanged file is not parsed again by the next
    process, and an unchanged repository is not validated again.
    """

    def __init__(
        self,
        root: Path,
        *,
        _cache: dict[str, Any] | None = None,
        _source: Source | None = None,
        jobs: int | None = None,
    ) -> None:
        self._reader = Reader(root, cache=_cache, source=_source, jobs=jobs)
        self.root = self._reader.root

    @classmethod
    def open(cls, path: str | Path = ".", *, jobs: int | None = None) -> Repository:
        """Open the QMS repository at *path* or the nearest folder above it holding qms.yaml.

        Files no cache knows are read on every core when there are many (*jobs*: how many
        processes; None as many as cores, 1 this process only, see :mod:`qmsdocs.read.pool`).
        Raise :class:`RepositoryNotFound` when there is none.
        """
        return cls(find_root(Path(path)), jobs=jobs)

    @classmethod
    def at(
        cls,
        git_dir: str | os.PathLike[str],
        rev: str = "HEAD",
        *,
        cache_dir: str | os.PathLike[str] | None = None,
        jobs: int | None = None,
    ) -> Repository:
        """Open the QMS held by commit *rev* of the git repository at *git_dir*, read-only.

        *git_dir* is any git repository: a bare mirror, a clone's ``.git`` folder or its
        work tree; nothing is checked out and no file is written outside *cache_dir*. The
        snapshot answers every read (documents, :meth:`validate`, :meth:`impact`,
        :meth:`summaries`, the history up to that commit, :func:`qmsdocs.verify`); every
        action raises :class:`ReadOnlyRepository`. Files are keyed by their object id: with
        *cache_dir*, what was read is kept there, by tree, for any repository that shares
        it. *jobs* as for :meth:`open` (1: no worker process, inside a worker of one's own).
        Raise :class:`RepositoryNotFound` when *git_dir* is no git repository, *rev*
        names no commit, or the commit holds no ``qms.yaml`` at its top.
        """
        where = Path(git_dir)
        try:
            source = CommitTree(where, rev, Path(cache_dir) if cache_dir is not None else None)
        except GitError as error:
            raise RepositoryNotFound(
                _("cannot read {rev} of {git_dir}: {problem}").format(
                    rev=rev, git_dir=where, problem=error
                )
            ) from None
        if not source.has_config():
            raise RepositoryNotFound(
                _("no {CONFIG_FILE} at the top of {rev} in {git_dir}: not a QMS repository").format(
                    CONFIG_FILE=CONFIG_FILE, rev=rev, git_dir=where
                )
            )
        return cls(source.root, _source=source, jobs=jobs)

    @property
    def read_only(self) -> bool:
        """Return whether this is a snapshot of a commit (:meth:`at`), on which nothing acts."""
        return self._reader.read_only

    @property
    def commit(self) -> str | None:
        """Return the commit a snapshot reads (its full id), or None for a work tree."""
        return self._reader.commit

    @property
    def reader(self) -> Reader:
        """Return what this repository reads through (files, caches, history)."""
        return self._reader

    def clear_cache(self) -> None:
        """Forget everything read before, in memory and on disk: the next reads start cold."""
        self._reader.clear_cache()

    def _reload(self) -> None:
        self._reader.reload()

    def _rescan(self) -> None:
        self._reader.rescan()

    # -- reading -------------------------------------------------------------------------

    @property
    def config(self) -> QmsConfig:
        """Return the configuration of qms.yaml; raise :class:`ConfigError` if it is invalid."""
        return self._reader.config

    @property
    def legal(self) -> LegalRegistry:
        """Return the legal registry (legal/), built on first use."""
        return self._reader.legal

    @property
    def load_findings(self) -> list[Finding]:
        """Return the findings of reading the files: what could not be loaded, and why."""
        return self._reader.load_findings

    @property
    def git_top(self) -> Path | None:
        """Return the top of the git work tree holding the repository, or None."""
        return self._reader.git_top

    @property
    def in_git(self) -> bool:
        """Return whether the repository sits inside a git work tree."""
        return self._reader.in_git

    def __iter__(self) -> Iterator[Document]:
        """Iterate over the controlled documents, sorted by code."""
        return iter(self._reader)

    def __len__(self) -> int:
        return len(self._reader)

    def __contains__(self, code: object) -> bool:
        return code in self._reader

    def document(self, code: str) -> Document:
        """Return the document with *code* (ignoring case); raise :class:`DocumentNotFound`."""
        return self._reader.document(code)

    def not_found(self, code: str, message: str | None = None) -> DocumentNotFound:
        """Return the error for a *code* that names no readable document.

        When a file named after *code* exists but cannot be read (a YAML syntax error, a
        schema error), the error names that file, its line and the problem, as ``validate``
        does, rather than saying there is no such document.
        """
        return self._reader.not_found(code, message)

    def legal_document(self, ref: str) -> LegalDocument:
        """Return the legal document with this number or file code; raise DocumentNotFound."""
        return self._reader.legal_document(ref)

    def file_of(self, code: str) -> str:
        """Return the file of the document or legal document *code*, relative to the root."""
        return self._reader.file_of(code)

    def summaries(
        self,
        *,
        on: dt.date,
        kinds: Sequence[str] = (),
        statuses: Sequence[str] = (),
    ) -> list[DocumentSummary]:
        """Return the document list as of *on*, optionally only some kinds or statuses."""
        return listing.summaries(self._reader, on=on, kinds=kinds, statuses=statuses)

    def waiting_for(self, person: str, *, on: dt.date, within_days: int = 30) -> list[WaitingItem]:
        """Return what waits for *person* on *on*: drafts, signatures, reviews due.

        See :func:`qmsdocs.desk.waiting_for`.
        """
        from qmsdocs.desk import waiting_for

        return waiting_for(self, person, on=on, within_days=within_days)

    def due(self, *, on: dt.date, within_days: int = 0) -> list[DueReview]:
        """Return issued documents whose periodic review is due by *on* + *within_days*."""
        return listing.due(self._reader, on=on, within_days=within_days)

    # -- legal change --------------------------------------------------------------------

    def citations(self, code: str) -> list[Citation]:
        """Return the legal citations of *code*: its legal basis, then numbers in its text."""
        return impact_run.citations(self._reader, code)

    def impact(self, *, on: dt.date, legal: str | None = None) -> list[ImpactedDocument]:
        """Return the documents a legal change makes suspect on *on*, with the reasons.

        A document is suspect when a legal document it cites was amended, replaced,
        repealed or expired by a change its revision in force has not taken into account
        (see :mod:`qmsdocs.impact`). Changes not yet in force on *on* are reported as
        upcoming. With *legal* (a number or file code), only that legal document's changes.
        The last report is kept in the persistent cache and read back while no file, commit
        or revision tag has changed.
        """
        from qmsdocs import tthc_run

        report = impact_run.impact(self._reader, on=on, legal=legal)
        if legal is None and self.config.frameworks:
            from qmsdocs.framework.impact import with_framework

            report = with_framework(self, report, on=on)
        return tthc_run.with_deadlines(self.config, report)

    # -- validation ----------------------------------------------------------------------

    def validate(self) -> list[Finding]:
        """Return every finding: unreadable files, schema violations, broken references …

        Never raises for bad content. Findings are sorted by file and line. The result is
        kept in the persistent cache: an unchanged repository is not checked again.
        """
        from qmsdocs import tthc_run
        from qmsdocs.framework.checks import framework_findings
        from qmsdocs.read.files import finding_order

        found = validation_run.validate(self._reader) + tthc_run.findings(self._reader)
        found += framework_findings(self._reader)
        return sorted(found, key=finding_order)

    def validate_document(self, code: str) -> list[Finding]:
        """Return the findings of one controlled document's file, reading only what it names.

        The findings :meth:`validate` gives for that file, without checking the others.
        Raise :class:`DocumentNotFound` when there is no readable document *code*.
        """
        return validation_run.validate_document(self._reader, code)

    # -- history -------------------------------------------------------------------------

    @property
    def history_store(self) -> RevisionHistory:
        """Return the repository's git history (issued revisions, actions), read lazily.

        Raise :class:`ActionRefused` when the repository is not inside a git work tree.
        """
        return self._reader.history_store

    def revisions(self, code: str) -> list[IssuedRevision]:
        """Return the issued revisions of *code*, oldest first (empty outside git)."""
        return self._reader.revisions(code)

    def revision(self, code: str, revision: int) -> Document:
        """Return issued *revision* of *code*, exactly as it was tagged."""
        return self._reader.revision(code, revision)

    def in_force(self, code: str, day: dt.date) -> Document | None:
        """Return the revision of *code* in force on *day*, or None if none was.

        A document withdrawn, or superseded by another one, on or before *day* has none.
        """
        return self._reader.in_force(code, day)

    def state_on(
        self,
        code: str,
        day: dt.date,
        *,
        superseded_map: dict[str, tuple[str, dt.date | None]] | None = None,
    ) -> tuple[DocumentState, int]:
        """Return the state of *code* on *day* and the revision that state is about."""
        return self._reader.state_on(code, day, superseded_map=superseded_map)

    def revision_history(self, code: str) -> list[RevisionRecord]:
        """Return every issued revision of *code* with its dates, signers and reason.

        What each revision says of itself is kept in the persistent cache by git object id,
        so a revision's file is parsed once, ever.
        """
        return listing.revision_history(self._reader, code)

    def actions(
        self, *, since: dt.date | None = None, until: dt.date | None = None, code: str | None = None
    ) -> list[Action]:
        """Return the lifecycle actions (oldest first), optionally in a period or on a code."""
        actions = self.history_store.actions_of(code) if code else self.history_store.actions()
        return [
            a
            for a in actions
            if (since is None or a.when.date() >= since)
            and (until is None or a.when.date() <= until)
        ]

    # -- lifecycle actions ---------------------------------------------------------------
    # Each is one commit or none, made as the person *by* (an id of qms.yaml) at *now*
    # (a timezone-aware datetime); the repository is re-read afterwards. See
    # :class:`qmsdocs.workflow.Workflow` for the rules.

    def _act(self, action: str, *args: Any, **kwargs: Any) -> ActionResult:
        return cast("ActionResult", self._act_any(action, *args, **kwargs))

    def _act_any(self, action: str, *args: Any, **kwargs: Any) -> Any:
        from qmsdocs.framework.actions import FrameworkWorkflow

        self._reader.require_writable()
        # The workflow re-reads this repository under the lock; afterwards only the files
        # it wrote are read again, so an action does not cost two reads of every file.
        workflow = FrameworkWorkflow(self.root, cache=self._reader.cache, repository=self)
        if isinstance(kwargs.get("now"), dt.datetime):
            # Signatures and commits carry the agency's time, whatever the machine's zone:
            # the day a role is held and a signature's date are the agency's day.
            kwargs["now"] = self.config.local(kwargs["now"])
        try:
            result = getattr(workflow, action)(*args, **kwargs)
        except ValidationError as error:
            # a value given to the action (a title, a reason …) that no document may hold
            item = error.errors(include_url=False)[0]
            field = field_name(item["loc"])
            message = item["msg"].removeprefix("Value error, ")
            raise ActionRefused(f"{field}: {message}" if field else message) from None
        except BaseException:
            if workflow.began_writing:  # rolled back, or killed half-way: read it all again
                self._reload()
            raise
        self._reader.refresh(workflow.written)
        return result

    def new(
        self,
        kind: str,
        code: str,
        *,
        title: str,
        by: str,
        now: dt.datetime,
        unit: str | None = None,
        procedure: str | None = None,
    ) -> ActionResult:
        """Create a new draft of *kind* (procedure, policy, objectives, form) from a template.

        A form names the *procedure* that uses it.
        """
        return self._act(
            "new", kind, code, title=title, by=by, now=now, unit=unit, procedure=procedure
        )

    def revise(self, code: str, *, reason: str, by: str, now: dt.datetime) -> ActionResult:
        """Open a draft of the next revision of an issued document."""
        return self._act("revise", code, reason=reason, by=by, now=now)

    def submit(self, code: str, *, by: str, now: dt.datetime) -> ActionResult:
        """Submit a draft for review, signing it as its author."""
        return self._act("submit", code, by=by, now=now)

    def review(
        self,
        code: str,
        *,
        by: str,
        now: dt.datetime,
        reject: bool = False,
        comment: str | None = None,
    ) -> ActionResult:
        """Accept a submitted draft for approval, or reject it back to draft with a comment."""
        return self._act("review", code, by=by, now=now, reject=reject, comment=comment)

    def approve(
        self, code: str, *, by: str, now: dt.datetime, effective: dt.date | None = None
    ) -> ActionResult:
        """Approve and issue a reviewed revision, effective on *effective* (default: now)."""
        return self._act("approve", code, by=by, now=now, effective=effective)

    def withdraw(
        self, code: str, *, reason: str, by: str, now: dt.datetime, replaced_by: str | None = None
    ) -> ActionResult:
        """Withdraw an issued document, optionally naming its replacement."""
        return self._act("withdraw", code, reason=reason, by=by, now=now, replaced_by=replaced_by)

    def confirm(self, code: str, *, reason: str, by: str, now: dt.datetime) -> ActionResult:
        """Record a periodic review that found the document still suitable (no new revision)."""
        return self._act("confirm", code, reason=reason, by=by, now=now)

    def recover(self) -> str | None:
        """Finish or undo an action whose process was killed; return what was done, or None."""
        from qmsdocs.workflow import Workflow

        self._reader.require_writable()
        try:
            return Workflow(self.root, cache=self._reader.cache).recover()
        finally:
            self._reload()

    # -- legal registry and legal change -------------------------------------------------

    def legal_add(self, document: LegalDocument, *, by: str, now: dt.datetime) -> ActionResult:
        """Register a legal document in legal/ (one commit)."""
        return self._act("legal_add", document, by=by, now=now)

    def legal_relate(
        self,
        number: str,
        relation: RelationType | str,
        target: str,
        *,
        by: str,
        now: dt.datetime,
        articles: Sequence[str] = (),
        effective: dt.date | None = None,
        note: str | None = None,
    ) -> ActionResult:
        """Declare that legal document *number* amends, replaces, repeals … *target*.

        *articles* limits a repeal or amendment to the named articles ("Điều 5");
        *effective* defaults to the day *number* takes effect.
        """
        declared = Relation(
            type=RelationType(relation),
            target=target,
            articles=list(articles),
            effective=effective,
            note=note,
        )
        return self._act("legal_relate", number, declared, by=by, now=now)

    def legal_import(
        self, batch: LegalBatch, *, source: str, by: str, now: dt.datetime
    ) -> ActionResult:
        """Register a batch read by :func:`qmsdocs.read_legal_batch` as one commit.

        Raise :class:`InvalidDocument` (naming the first bad row) when the batch has
        findings: nothing is imported unless every row is good.
        """
        if not batch.ok:
            first = batch.findings[0]
            raise InvalidDocument(
                ngettext(
                    "{count} bad row, nothing imported: {problem}",
                    "{count} bad rows, nothing imported; first: {problem}",
                    len(batch.findings),
                ).format(count=len(batch.findings), problem=first.text),
                file=first.file,
                line=first.line,
                field=first.field,
            )
        return self._act(
            "legal_import", batch.documents, batch.relations, source=source, by=by, now=now
        )

    def revise_for_legal(
        self,
        number: str,
        codes: Sequence[str] = (),
        *,
        by: str,
        now: dt.datetime,
        reason: str | None = None,
    ) -> list[ActionResult]:
        """Open in one commit the revision drafts that legal change *number* requires.

        Without *codes*, every document it makes suspect (see :meth:`impact`). Each draft
        gets the reason (default "Cập nhật theo Nghị định số …"), a started change-history
        entry, and legal-basis citations moved from a replaced document to its replacement.
        """
        return cast(
            "list[ActionResult]",
            self._act_any("revise_for_legal", number, list(codes), by=by, now=now, reason=reason),
        )

    # -- administrative procedures (TTHC) --------------------------------------------------

    def tthc_tasks(self, *, on: dt.date, decision: str | None = None) -> list[TthcTask]:
        """Return the procedures the TTHC announcement decisions ask to create, revise or
        withdraw by *on*, each with its deadline, most urgent first (:mod:`qmsdocs.tthc`)."""
        from qmsdocs import tthc_run

        return tthc_run.tasks(self._reader, on=on, decision=decision)

    def tthc_in_force(self, *, on: dt.date) -> list[InForce]:
        """Return the TTHC in force for the agency on *on*, each with its procedure."""
        from qmsdocs import tthc_run

        return tthc_run.in_force(self._reader, on=on)

    def tthc_import(
        self, number: str, batch: TthcBatch, *, source: str, by: str, now: dt.datetime
    ) -> ActionResult:
        """Add the TTHC of a batch read by :func:`qmsdocs.tthc.rows.read_tthc_batch` to the
        decision *number* of the registry, as one commit (nothing when a row is bad)."""
        if not batch.ok:
            first = batch.findings[0]
            raise InvalidDocument(first.text, file=first.file, line=first.line, field=first.field)
        return self._act("tthc_import", number, batch.entries, source=source, by=by, now=now)

    def new_for_tthc(
        self,
        code: str,
        tthc: str,
        *,
        by: str,
        now: dt.datetime,
        title: str | None = None,
        unit: str | None = None,
    ) -> ActionResult:
        """Create a draft procedure for TTHC *tthc*: name, code, field and agency prefilled."""
        return self._act("new_for_tthc", code, tthc, by=by, now=now, title=title, unit=unit)

    def revise_for_tthc(
        self, decision: str, *, by: str, now: dt.datetime, reason: str | None = None
    ) -> list[ActionResult]:
        """Open in one commit the revisions of the procedures whose TTHC *decision* amends
        or replaces (see :meth:`tthc_tasks`), as :meth:`revise_for_legal` does."""
        codes = [
            t.procedure
            for t in self.tthc_tasks(on=now.date(), decision=decision)
            if t.action == "revise" and t.procedure is not None
        ]
        if not codes:
            raise ActionRefused(
                _("decision {number} asks no procedure to be revised").format(number=decision)
            )
        return self.revise_for_legal(decision, codes, by=by, now=now, reason=reason)

    def scope(self) -> Scope:
        """Return the QMS scope: the TTHC implemented by procedures in force, and the
        system processes (:mod:`qmsdocs.tthc.scope`)."""
        from qmsdocs import tthc_run

        return tthc_run.scope(self._reader)

    def announcements(self) -> list[tuple[str, Announcement]]:
        """Return the announcements of the QMS (file, announcement), oldest first."""
        from qmsdocs import tthc_run

        return tthc_run.announcements(self._reader)

    def announce(self, *, by: str, now: dt.datetime, place: str | None = None) -> ActionResult:
        """Record the head's announcement of the QMS with the scope in force: one commit
        and a tag of its own (nothing when the scope is the last announcement's)."""
        return self._act("announce", by=by, now=now, place=place)

    # -- framework model (DESIGN §11) -------------------------------------------------------

    def framework_add(
        self,
        name: str,
        url: str,
        *,
        release: str | None = None,
        parameters: dict[str, str | int] | None = None,
        by: str,
        now: dt.datetime,
    ) -> ActionResult:
        """Follow the framework at *url* under *name* (one commit of qms.yaml).

        Its releases are fetched first (:meth:`framework_fetch`); *release* (a tag, default
        the newest) is the one the agency follows; *parameters* are the agency's values of
        the framework's parameters. Nothing is written when *url* cannot be reached, has no
        such release, or is not a framework.
        """
        return self._act(
            "framework_add", name, url, release=release, parameters=parameters, by=by, now=now
        )

    def framework_fetch(self, name: str | None = None) -> list[FetchedFramework]:
        """Fetch the releases of every followed framework (or of *name*) into this git.

        They are kept under ``refs/qms-framework/<name>/tags/`` and read back with
        :meth:`Repository.at`; no commit is made. See :mod:`qmsdocs.framework.follow`.
        """
        from qmsdocs.framework.follow import fetch_followed

        self._reader.require_writable()
        return fetch_followed(self, name)

    def adopt(
        self,
        framework: str,
        codes: Sequence[str] = (),
        *,
        by: str,
        now: dt.datetime,
        code: str | None = None,
        every: bool = False,
    ) -> list[ActionResult]:
        """Create derived drafts of model documents of *framework*, in one commit.

        Each is rendered with the agency's parameter values and carries ``derived_from``;
        *code* gives the one model its local code; *every* adopts each issued model not
        adopted yet. The framework's shared legal registry comes along.
        """
        return cast(
            "list[ActionResult]",
            self._act_any(
                "adopt", framework, list(codes), by=by, now=now, local_code=code, every=every
            ),
        )

    def framework_update(
        self, name: str | None = None, *, to: str | None = None, by: str, now: dt.datetime
    ) -> FrameworkUpdate:
        """Take release *to* (default: the newest fetched) of framework *name*, in one commit.

        See :meth:`qmsdocs.framework.actions.FrameworkWorkflow.framework_update`.
        """
        return cast(
            "FrameworkUpdate", self._act_any("framework_update", name, to=to, by=by, now=now)
        )

    def framework_status(self, name: str | None = None) -> list[FrameworkStatus]:
        """Return, per followed framework (or *name*), how this agency stands against it."""
        from qmsdocs.framework.status import framework_status

        return framework_status(self, name)
