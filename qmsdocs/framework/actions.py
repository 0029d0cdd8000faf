"""The framework actions of an agency: follow, adopt, take a release; each one commit or none.

They run on the workflow's skeleton (lock, re-read, check, write atomically, commit as the
acting person with trailers, roll back on failure); see :mod:`qmsdocs.workflow`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from qmsdocs import lifecycle
from qmsdocs.errors import ActionRefused
from qmsdocs.findings import field_name
from qmsdocs.framework.derive import SharedLegal, model_of, rendered_model, shared_legal
from qmsdocs.framework.follow import fetch_framework, latest_release, open_release, release_ref
from qmsdocs.framework.merge import merge_documents
from qmsdocs.framework.params import parameter_values
from qmsdocs.i18n import NC_, S_, _, translate
from qmsdocs.model import (
    ChangeEntry,
    DerivedFrom,
    Document,
    DocumentKind,
    FollowedFramework,
    QmsConfig,
    Status,
)
from qmsdocs.model.codes import canonical_code, check_code, code_key
from qmsdocs.model.problems import schema_problem
from qmsdocs.read.files import CONFIG_FILE
from qmsdocs.read.reader import Reader
from qmsdocs.stamp import content_stamp
from qmsdocs.tthc_actions import TthcWorkflow
from qmsdocs.workflow import ActionResult

__all__ = ["FrameworkUpdate", "FrameworkWorkflow", "UpdatedDocument"]

_SUBJECTS = {
    "framework-add": NC_("record", "Follow framework {name} ({url}), release {release}"),
    "adopt": NC_("record", "Adopt {count} model document(s) of framework {name} ({release})"),
    "framework-update": NC_(
        "record", "Take release {release} of framework {name}: {count} revision draft(s)"
    ),
}
_ADOPTED = NC_("record", "First issue, from model {code} revision {revision} of framework {name}")
_UPDATED = NC_(
    "record", "Update to model {code} revision {revision} of framework {name} ({release})"
)


@dataclass(frozen=True)
class UpdatedDocument:
    """A revision draft a framework release opened: the document and its open conflicts."""

    code: str
    revision: int
    model: str
    model_revision: int
    conflicts: tuple[str, ...]  # the fields both sides changed differently

    def to_dict(self) -> dict[str, Any]:
        """Return the draft as JSON-ready values."""
        return {
            "code": self.code,
            "revision": self.revision,
            "model": self.model,
            "model_revision": self.model_revision,
            "conflicts": list(self.conflicts),
        }


@dataclass(frozen=True)
class FrameworkUpdate:
    """What taking a framework release did (one commit) and what it left to the officer."""

    framework: str
    release_from: str | None
    release_to: str
    commit: str | None
    drafts: tuple[UpdatedDocument, ...] = ()
    open: tuple[str, ...] = ()  # derived documents with a draft or review open: not touched
    withdrawn: tuple[str, ...] = ()  # withdrawn by the agency: not reopened
    to_withdraw: tuple[str, ...] = ()  # the framework withdrew (or dropped) their model
    offered: tuple[str, ...] = ()  # models not adopted yet (qms adopt NAME:CODE)
    legal_added: tuple[str, ...] = ()
    legal_updated: tuple[str, ...] = ()
    legal_edited_locally: tuple[str, ...] = ()  # shared legal files the agency edited: kept
    message: str = ""

    @property
    def changed(self) -> bool:
        """Return whether the update made a commit."""
        return self.commit is not None

    @property
    def conflicts(self) -> int:
        """Return how many conflicts the drafts hold."""
        return sum(len(d.conflicts) for d in self.drafts)

    def to_dict(self) -> dict[str, Any]:
        """Return the result as JSON-ready values."""
        return {
            "framework": self.framework,
            "release_from": self.release_from,
            "release_to": self.release_to,
            "commit": self.commit,
            "changed": self.changed,
            "drafts": [d.to_dict() for d in self.drafts],
            "conflicts": self.conflicts,
            "open": list(self.open),
            "withdrawn": list(self.withdrawn),
            "to_withdraw": list(self.to_withdraw),
            "offered": list(self.offered),
            "legal_added": list(self.legal_added),
            "legal_updated": list(self.legal_updated),
            "legal_edited_locally": list(self.legal_edited_locally),
            "message": self.message,
        }


def _trailers(action: str, pairs: Sequence[tuple[str, Any]]) -> str:
    lines = [f"QMS-Action: {action}"] + [
        f"QMS-{k}: {' '.join(str(v).split())}" for k, v in pairs if v is not None
    ]
    return "\n\n" + "\n".join(lines) + "\n"


def followed_framework(config: QmsConfig, name: str | None) -> FollowedFramework:
    """Return the followed framework *name* (or the only one); refuse when there is none."""
    if name is None:
        if len(config.frameworks) == 1:
            return config.frameworks[0]
        if not config.frameworks:
            raise ActionRefused(_("this agency follows no framework: qms framework add NAME URL"))
        raise ActionRefused(
            _("this agency follows several frameworks; name one: {names}").format(
                names=", ".join(f.name for f in config.frameworks)
            )
        )
    followed = config.followed(name)
    if followed is None:
        known = ", ".join(f.name for f in config.frameworks) or _("none")
        raise ActionRefused(
            _("this agency follows no framework {name} (followed: {known})").format(
                name=name, known=known
            )
        )
    return followed


def _with_release(config: QmsConfig, name: str, release: str) -> QmsConfig:
    frameworks = [
        f.model_copy(update={"release": release}) if f.name == name else f
        for f in config.frameworks
    ]
    return config.model_copy(update={"frameworks": frameworks})


def _validated(document: Document) -> Document:
    try:
        return type(document).model_validate(document.model_dump(by_alias=True))
    except ValidationError as error:
        item = error.errors(include_url=False)[0]
        loc = tuple(p for p in item["loc"] if isinstance(p, str | int))
        raise ActionRefused(
            S_(
                "{code}: the draft would not be valid: {field}: {problem}",
                code=document.code,
                field=field_name(loc) or "?",
                problem=schema_problem(item),
            ),
            code=document.code,
        ) from None


class FrameworkWorkflow(TthcWorkflow):
    """The actions of :class:`TthcWorkflow` plus those that follow a framework."""

    def _real_folder(self, folder: str) -> None:
        """Refuse to write into *folder* when it is a symbolic link (it could lead anywhere)."""
        if (self.root / folder).is_symlink():
            raise ActionRefused(
                _(
                    "{folder}/ is a symbolic link: documents are written only inside the repository"
                ).format(folder=folder),
                file=folder,
            )

    def _framework_subject(self, config: QmsConfig, action: str, **values: Any) -> str:
        return str(translate(config.language, _SUBJECTS[action], "record").format(**values))

    def framework_add(
        self,
        name: str,
        url: str,
        *,
        release: str | None = None,
        parameters: dict[str, str | int] | None = None,
        by: str,
        now: dt.datetime,
        timeout: float = 120.0,
    ) -> ActionResult:
        """Follow the framework at *url* as *name*: fetch its releases, record it in qms.yaml.

        *release* is the release to follow (default: the newest); *parameters* the agency's
        values of the framework's parameters. Nothing is recorded or fetched when *url*
        cannot be reached, lacks *release*, or is not a framework.
        """
        # refuses a bad name or value before anything is fetched
        probe = FollowedFramework(name=name, url=url, parameters=parameters or {})
        with self._held() as (repo, store):
            config = repo.config
            who = self._person(config, by)
            if config.followed(probe.name) is not None:
                raise ActionRefused(
                    _("framework {name} is already followed").format(name=probe.name)
                )
            git_dir = store.git_dir()
            known = set(_release_refs(git_dir, name))
            fetched = fetch_framework(git_dir, name, url, release=release, timeout=timeout)
            chosen = release or fetched.releases[-1]
            try:
                declaration = open_release(git_dir, name, chosen).config.framework
                assert declaration is not None  # fetch_framework checked
                unknown = sorted(set(probe.parameters) - {p.name for p in declaration.parameters})
                if unknown:
                    raise ActionRefused(
                        _(
                            "framework {name} declares no parameter {unknown} (it has: {known})"
                        ).format(
                            name=name,
                            unknown=", ".join(unknown),
                            known=", ".join(p.name for p in declaration.parameters) or _("none"),
                        )
                    )
                parameter_values(declaration, probe)  # every value given or defaulted, typed
                new = config.model_copy(
                    update={
                        "frameworks": [
                            *config.frameworks,
                            probe.model_copy(update={"release": chosen}),
                        ]
                    }
                )
                subject = self._framework_subject(
                    config, "framework-add", name=name, url=url, release=chosen
                )
                message = subject + _trailers(
                    "framework-add", [("Framework", name), ("Url", url), ("Release", chosen)]
                )
                commit = self._commit_files(
                    repo,
                    store,
                    action="framework-add",
                    files=[(config, new, CONFIG_FILE)],
                    message=message,
                    by=who,
                    now=now,
                )
            except BaseException:
                _drop_refs(git_dir, set(_release_refs(git_dir, name)) - known)
                raise
            return ActionResult("framework-add", name, None, commit, None, subject)

    def adopt(
        self,
        name: str,
        codes: Sequence[str] = (),
        *,
        by: str,
        now: dt.datetime,
        local_code: str | None = None,
        every: bool = False,
    ) -> list[ActionResult]:
        """Create, in one commit, derived drafts of model documents of framework *name*.

        Each is the model of the release the agency follows, rendered with its parameter
        values, carrying ``derived_from``; with *every*, each issued model not adopted yet.
        The shared legal registry of the release comes along. The drafts are then reviewed
        and approved by the agency's own people, as any document.
        """
        if local_code is not None and (every or len(codes) != 1):
            raise ActionRefused(_("--code names the local code of one model document"))
        if not every and not codes:
            raise ActionRefused(_("name the model documents to adopt, or --all"))
        with self._held() as (repo, store):
            config = repo.config
            who = self._person(config, by)
            followed = followed_framework(config, name)
            git_dir = store.git_dir()
            tag = followed.release or latest_release(git_dir, followed.name)
            if tag is None:
                raise ActionRefused(
                    _("no release of {name} is fetched: qms framework fetch {name}").format(
                        name=followed.name
                    )
                )
            release = open_release(git_dir, followed.name, tag)
            declaration = release.config.framework
            assert declaration is not None  # open_release checked
            values = parameter_values(declaration, followed)
            adopted = _derived_codes(repo, followed.name)
            if every:
                targets = [
                    d.code
                    for d in release
                    if d.status is Status.APPROVED and code_key(d.code) not in adopted
                ]
                if not targets:
                    raise ActionRefused(
                        _("every issued model of {name} ({tag}) is adopted already").format(
                            name=followed.name, tag=tag
                        )
                    )
            else:
                targets = []
                for code in codes:
                    model = model_of(release, code, framework=followed.name, tag=tag)
                    if model.status is not Status.APPROVED:
                        raise ActionRefused(
                            _(
                                "model {code} is {status} in release {tag}: only issued models "
                                "are adopted"
                            ).format(code=model.code, status=_(model.status.value), tag=tag)
                        )
                    if code_key(model.code) in adopted:
                        raise ActionRefused(
                            _("model {code} is adopted already, as {local}").format(
                                code=model.code, local=adopted[code_key(model.code)]
                            )
                        )
                    targets.append(model.code)
            person = config.person(by)
            assert person is not None
            files: list[tuple[Any, Any, str]] = []
            results: list[tuple[str, int]] = []
            for code in targets:
                local = canonical_code(local_code) if local_code else code
                problem = check_code(local)
                if problem:
                    raise ActionRefused(str(problem), code=local)
                if local in repo:
                    raise ActionRefused(
                        _("a document with code {code!r} already exists").format(code=local),
                        code=local,
                    )
                model = release.document(code)
                rendered = rendered_model(
                    release, code, values, framework=followed.name, tag=tag, local_code=local
                )
                # a unit of the framework's own list the agency does not have: the adopter's
                if config.unit(model.unit) is None:
                    rendered = rendered.model_copy(update={"unit": person.unit})
                why = translate(config.language, _ADOPTED, "record").format(
                    code=model.code, revision=model.revision, name=followed.name
                )
                draft = rendered.model_copy(
                    update={
                        "revision": 1,
                        "status": Status.DRAFT,
                        "issued_date": None,
                        "effective_date": None,
                        "approvals": [],
                        "periodic_reviews": [],
                        "withdrawal": None,
                        "conflicts": [],
                        "supersedes": [],
                        "history": [ChangeEntry(revision=1, description=why, reason=why)],
                        "derived_from": DerivedFrom(
                            framework=followed.name,
                            code=model.code,
                            revision=model.revision,
                            stamp=content_stamp(model),
                            release=tag,
                        ),
                    }
                )
                draft = _validated(draft)
                self._check_signer(config, draft, by, "authored", now.date())
                kind = DocumentKind(draft.kind)
                file = f"{kind.folder}/{local}.yaml"
                self._real_folder(kind.folder)
                if (self.root / file).exists() or (self.root / file).is_symlink():
                    raise ActionRefused(
                        _("{file} already exists").format(file=file), file=file, code=local
                    )
                files.append((None, draft, file))
                results.append((local, 1))
            legal = shared_legal(repo, release, framework=followed.name, tag=tag)
            if legal.files:
                self._real_folder("legal")
            files += legal.files
            subject = self._framework_subject(
                config, "adopt", count=len(results), name=followed.name, release=tag
            )
            pairs: list[tuple[str, Any]] = [("Framework", followed.name), ("Release", tag)]
            for code, revision in results:
                pairs += [("Document", code), ("Revision", revision)]
            commit = self._commit_files(
                repo, store, action="adopt", files=files, message=subject + _trailers("adopt", pairs),
                by=who, now=now,
            )  # fmt: skip
            return [
                ActionResult("adopt", code, revision, commit, None, subject)
                for code, revision in results
            ]

    def framework_update(
        self, name: str | None = None, *, to: str | None = None, by: str, now: dt.datetime
    ) -> FrameworkUpdate:
        """Take release *to* (default: the newest fetched) of framework *name*, in one commit.

        The shared legal registry is brought up to date, and every derived document whose
        model revision changed gets a revision draft merged three ways (base: the model it
        came from, rendered; theirs: the new model, rendered; ours: the agency's issued
        revision) with its conflicts recorded in it. A derived document with a draft or a
        review open is not overwritten, a withdrawn one is not reopened (both reported);
        models not adopted are offered, models the framework withdrew reported. Nothing is
        approved.
        """
        with self._held() as (repo, store):
            config = repo.config
            who = self._person(config, by)
            followed = followed_framework(config, name)
            fw = followed.name
            git_dir = store.git_dir()
            tag = to or latest_release(git_dir, fw)
            if tag is None:
                raise ActionRefused(
                    _("no release of {name} is fetched: qms framework fetch {name}").format(name=fw)
                )
            new_release = open_release(git_dir, fw, tag)
            old_tag = followed.release
            if old_tag is not None and old_tag != tag:
                new_ref, old_ref = release_ref(fw, tag), release_ref(fw, old_tag)
                if store.is_ancestor(new_ref, old_ref) and not store.is_ancestor(old_ref, new_ref):
                    raise ActionRefused(
                        _(
                            "release {tag} of {name} is older than the release followed "
                            "({old}): a framework is never taken backwards"
                        ).format(tag=tag, name=fw, old=old_tag)
                    )
            declaration = new_release.config.framework
            assert declaration is not None
            values = parameter_values(declaration, followed)
            bases: dict[str, Any] = {}
            files: list[tuple[Any, Any, str]] = []
            drafts: list[UpdatedDocument] = []
            still_open: list[str] = []
            withdrawn: list[str] = []
            to_withdraw: list[str] = []
            adopted = _derived_codes(repo, fw)
            for document in repo:
                source = document.derived_from
                if source is None or source.framework != fw:
                    continue
                if document.status is Status.WITHDRAWN:
                    withdrawn.append(document.code)
                    continue
                model = new_release.document(source.code) if source.code in new_release else None
                if model is None or model.status is Status.WITHDRAWN:
                    to_withdraw.append(document.code)
                    continue
                if model.status is not Status.APPROVED or model.revision == source.revision:
                    continue
                if document.status is not Status.APPROVED:
                    still_open.append(document.code)
                    continue
                base_tag = source.release or old_tag
                if base_tag is None:
                    raise ActionRefused(
                        _("{code}: derived_from names no release to merge from").format(
                            code=document.code
                        ),
                        code=document.code,
                    )
                if base_tag not in bases:
                    bases[base_tag] = open_release(git_dir, fw, base_tag)
                base_release = bases[base_tag]
                base_model = model_of(base_release, source.code, framework=fw, tag=base_tag)
                if (
                    base_model.revision != source.revision
                    or content_stamp(base_model) != source.stamp
                ):
                    raise ActionRefused(
                        _(
                            "{code}: release {tag} of {name} no longer holds the model it was "
                            "derived from ({model} revision {revision})"
                        ).format(
                            code=document.code, tag=base_tag, name=fw, model=source.code,
                            revision=source.revision,
                        ),
                        code=document.code,
                    )  # fmt: skip
                base = rendered_model(
                    base_release, source.code, values, framework=fw, tag=base_tag,
                    local_code=document.code,
                )  # fmt: skip
                theirs = rendered_model(
                    new_release, source.code, values, framework=fw, tag=tag,
                    local_code=document.code,
                )  # fmt: skip
                merged = merge_documents(base, theirs, document)
                note = next(
                    (h.description for h in model.history if h.revision == model.revision), ""
                )
                why = translate(config.language, _UPDATED, "record").format(
                    code=source.code, revision=model.revision, name=fw, release=tag
                )
                if note:
                    why = f"{why}: {note}"
                new = lifecycle.next_revision(
                    merged.document,
                    why,
                    derived_from=DerivedFrom(
                        framework=fw,
                        code=model.code,
                        revision=model.revision,
                        stamp=content_stamp(model),
                        release=tag,
                    ),
                )
                new = _validated(new)
                files.append((document, new, repo.file_of(document.code)))
                drafts.append(
                    UpdatedDocument(
                        new.code, new.revision, model.code, model.revision,
                        tuple(c.field for c in merged.conflicts),
                    )
                )  # fmt: skip
            offered = tuple(
                d.code
                for d in new_release
                if d.status is Status.APPROVED and code_key(d.code) not in adopted
            )
            legal: SharedLegal = shared_legal(repo, new_release, framework=fw, tag=tag)
            if legal.files:
                self._real_folder("legal")
            files += legal.files
            if old_tag != tag:
                files.append((config, _with_release(config, fw, tag), CONFIG_FILE))
            subject = self._framework_subject(
                config, "framework-update", release=tag, name=fw, count=len(drafts)
            )
            pairs: list[tuple[str, Any]] = [("Framework", fw), ("Release", tag)]
            for draft in drafts:
                pairs += [("Document", draft.code), ("Revision", draft.revision)]
            commit = None
            if files:
                commit = self._commit_files(
                    repo, store, action="framework-update", files=files,
                    message=subject + _trailers("framework-update", pairs), by=who, now=now,
                )  # fmt: skip
            return FrameworkUpdate(
                framework=fw,
                release_from=old_tag,
                release_to=tag,
                commit=commit,
                drafts=tuple(drafts) if commit else (),
                open=tuple(still_open),
                withdrawn=tuple(withdrawn),
                to_withdraw=tuple(to_withdraw),
                offered=offered,
                legal_added=tuple(legal.added),
                legal_updated=tuple(legal.updated),
                legal_edited_locally=tuple(legal.edited_locally),
                message=subject if commit else _("nothing to change"),
            )


def _derived_codes(repo: Reader, framework: str) -> dict[str, str]:
    """Return, by the model's case-folded code, the agency's document derived from it."""
    out = {}
    for document in repo:
        source = document.derived_from
        if source is not None and source.framework == framework:
            out[code_key(source.code)] = document.code
    return out


def _release_refs(git_dir: Path, name: str) -> dict[str, str]:
    from qmsdocs.store.git import list_refs

    return list_refs(git_dir, release_ref(name, ""))


def _drop_refs(git_dir: Path, refs: set[str]) -> None:
    from qmsdocs.store.git import update_refs

    update_refs(git_dir, dict.fromkeys(refs))
