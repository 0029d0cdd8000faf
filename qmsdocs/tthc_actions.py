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
from qmsdocs.model import DocumentKind, LegalDocument, TthcEntry
from qmsdocs.tthc.catalogue import national_code
from qmsdocs.workflow import ActionResult

__all__ = ["TthcWorkflow"]

_SUBJECT = NC_("record", "Import {count} TTHC of decision {number} from {source}")
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
