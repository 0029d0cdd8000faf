"""The province as one repository per agency: the fleet benchmark's agencies.

    python bench/province.py DEST --agencies 227

The same fictional province as ``bench/generate.py`` (tỉnh Bình Giang): the provincial
office, 12 departments (sở) and 214 communes and wards, about 12,500 documents in all, but
each agency in a git repository of its own, as the fleet sees them. It reuses the
generator: the agencies and their people, the legal registry, the documents and their
topics, and phase B's history written with ``git fast-import`` (commits and annotated tags
in the library's format: ``qms verify`` passes). What differs:

* the shares: a department has about 110 procedures, a commune or ward about 40 (then
  forms, its policy and its objectives: about 50 documents), 10,000 procedures in all;
* each agency's qms.yaml lists its own units and people, and its legal registry holds only
  what its documents cite (each lineage whole, with what those documents relate to);
* no phase A: the 500-revision document is the 10,000-procedure repository's benchmark.

Repositories are cached under bench/.cache/province-<key>/<CODE> (never committed), by a
hash of the parameters and of this file and generate.py; a hook, :data:`FRAMEWORK_HOOK`,
lets the framework repository (issue 17) be written beside them once it exists.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import datetime as dt
import hashlib
import json
import os
import random
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

from bench import generate as g  # noqa: E402
from qmsdocs.schemas import render_schemas  # noqa: E402

__all__ = ["FRAMEWORK_HOOK", "PROVINCE_AGENCIES", "build_province", "ensure_province"]

#: Agencies of the province: the provincial office, 12 departments, 214 communes and wards.
PROVINCE_AGENCIES = 227
#: Procedures of a department and of a commune or ward (10,000 in all at 227 agencies).
DEPARTMENT_PROCEDURES = 110
PROVINCE_VERSION = 1
#: Called as ``FRAMEWORK_HOOK(dest, agencies)`` after the agencies are written, when set:
#: where issue 17's framework repository will be generated.
FRAMEWORK_HOOK: Callable[[Path, Sequence[Any]], None] | None = None


def _shares(agencies: Sequence[g.Agency], procedures: int) -> list[int]:
    departments = sum(1 for a in agencies if not a.commune)
    communes = len(agencies) - departments
    big = min(DEPARTMENT_PROCEDURES, procedures // max(1, len(agencies)) * 3)
    rest = procedures - big * departments
    small = [rest // communes + (1 if i < rest % communes else 0) for i in range(communes)]
    out, k = [], 0
    for agency in agencies:
        if agency.commune:
            out.append(small[k])
            k += 1
        else:
            out.append(big)
    return out


def build_world(params: g.Params, count: int) -> g.World:
    """Return the province's world: *count* agencies, departments with larger shares.

    The same as :func:`bench.generate.build_world` but for the shares.
    """
    seed = params.seed
    agencies = g.build_agencies(count, seed)
    legal = g.LegalBuilder(random.Random(f"{seed}:legal"), params.legal)
    rng = random.Random(f"{seed}:documents")
    docs: list[g.DocSpec] = []
    for agency, share in zip(agencies, _shares(agencies, params.documents), strict=True):
        systems = min(len(g.SYSTEM_PROCEDURES), share)
        for index in range(systems):
            doc = g.DocSpec(
                "procedure",
                f"QT-{agency.code}-{index + 1:02d}",
                g.SYSTEM_PROCEDURES[index][0],
                agency,
                f"{agency.slug}-van-phong",
                seed=seed,
                category="system",
                system=index,
            )
            g._system_topics(doc, legal)
            docs.append(doc)
        names = g._tthc_names(agency, share - systems, random.Random(f"{seed}:tthc:{agency.code}"))
        for offset, (name, key) in enumerate(names, start=systems + 1):
            doc = g.DocSpec(
                "procedure",
                f"QT-{agency.code}-{offset:02d}",
                f"Quy trình {g._lower_first(name)}",
                agency,
                agency.unit_of_field[key],
                seed=seed,
                category="administrative",
                field_spec=g.FIELD_BY_KEY[key],
                tthc=name,
            )
            g._tthc_topics(doc, legal)
            docs.append(doc)
        lead = f"{agency.slug}-lanh-dao"
        policy = g.DocSpec(
            "policy", f"CSCL-{agency.code}", "Chính sách chất lượng", agency, lead, seed=seed
        )
        policy.topics = [
            g.Topic(legal.lineages["qms-decision"]),
            g.Topic(legal.lineages["iso"], clause="5.2", note="Điều khoản 5.2 - Chính sách"),
        ]
        objectives = g.DocSpec(
            "objectives",
            f"MTCL-{agency.code}-2026",
            "Mục tiêu chất lượng năm 2026",
            agency,
            lead,
            seed=seed,
        )
        objectives.topics = [
            g.Topic(legal.lineages["qms-decision"]),
            g.Topic(
                legal.lineages["iso"], clause="6.2", note="Điều khoản 6.2 - Mục tiêu chất lượng"
            ),
        ]
        policy.refs_wanted = objectives.refs_wanted = 2
        docs += [policy, objectives]
    g._attach_forms(docs, params, rng)
    return g.World(params, agencies, legal, docs, docs[0])


def _legal_subset(world: g.World, docs: Sequence[g.DocSpec]) -> list[g.LegalSpec]:
    """Return the legal documents *docs* may cite: their lineages whole, and what they relate to."""
    lineages = {id(t.lineage): t.lineage for d in docs for t in d.topics}
    for d in docs:
        if getattr(d, "fee_topic", None) is not None:
            lineages[id(d.fee_topic.lineage)] = d.fee_topic.lineage
    by_number = {d.number: d for d in world.legal.documents}
    keep = {m.number for lineage in lineages.values() for m in lineage.members}
    # what they relate to, and what relates to them (amendments, corrections, guidance),
    # until nothing is added: the registry validates on its own
    changed = True
    while changed:
        changed = False
        for document in world.legal.documents:
            targets = {r.get("target") for r in document.relations}
            if document.number in keep:
                new = {t for t in targets if isinstance(t, str) and t in by_number} - keep
                if new:
                    keep |= new
                    changed = True
            elif targets & keep:
                keep.add(document.number)
                changed = True
    return [d for d in world.legal.documents if d.number in keep]


def build_agency(dest: Path, world: g.World, agency: g.Agency) -> dict[str, Any]:
    """Write the repository of *agency* into the new folder *dest*; return its counts."""
    docs = [d for d in world.docs if d.agency is agency]
    legal = copy.copy(world.legal)
    legal.documents = _legal_subset(world, docs)
    params = g.Params(
        documents=sum(1 for d in docs if d.kind == "procedure"),
        legal=len(legal.documents),
        commits=0,
        seed=world.params.seed,
        big_revisions=0,
        forms_ratio=world.params.forms_ratio,
    )
    sub = g.World(params, [agency], legal, docs, world.big)
    # the commit budget: everything issued once, then about 0.6 more commits a document
    # (the 10,000-procedure repository's 20,000 commits for 12,454 documents)
    probe = g.HistoryPlan.__new__(g.HistoryPlan)
    probe.world = sub
    probe.start = max(g.PHASE_B_EARLIEST, g.PHASE_A_START + dt.timedelta(days=2))
    groups = len(probe._legal_groups())
    need = 1 + groups + len(docs) + 4 * sum(1 for d in docs if d.kind == "procedure" and d.forms)
    params = dataclasses.replace(
        params, commits=params.phase_a_commits + need + round(0.6 * len(docs))
    )
    sub.params = params

    dest.mkdir(parents=True)
    g.git(dest, "init", "-q", "-b", "main")
    g.git(dest, "config", "gc.auto", "0")
    officer = agency.signer("procedure", "authored", [g.PHASE_A_START], prefer="iso-officer")
    if officer is None:
        officer = agency.people[0]
    writer = g.FastImport(dest, continue_branch=False)
    files = [("qms.yaml", g.config_text([agency]).encode("utf-8"))]
    files += [(f"schemas/{n}", t.encode("utf-8")) for n, t in sorted(render_schemas().items())]
    writer.write(
        g.CommitSpec(g.at(g.PHASE_A_START, 8), officer, "Khởi tạo hệ thống tài liệu ISO 9001\n",
                     files)
    )  # fmt: skip
    early = [d for d in legal.documents if d.raw and d.issued < g.PHASE_A_START]
    if early:
        message = f"Cập nhật văn bản bên ngoài: {len(early)} văn bản\n"
        writer.write(
            g.CommitSpec(g.at(g.PHASE_A_START, 8, 15), officer, message,
                         [(d.path, d.text()) for d in early])
        )  # fmt: skip
    writer.close()
    plan = g.HistoryPlan(sub, g.PHASE_A_START)
    plan.events.sort(key=lambda e: (e[0], e[1]))
    writer = g.FastImport(dest, continue_branch=True)
    for _, _, run in plan.events:
        writer.write(run())
    writer.close()
    g.git(dest, "reset", "-q", "--hard")
    g.git(dest, "gc", "-q")
    kinds: dict[str, int] = {}
    for doc in docs:
        kinds[doc.kind] = kinds.get(doc.kind, 0) + 1
    return {
        "code": agency.code,
        "name": agency.name,
        "level": "sở" if not agency.commune else agency.name.split()[1],
        "documents": len(docs),
        "kinds": kinds,
        "legal": len(legal.documents),
        "commits": int(g.git(dest, "rev-list", "--count", "HEAD")),
        "tags": len(g.git(dest, "tag", "-l", "qms/*").split()),
    }


def _key(params: g.Params, count: int) -> str:
    here = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    generator = hashlib.sha256(Path(g.__file__).read_bytes()).hexdigest()
    text = json.dumps(
        {"v": PROVINCE_VERSION, "here": here, "generator": generator, "count": count,
         "library": g._library_fingerprint(), **params.as_dict()},
        sort_keys=True,
    )  # fmt: skip
    return "province-" + hashlib.sha256(text.encode()).hexdigest()[:16]


def build_province(
    dest: Path,
    *,
    agencies: int = PROVINCE_AGENCIES,
    params: g.Params | None = None,
    log: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Write the first *agencies* agencies of the province into *dest*, one folder each.

    The world is always the province of 227 agencies (10,000 procedures): a smaller run
    takes its first agencies (the office, the departments, then communes), as they are.
    """
    g.pin_git_environment()
    params = params or g.Params(documents=10_000, legal=2_000)
    started = time.perf_counter()
    world = build_world(params, PROVINCE_AGENCIES)
    log(f"world: {len(world.agencies)} agencies, {len(world.docs)} documents "
        f"({time.perf_counter() - started:.1f} s)")  # fmt: skip
    rows = []
    for n, agency in enumerate(world.agencies[:agencies], start=1):
        rows.append(build_agency(dest / agency.code.lower(), world, agency))
        if n % 20 == 0 or n == agencies:
            log(f"{n}/{agencies} agencies ({time.perf_counter() - started:.0f} s)")
    if FRAMEWORK_HOOK is not None:
        FRAMEWORK_HOOK(dest, world.agencies[:agencies])
    return {
        "agencies": rows,
        "documents": sum(r["documents"] for r in rows),
        "seconds": round(time.perf_counter() - started, 1),
    }


