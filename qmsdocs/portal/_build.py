"""Build the portal: collect what a repository says as of a day, render it once, write it.

The site's addresses (every link is relative, so the site works from a web server, a
shared folder or ``file://``)::

    index.html                  home: agency, quality policy, objectives, recent changes
    internal.html               the internal documents list
    external.html               the legal registry: status, chain of changes, who cites it
    search.html                 search (search-index.js, built here; search.js folds input)
    dashboard.html              the province's dashboard, when fleet rows are given
    doc/<CODE>/index.html       the revision in force (an address that always shows it)
    doc/<CODE>/r<N>.html        issued revision N, forever at this address
    doc/<CODE>/history.html     the revision timeline and the redline of each revision
    doc/<CODE>/<CODE>_r<N>.docx the controlled copy of the revision in force

Each issued revision is read and rendered once per build, and not at all when the build
manifest (``.qms-portal.json`` in the output folder) shows its page was written from the
same tagged commit, state and site settings: a rebuild after one revision renders only
that document's pages and the pages every document shares.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from qmsdocs._version import __version__
from qmsdocs.diff import diff
from qmsdocs.diffrender import render_html
from qmsdocs.errors import QmsError
from qmsdocs.export import ExportInfo, render_document
from qmsdocs.export._labels import labels, legal_status_label, legal_type_label, state_label
from qmsdocs.export._sections import Citations, header_facts, procedure_parts
from qmsdocs.export._text import date_text
from qmsdocs.i18n import N_, _, language
from qmsdocs.impact import document_citations
from qmsdocs.legal import number_key
from qmsdocs.lifecycle import DocumentState
from qmsdocs.listing import RevisionRecord
from qmsdocs.model import Document, Objectives, Policy
from qmsdocs.portal._search import SearchEntry, entry_of, index_script
from qmsdocs.portal._svg import Bar, Span, bar_chart, timeline
from qmsdocs.repository import Repository
from qmsdocs.store.files import output_folder, write_output

__all__ = ["DashboardRow", "PortalBuild", "build_portal"]

MANIFEST = ".qms-portal.json"
_FORMAT = 1
_KIND_ORDER = ("policy", "objectives", "procedure", "form")
#: What a relation does to its target, read from the target's row ("amended by …") and
#: from the source's row ("amends …").
_ACTED_ON = {
    "amends": N_("Amended by"),
    "replaces": N_("Replaced by"),
    "repeals": N_("Repealed by"),
    "corrects": N_("Corrected by"),
    "guides": N_("Guided by"),
}
_ACTS = {
    "amends": N_("Amends"),
    "replaces": N_("Replaces"),
    "repeals": N_("Repeals"),
    "corrects": N_("Corrects"),
    "guides": N_("Guides"),
}


@dataclass(frozen=True)
class DashboardRow:
    """One agency's row of the province's dashboard (the fleet status of one repository).

    *portal* is the address of the agency's own portal, relative to the province's site,
    when its repository is mirrored and built; *problem* says why the row has no figures.
    """

    agency: str
    documents: int = 0
    overdue_reviews: int = 0
    overdue_legal: int = 0
    framework_lag: int | None = None  # releases of the framework behind; None: not known
    portal: str | None = None
    problem: str | None = None


@dataclass
class PortalBuild:
    """What a build did: the files written, those left as they were, and those removed."""

    out: Path
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    rendered_revisions: int = 0
    reused_revisions: int = 0
    index_bytes: int = 0


@dataclass
class _Revision:
    record: RevisionRecord
    state: DocumentState
    key: str


@dataclass
class _Doc:
    code: str
    kind: str
    title: str
    state: DocumentState
    current: int  # the revision the current address shows
    revisions: list[_Revision]
    key: str
    document: Document | None = None  # the revision the current address shows, when read


class _Site:
    """One build: the repository, the day, the language, the templates and the writer."""

    def __init__(
        self,
        repo: Repository,
        out: Path,
        *,
        as_of: dt.date,
        lang: str,
        docx: bool,
        fleet: Sequence[DashboardRow] | None,
    ) -> None:
        from jinja2 import Environment, PackageLoader, StrictUndefined

        self.repo, self.out, self.as_of, self.lang = repo, out, as_of, lang
        self.docx, self.fleet = docx, fleet
        self.env = Environment(
            loader=PackageLoader("qmsdocs.portal", "templates"),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.globals["_"] = _
        self.env.filters["day"] = lambda day: date_text(day, empty="—")
        self.words = labels(lang)
        self.config = repo.config
        self.summaries = repo.summaries(on=as_of)
        self.titles = {s.code: s.title for s in self.summaries}
        self.people = {p.id: p.name for p in self.config.people}
        self.citations = Citations(repo.legal, self.words, lang)
        self.report = PortalBuild(out=out)
        self.files: dict[str, bytes] = {}
        self.old = self._manifest()
        self.manifest: dict[str, Any] = {"format": _FORMAT, "key": self._site_key(), "docs": {}}
        self.fresh = self.old.get("key") == self.manifest["key"]

    # -- keys and manifest ---------------------------------------------------------------

    def _site_key(self) -> str:
        digest = hashlib.sha256()
        for part in (
            str(_FORMAT),
            __version__,
            self.lang,
            self.as_of.isoformat(),
            self.config.model_dump_json(),
            json.dumps(sorted(self.titles.items()), ensure_ascii=False),
            json.dumps(sorted(d.model_dump_json() for d in self.repo.legal), ensure_ascii=False),
            str(self.docx),
        ):
            digest.update(part.encode())
            digest.update(b"\0")
        for folder in ("templates", "static"):
            for item in sorted(
                resources.files("qmsdocs.portal").joinpath(folder).iterdir(), key=lambda p: p.name
            ):
                digest.update(item.name.encode() + b"\0" + item.read_bytes())
        return digest.hexdigest()

    def _manifest(self) -> dict[str, Any]:
        try:
            data = json.loads((self.out / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) and data.get("format") == _FORMAT else {}

    def _kept(self, code: str, key: str) -> dict[str, Any] | None:
        """Return what the last build kept of *code* if it was built from the same *key*."""
        entry = self.old.get("docs", {}).get(code)
        if not self.fresh or not isinstance(entry, dict) or entry.get("key") != key:
            return None
        if not all((self.out / path).is_file() for path in entry.get("files", [])):
            return None
        return entry

    # -- rendering -----------------------------------------------------------------------

    def render(self, template: str, path: str, **values: Any) -> None:
        """Render *template* to the site's *path*, links made relative to its folder."""
        depth = path.count("/")
        page = self.env.get_template(template).render(
            root="../" * depth,
            path=path,
            lang=self.lang,
            as_of=self.as_of,
            org=self.config.organization,
            w=self.words,
            dashboard=self.fleet is not None,
            **values,
        )
        self.files[path] = page.encode("utf-8")

    # -- collecting ----------------------------------------------------------------------

    def documents(self) -> list[_Doc]:
        """Return every document with an issued revision as of the day, sorted by code.

        A document's key is made of its revision tags and its state on the day; what a
        revision says of itself (dates, signers, reason) is read again only when the key
        differs from the last build's.
        """
        docs: list[_Doc] = []
        for summary in self.summaries:
            code = summary.code
            tags = [
                t
                for t in self.repo.revisions(code)
                if t.issued_at is None or t.issued_at.date() <= self.as_of
            ]
            if not tags:
                continue
            state, number = self.repo.state_on(code, self.as_of)
            numbers = [t.revision for t in tags]
            current = number if number in numbers else numbers[-1]
            keys = []
            for tag in tags:
                if tag.revision == current:
                    rstate = state
                elif tag.revision < current:
                    rstate = DocumentState.SUPERSEDED
                else:
                    rstate = DocumentState.PENDING
                keys.append((rstate, f"{tag.revision}:{tag.commit}:{tag.stamp}:{rstate.value}"))
            key = "|".join(k for _, k in keys) + f"|{current}"
            kept = self._kept(code, key)
            if kept is not None:
                records = [_record(r) for r in kept["records"]]
            else:
                known = {r.revision: r for r in self.repo.revision_history(code)}
                records = [known[n] for n in numbers if n in known]
            by_number = {r.revision: r for r in records}
            revisions = [
                _Revision(by_number[tag.revision], rstate, k)
                for tag, (rstate, k) in zip(tags, keys, strict=True)
                if tag.revision in by_number
            ]
            if not revisions:
                continue
            docs.append(_Doc(code, summary.kind, summary.title, state, current, revisions, key))
        return docs

    # -- pages of one document -----------------------------------------------------------

    def document_pages(self, doc: _Doc) -> dict[str, Any]:
        """Render the pages of *doc* (or keep last build's) and return its manifest entry."""
        kept = self._kept(doc.code, doc.key)
        if kept is not None:
            self.report.reused_revisions += len(doc.revisions)
            for path in kept["files"]:
                self.files[path] = b""  # written by the last build: keep
            return kept
        folder = f"doc/{doc.code}"
        files: list[str] = []
        read: dict[int, Document] = {}
        for rev in doc.revisions:
            number = rev.record.revision
            document = self.repo.revision(doc.code, number)
            read[number] = document
            self.report.rendered_revisions += 1
            path = f"{folder}/r{number}.html"
            self.render("document.html", path, **self._document_values(doc, rev, document))
            files.append(path)
            if number == doc.current:
                # the address that always shows the revision in force: the same page
                self.files[f"{folder}/index.html"] = self.files[path]
                files.append(f"{folder}/index.html")
        current = read[doc.current]
        doc.document = current
        if self.docx and doc.state is not DocumentState.WITHDRAWN:
            name = f"{folder}/{doc.code}_r{doc.current}.docx"
            tag = next(r for r in self.repo.revisions(doc.code) if r.revision == doc.current)
            info = ExportInfo(state=doc.state, stamp=tag.stamp, commit=tag.commit)
            self.files[name] = render_document(current, context=self.context, info=info)
            files.append(name)
        self.render("history.html", f"{folder}/history.html", **self._history_values(doc, read))
        files.append(f"{folder}/history.html")
        entry = entry_of(current, href=f"{folder}/index.html", kind=self._kind(doc.kind))
        cites = sorted({number_key(c.number) for c in document_citations(current)})
        if doc.state is DocumentState.WITHDRAWN:
            cites = []
        return {
            "key": doc.key,
            "files": files,
            "search": entry.row(),
            "cites": cites,
            "records": [r.record.to_dict() for r in doc.revisions],
        }

    @property
    def context(self) -> Any:
        if not hasattr(self, "_context"):
            from qmsdocs.copies import export_context
            from qmsdocs.export import ExportContext

            if self.config.export.template:
                self._context = export_context(self.repo)  # checks and reads the template
            else:  # the titles are the list's: no need to read every document
                self._context = ExportContext(
                    config=self.config, legal=self.repo.legal, titles=self.titles
                )
        return self._context

    def _kind(self, kind: str) -> str:
        return self.words.get(f"kind_{kind}", kind)

    def _document_values(self, doc: _Doc, rev: _Revision, document: Document) -> dict[str, Any]:
        words = self.words
        unit = self.config.unit(document.unit)
        signed = {s.meaning: s for s in document.approvals}
        return {
            "doc": doc,
            "rev": rev,
            "d": document,
            "kind": self._kind(doc.kind),
            "state": state_label(rev.state, self.lang),
            "in_force": rev.state is DocumentState.EFFECTIVE,
            "facts": header_facts(document, words),
            "unit": unit.name if unit else document.unit,
            # a withdrawal is recorded in the file after the last revision's tag
            "withdrawal": self.repo.document(doc.code).withdrawal
            if rev.state is DocumentState.WITHDRAWN
            else document.withdrawal,
            "signed": signed,
            "legal_basis": self.citations.citations(document.legal_basis),
            "parts": dict(procedure_parts(document)) if doc.kind == "procedure" else {},  # type: ignore[arg-type]
            "titles": self.titles,
            "published": self.published,
            "docx": f"{doc.code}_r{doc.current}.docx"
            if self.docx and doc.state is not DocumentState.WITHDRAWN
            else None,
            "datetime": lambda moment: f"{moment:%d/%m/%Y %H:%M}",
        }

    def _history_values(self, doc: _Doc, read: dict[int, Document]) -> dict[str, Any]:
        spans = []
        for rev in doc.revisions:
            record = rev.record
            start = record.effective or record.issued or self.as_of
            end = record.withdrawn or record.superseded
            if end is not None and end > self.as_of:
                end = None
            label = f"{self.words['revision']} {record.revision:02d} – {date_text(start)}"
            spans.append(Span(label, start, end, rev.state.value, f"r{record.revision}.html"))
        picture = timeline(spans, until=self.as_of, title=f"{doc.code}: {doc.title}")
        redlines = []
        numbers = [r.record.revision for r in doc.revisions]
        for old, new in zip(numbers, numbers[1:], strict=False):
            page = render_html(diff(read[old], read[new]), language=self.lang, people=self.people)
            body = page.split("<body>", 1)[1].rsplit("</body>", 1)[0]
            body = body.split("</h1>", 1)[-1]  # the document's title is the page's own
            redlines.append((old, new, body))
        return {
            "doc": doc,
            "kind": self._kind(doc.kind),
            "timeline": picture,
            "redlines": redlines,
            "states": {r.record.revision: state_label(r.state, self.lang) for r in doc.revisions},
        }

    # -- pages every document shares ----------------------------------------------------

    def build(self) -> PortalBuild:
        docs = self.documents()
        self.published = {d.code for d in docs}
        entries: list[SearchEntry] = []
        cited_by: dict[str, list[str]] = {}
        for doc in docs:
            entry = self.document_pages(doc)
            self.manifest["docs"][doc.code] = entry
            entries.append(SearchEntry(*entry["search"]))
            for number in entry["cites"]:
                cited_by.setdefault(number, []).append(doc.code)
        self._home(docs)
        self.render("internal.html", "internal.html", groups=self._groups(docs))
        self._external(cited_by)
        self.render("search.html", "search.html")
        index = index_script(entries)
        self.files["search-index.js"] = index
        self.report.index_bytes = len(index)
        if self.fleet is not None:
            self._dashboard(self.fleet)
        for item in resources.files("qmsdocs.portal").joinpath("static").iterdir():
            self.files[f"static/{item.name}"] = item.read_bytes()
        return self.write()

    def _groups(self, docs: list[_Doc]) -> list[tuple[str, list[dict[str, Any]]]]:
        groups = []
        for kind in _KIND_ORDER:
            rows = []
            for doc in docs:
                if doc.kind != kind:
                    continue
                record = next(r.record for r in doc.revisions if r.record.revision == doc.current)
                rows.append(
                    {
                        "code": doc.code,
                        "title": doc.title,
                        "revision": doc.current,
                        "effective": record.effective,
                        "state": state_label(doc.state, self.lang),
                        "in_force": doc.state is DocumentState.EFFECTIVE,
                    }
                )
            if rows:
                groups.append((self._kind(kind), rows))
        return groups

    def _home(self, docs: list[_Doc]) -> None:
        policies: list[Policy] = []
        objectives: list[Objectives] = []
        for doc in docs:
            if doc.state is not DocumentState.EFFECTIVE or doc.kind not in ("policy", "objectives"):
                continue
            document = doc.document or self.repo.revision(doc.code, doc.current)
            if isinstance(document, Policy):
                policies.append(document)
            elif isinstance(document, Objectives):
                objectives.append(document)
        # the objectives of the year, or else the latest year's
        this_year = [o for o in objectives if o.year == self.as_of.year]
        latest = max((o.year for o in objectives), default=0)
        objectives = this_year or [o for o in objectives if o.year == latest]
        changes = []
        since = self.as_of - dt.timedelta(days=365)
        for doc in docs:
            for rev in doc.revisions:
                day = rev.record.effective or rev.record.issued
                if day is not None and since <= day <= self.as_of:
                    changes.append((day, doc.code, doc.title, rev.record))
        changes.sort(key=lambda c: (c[0], c[1]), reverse=True)
        self.render(
            "home.html",
            "index.html",
            policies=policies,
            objectives=objectives,
            changes=changes[:20],
            groups=self._groups(docs),
        )

    def _external(self, cited_by: dict[str, list[str]]) -> None:
        registry = self.repo.legal
        rows = []
        for legal in sorted(registry, key=lambda d: (d.issued, d.number), reverse=True):
            chain = []
            for event in registry.events(legal):
                chain.append(
                    {
                        "relation": _(_ACTED_ON[event.relation.type.value]),
                        "source": event.source.number,
                        "anchor": event.source.code,
                        "effective": event.effective,
                        "articles": ", ".join(event.relation.articles),
                    }
                )
            acts = [
                {
                    "relation": _(_ACTS[r.type.value]),
                    "target": r.target,
                    "anchor": self._anchor(r.target),
                }
                for r in legal.relations
            ]
            rows.append(
                {
                    "legal": legal,
                    "type": legal_type_label(legal.type, self.lang),
                    "status": legal_status_label(registry.status_on(legal, self.as_of), self.lang),
                    "chain": chain,
                    "acts": acts,
                    "cited_by": sorted(cited_by.get(number_key(legal.number), [])),
                }
            )
        self.render("external.html", "external.html", rows=rows)

    def _anchor(self, ref: str) -> str | None:
        legal = self.repo.legal.get(ref)
        return legal.code if legal is not None else None

    def _dashboard(self, fleet: Sequence[DashboardRow]) -> None:
        rows = sorted(fleet, key=lambda r: r.agency)
        charts = [
            bar_chart(
                [Bar(r.agency, r.overdue_reviews) for r in rows],
                title=_("Overdue reviews by agency"),
            ),
            bar_chart(
                [Bar(r.agency, r.overdue_legal) for r in rows],
                title=_("Overdue legal updates by agency"),
                colour="#8a5a00",
            ),
        ]
        if any(r.framework_lag is not None for r in rows):
            charts.append(
                bar_chart(
                    [Bar(r.agency, r.framework_lag or 0) for r in rows],
                    title=_("Framework releases behind, by agency"),
                    colour="#1d4f91",
                )
            )
        self.render("dashboard.html", "dashboard.html", rows=rows, charts=charts)

    # -- writing -------------------------------------------------------------------------

    def write(self) -> PortalBuild:
        output_folder(self.out)
        report = self.report
        for path in sorted(self.files):
            data = self.files[path]
            target = self.out / path
            if data == b"" and path not in self._always_written():
                report.unchanged.append(path)
                continue
            try:
                same = target.read_bytes() == data
            except OSError:
                same = False
            if same:
                report.unchanged.append(path)
            else:
                write_output(target, data)
                report.written.append(path)
        produced = set(self.files)
        for path in sorted(self.old.get("files", [])):
            if path not in produced:
                try:
                    (self.out / path).unlink()
                    report.removed.append(path)
                except OSError:
                    pass
        self.manifest["files"] = sorted(produced)
        text = json.dumps(self.manifest, ensure_ascii=False, sort_keys=True, indent=1) + "\n"
        write_output(self.out / MANIFEST, text.encode("utf-8"))
        return report

    def _always_written(self) -> set[str]:
        return set()


