"""Verification of a repository's integrity: what was issued is still what was approved.

``verify`` recomputes every content stamp and compares it with the tags, the signatures and
the approval commits (and what their trailers say: stamp, effective date, approver, file);
checks that every approval held the separation and role rules on the day it was signed, by
qms.yaml as it is and as it was at the approval; finds issued content changed outside the
workflow (by hand, by rewritten history, or edited and not committed) and objects git would
show in place of others (``git replace``); and, where qms.yaml requires it, checks git
signatures against the signers' registered keys. It returns findings; it never raises for
what it finds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from qmsdocs import lifecycle, tthc_run
from qmsdocs.errors import InvalidDocument, QmsError
from qmsdocs.findings import Finding, Severity
from qmsdocs.history import TAG_PREFIX, Action, IssuedRevision, load_revision
from qmsdocs.i18n import N_, S_, Said
from qmsdocs.model import Document, DocumentKind, QmsConfig, Signature, Status
from qmsdocs.model.codes import code_key
from qmsdocs.stamp import content_stamp as _content_stamp
from qmsdocs.store import yaml as yaml_store

if TYPE_CHECKING:
    from qmsdocs.repository import Repository

__all__ = ["verify"]


def _finding(file: str, check: str, message: Said, code: str | None = None) -> Finding:
    return Finding.of(file, check, message, code=code)


def _meaning(meaning: str) -> Said:
    return Said(lifecycle.MEANING_WORDS.get(meaning, meaning))


#: The stamps verify computed, by document, while it runs (a revision's stamp is asked for
#: by several checks; computing it is most of verify's time on a large repository).
_STAMPS: dict[int, tuple[Document, str]] | None = None


def content_stamp(document: Document) -> str:
    """Return :func:`qmsdocs.stamp.content_stamp` of *document*, once per verify run."""
    memo = _STAMPS
    if memo is None:
        return _content_stamp(document)
    hit = memo.get(id(document))
    if hit is not None and hit[0] is document:
        return hit[1]
    stamp = _content_stamp(document)
    memo[id(document)] = (document, stamp)
    return stamp


def signature_problems(config: QmsConfig, document: Document, *, stamps: bool = True) -> list[Said]:
    """Return what is wrong with the signatures of an issued *document*."""
    problems = []
    by_meaning = {s.meaning: s for s in document.approvals}
    for meaning in lifecycle.MEANINGS:
        if meaning not in by_meaning:
            problems.append(S_("no '{meaning}' signature", meaning=_meaning(meaning)))
    stamp = content_stamp(document) if stamps else ""
    for signature in document.approvals:
        person = config.person(signature.person)
        if stamps and signature.stamp != stamp:
            problems.append(
                S_(
                    "the '{meaning}' signature of {name} is stale: the content changed after it "
                    "was signed",
                    meaning=_meaning(signature.meaning),
                    name=signature.name,
                )
            )
        if person is None:
            problems.append(
                S_(
                    "'{meaning}' signed by unknown person {person}",
                    meaning=_meaning(signature.meaning),
                    person=repr(signature.person),
                )
            )
            continue
        if signature.name != person.name:
            problems.append(
                S_(
                    "'{meaning}' names {name}, but {person} is {real}",
                    meaning=_meaning(signature.meaning),
                    name=repr(signature.name),
                    person=signature.person,
                    real=repr(person.name),
                )
            )
        others = document.model_copy(
            update={"approvals": [s for s in document.approvals if s is not signature]}
        )
        problem = lifecycle.signer_problem(
            config, others, signature.person, signature.meaning, signature.signed_at.date()
        )
        if problem:
            problems.append(problem)
    return problems


def verify(repo: Repository) -> list[Finding]:
    """Return every integrity finding of *repo*.

    The repository verifies when no finding is an error; a warning records evidence that
    needs no action (a hand edit repaired by a later proper revision).
    """
    global _STAMPS
    outer = _STAMPS
    _STAMPS = {} if outer is None else outer
    try:
        return _verify(repo)
    finally:
        _STAMPS = outer


def _verify(repo: Repository) -> list[Finding]:
    findings: list[Finding] = []
    if repo.git_top is None:
        return [
            _finding(".", "verify-git", Said(N_("not inside a git work tree: nothing to verify")))
        ]
    config = repo.config
    history = repo.history_store
    store = history.store
    head = store.head()
    issued_all = history.all_issued()
    approvals = {
        (code_key(a.code), a.revision): a for a in history.actions() if a.action == "approve"
    }
    prefix = repo.root.relative_to(repo.git_top).as_posix()

    def rel(file: str | None, code: str | None = None) -> str:
        # the document's own file when it still exists: a tag's QMS-File can be forged
        if code is not None and code in repo:
            return repo.file_of(code)
        if not file:
            return "."
        if prefix in ("", "."):
            return file
        return file.removeprefix(prefix + "/")

    def tag_file(issued: IssuedRevision) -> str | None:
        if not issued.file:
            return None
        return issued.file if prefix in ("", ".") else issued.file.removeprefix(prefix + "/")

    kinds = {code_key(d.code): DocumentKind(d.kind) for d in repo}
    # 1. every tag: annotated, in history, on its approval commit, content matching stamp
    in_history = (
        store.reachable([i.commit for r in issued_all.values() for i in r], head)
        if head is not None
        else set()
    )
    to_read: list[IssuedRevision] = []
    for key, revisions in sorted(issued_all.items()):
        for issued in revisions:
            file = rel(issued.file, issued.code)
            name = issued.tag
            if not issued.annotated:
                findings.append(
                    _finding(
                        file,
                        "verify-tag",
                        S_("tag {tag} is not an annotated tag", tag=name),
                        issued.code,
                    )
                )
                continue
            if issued.commit not in in_history:
                findings.append(
                    _finding(
                        file,
                        "verify-history",
                        S_(
                            "tag {tag} points at commit {commit}, which is not in the history "
                            "of HEAD: history was rewritten",
                            tag=name,
                            commit=issued.commit[:10],
                        ),
                        issued.code,
                    )
                )
            action = approvals.get((key, issued.revision))
            if action is None or action.commit != issued.commit:
                findings.append(
                    _finding(
                        file,
                        "verify-tag",
                        S_(
                            "tag {tag} is not on the approval commit of revision {revision} "
                            "(moved, or made by hand)",
                            tag=name,
                            revision=issued.revision,
                        ),
                        issued.code,
                    )
                )
            named = tag_file(issued)
            if issued.code in repo and named != repo.file_of(issued.code):
                findings.append(
                    _finding(
                        file,
                        "verify-tag",
                        S_(
                            "tag {tag} names the file {named}, but {code} is {file}",
                            tag=name,
                            named=named,
                            code=issued.code,
                            file=file,
                        ),
                        issued.code,
                    )
                )
            if key in kinds:
                to_read.append(issued)
    contents = {
        (code_key(r.code), r.revision): doc
        for r, doc in zip(to_read, _issued_documents(repo, to_read, kinds), strict=True)
    }
    then = _ConfigThen(repo, [a.commit for a in approvals.values()], config)
    for issued in to_read:
        file = rel(issued.file, issued.code)
        document = contents[(code_key(issued.code), issued.revision)]
        if document is None:
            findings.append(
                _finding(
                    file,
                    "verify-tag",
                    S_("tag {tag} holds no readable document", tag=issued.tag),
                    issued.code,
                )
            )
            continue
        stamp = content_stamp(document)
        if stamp != issued.stamp:
            findings.append(
                _finding(
                    file,
                    "verify-stamp",
                    S_(
                        "revision {revision} at tag {tag} does not match its stamp",
                        revision=issued.revision,
                        tag=issued.tag,
                    ),
                    issued.code,
                )
            )
        for problem in signature_problems(config, document):
            findings.append(
                _finding(
                    file,
                    "verify-approval",
                    S_("revision {revision}: {problem}", revision=issued.revision, problem=problem),
                    issued.code,
                )
            )
        approver = next((s for s in document.approvals if s.meaning == "approved"), None)
        action = approvals.get((code_key(issued.code), issued.revision))
        person = config.person(approver.person) if approver else None
        if (
            action is not None
            and person is not None
            and action.author_email.lower() != person.email.lower()
        ):
            findings.append(
                _finding(
                    file,
                    "verify-approval",
                    S_(
                        "revision {revision} says {name} approved it, but the approval commit "
                        "was made by {author}",
                        revision=issued.revision,
                        name=person.name,
                        author=action.author_name + " <" + action.author_email + ">",
                    ),
                    issued.code,
                )
            )
        findings += [
            _finding(
                file,
                check,
                S_("revision {revision}: {problem}", revision=issued.revision, problem=problem),
                issued.code,
            )
            for check, problem in _trailer_problems(issued, action, document, approver)
        ]
        if action is not None:
            findings += [
                _finding(
                    file,
                    "verify-approval",
                    S_(
                        "revision {revision}: by qms.yaml as it was when it was approved, "
                        "{problem}",
                        revision=issued.revision,
                        problem=problem,
                    ),
                    issued.code,
                )
                for problem in then.problems(action.commit, document)
            ]
        if config.require_signed_approvals:
            findings += _signature_findings(repo, issued, person, file)
    # 2. every approval commit has its tag
    for (key, revision), action in approvals.items():
        tagged = [r for r in issued_all.get(key, []) if r.revision == revision]
        if not tagged:
            findings.append(
                _finding(
                    rel(repo.file_of(action.code)) if action.code in repo else ".",
                    "verify-tag",
                    S_(
                        "revision {revision} of {code} was approved in commit {commit} but its "
                        "tag {tag} is missing",
                        revision=revision,
                        code=action.code,
                        commit=action.commit[:10],
                        tag=action.code + "/" + str(revision),
                    ),
                    action.code,
                )
            )
    # 3. the current files
    for document in repo:
        file = repo.file_of(document.code)
        revisions = issued_all.get(code_key(document.code), [])
        if document.status in (Status.APPROVED, Status.WITHDRAWN):
            current = next((r for r in revisions if r.revision == document.revision), None)
            if current is None:
                findings.append(
                    _finding(
                        file,
                        "verify-issued",
                        S_(
                            "{code} says revision {revision} is {status}, but no such revision "
                            "was issued through the workflow",
                            code=document.code,
                            revision=document.revision,
                            status=document.status.value,
                        ),
                        document.code,
                    )
                )
                continue
            if content_stamp(document) != current.stamp:
                findings.append(
                    _finding(
                        file,
                        "verify-issued",
                        S_(
                            "issued revision {revision} of {code} was changed outside the "
                            "workflow (its content no longer matches the approved stamp)",
                            revision=document.revision,
                            code=document.code,
                        ),
                        document.code,
                    )
                )
            tagged_content = contents.get((code_key(document.code), document.revision))
            if tagged_content is not None and tagged_content.approvals != document.approvals:
                findings.append(
                    _finding(
                        file,
                        "verify-approval",
                        S_(
                            "the signatures of revision {revision} differ from those issued",
                            revision=document.revision,
                        ),
                        document.code,
                    )
                )
            if tagged_content is not None:
                changed = _changed_since_issue(tagged_content, document)
                if changed:
                    findings.append(
                        _finding(
                            file,
                            "verify-issued",
                            S_(
                                "{fields} of issued revision {revision} of {code} differ from "
                                "what was issued (changed outside the workflow)",
                                fields=", ".join(changed),
                                revision=document.revision,
                                code=document.code,
                            ),
                            document.code,
                        )
                    )
        elif document.status is Status.IN_REVIEW:
            stamp = content_stamp(document)
            for signature in document.approvals:
                if signature.stamp != stamp:
                    findings.append(
                        _finding(
                            file,
                            "verify-stale",
                            S_(
                                "the '{meaning}' signature of {name} is stale: the draft "
                                "changed after it was signed",
                                meaning=_meaning(signature.meaning),
                                name=signature.name,
                            ),
                            document.code,
                        )
                    )
    # 4. files that cannot be read at all
    for unreadable in repo.load_findings:
        if unreadable.severity is Severity.ERROR:
            findings.append(
                _finding(
                    unreadable.file,
                    "verify-unreadable",
                    S_(
                        "cannot be read: {problem}",
                        problem=unreadable.said or Said.plain(unreadable.message),
                    ),
                )
            )
    # 5. ordinary commits that changed issued content, and edits not committed yet
    findings += _hand_edits(repo, rel)
    findings += _uncommitted_edits(repo)
    # 6. objects git would show in place of others: what was issued could be swapped unseen
    for name in store.replaced():
        findings.append(
            _finding(
                ".",
                "verify-replace",
                S_(
                    "git shows a replacement for {name} (git replace or grafts): issued content "
                    "can be substituted without changing history; remove it (git replace -d)",
                    name=name,
                ),
            )
        )
    findings += tthc_run.verify_announcements(repo.reader, store, prefix)
    # 7. derived documents: the framework model each came from, read back from its release
    from qmsdocs.framework.checks import framework_bases

    findings += framework_bases(repo)
    return sorted(set(findings), key=lambda f: (f.file, f.check, f.message))


#: What the workflow may change in an issued file after its approval: a periodic review
#: (confirm) and a withdrawal. The signatures are compared on their own.
_AFTER_ISSUE = frozenset({"status", "withdrawal", "periodic_reviews", "approvals"})


def _issued_documents(
    repo: Repository, to_read: list[IssuedRevision], kinds: dict[str, DocumentKind]
) -> list[Document | None]:
    """Return the content of each issued revision in *to_read* (None where unreadable).

    In a snapshot of a commit (:meth:`Repository.at`), a revision whose file is, byte for
    byte, the file the snapshot holds is the document already read (on a 142-document
    department, 122 of 149 revisions): only the others are read from git and parsed.
    """
    history = repo.history_store
    same: dict[int, Document] = {}
    head = history.store.head()
    if repo.read_only and head is not None and repo.git_top == repo.root:
        candidates = [
            (n, r)
            for n, r in enumerate(to_read)
            if r.file and r.code in repo and repo.file_of(r.code) == r.file
        ]
        specs = [f"{r.tag}:{r.file}" for _, r in candidates]
        specs += [f"{head}:{r.file}" for _, r in candidates]
        ids = history.store.object_ids(specs)
        half = len(candidates)
        for (n, issued), tagged, current in zip(candidates, ids[:half], ids[half:], strict=True):
            if tagged is not None and tagged == current:
                try:
                    same[n] = repo.document(issued.code)
                except QmsError:
                    continue
    rest = [r for n, r in enumerate(to_read) if n not in same]
    read = iter(history.read_many(rest, [kinds[code_key(r.code)] for r in rest]))
    return [same[n] if n in same else next(read) for n in range(len(to_read))]


def _changed_since_issue(issued: Document, current: Document) -> list[str]:
    """Return the top-level fields of *current* that differ from the issued revision."""
    before = issued.model_dump(mode="json", by_alias=True, exclude=set(_AFTER_ISSUE))
    after = current.model_dump(mode="json", by_alias=True, exclude=set(_AFTER_ISSUE))
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def _trailer_problems(
    issued: IssuedRevision, action: Action | None, document: Document, approver: Signature | None
) -> list[tuple[str, Said]]:
    """Return what the tag's and the approval commit's trailers say that the revision does not."""
    problems: list[tuple[str, Said]] = []
    effective = document.effective_date
    person = approver.person if approver is not None else None
    said = [("verify-tag", S_("tag {tag}", tag=issued.tag), issued.effective, issued.approver)]
    if action is not None:
        t = action.trailers
        said.append(
            (
                "verify-approval",
                Said(N_("its approval commit")),
                _day(t.get("QMS-Effective")),
                t.get("QMS-Person"),
            )
        )
        if t.get("QMS-Stamp") and t["QMS-Stamp"] != content_stamp(document):
            problems.append(
                ("verify-approval", Said(N_("its approval commit names another stamp")))
            )
    for check, who, day, signer in said:
        if day is not None and day != effective:
            shown = (
                Said.of("{date}", date=f"{effective:%d/%m/%Y}")
                if effective
                else Said(N_("no date"))
            )
            problems.append(
                (
                    check,
                    S_(
                        "{who} says effective {day}, the revision {revision}",
                        who=who,
                        day=format(day, "%d/%m/%Y"),
                        revision=shown,
                    ),
                )
            )
        if signer is not None and signer != person:
            problems.append(
                (
                    check,
                    S_(
                        "{who} says {signer} approved it, the revision {person}",
                        who=who,
                        signer=signer,
                        person=person,
                    ),
                )
            )
    return problems


def _day(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


class _ConfigThen:
    """qms.yaml as it was at given commits: who held which role when a revision was approved.

    A signer must have been in qms.yaml, holding the role, when the approval was made: a
    person or a role added afterwards cannot make an old approval valid.
    """

    def __init__(self, repo: Repository, commits: list[str], current: QmsConfig) -> None:
        assert repo.git_top is not None
        prefix = repo.root.relative_to(repo.git_top).as_posix()
        path = "qms.yaml" if prefix in ("", ".") else f"{prefix}/qms.yaml"
        blobs = repo.history_store.store.read_many([f"{c}:{path}" for c in commits])
        parsed: dict[bytes, QmsConfig | None] = {}
        self._at: dict[str, QmsConfig | None] = {}
        self._current = current
        for commit, blob in zip(commits, blobs, strict=True):
            if blob is not None and blob not in parsed:
                try:
                    parsed[blob] = QmsConfig.model_validate(yaml_store.load(blob, file=path))
                except (QmsError, ValueError):
                    parsed[blob] = None
            self._at[commit] = parsed.get(blob) if blob is not None else None

    def problems(self, commit: str, document: Document) -> list[Said]:
        """Return the signing rules *document* broke by qms.yaml at *commit* (only those the
        current qms.yaml does not report already)."""
        config = self._at.get(commit)
        if config is None:
            return []
        now = set(signature_problems(self._current, document))
        return [p for p in signature_problems(config, document, stamps=False) if p not in now]


def _uncommitted_edits(repo: Repository) -> list[Finding]:
    """Return issued files whose content in the work tree is not what HEAD holds."""
    assert repo.git_top is not None
    store = repo.history_store.store
    issued = [d for d in repo if d.status in (Status.APPROVED, Status.WITHDRAWN)]
    files = [repo.file_of(d.code) for d in issued]
    rels = [(repo.root / f).relative_to(repo.git_top).as_posix() for f in files]
    dirty = set(store.dirty(rels))
    findings = []
    for document, file, rel in zip(issued, files, rels, strict=True):
        if rel not in dirty:
            continue
        blob = store.read("HEAD", rel)
        try:
            committed = (
                load_revision(blob, kind=DocumentKind(document.kind), file=rel) if blob else None
            )
        except InvalidDocument:
            committed = None
        if committed != document:
            findings.append(
                _finding(
                    file,
                    "verify-issued",
                    S_(
                        "issued revision {revision} of {code} has edits not committed through "
                        "the workflow",
                        revision=document.revision,
                        code=document.code,
                    ),
                    document.code,
                )
            )
    return findings


def _hand_edits(repo: Repository, rel: object) -> list[Finding]:
    store = repo.history_store.store
    assert repo.git_top is not None
    findings = []
    prefix = repo.root.relative_to(repo.git_top).as_posix()
    folders = {k.folder: k for k in DocumentKind if k is not DocumentKind.LEGAL}
    candidates: list[tuple[str, str, str, DocumentKind]] = []
    for commit, parent, files in store.changed_files(exclude_grep="^QMS-Action: "):
        if parent is None:
            continue
        for path in files:
            inner = path if prefix in ("", ".") else path.removeprefix(prefix + "/")
            folder = inner.split("/", 1)[0]
            if folder in folders and inner.endswith(".yaml") and inner.count("/") == 1:
                candidates.append((commit, parent, path, folders[folder]))
    specs: list[str] = []
    for commit, parent, path, _ in candidates:
        specs += [f"{parent}:{path}", f"{commit}:{path}"]
    blobs = store.read_many(specs)
    for index, (commit, _, path, kind) in enumerate(candidates):
        before, after = blobs[2 * index], blobs[2 * index + 1]
        if before is None:
            continue
        try:
            old = load_revision(before, kind=kind, file=path)
        except InvalidDocument:
            continue
        if old.status not in (Status.APPROVED, Status.WITHDRAWN):
            continue
        new_doc: Document | None = None
        if after is not None:
            try:
                new_doc = load_revision(after, kind=kind, file=path)
            except InvalidDocument:
                new_doc = None
        if after is not None and new_doc == old:
            continue  # reformatted or commented only
        if new_doc is not None and _is_issued_text(repo, new_doc):
            continue  # a restore of the issued text: the repair, not an edit
        inner = path if prefix in ("", ".") else path.removeprefix(prefix + "/")
        what = S_(
            N_("commit {commit} changed issued revision {revision} of {code} outside the workflow")
            if after is not None
            else N_(
                "commit {commit} changed issued revision {revision} of {code} outside the "
                "workflow (deleted it)"
            ),
            commit=commit[:10],
            revision=old.revision,
            code=old.code,
        )
        repair = _repaired_by(repo, old, commit)
        if repair is not None:
            # The edit stays in history as evidence; it no longer fails verification.
            findings.append(
                Finding.of(
                    inner,
                    "verify-hand-edit-repaired",
                    S_("{what}; repaired by {repair}", what=what, repair=repair),
                    severity=Severity.WARNING,
                    code=old.code,
                )
            )
            continue
        findings.append(
            _finding(
                inner,
                "verify-hand-edit",
                S_(
                    "{what}. To repair: open a revision with 'qms revise {code} --reason …' and "
                    "issue it through submit, review and approve (or restore the issued text "
                    "with 'git checkout {tag} -- {path}' and commit it); verify then accepts "
                    "the edit as repaired",
                    what=what,
                    code=old.code,
                    tag=TAG_PREFIX + old.code + "/" + str(old.revision),
                    path=path,
                ),
                old.code,
            )
        )
    return findings


def _is_issued_text(repo: Repository, document: Document) -> bool:
    """Return whether *document* is exactly its issued revision (content and signatures)."""
    if document.status is not Status.APPROVED:
        return False
    try:
        tagged = repo.revision(document.code, document.revision)
    except QmsError:
        return False
    return not _changed_since_issue(tagged, document) and tagged.approvals == document.approvals


def _repaired_by(repo: Repository, old: Document, commit: str) -> Said | None:
    """Return what repaired a hand edit of issued revision *old* made by *commit*, or None.

    The rule (RELIABILITY.md): a hand edit is repaired by a later revision of the document
    issued through the workflow after it, or by the file restored to exactly the issued
    revision it edited. It stays in history, and verify shows it as a warning.
    """
    if old.code not in repo:
        return None  # deleted: nothing was issued after it
    store = repo.history_store.store
    for issued in repo.revisions(old.code):
        if issued.revision > old.revision and store.is_ancestor(commit, issued.commit):
            return S_("revision {revision}, issued through the workflow", revision=issued.revision)
    current = repo.document(old.code)
    if current.revision == old.revision and _is_issued_text(repo, current):
        return S_("the file restored to issued revision {revision}", revision=old.revision)
    return None


def _signature_findings(
    repo: Repository, issued: IssuedRevision, person: object, file: str
) -> list[Finding]:
    from qmsdocs.model import Person

    store = repo.history_store.store
    findings = []
    keys: Sequence[str] = person.signing_keys if isinstance(person, Person) else []
    for kind, name in (("tag", issued.tag), ("commit", issued.commit)):
        good, report = store.verify(kind, name)
        if not good:
            findings.append(
                _finding(
                    file,
                    "verify-signature",
                    S_(
                        N_("tag {name} has no good signature: {report}")
                        if kind == "tag"
                        else N_("commit {name} has no good signature: {report}"),
                        name=name[:40],
                        report=report[:120],
                    ),
                    issued.code,
                )
            )
        elif not any(key.strip() and key.strip() in report for key in keys):
            findings.append(
                _finding(
                    file,
                    "verify-signature",
                    S_(
                        N_("tag {name} is signed with a key not registered for the approver")
                        if kind == "tag"
                        else N_(
                            "commit {name} is signed with a key not registered for the approver"
                        ),
                        name=name[:40],
                    ),
                    issued.code,
                )
            )
    return findings
