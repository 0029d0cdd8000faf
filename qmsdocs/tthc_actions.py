"""TTHC actions: import a decision's TTHC list, draft a procedure for a TTHC.

Each is one commit or none, like every lifecycle action (see :mod:`qmsdocs.legal_actions`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from qmsdocs import tthc_run
from qmsdocs.errors import ActionRefused
from qmsdocs.i18n import NC_, _, translate
from qmsdocs.legal_actions import LegalWorkflow, _trailers
from qmsdocs.model import DocumentKind, LegalDocument, QmsConfig, TthcEntry
from qmsdocs.model.announcement import Announcement
from qmsdocs.tthc.catalogue import national_code
from qmsdocs.tthc.scope import Scope, scope_change
from qmsdocs.workflow import ActionResult

__all__ = ["TthcWorkflow", "default_place"]

_SUBJECT = NC_("record", "Import {count} TTHC of decision {number} from {source}")
_ANNOUNCE = NC_("record", "Announce the QMS ({tthc} TTHC, {processes} system processes)")
_PLACEHOLDER = "(cần bổ sung)"


class TthcWorkflow(LegalWorkflow):
    """The actions of :class:`LegalWorkflow` plus those of TTHC announcement decisions."""

    def tthc_import(
        self,
        number: str,
        entries: Sequence[TthcEntry],
        *,
        source: str,
        by: str,
        now: dt.datetime,
    ) -> ActionResult:
        """Add the TTHC list *entries* to decision *number* of the registry as one commit.

        A TTHC the decision already lists is refused: nothing is imported.
        """
        with self._held() as (repo, store):
            config = repo.config
            who = self._person(config, by)
            decision = self._legal(repo, number)
            listed = {national_code(e.code) for e in decision.tthc}
            for entry in entries:
                if national_code(entry.code) in listed:
                    raise ActionRefused(
                        _("{number} already lists TTHC {code}").format(
                            number=decision.number, code=entry.code
                        ),
                        code=decision.number,
                    )
            new = LegalDocument.model_validate(
                decision.model_copy(update={"tthc": [*decision.tthc, *entries]}).model_dump()
            )
            subject = str(
                translate(config.language, _SUBJECT, "record").format(
                    count=len(entries), number=decision.number, source=source
                )
            )
            message = subject + _trailers(
                "tthc-import", "", [("Legal", decision.number), ("Source", source)]
            )
            commit = self._commit_files(
                repo,
                store,
                action="tthc-import",
                files=[(decision, new, repo.file_of(decision.number))],
                message=message,
                by=who,
                now=now,
            )
            return ActionResult("tthc-import", decision.number, None, commit, None, subject)

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
        """Create the draft procedure *code* for TTHC *tthc*, prefilled from its listing."""
        listing = (
            tthc_run.catalogue(self._reader_now()).in_force(now.date()).get(national_code(tthc))
        )
        if listing is None:
            raise ActionRefused(
                _("TTHC {code} is in no announcement decision in force (qms tthc list)").format(
                    code=tthc
                )
            )
        entry = listing.entry
        block: dict[str, Any] = {
            "code": entry.code,
            "name": entry.name,
            "field": entry.field,
            "methods": [_PLACEHOLDER],
            "dossier": [{"name": _PLACEHOLDER, "originals": 1}],
            "time_limit": _PLACEHOLDER,
            "subjects": [_PLACEHOLDER],
            "implementing_agency": entry.agency,
            "result": _PLACEHOLDER,
            "place_of_receipt": _PLACEHOLDER,
        }
        return self.new(
            DocumentKind.PROCEDURE,
            code,
            title=title or f"Quy trình {entry.name[:1].lower()}{entry.name[1:]}",
            by=by,
            now=now,
            unit=unit,
            prefill={
                "category": "administrative",
                "tthc": block,
                "legal_basis": [{"ref": listing.decision.number}],
            },
        )

    def _reader_now(self) -> Any:
        with self._held() as (repo, _store):
            return repo

    def announce(self, *, by: str, now: dt.datetime, place: str | None = None) -> ActionResult:
        """Record the head's announcement of the QMS with its scope frozen: one commit that
        adds ``announcements/CB-YYYY-MM-DD.yaml``, and its tag ``announcement/YYYY-MM-DD``.

        *by* must hold a role that approves procedures on the day; nothing is recorded when
        the scope is that of the last announcement.
        """
        day = now.date()
        with self._held() as (repo, store):
            config = repo.config
            who = self._person(config, by)
            head_roles = (
                set(config.approval["procedure"].approve)
                if "procedure" in (config.approval)
                else set()
            )
            person = config.person(by)
            assert person is not None
            if not person.roles_on(day) & head_roles:
                raise ActionRefused(
                    _(
                        "{person} does not head the agency on {date}: the announcement is "
                        "signed by one who approves procedures ({roles})"
                    ).format(person=by, date=f"{day:%d/%m/%Y}", roles=", ".join(sorted(head_roles)))
                )
            current = tthc_run.scope(repo)
            made = tthc_run.announcements(repo)
            if made and not scope_change(current, Scope.of_announcement(made[-1][1])):
                return ActionResult(
                    "announce", made[-1][0], None, None, None, _("nothing to change")
                )
            file = f"{tthc_run.ANNOUNCEMENTS}/CB-{day.isoformat()}.yaml"
            if (self.root / file).exists():
                raise ActionRefused(_("{file} already exists").format(file=file), file=file)
            announcement = Announcement(
                date=day,
                place=place or default_place(config),
                head=by,
                tthc=list(current.tthc),
                processes=list(current.processes),
            )
            subject = str(
                translate(config.language, _ANNOUNCE, "record").format(
                    tthc=len(current.tthc), processes=len(current.processes)
                )
            )
            message = subject + _trailers(
                "announce", "", [("Announcement", file)] + [("TTHC", i.code) for i in current.tthc]
            )
            tag = f"announcement/{day.isoformat()}"
            commit = self._commit_files(
                repo,
                store,
                action="announce",
                files=[(None, announcement, file)],
                message=message,
                by=who,
                now=now,
                tag=(tag, subject + "\n"),
            )
            return ActionResult("announce", file, None, commit, tag, subject)


def default_place(config: QmsConfig) -> str:
    """Return the place name printed before the date (địa danh): the ward, commune or
    province the agency is named after (phường An Hòa gives An Hòa)."""
    name = config.organization.short_name or config.organization.name
    for word in ("phường", "xã", "thị trấn", "thành phố", "tỉnh", "PHƯỜNG", "XÃ", "TỈNH"):
        if f" {word} " in f" {name} ":
            return f" {name} ".split(f" {word} ", 1)[1].strip().title()
    return name
