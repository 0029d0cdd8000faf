"""The words printed on exported documents: one table, translated by the catalogs.

Labels are the only words qmsdocs itself prints on a page; the content (titles, steps,
names) is printed as the officers wrote it. Each key names one label, written in English
and marked for the catalogs in the ``document`` context (a printed label may read
differently from the same word in the interface: "Status" is "Tình trạng" on a register);
:func:`labels` gives them in the language of ``qms.yaml``, whatever the interface speaks.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from types import MappingProxyType

from qmsdocs.i18n import NC_, translate
from qmsdocs.lifecycle import DocumentState
from qmsdocs.model.legal import LegalStatus, LegalType

__all__ = ["labels", "legal_status_label", "legal_type_label", "state_label"]

_LABELS: dict[str, str] = {
    # header block
    "code": NC_("document", "Code"),
    "revision": NC_("document", "Revision"),
    "issued": NC_("document", "Issued"),
    "effective": NC_("document", "Effective date"),
    "page": NC_("document", "Page"),
    # markings and watermarks
    "controlled": NC_("document", "CONTROLLED COPY"),
    "copy_number": NC_("document", "Copy No."),
    "holder": NC_("document", "Holder"),
    "uncontrolled": NC_("document", "UNCONTROLLED COPY"),
    "printed_on": NC_("document", "Printed on"),
    "watermark_draft": NC_("document", "DRAFT"),
    "watermark_obsolete": NC_("document", "OBSOLETE"),
    # footer
    "stamp": NC_("document", "Content stamp"),
    "commit": NC_("document", "Commit"),
    "working_tree": NC_("document", "working tree, not committed"),
    # signature grid
    "signatures": NC_("document", "DOCUMENT APPROVAL"),
    "authored": NC_("document", "Prepared by"),
    "reviewed": NC_("document", "Reviewed by"),
    "approved": NC_("document", "Approved by"),
    "name": NC_("document", "Name"),
    "title": NC_("document", "Position"),
    "signature": NC_("document", "Signature"),
    "signed_at": NC_("document", "Signed at"),
    "signed": NC_("document", "Signed electronically"),
    "signed_stale": NC_("document", "Signed electronically (content changed after signing)"),
    # change history
    "history": NC_("document", "DOCUMENT CHANGE HISTORY"),
    "col_no": NC_("document", "#"),
    "col_date": NC_("document", "Date"),
    "col_revision": NC_("document", "Revision"),
    "col_pages": NC_("document", "Pages"),
    "col_description": NC_("document", "Description of change"),
    "col_reason": NC_("document", "Reason"),
    "col_note": NC_("document", "Note"),
    "no_history": NC_("document", "No changes yet"),
    # withdrawal
    "withdrawn": NC_("document", "This document was withdrawn on {date}"),
    "withdrawn_reason": NC_("document", "Reason"),
    "replaced_by": NC_("document", "Replaced by"),
    # procedure sections
    "purpose": NC_("document", "PURPOSE"),
    "scope": NC_("document", "SCOPE"),
    "references": NC_("document", "REFERENCES"),
    "definitions": NC_("document", "DEFINITIONS AND ABBREVIATIONS"),
    "content": NC_("document", "PROCEDURE"),
    "forms": NC_("document", "FORMS"),
    "records": NC_("document", "RECORDS TO KEEP"),
    "none": NC_("document", "None"),
    "responsibilities": NC_("document", "Responsibilities"),
    "tthc_name": NC_("document", "Administrative procedure"),
    "tthc_code": NC_("document", "Administrative procedure code"),
    "tthc_field": NC_("document", "Field"),
    "methods": NC_("document", "How to apply"),
    "conditions": NC_("document", "Requirements and conditions"),
    "dossier": NC_("document", "Dossier components"),
    "dossier_sets": NC_("document", "Number of dossiers"),
    "dossier_sets_value": NC_("document", "{n} set(s)"),
    "time_limit": NC_("document", "Time limit"),
    "subjects": NC_("document", "Applicants"),
    "implementing_agency": NC_("document", "Implementing agency"),
    "coordinating_agencies": NC_("document", "Coordinating agencies"),
    "fees": NC_("document", "Fees and charges"),
    "result": NC_("document", "Result of processing"),
    "place_of_receipt": NC_("document", "Place of receipt and return of results"),
    "steps": NC_("document", "Processing steps"),
    "col_item": NC_("document", "Dossier component"),
    "col_originals": NC_("document", "Originals"),
    "col_copies": NC_("document", "Copies"),
    "form_ref": NC_("document", "Form {code}"),
    "col_fee": NC_("document", "Item"),
    "col_amount": NC_("document", "Amount"),
    "col_basis": NC_("document", "Basis"),
    "col_step": NC_("document", "Step"),
    "col_action": NC_("document", "Task"),
    "col_responsible": NC_("document", "Responsible"),
    "col_time": NC_("document", "Time"),
    "col_forms_result": NC_("document", "Forms/Result"),
    "col_form_code": NC_("document", "Code"),
    "col_form_title": NC_("document", "Form title"),
    "col_record": NC_("document", "Record"),
    "col_keeper": NC_("document", "Kept by"),
    "col_retention": NC_("document", "Retention"),
    # legal citations
    "legal_basis": NC_("document", "Legal basis"),
    "cite_number": NC_("document", "No."),
    "cite_date": NC_("document", "of"),
    "cite_issuer": NC_("document", "by"),
    "article": NC_("document", "Article"),
    # policy
    "statement": NC_("document", "Policy statement"),
    "commitments": NC_("document", "Commitments"),
    "posted_at": NC_("document", "Posted at"),
    "posted_on": NC_("document", "Posted on"),
    # objectives
    "period": NC_("document", "Period"),
    "objectives": NC_("document", "QUALITY OBJECTIVES"),
    "objective_details": NC_("document", "PLAN AND RESULTS"),
    "col_objective": NC_("document", "Objective"),
    "col_indicator": NC_("document", "Indicator"),
    "col_target": NC_("document", "Target"),
    "col_latest": NC_("document", "Latest result"),
    "col_evaluation": NC_("document", "Evaluation"),
    "plan": NC_("document", "Implementation plan"),
    "col_planned": NC_("document", "Action"),
    "col_deadline": NC_("document", "Deadline"),
    "col_resources": NC_("document", "Resources"),
    "results": NC_("document", "Measured results"),
    "col_as_of": NC_("document", "Date"),
    "col_result": NC_("document", "Result"),
    "evaluation": NC_("document", "Evaluation"),
    "achieved": NC_("document", "Achieved"),
    "not_achieved": NC_("document", "Not achieved"),
    "not_evaluated": NC_("document", "Not evaluated"),
    # forms
    "form_info": NC_("document", "FORM"),
    "form_title": NC_("document", "Form title"),
    "form_procedure": NC_("document", "Used by procedure"),
    "form_description": NC_("document", "Instructions"),
    "form_file": NC_("document", "Form file"),
    # registers
    "national_title": NC_("document", "SOCIALIST REPUBLIC OF VIET NAM"),
    "motto": NC_("document", "Independence - Freedom - Happiness"),
    # the announcement of the QMS (công bố, Decision 19/2014/QĐ-TTg, Phụ lục I)
    "announcement": NC_("document", "ANNOUNCEMENT"),
    "announcement_of": NC_(
        "document", "Quality management system conforming to national standard {standard}"
    ),
    "announcement_body": NC_(
        "document",
        "{agency} announces its quality management system conforming to national standard "
        "{standard} for the following activities:",
    ),
    "announcement_tthc": NC_("document", "Administrative procedures:"),
    "announcement_processes": NC_("document", "System processes:"),
    "place_date": NC_("document", "{place}, day {day:02d} month {month} year {year}"),
    "internal_register": NC_("document", "LIST OF INTERNAL DOCUMENTS"),
    "external_register": NC_("document", "LIST OF EXTERNAL DOCUMENTS"),
    "distribution_register": NC_("document", "DOCUMENT DISTRIBUTION LIST"),
    "recall_register": NC_("document", "COPIES TO RECALL"),
    "as_of": NC_("document", "As of {date}"),
    "col_kind": NC_("document", "Kind"),
    "col_title": NC_("document", "Title"),
    "col_issued": NC_("document", "Issued"),
    "col_effective": NC_("document", "Effective date"),
    "col_unit": NC_("document", "Owning unit"),
    "col_state": NC_("document", "Status"),
    "col_number": NC_("document", "Number"),
    "col_issuer": NC_("document", "Issuer"),
    "col_summary": NC_("document", "Summary"),
    "col_legal_status": NC_("document", "Legal status"),
    "col_copy": NC_("document", "Copy No."),
    "col_holder": NC_("document", "Holder"),
    "col_distributed": NC_("document", "Distributed"),
    "col_recalled": NC_("document", "Recalled"),
    "col_sign": NC_("document", "Received (signature)"),
    "empty_register": NC_("document", "No documents."),
    "total": NC_("document", "Total: {n}"),
    "prepared_by": NC_("document", "PREPARED BY"),
    "replaced_by_note": NC_("document", "Replaced by {number}"),
    "repealed_by_note": NC_("document", "Repealed by {number}"),
    "amended_by_note": NC_("document", "Amended by {number}"),
    "expired_note": NC_("document", "Expired after {date}"),
    "approved_by": NC_("document", "APPROVED BY"),
    # kinds
    "kind_procedure": NC_("document", "Procedure"),
    "kind_policy": NC_("document", "Quality policy"),
    "kind_objectives": NC_("document", "Quality objectives"),
    "kind_form": NC_("document", "Form"),
    # redline
    "redline": NC_("document", "REDLINE"),
    "compared": NC_("document", "{code}: revision {old} compared with revision {new}"),
    "col_term": NC_("document", "Term or abbreviation"),
    "col_meaning": NC_("document", "Meaning"),
}

_STATES = {
    DocumentState.DRAFT: NC_("document", "Draft"),
    DocumentState.IN_REVIEW: NC_("document", "In review"),
    DocumentState.PENDING: NC_("document", "Approved, not yet effective"),
    DocumentState.EFFECTIVE: NC_("document", "Effective"),
    DocumentState.SUPERSEDED: NC_("document", "Superseded"),
    DocumentState.WITHDRAWN: NC_("document", "Withdrawn"),
}

_LEGAL_STATUS = {
    LegalStatus.NOT_YET_IN_FORCE: NC_("document", "Not yet in force"),
    LegalStatus.IN_FORCE: NC_("document", "In force"),
    LegalStatus.PARTLY_EXPIRED: NC_("document", "Partly expired"),
    LegalStatus.EXPIRED: NC_("document", "Expired"),
}


@functools.cache
def labels(language: str) -> Mapping[str, str]:
    """Return the labels in *language* (``vi`` or ``en``; anything else gives ``vi``)."""
    return MappingProxyType({k: translate(language, v, "document") for k, v in _LABELS.items()})


def state_label(state: DocumentState, language: str) -> str:
    """Return how the state of a document is printed (Đang hiệu lực, Đã bị thay thế …)."""
    return translate(language, _STATES[state], "document") if state in _STATES else str(state)


def legal_status_label(status: LegalStatus, language: str) -> str:
    """Return how the status of a legal document is printed (Còn hiệu lực …)."""
    if status not in _LEGAL_STATUS:
        return str(status)
    return translate(language, _LEGAL_STATUS[status], "document")


def legal_type_label(kind: LegalType, language: str) -> str:
    """Return the name of a legal document's type (Nghị định, Thông tư …)."""
    return kind.label(language)