def _record(data: dict[str, Any]) -> RevisionRecord:
    """Return the record :meth:`RevisionRecord.to_dict` gave."""
    values = dict(data)
    for name in ("issued", "effective", "superseded", "withdrawn"):
        if values.get(name):
            values[name] = dt.date.fromisoformat(values[name])
    return RevisionRecord(**values)


def build_portal(
    repo: Repository,
    out: str | os.PathLike[str],
    *,
    as_of: dt.date,
    lang: str | None = None,
    docx: bool = True,
    fleet: Sequence[DashboardRow] | None = None,
) -> PortalBuild:
    """Write the static website of *repo* as of *as_of* into the folder *out*.

    Pages are in *lang* (default: the language of qms.yaml). With *docx*, each document's
    page offers the controlled .docx of its revision in force. With *fleet* (one
    :class:`DashboardRow` per agency), a dashboard page of the province; without it, in a
    repository holding ``fleet.yaml``, the rows of :func:`qmsdocs.fleet.fleet_status` and
    each agency's own portal under ``agencies/<id>/`` (see :mod:`qmsdocs.portal._province`). Only what changed
    since the last build into *out* is rendered again (see :data:`MANIFEST`); the same
    repository, day and options give the same bytes. Raise :class:`QmsError` when *out*
    cannot be written.
    """
    lang = lang or repo.config.language
    target = Path(out)
    if target.exists() and not target.is_dir():
        raise QmsError(_("{out} is not a folder").format(out=target))
    with language(lang):
        if fleet is None:
            from qmsdocs.portal._province import province_rows

            fleet = province_rows(repo, target, as_of=as_of, lang=lang, docx=docx)
        return _Site(repo, target, as_of=as_of, lang=lang, docx=docx, fleet=fleet).build()
