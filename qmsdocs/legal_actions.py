"""Legal-change actions: keep the legal registry, and open the revisions a change requires.

Like every lifecycle action, each is one commit or none, made under the repository's lock by
a person of qms.yaml: registering a legal document, declaring what it does to another one
(amends, replaces, repeals, corrects), importing a batch, and opening the drafts of every
document a legal change affects (``qms revise --legal``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from qmsdocs import impact_run, lifecycle
from qmsdocs.errors import ActionRefused, DocumentNotFound
from qmsdocs.i18n import NC_, _, translate
from qmsdocs.impact import replace_citations
from qmsdocs.legal import LegalRegistry, number_key
from qmsdocs.model import LegalDocument, LegalRef, Relation, RelationType, Status
from qmsdocs.model.codes import legal_file_code
from qmsdocs.workflow import ActionResult, Workflow

__all__ = ["LegalWorkflow", "legal_reason"]

_LEGAL_SUBJECTS = {
    "legal-add": NC_("record", "Register legal document {number}: {title}"),
    "legal-relate": NC_("record", "Legal document {number} {relation} {target}"),
    "legal-import": NC_(
        "record", "Import {count} legal documents and {relations} relations from {source}"
    ),
    "revise-legal": NC_("record", "Open revision drafts of {count} documents for {number}"),
}
_RELATION_WORDS = {
    RelationType.AMENDS: NC_("record", "amends"),
    RelationType.REPLACES: NC_("record", "replaces"),
    RelationType.REPEALS: NC_("record", "repeals"),
    RelationType.CORRECTS: NC_("record", "corrects"),
    RelationType.GUIDES: NC_("record", "guides"),
}
_REPLACED_NOTE = NC_("record", "replacing {old}")


def legal_reason(document: LegalDocument, language: str = "vi") -> str:
    """Return the prefilled reason of a revision made for *document*.

    ``Cập nhật theo Nghị định số 118/2025/NĐ-CP`` (or ``Update for Decree No. …``).
    """
    label = document.type.label(language)
    template = translate(language, NC_("record", "Update for {type} No. {number}"), "record")
    return template.format(type=label, number=document.number)


def _trailers(action: str, body: str, pairs: Sequence[tuple[str, Any]]) -> str:
    # One line per trailer, whatever the text holds, or git would not read them back.
    lines = [f"QMS-Action: {action}"] + [
        f"QMS-{k}: {' '.join(str(v).split())}" for k, v in pairs if v is not None
    ]
    text = "\n\n"
    if body.strip():
        text += " ".join(body.split()) + "\n\n"
    return text + "\n".join(lines) + "\n"


class LegalWorkflow(Workflow):
    """The actions of :class:`Workflow` plus those that keep the legal registry."""

    def _subject(self, config: Any, action: str, **values: Any) -> str:
        return str(translate(config.language, _LEGAL_SUBJECTS[action], "record").format(**values))

    def legal_add(self, document: LegalDocument, *, by: str, now: dt.datetime) -> ActionResult:
        """Register a legal document in legal/ (its relations, if any, are checked too)."""
        with self._held() as (repo, store):
            config = repo.config
            who = self._person(config, by)
            existing = repo.legal.get(document.number)
            if existing is not None:
                raise ActionRefused(
                    _("{number} is already registered ({file})").format(
                        number=document.number, file=repo.file_of(existing.number)
                    ),
                    code=document.number,
                )
            self._check_relations(repo.legal, [document], document.relations)
            file = f"legal/{legal_file_code(document.number)}.yaml"
            if (self.root / file).exists():
                raise ActionRefused(
                    _("{file} already exists").format(file=file), file=file, code=document.number
                )
            subject = self._subject(
                config, "legal-add", number=document.number, title=document.title
            )
            message = subject + _trailers("legal-add", "", [("Legal", document.number)])
            commit = self._commit_files(
                repo,
                store,
                action="legal-add",
                files=[(None, document, file)],
                message=message,
                by=who,
                now=now,
            )
            return ActionResult("legal-add", document.number, None, commit, None, subject)

    def legal_relate(
        self, number: str, relation: Relation, *, by: str, now: dt.datetime
    ) -> ActionResult:
        """Declare that legal document *number* amends, replaces, repeals … another one."""
        with self._held() as (repo, store):
            config = repo.config
            who = self._person(config, by)
            source = self._legal(repo, number)
            target = self._legal(repo, relation.target)
            relation = relation.model_copy(update={"target": target.number})
            if any(_same(r, relation) for r in source.relations):
                return ActionResult(
                    "legal-relate", source.number, None, None, None, _("nothing to change")
                )
            self._check_relations(repo.legal, [source], [relation])
            new = source.model_copy(update={"relations": [*source.relations, relation]})
            new = LegalDocument.model_validate(new.model_dump())
            subject = self._subject(
                config,
                "legal-relate",
                number=source.number,
                relation=translate(config.language, _RELATION_WORDS[relation.type], "record"),
                target=target.number
                + (f" ({'; '.join(relation.articles)})" if relation.articles else ""),
            )
            message = subject + _trailers(
                "legal-relate",
                relation.note or "",
                [
                    ("Legal", source.number),
                    ("Relation", relation.type.value),
                    ("Target", target.number),
                ],
            )
            commit = self._commit_files(
                repo,
                store,
                action="legal-relate",
                files=[(source, new, repo.file_of(source.number))],
                message=message,
                by=who,
                now=now,
            )
            return ActionResult("legal-relate", source.number, None, commit, None, subject)

    def legal_import(
        self,
        documents: Sequence[LegalDocument],
        relations: Sequence[tuple[str, Relation]],
        *,
        source: str,
        by: str,
        now: dt.datetime,
    ) -> ActionResult:
        """Register a batch of legal documents and relations as one commit, or nothing."""
        with self._held() as (repo, store):
            config = repo.config
            who = self._person(config, by)
            new_docs: dict[str, LegalDocument] = {}
            for document in documents:
                key = number_key(document.number)
                if repo.legal.get(document.number) is not None or key in new_docs:
                    raise ActionRefused(
                        _("{number} is already registered").format(number=document.number)
                    )
                new_docs[key] = document
            registry = LegalRegistry([*repo.legal, *new_docs.values()])
            changed: dict[str, LegalDocument] = dict(new_docs)
            for number, relation in relations:
                source_doc = registry.get(number)
                target = registry.get(relation.target)
                if source_doc is None or target is None:
                    missing = number if source_doc is None else relation.target
                    raise ActionRefused(
                        _("{number} is neither registered nor in the import").format(number=missing)
                    )
                key = number_key(source_doc.number)
                current = changed.get(key, source_doc)
                relation = relation.model_copy(update={"target": target.number})
                if any(_same(r, relation) for r in current.relations):
                    continue
                changed[key] = current.model_copy(
                    update={"relations": [*current.relations, relation]}
                )
            self._check_relations(
                LegalRegistry(
                    [d for d in repo.legal if number_key(d.number) not in changed]
                    + list(changed.values())
                ),
                list(changed.values()),
                [],
            )
            files: list[tuple[LegalDocument | None, LegalDocument, str]] = []
            for key, document in changed.items():
                document = LegalDocument.model_validate(document.model_dump())
                if key in new_docs:
                    files.append((None, document, f"legal/{legal_file_code(document.number)}.yaml"))
                else:
                    old = repo.legal.get(document.number)
                    files.append((old, document, repo.file_of(document.number)))
            subject = self._subject(
                config,
                "legal-import",
                count=len(new_docs),
                relations=len(relations),
                source=source,
            )
            message = subject + _trailers(
                "legal-import", "", [("Source", source)] + [("Legal", d.number) for d in documents]
            )
            commit = self._commit_files(
                repo, store, action="legal-import", files=files, message=message, by=who, now=now
            )
            return ActionResult("legal-import", source, None, commit, None, subject)

    def revise_for_legal(
        self,
        number: str,
        codes: Sequence[str] = (),
        *,
        by: str,
        now: dt.datetime,
        reason: str | None = None,
    ) -> list[ActionResult]:
        """Open, in one commit, the revision drafts a legal change requires.

        Without *codes*, every document the change makes suspect on the day of *now*; with
        *codes*, those documents. Each draft gets the prefilled reason, a started change-history
        entry, and its legal-basis citations of a replaced document moved to the replacement
        in force; an amending document is added to the legal basis.
        """
        day = now.date()
        with self._held() as (repo, store):
            config = repo.config
            who = self._person(config, by)
            legal = self._legal(repo, number)
            if codes:
                targets = [repo.document(c).code for c in codes]
            else:
                targets = [d.code for d in impact_run.impact(repo, on=day, legal=legal.number)]
            if not targets:
                raise ActionRefused(
                    _(
                        "no document is affected by {number} on {date} (qms impact); name the "
                        "documents to revise"
                    ).format(number=legal.number, date=f"{day:%d/%m/%Y}"),
                    code=legal.number,
                )
            why = reason or legal_reason(legal, config.language)
            files: list[tuple[Any, Any, str]] = []
            results = []
            for code in targets:
                document = repo.document(code)
                self._require(document, Status.APPROVED, doing="revise")
                self._check_signer(
                    config, document.model_copy(update={"approvals": []}), by, "authored", day
                )
                basis = self._moved_basis(repo.legal, document.legal_basis, legal, day, config)
                new = lifecycle.next_revision(document, why, legal_basis=basis)
                new = type(document).model_validate(new.model_dump())
                files.append((document, new, repo.file_of(code)))
                results.append((new.code, new.revision))
            subject = self._subject(config, "revise-legal", count=len(results), number=legal.number)
            pairs: list[tuple[str, Any]] = [("Legal", legal.number), ("Reason", why)]
            for code, revision in results:
                pairs += [("Document", code), ("Revision", revision)]
            message = subject + _trailers("revise", why, pairs)
            commit = self._commit_files(
                repo, store, action="revise", files=files, message=message, by=who, now=now
            )
            return [
                ActionResult("revise", code, revision, commit, None, subject)
                for code, revision in results
            ]

    # -- helpers -----------------------------------------------------------------------

    @staticmethod
    def _legal(repo: Any, number: str) -> LegalDocument:
        try:
            return repo.legal_document(number)  # type: ignore[no-any-return]
        except DocumentNotFound:
            raise ActionRefused(
                _(
                    "{number} is not in the legal registry; register it first (qms legal add)"
                ).format(number=number),
                code=number,
            ) from None

    @staticmethod
    def _check_relations(
        registry: LegalRegistry, sources: Sequence[LegalDocument], relations: Sequence[Relation]
    ) -> None:
        for source in sources:
            for relation in [*source.relations, *relations]:
                target = registry.get(relation.target)
                if target is None:
                    raise ActionRefused(
                        _(
                            "{source} {relation} {target}, which is not in the legal registry; "
                            "register it first (qms legal add)"
                        ).format(
                            source=source.number,
                            relation=relation.type.value,
                            target=relation.target,
                        ),
                        code=source.number,
                    )
                if number_key(target.number) == number_key(source.number):
                    raise ActionRefused(
                        _("{number} cannot act on itself").format(number=source.number)
                    )
        merged = LegalRegistry(
            [s.model_copy(update={"relations": [*s.relations, *relations]}) for s in sources]
            + [
                d
                for d in registry
                if number_key(d.number) not in {number_key(s.number) for s in sources}
            ]
        )
        cycles = merged.replacement_cycles()
        if cycles:
            chain = " -> ".join(d.number for d in cycles[0])
            raise ActionRefused(
                _("this would make a replacement cycle: {chain}").format(chain=chain)
            )

    @staticmethod
    def _moved_basis(
        registry: LegalRegistry,
        basis: Sequence[LegalRef],
        legal: LegalDocument,
        day: dt.date,
        config: Any,
    ) -> list[LegalRef]:
        moved = list(basis)
        note = translate(config.language, _REPLACED_NOTE, "record")
        for relation in legal.relations:
            target = registry.get(relation.target)
            if target is None:
                continue
            cited = any(number_key(r.ref) == number_key(target.number) for r in moved)
            if relation.type is RelationType.REPLACES and not relation.articles:
                later = max(day, relation.effective or legal.in_force_from)
                moved = replace_citations(moved, registry, target, later, note=note)
            elif (
                relation.type is RelationType.AMENDS
                and cited
                and not any(number_key(r.ref) == number_key(legal.number) for r in moved)
            ):
                at = next(
                    i for i, r in enumerate(moved) if number_key(r.ref) == number_key(target.number)
                )
                moved.insert(at + 1, LegalRef(ref=legal.number))
        if legal.tthc and not any(number_key(r.ref) == number_key(legal.number) for r in moved):
            moved.append(LegalRef(ref=legal.number))  # the TTHC announcement decision
        return moved


def _same(a: Relation, b: Relation) -> bool:
    return (
        a.type is b.type
        and number_key(a.target) == number_key(b.target)
        and [x.casefold() for x in a.articles] == [x.casefold() for x in b.articles]
        and (a.effective is None or b.effective is None or a.effective == b.effective)
    )
