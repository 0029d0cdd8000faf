"""TTHC of a whole repository: :mod:`qmsdocs.tthc` run over what was read.

The pure rules live in :mod:`qmsdocs.tthc`; this gathers the announcement decisions of the
legal registry, the procedures with their TTHC and revision in force, and the deadline
rules of qms.yaml.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import ValidationError

from qmsdocs.errors import QmsError
from qmsdocs.findings import Finding, Severity
from qmsdocs.i18n import S_
from qmsdocs.impact import ImpactedDocument
from qmsdocs.impact_run import _baseline
from qmsdocs.model import DocumentKind, QmsConfig, Status
from qmsdocs.model.announcement import Announcement
from qmsdocs.read.reader import Reader
from qmsdocs.store import yaml as yaml_store
from qmsdocs.store.git import GitStore
from qmsdocs.tthc.catalogue import Listing, TthcCatalogue, national_code
from qmsdocs.tthc.deadlines import DeadlineRules
from qmsdocs.tthc.scope import Scope, scope_change, scope_of
from qmsdocs.tthc.tasks import ProcedureState, TthcTask, tthc_tasks

__all__ = [
    "ANNOUNCEMENTS",
    "InForce",
    "announcements",
    "catalogue",
    "findings",
    "scope",
    "deadline_rules",
    "in_force",
    "procedure_states",
    "tasks",
    "verify_announcements",
    "with_deadlines",
]


def deadline_rules(config: QmsConfig) -> DeadlineRules:
    """Return the deadline rules of qms.yaml (the law's values unless it sets others)."""
    d = config.deadlines
    return DeadlineRules.of(d.legal_change_months, d.tthc_working_days, d.holidays)


def with_deadlines(config: QmsConfig, report: Sequence[ImpactedDocument]) -> list[ImpactedDocument]:
    """Return *report* with each suspect's deadline: its earliest change's, plus the months
    the law gives (Decision 19/2014/QĐ-TTg Art. 4)."""
    rules = deadline_rules(config)
    return [
        dataclasses.replace(s, deadline=min(rules.legal_change(r.effective) for r in s.reasons))
        if s.reasons
        else s
        for s in report
    ]


def catalogue(reader: Reader) -> TthcCatalogue:
    """Return the TTHC catalogue of the legal registry (built once per registry)."""
    key = "tthc-catalogue"
    held = reader.cache.get(key)
    if held is None or held[0] is not reader.legal:
        held = (reader.legal, TthcCatalogue(reader.legal))
        reader.cache[key] = held
    found: TthcCatalogue = held[1]
    return found


def procedure_states(reader: Reader, on: dt.date) -> list[ProcedureState]:
    """Return every procedure with its TTHC, whether a revision is in force, and since when."""
    superseded = reader.superseded()
    tthc_of = {row[0]: row[5] for row in procedure_rows(reader)}
    out = []
    for _entry, facts in reader.all_facts():
        if facts.kind != DocumentKind.PROCEDURE.value:
            continue
        base = _baseline(reader, facts, on, superseded)
        out.append(
            ProcedureState(
                code=facts.code,
                title=facts.title,
                tthc_code=tthc_of.get(facts.code),
                in_force=base is not None,
                approved=base.approved if base is not None else None,
                draft=base.draft
                if base is not None
                else (facts.revision if facts.status is not Status.WITHDRAWN else None),
                withdrawn=facts.status is Status.WITHDRAWN,
            )
        )
    return out


def tasks(reader: Reader, *, on: dt.date, decision: str | None = None) -> list[TthcTask]:
    """Return what the TTHC announcement decisions ask of the procedures, most urgent first."""
    number = reader.legal_document(decision).number if decision is not None else None
    config = reader.config
    return tthc_tasks(
        catalogue(reader),
        procedure_states(reader, on),
        on=on,
        rules=deadline_rules(config),
        level=config.organization.level,
        decision=number,
    )


@dataclass(frozen=True)
class InForce:
    """A TTHC in force for the agency, with the procedure that implements it (or None)."""

    listing: Listing
    procedure: str | None

    def to_dict(self) -> dict[str, object]:
        """Return the row as JSON-ready values."""
        entry = self.listing.entry
        return {
            "code": entry.code,
            "name": entry.name,
            "field": entry.field,
            "level": entry.level.value,
            "agency": entry.agency,
            "decision": self.listing.decision.number,
            "procedure": self.procedure,
        }


def in_force(reader: Reader, *, on: dt.date) -> list[InForce]:
    """Return the TTHC in force for the agency on *on* (those of its level), each with the
    procedure in force that implements it."""
    level = reader.config.organization.level
    implemented: dict[str, str] = {}
    for state in procedure_states(reader, on):
        if state.in_force and state.tthc_code:
            implemented.setdefault(national_code(state.tthc_code), state.code)
    return [
        InForce(listing, implemented.get(key))
        for key, listing in catalogue(reader).in_force(on).items()
        if level is None or listing.entry.level.value == level or key in implemented
    ]


# -- scope and announcements ---------------------------------------------------------------

ANNOUNCEMENTS = "announcements"


def announcements(reader: Reader) -> list[tuple[str, Announcement]]:
    """Return the announcements of ``announcements/`` with their files, oldest first.

    Read from the work tree, or from the commit of a snapshot (whose files are named by the
    ``announcement/…`` tags), and kept in the persistent cache while the files are
    unchanged. A file that cannot be read is left out.
    """
    folder = reader.root / ANNOUNCEMENTS
    commit = reader.source.commit if reader.source.read_only else None
    names = {p.name for p in folder.glob("*.yaml")} if commit is None and folder.is_dir() else set()
    if commit is not None and reader.git.top is not None:
        store = reader.history_store.store
        names |= {f"CB-{t.name.rsplit('/', 1)[-1]}.yaml" for t in store.tags("announcement/")}
    files = [f"{ANNOUNCEMENTS}/{name}" for name in sorted(names)]
    key = repr((commit, [(f, _file_key(reader, f)) for f in files]))
    held = reader.cache.get("announcements")
    if held is not None and held[0] == key:
        found: list[tuple[str, Announcement]] = held[1]
        return list(found)
    stored = reader.disk.read(_ANNOUNCED)
    out: list[tuple[str, Announcement]] = []
    if stored.get("key") == key and isinstance(stored.get("items"), list):
        try:
            out = [(f, Announcement.model_validate(d)) for f, d in stored["items"]]
        except (ValidationError, TypeError, ValueError):
            out = []
    if not out:
        for file in files:
            try:
                data = _read(reader, file, commit)
                out.append((file, Announcement.model_validate(yaml_store.load(data, file=file))))
            except (QmsError, ValidationError, OSError):
                continue
        items = [[f, a.model_dump(mode="json")] for f, a in out]
        reader.disk.write(_ANNOUNCED, {"key": key, "items": items})
    out.sort(key=lambda fa: (fa[1].date, fa[0]))
    reader.cache["announcements"] = (key, out)
    return list(out)


_ANNOUNCED = "announcements"


def _file_key(reader: Reader, file: str) -> object:
    if reader.source.read_only:
        return None  # a commit's files never change: the commit is in the key
    try:
        stat = (reader.root / file).stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


def _read(reader: Reader, file: str, commit: str | None) -> bytes:
    if commit is None:
        return reader.source.read(file)
    top = reader.git.top
    path = file
    if top is not None and reader.root != top:
        path = (reader.root / file).relative_to(top).as_posix()
    data = reader.history_store.store.read(commit, path)
    if data is None:
        raise OSError(2, "no such file in the commit")
    return data


#: (code, title, status, revision, file, TTHC code, TTHC name) of a procedure.
ProcedureRow = tuple[str, str, str, int, str, str | None, str | None]


def procedure_rows(reader: Reader) -> list[ProcedureRow]:
    """Return each procedure's code, title, status, revision, file and TTHC (code, name).

    Kept in the persistent cache while no file changed: a warm ``validate`` parses nothing.
    """
    key = reader.fingerprint()
    held = reader.cache.get("tthc-rows")
    if held is not None and held[0] == key:
        rows: list[ProcedureRow] = held[1]
        return rows
    stored = reader.disk.read(_ROWS)
    if stored.get("key") == key and isinstance(stored.get("rows"), list):
        rows = [tuple(r) for r in stored["rows"]]
    else:
        rows = []
        for entry, facts in reader.all_facts():
            if facts.kind != DocumentKind.PROCEDURE.value:
                continue
            tthc_code, tthc_name = reader.tthc_block(entry)
            rows.append(
                (
                    facts.code,
                    facts.title,
                    facts.status.value,
                    facts.revision,
                    entry.file,
                    tthc_code,
                    tthc_name,
                )
            )
        if not reader.racy_files:
            reader.disk.write(_ROWS, {"key": key, "rows": [list(r) for r in rows]})
    reader.cache["tthc-rows"] = (key, rows)
    return rows


_ROWS = "tthc"


def scope(reader: Reader) -> Scope:
    """Return the QMS scope: the TTHC implemented by procedures with a revision in force (not
    withdrawn), named as the latest decision names them, and the system processes."""
    rows = [
        (code, title, tthc_code, tthc_name)
        for code, title, status, revision, _file, tthc_code, tthc_name in procedure_rows(reader)
        if status == Status.APPROVED.value or (status != Status.WITHDRAWN.value and revision > 1)
    ]
    return scope_of(rows, catalogue(reader).in_force(dt.date.max))


def findings(reader: Reader) -> list[Finding]:
    """Return the TTHC findings: a procedure's TTHC that no decision lists, and a scope
    that differs from the last announcement.

    TTHC are checked once the agency follows the province's decisions: qms.yaml names its
    level (``organization.level``) and the registry holds a decision with a TTHC list.
    Kept in the persistent cache while the files and the announcements are unchanged.
    """
    from qmsdocs.validation_run import kept_findings

    config = reader.config_or_none()
    if config is None:
        return []  # qms.yaml's own findings say why
    made = announcements(reader)
    said = [(file, a.model_dump(mode="json")) for file, a in made]
    return kept_findings(reader, "tthc-findings", lambda: _findings(reader, config, made), said)


def _findings(
    reader: Reader, config: QmsConfig, made: list[tuple[str, Announcement]]
) -> list[Finding]:
    out: list[Finding] = []
    listed = catalogue(reader)
    if len(listed) and config.organization.level is not None:
        for code, _title, status, _revision, file, tthc_code, _name in procedure_rows(reader):
            if tthc_code is None or status == Status.WITHDRAWN.value or listed.knows(tthc_code):
                continue
            place = reader.locate(file, ("tthc", "code"))
            out.append(
                Finding.of(
                    file,
                    "unknown-tthc",
                    S_(
                        "TTHC {code} is in no announcement decision of the legal registry "
                        "(qms tthc import)",
                        code=tthc_code,
                    ),
                    line=place[0] if place else None,
                    column=place[1] if place else None,
                    severity=Severity.WARNING,
                    field=("tthc", "code"),
                    code=code,
                )
            )
    if made and not reader.unreadable:  # an unreadable procedure is reported as such
        file, last = made[-1]
        change = scope_change(scope(reader), Scope.of_announcement(last))
        if change:
            out.append(
                Finding.of(
                    file,
                    "scope-changed",
                    S_(
                        "the QMS scope changed since the announcement of {date}: added "
                        "{added}; removed {removed}; announce it again (qms announce)",
                        date=last.date.strftime("%d/%m/%Y"),
                        added=", ".join(i.code for i in change.added) or "-",
                        removed=", ".join(i.code for i in change.removed) or "-",
                    ),
                    severity=Severity.WARNING,
                )
            )
    return out


def verify_announcements(reader: Reader, store: GitStore, prefix: str) -> list[Finding]:
    """Return the integrity findings of the announcements, checked like approvals: the head
    held a role that approves procedures on the day, and the file is the one its tag froze.

    *prefix* is the repository's folder inside the git work tree ("" at the top).
    """
    out: list[Finding] = []
    config = reader.config
    rule = config.approval.get("procedure")
    heads = set(rule.approve) if rule is not None else set()
    for file, announcement in announcements(reader):
        person = config.person(announcement.head)
        if person is None or not person.roles_on(announcement.date) & heads:
            out.append(
                Finding.of(
                    file,
                    "verify-announcement",
                    S_(
                        "{person} did not hold a role that approves procedures ({roles}) on "
                        "{date}: the announcement is signed by the head of the agency",
                        person=announcement.head,
                        roles=", ".join(sorted(heads)),
                        date=announcement.date.strftime("%d/%m/%Y"),
                    ),
                )
            )
        tag = f"announcement/{announcement.date.isoformat()}"
        commit = store.tag_target(tag)
        if commit is None:
            out.append(
                Finding.of(
                    file,
                    "verify-announcement",
                    S_("no tag {tag}: the announcement was not recorded by qms announce", tag=tag),
                    severity=Severity.WARNING,
                )
            )
            continue
        path = f"{prefix}/{file}" if prefix not in ("", ".") else file
        frozen = store.read(commit, path)
        try:
            same = (
                frozen is not None
                and Announcement.model_validate(yaml_store.load(frozen, file=file)) == announcement
            )
        except (QmsError, ValidationError):
            same = False
        if not same:
            out.append(
                Finding.of(
                    file,
                    "verify-announcement",
                    S_(
                        "the announcement differs from the scope its tag {tag} froze: an "
                        "announcement is never edited; announce again (qms announce)",
                        tag=tag,
                    ),
                )
            )
    return out