def ensure_province(
    agencies: int = PROVINCE_AGENCIES,
    cache_dir: Path = g.DEFAULT_CACHE,
    *,
    log: Callable[[str], None] = lambda _: None,
) -> tuple[Path, dict[str, Any]]:
    """Return the cached province of *agencies* agencies and its description, built if needed."""
    params = g.Params(documents=10_000, legal=2_000)
    folder = cache_dir / _key(params, agencies)
    meta_file = folder / "meta.json"
    if meta_file.exists():
        return folder / "agencies", json.loads(meta_file.read_text(encoding="utf-8"))
    scratch = folder.with_name(folder.name + f".tmp{os.getpid()}")
    shutil.rmtree(scratch, ignore_errors=True)
    meta = build_province(scratch / "agencies", agencies=agencies, params=params, log=log)
    (scratch / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), "utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    scratch.rename(folder)
    return folder / "agencies", meta


def main(argv: Sequence[str] | None = None) -> int:
    """Build (or find in the cache) the province; print where it is."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--agencies", type=int, default=PROVINCE_AGENCIES)
    parser.add_argument("--cache-dir", type=Path, default=g.DEFAULT_CACHE)
    args = parser.parse_args(argv)
    where, meta = ensure_province(args.agencies, args.cache_dir, log=print)
    print(f"{where}: {len(meta['agencies'])} agencies, {meta['documents']} documents")
    return 0


if __name__ == "__main__":
    sys.exit(main())
