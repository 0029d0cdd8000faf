"""The benchmark harness: ``make bench`` (``python bench/run.py``).

Measures qmsdocs on a province-scale repository made by bench/generate.py (cached under
bench/.cache): each case runs in a fresh Python process, is repeated (median of up to
``--repeat`` runs, within ``--case-budget`` seconds), and reports its peak memory (the
maximum resident set of the process and the git processes it waited for, from ``wait4``).
Prints a table and writes bench/results.json. A case whose API does not exist yet reports
"not available" instead of failing, so the harness runs today and picks features up as
they land.

    python bench/run.py                       # the default repository: 10,000 procedures
    python bench/run.py --cases impact,diff   # some cases only
    python bench/run.py --profile             # cProfile of open+validate and one action
    python bench/run.py --scale               # 1,000 / 10,000 / 50,000 procedures

See bench/README.md for what each case measures.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import io
import json
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
BENCH = PROJECT / "bench"
if str(PROJECT) not in sys.path:  # run as a script: python bench/run.py
    sys.path.insert(0, str(PROJECT))

from bench.generate import DEFAULT_CACHE, TZ, Params  # noqa: E402

RESULTS = BENCH / "results.json"
OUT = BENCH / "out"  # profiles (gitignored)
MEMORY_TARGET_MB = 500.0
SCALE_SIZES = ((1_000, 20_000), (10_000, 20_000), (50_000, 5_000))


class Unavailable(Exception):
    """The API a case measures does not exist (yet)."""


# -- the cases --------------------------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    """One line of the table: what is measured and its target (seconds), if the issue sets one."""

    name: str
    target: float | None
    what: str


@dataclass(frozen=True)
class Case:
    """A measurement made in one child process per repetition; it may report several metrics."""

    name: str
    metrics: tuple[Metric, ...]
    scratch: bool = False  # runs on a copy of the repository: it makes commits
    optional: bool = False  # not in the default set
    warm: bool = False  # measured with qmsdocs' on-disk cache present: one run first, not kept


def _m(name: str, target: float | None, what: str) -> tuple[Metric, ...]:
    return (Metric(name, target, what),)


CASES: tuple[Case, ...] = (
    Case(
        "open_validate_cold",
        _m(
            "open_validate_cold",
            2.0,
            "Repository.open + validate, no qmsdocs cache on disk, fresh process",
        ),
    ),
    Case(
        "open_validate_warm",
        _m("open_validate_warm", 0.3, "the same in a fresh process, the on-disk cache present"),
    ),
    Case(
        "open_validate_inprocess",
        _m("open_validate_inprocess", 0.3, "the same a second time in one process"),
    ),
    Case(
        "impact",
        _m("impact", 0.1, "repo.impact(on=day) on an open repository (first call)"),
        warm=True,
    ),
    Case(
        "impact_computed",
        _m(
            "impact_computed",
            None,
            "the same with no report kept: the first question after a change",
        ),
        warm=True,
    ),
    Case(
        "list_as_of",
        _m("list_as_of", None, "repo.summaries(on=day): qms list --as-of"),
        warm=True,
    ),
    Case(
        "history",
        _m("history", 0.5, "repo.revision_history of the 500-revision document"),
        warm=True,
    ),
    Case("diff", _m("diff", 0.05, "qmsdocs.diff.diff of its last two revisions"), warm=True),
    Case(
        "action_api",
        (
            Metric("action_revise", 0.3, "repo.revise on the big repository (fresh process)"),
            Metric("action_submit", 0.3, "repo.submit"),
            Metric("action_review", 0.3, "repo.review"),
            Metric("action_approve", 0.3, "repo.approve (commit and tag)"),
            Metric("validate_after_actions", None, "repo.validate() after the four actions"),
        ),
        scratch=True,
    ),
    Case(
        "action_cli",
        (
            Metric("cli_revise", None, "qms revise (whole command: interpreter, imports, open)"),
            Metric("cli_submit", None, "qms submit"),
            Metric("cli_review", None, "qms review"),
            Metric("cli_approve", None, "qms approve"),
        ),
        scratch=True,
    ),
    Case(
        "export_one_core",
        _m("export_one_core", 10.0, "1,000 controlled copies of 1,000 procedures, 1 process"),
    ),
    Case(
        "export_all_cores",
        _m(
            "export_all_cores",
            10.0 / (os.cpu_count() or 1),
            "the same on every core (10 ms per copy per core)",
        ),
    ),
    Case(
        "export_copies_one_core",
        _m("export_copies_one_core", 10.0, "1,000 controlled copies of one procedure, 1 process"),
    ),
    Case("verify", _m("verify", None, "qmsdocs.verify of the whole repository"), optional=True),
)
CASE_BY_NAME = {c.name: c for c in CASES}
SCALE_CASES = (
    "open_validate_cold",
    "open_validate_warm",
    "impact",
    "impact_computed",
    "list_as_of",
    "action_api",
)


# -- the child side: one case, measured in this process -------------------------------------


def _clock() -> float:
    return time.perf_counter()


@contextlib.contextmanager
def _profiled(name: str, enabled: bool) -> Iterator[None]:
    """Profile the block into bench/out/profile-<name>.prof and .txt when *enabled*."""
    if not enabled:
        yield
        return
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        yield
    finally:
        profiler.disable()
        OUT.mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(OUT / f"profile-{name}.prof")
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.sort_stats("cumulative").print_stats(40)
        (OUT / f"profile-{name}.txt").write_text(text.getvalue(), encoding="utf-8")


def _open(path: Path) -> Any:
    from qmsdocs import Repository

    return Repository.open(path)


def _child(
    case: str, repo_path: Path, meta: dict[str, Any], args: argparse.Namespace
) -> dict[str, Any]:
    """Run *case* once; return {"metrics": {name: seconds}, "info": {...}}."""
    day = dt.date.fromisoformat(meta["bench_day"])
    profile = bool(args.profile)
    info: dict[str, Any] = {}
    if case in ("open_validate_cold", "open_validate_warm"):
        t = _clock()
        with _profiled(case, profile):
            repo = _open(repo_path)
            t_open = _clock()
            findings = repo.validate()
        end = _clock()
        info = {
            "open": round(t_open - t, 3),
            "validate": round(end - t_open, 3),
            "findings": len(findings),
        }
        return {"metrics": {case: end - t}, "info": info}
    if case == "open_validate_inprocess":
        t = _clock()
        _open(repo_path).validate()
        first = _clock() - t
        t = _clock()
        with _profiled(case, profile):
            _open(repo_path).validate()
        return {"metrics": {case: _clock() - t}, "info": {"first": round(first, 3)}}
    if case == "impact":
        repo = _open(repo_path)
        if not hasattr(repo, "impact"):
            raise Unavailable("Repository.impact does not exist yet")
        t = _clock()
        suspects = repo.impact(on=day)
        first = _clock() - t
        t = _clock()
        repo.impact(on=day)
        return {
            "metrics": {case: first},
            "info": {"suspects": len(suspects), "second_call": round(_clock() - t, 4)},
        }
    if case == "impact_computed":
        from qmsdocs.store.cache import CACHE_FOLDER

        # what an edit, a commit or a new tag leaves: everything kept but the report
        (repo_path / ".git" / CACHE_FOLDER / "impact.json").unlink(missing_ok=True)
        repo = _open(repo_path)
        t = _clock()
        suspects = repo.impact(on=day)
        return {"metrics": {case: _clock() - t}, "info": {"suspects": len(suspects)}}
    if case == "list_as_of":
        repo = _open(repo_path)
        t = _clock()
        rows = repo.summaries(on=day)
        first = _clock() - t
        t = _clock()
        repo.summaries(on=day)
        return {
            "metrics": {case: first},
            "info": {"rows": len(rows), "second_call": round(_clock() - t, 4)},
        }
    if case == "history":
        repo = _open(repo_path)
        t = _clock()
        records = repo.revision_history(meta["big"]["code"])
        first = _clock() - t
        return {"metrics": {case: first}, "info": {"revisions": len(records)}}
    if case == "diff":
        try:
            from qmsdocs.diff import diff
        except ImportError:
            raise Unavailable("qmsdocs.diff.diff does not exist yet") from None
        repo = _open(repo_path)
        code, last = meta["big"]["code"], meta["big"]["revisions"]
        if last < 2:
            raise Unavailable("the big document has a single revision")
        a, b = repo.revision(code, last - 1), repo.revision(code, last)
        times = []
        for _ in range(5):
            t = _clock()
            result = diff(a, b)
            times.append(_clock() - t)
        first = repo.revision(code, 1)
        t = _clock()
        whole = diff(first, b)
        info = {
            "changes": len(getattr(result, "changes", ())),
            "first_call": round(times[0], 4),
            "rev1_to_last": round(_clock() - t, 4),
            "rev1_to_last_changes": len(getattr(whole, "changes", ())),
        }
        return {"metrics": {case: statistics.median(times)}, "info": info}
    if case == "action_api":
        return _child_actions(repo_path, meta, args)
    if case.startswith("export_"):
        return _child_export(case, repo_path, meta, day)
    if case == "verify":
        from qmsdocs import verify

        repo = _open(repo_path)
        t = _clock()
        problems = verify(repo)
        return {"metrics": {case: _clock() - t}, "info": {"findings": len(problems)}}
    raise SystemExit(f"unknown case {case}")


def _child_actions(
    repo_path: Path, meta: dict[str, Any], args: argparse.Namespace
) -> dict[str, Any]:
    target = meta["targets"]["action"]
    code = target["code"]
    t = _clock()
    repo = _open(repo_path)
    info: dict[str, Any] = {"open": round(_clock() - t, 3), "code": code}
    start = dt.datetime.combine(
        dt.date.fromisoformat(meta["bench_day"]) + dt.timedelta(days=14 + 7 * int(args.round)),
        dt.time(9, 0),
        tzinfo=TZ,
    )
    steps: list[tuple[str, Callable[[], Any]]] = [
        (
            "revise",
            lambda: repo.revise(
                code, reason="Đo hiệu năng: mở dự thảo", by=target["author"], now=start
            ),
        ),
        (
            "submit",
            lambda: repo.submit(code, by=target["author"], now=start + dt.timedelta(hours=1)),
        ),
        (
            "review",
            lambda: repo.review(code, by=target["reviewer"], now=start + dt.timedelta(hours=2)),
        ),
        (
            "approve",
            lambda: repo.approve(code, by=target["approver"], now=start + dt.timedelta(hours=3)),
        ),
    ]
    metrics = {}
    for name, run in steps:
        t = _clock()
        with _profiled(f"action_{name}", bool(args.profile)):
            result = run()
        metrics[f"action_{name}"] = _clock() - t
        if not getattr(result, "changed", True):
            raise SystemExit(f"{name} {code} made no commit")
    t = _clock()
    info["findings_after"] = len(repo.validate())
    metrics["validate_after_actions"] = _clock() - t
    return {"metrics": metrics, "info": info}


def _child_export(case: str, repo_path: Path, meta: dict[str, Any], day: dt.date) -> dict[str, Any]:
    try:
        from qmsdocs.export import ExportContext, ExportInfo, ExportJob, Marking, export_many
    except ImportError as error:
        raise Unavailable(f"qmsdocs.export is not ready: {error}") from None
    repo = _open(repo_path)
    # the list (from the cache) gives titles and states; only the exported are parsed
    listed = repo.summaries(on=day)
    context = ExportContext(
        config=repo.config, legal=repo.legal, titles={s.code: s.title for s in listed}
    )
    if case == "export_copies_one_core":
        documents = [repo.document(meta["targets"]["cli"]["code"])] * 1000
    else:
        codes = [s.code for s in listed if s.kind == "procedure" and s.status == "effective"]
        documents = [repo.document(code) for code in codes[:1000]]
    with tempfile.TemporaryDirectory(prefix="qms-bench-export-") as folder:
        jobs = []
        infos: dict[str, Any] = {}
        for number, document in enumerate(documents, start=1):
            if document.code not in infos:
                state, _ = repo.state_on(document.code, day)
                infos[document.code] = state
            info = ExportInfo(
                state=infos[document.code],
                marking=Marking.controlled(number, f"Bộ phận nhận bản số {number:04d}"),
            )
            jobs.append(
                ExportJob(document, info, Path(folder) / f"{number:04d}-{document.code}.docx")
            )
        workers = None if case == "export_all_cores" else 1
        t = _clock()
        export_many(jobs, context=context, workers=workers)
        seconds = _clock() - t
        size = sum(p.stat().st_size for p in Path(folder).iterdir())
    cores = (os.cpu_count() or 1) if workers is None else 1
    return {
        "metrics": {case: seconds},
        "info": {
            "copies": len(jobs),
            "ms_per_copy_per_core": round(seconds * cores / len(jobs) * 1000, 2),
            "megabytes": round(size / 1e6, 1),
        },
    }


# -- the parent side --------------------------------------------------------------------------


@dataclass
class Sample:
    """One run of a case's child process."""

    metrics: dict[str, float] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    peak_mb: float = 0.0
    wall: float = 0.0
    status: str = "ok"  # ok | unavailable | timeout | failed
    detail: str = ""


def _spawn(
    argv: list[str], timeout: float, *, cwd: Path | None = None
) -> tuple[int | None, str, str, float, float]:
    """Run *argv*; return (exit code or None on timeout, stdout, stderr, wall, peak MB)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t = _clock()
        process = subprocess.Popen(argv, stdout=out, stderr=err, cwd=cwd)
        deadline = time.monotonic() + timeout
        code: int | None = None
        usage = None
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                code = os.waitstatus_to_exitcode(status)
                break
            if time.monotonic() > deadline:
                process.kill()
                _, _, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.02)
        process.returncode = code if code is not None else -9
        wall = _clock() - t
        out.seek(0)
        err.seek(0)
        peak = usage.ru_maxrss / 1024 if usage is not None else 0.0  # KiB on Linux
        return (
            code,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            wall,
            peak,
        )


def drop_caches(repo: Path) -> list[str]:
    """Remove the on-disk cache qmsdocs keeps for *repo* (.git/qms-cache); return what was."""
    from qmsdocs.store.cache import CACHE_FOLDER

    place = repo / ".git" / CACHE_FOLDER
    if place.is_dir():
        shutil.rmtree(place)
        return [str(place)]
    return []


class Harness:
    """Runs cases on one generated repository and collects their samples."""

    def __init__(self, repo: Path, meta: dict[str, Any], args: argparse.Namespace) -> None:
        self.repo, self.meta, self.args = repo, meta, args
        self.meta_file = Path(tempfile.mkstemp(prefix="qms-bench-meta-", suffix=".json")[1])
        self.meta_file.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        self.scratch: Path | None = None
        self.results: dict[str, dict[str, Any]] = {}

    def close(self) -> None:
        """Remove the scratch copy and the temporary files."""
        self.meta_file.unlink(missing_ok=True)
        if self.scratch is not None:
            shutil.rmtree(self.scratch.parent, ignore_errors=True)

    def _scratch_copy(self) -> Path:
        if self.scratch is None:
            folder = Path(tempfile.mkdtemp(prefix="qms-bench-scratch-"))
            self.scratch = folder / "repo"
            shutil.copytree(self.repo, self.scratch, symlinks=True)
            drop_caches(self.scratch)
            # A copy has new inodes: git would re-hash every file on its first command, and
            # qmsdocs would parse every file. An officer's repository is used daily: refresh
            # both (not measured), so actions are measured on a warm repository.
            subprocess.run(
                ["git", "update-index", "-q", "--refresh"], cwd=self.scratch, check=False
            )
            warm = "import sys; from qmsdocs import Repository; Repository.open(sys.argv[1]).validate()"
            subprocess.run([sys.executable, "-c", warm, str(self.scratch)], cwd=PROJECT, check=True)
        return self.scratch

    def _child(self, case: str, repo: Path, round_: int) -> Sample:
        argv = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--child",
            case,
            "--repo",
            str(repo),
            "--meta",
            str(self.meta_file),
            "--round",
            str(round_),
        ]
        if self.args.profile:
            argv.append("--profile")
        code, out, err, wall, peak = _spawn(argv, self.args.timeout)
        sample = Sample(peak_mb=peak, wall=wall)
        if code is None:
            sample.status, sample.detail = "timeout", f"> {self.args.timeout:.0f} s"
            return sample
        last = out.strip().splitlines()[-1] if out.strip() else ""
        try:
            answer = json.loads(last)
        except json.JSONDecodeError:
            sample.status, sample.detail = (
                "failed",
                (err.strip().splitlines() or ["no output"])[-1][:200],
            )
            return sample
        if "unavailable" in answer:
            sample.status, sample.detail = "unavailable", answer["unavailable"]
            return sample
        sample.metrics, sample.info = answer["metrics"], answer.get("info", {})
        return sample

    def _cli_cycle(self, repo: Path, round_: int) -> Sample:
        """Run revise, submit, review, approve through the qms command; time each command."""
        target = self.meta["targets"]["cli"]
        qms = Path(sys.executable).with_name("qms")
        command = [str(qms)] if qms.exists() else [sys.executable, "-m", "qmsdocs.cli.main"]
        code = target["code"]
        steps = [
            (
                "cli_revise",
                [
                    "revise",
                    code,
                    "--reason",
                    f"Đo hiệu năng qua dòng lệnh ({round_ + 1})",
                    "--as",
                    target["author"],
                ],
            ),
            ("cli_submit", ["submit", code, "--as", target["author"]]),
            ("cli_review", ["review", code, "--as", target["reviewer"]]),
            ("cli_approve", ["approve", code, "--as", target["approver"]]),
        ]
        sample = Sample()
        for name, argv in steps:
            exit_code, _, err, wall, peak = _spawn(
                [*command, "-C", str(repo), *argv], self.args.timeout
            )
            if exit_code != 0:
                sample.status = "timeout" if exit_code is None else "failed"
                sample.detail = f"{name}: " + ((err.strip().splitlines() or ["timeout"])[-1][:200])
                return sample
            sample.metrics[name] = wall
            sample.peak_mb = max(sample.peak_mb, peak)
            sample.wall += wall
        return sample

    def run(self, name: str) -> None:
        """Run case *name*: repeat it, keep every sample, print its lines."""
        case = CASE_BY_NAME[name]
        samples: list[Sample] = []
        spent = 0.0
        if case.warm:  # what an earlier run leaves in .git/qms-cache, as in daily use
            self._child(name, self.repo, 0)
        for round_ in range(self.args.repeat):
            repo = self._scratch_copy() if case.scratch else self.repo
            note: dict[str, Any] = {}
            if name == "open_validate_cold":
                note["dropped"] = drop_caches(self.repo)
            if (
                name == "open_validate_warm"
                and round_ == 0
                and not self.results.get("open_validate_cold")
            ):
                self._child("open_validate_cold", self.repo, 0)  # leave the cache behind
            sample = (
                self._cli_cycle(repo, round_)
                if name == "action_cli"
                else self._child(name, repo, round_)
            )
            sample.info.update(note)
            samples.append(sample)
            spent += sample.wall
            if sample.status != "ok" or spent > self.args.case_budget:
                break
        self.results[name] = self._summarize(case, samples)
        for metric in case.metrics:
            print(_row(metric, self.results[name]["metrics"][metric.name]), flush=True)

    def _summarize(self, case: Case, samples: list[Sample]) -> dict[str, Any]:
        ok = [s for s in samples if s.status == "ok"]
        out: dict[str, Any] = {"metrics": {}, "samples": [vars(s) for s in samples]}
        peak = max((s.peak_mb for s in samples), default=0.0)
        for metric in case.metrics:
            values = [s.metrics[metric.name] for s in ok if metric.name in s.metrics]
            entry: dict[str, Any] = {
                "what": metric.what,
                "target_s": metric.target,
                "runs": len(values),
                "peak_mb": round(peak, 1),
                "memory_ok": peak <= MEMORY_TARGET_MB,
            }
            if values:
                median = statistics.median(values)
                entry |= {
                    "status": "ok",
                    "median_s": round(median, 4),
                    "min_s": round(min(values), 4),
                    "max_s": round(max(values), 4),
                    "pass": None if metric.target is None else median <= metric.target,
                    "info": ok[-1].info,
                }
            else:
                failed = samples[-1] if samples else Sample(status="failed", detail="not run")
                entry |= {
                    "status": failed.status,
                    "detail": failed.detail,
                    "pass": False if failed.status == "timeout" else None,
                }
            out["metrics"][metric.name] = entry
        return out


def _seconds(value: float) -> str:
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def _row(metric: Metric, entry: dict[str, Any]) -> str:
    target = f"<= {_seconds(metric.target)}" if metric.target is not None else "-"
    if entry["status"] != "ok":
        value, verdict = (
            {"unavailable": "not available", "timeout": entry.get("detail", "timeout")}.get(
                entry["status"], "failed"
            ),
            ("FAIL" if entry["status"] == "timeout" else "-"),
        )
        if entry["status"] == "failed":
            value = f"failed: {entry.get('detail', '')[:60]}"
    else:
        value = _seconds(entry["median_s"]) + f" (n={entry['runs']})"
        verdict = {True: "pass", False: "FAIL", None: "-"}[entry["pass"]]
    memory = f"{entry['peak_mb']:.0f}" + (
        "" if entry["memory_ok"] or not entry["peak_mb"] else " !"
    )
    return f"{metric.name:<26} {value:>22}  {target:>12}  {verdict:>5}  {memory:>7}"


HEADER = f"{'case':<26} {'median':>22}  {'target':>12}  {'':>5}  {'peak MB':>7}"


def machine() -> dict[str, Any]:
    """Return what the figures were measured on."""
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = 0.0
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = int(line.split()[1]) / 1024 / 1024
    git_version = subprocess.run(
        ["git", "--version"], capture_output=True, text=True
    ).stdout.strip()
    head = subprocess.run(
        ["git", "-C", str(PROJECT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    dirty = bool(
        subprocess.run(
            ["git", "-C", str(PROJECT), "status", "--porcelain", "--", "qmsdocs"],
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": round(ram, 1),
        "python": platform.python_version(),
        "git": git_version,
        "qmsdocs_commit": head + ("+dirty" if dirty else ""),
        "load_average": list(os.getloadavg()),
    }


def ensure_repository(params: Params, cache_dir: Path) -> tuple[Path, dict[str, Any]]:
    """Return a generated repository for *params* (cached), generating it in a child process."""
    argv = [
        sys.executable,
        str(BENCH / "generate.py"),
        "--documents",
        str(params.documents),
        "--legal",
        str(params.legal),
        "--commits",
        str(params.commits),
        "--seed",
        str(params.seed),
        "--big-revisions",
        str(params.big_revisions),
        "--forms-ratio",
        str(params.forms_ratio),
        "--cache-dir",
        str(cache_dir),
    ]
    result = subprocess.run(argv, stdout=subprocess.PIPE, text=True)
    if result.returncode != 0:
        raise SystemExit("bench/generate.py failed")
    meta = json.loads(result.stdout)
    return Path(meta["path"]), meta


def _params(
    args: argparse.Namespace, documents: int | None = None, commits: int | None = None
) -> Params:
    return Params(
        documents=documents or args.documents,
        legal=args.legal,
        commits=commits or args.commits,
        seed=args.seed,
        big_revisions=args.big_revisions,
    )


def run_suite(args: argparse.Namespace, params: Params, names: Sequence[str]) -> dict[str, Any]:
    """Run *names* on the repository of *params*; return the results."""
    repo, meta = ensure_repository(params, args.cache_dir)
    counts = meta["counts"]
    print(
        f"\nrepository: {counts['documents']} documents ({counts['procedure']} procedures, "
        f"{counts['form']} forms), {counts['legal']} legal, {counts['commits']} commits, "
        f"{counts['tags']} tags, {counts['people']} people; {repo}",
        flush=True,
    )
    print(HEADER, flush=True)
    harness = Harness(repo, meta, args)
    try:
        for name in names:
            harness.run(name)
    finally:
        harness.close()
    return {"params": params.as_dict(), "repository": meta, "cases": harness.results}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks (or, with --child, one case in this process)."""
    parser = argparse.ArgumentParser(
        prog="python bench/run.py", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--cases", default="", help="comma-separated cases (default: all but optional ones)"
    )
    parser.add_argument(
        "--repeat", type=int, default=5, help="runs per case, median reported (default 5)"
    )
    parser.add_argument(
        "--case-budget",
        type=float,
        default=60.0,
        help="stop repeating a case after this many seconds (default 60)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=600.0,
        help="seconds before one run is stopped (default 600)",
    )
    parser.add_argument("--documents", type=int, default=Params.documents)
    parser.add_argument("--legal", type=int, default=Params.legal)
    parser.add_argument("--commits", type=int, default=Params.commits)
    parser.add_argument("--seed", type=int, default=Params.seed)
    parser.add_argument("--big-revisions", type=int, default=Params.big_revisions)
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    parser.add_argument(
        "--json",
        type=Path,
        default=RESULTS,
        help="where to write the results (default bench/results.json)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="write cProfile reports to bench/out/"
    )
    parser.add_argument(
        "--scale", action="store_true", help="the scaling table: 1,000 / 10,000 / 50,000 procedures"
    )
    parser.add_argument(
        "--scale-sizes",
        default=",".join(f"{d}:{c}" for d, c in SCALE_SIZES),
        help="DOCUMENTS:COMMITS,…",
    )
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    # the child side
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--repo", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--meta", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--round", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        meta = json.loads(args.meta.read_text(encoding="utf-8"))
        try:
            answer = _child(args.child, args.repo, meta, args)
        except Unavailable as error:
            answer = {"unavailable": str(error)}
        print(json.dumps(answer, ensure_ascii=False))
        return 0
    if args.list:
        for case in CASES:
            for metric in case.metrics:
                target = f"<= {_seconds(metric.target)}" if metric.target else "-"
                print(
                    f"{metric.name:<26} {target:>12}  {metric.what}{'  (optional)' if case.optional else ''}"
                )
        return 0
    names = [n for n in args.cases.split(",") if n] or [c.name for c in CASES if not c.optional]
    unknown = [n for n in names if n not in CASE_BY_NAME]
    if unknown:
        parser.error(f"unknown case(s): {', '.join(unknown)} (see --list)")
    started = _clock()
    results: dict[str, Any] = {
        "machine": machine(),
        "started": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    if args.scale:
        names = [n for n in names if n in SCALE_CASES] if args.cases else list(SCALE_CASES)
        results["scale"] = []
        for item in args.scale_sizes.split(","):
            documents, commits = (int(x) for x in item.split(":"))
            results["scale"].append(run_suite(args, _params(args, documents, commits), names))
        print_scale(results["scale"])
    else:
        results |= run_suite(args, _params(args), names)
    results["seconds"] = round(_clock() - started, 1)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(results, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
    )
    print(f"\nwritten {args.json} in {results['seconds']} s", flush=True)
    if args.profile:
        print(f"profiles: {OUT}/profile-*.txt", flush=True)
    return 0


def print_scale(suites: list[dict[str, Any]]) -> None:
    """Print the scaling table: one column per repository size."""
    metrics = [m.name for n in SCALE_CASES for m in CASE_BY_NAME[n].metrics]
    print("\nscaling (median; peak MB)")
    print(
        f"{'case':<26}"
        + "".join(f"{s['repository']['counts']['documents']:>16,} docs" for s in suites)
    )
    for name in metrics:
        cells = []
        for suite in suites:
            entry = next(
                (c["metrics"][name] for c in suite["cases"].values() if name in c["metrics"]), None
            )
            if entry is None or entry["status"] != "ok":
                cells.append(f"{(entry or {}).get('status', '-'):>21}")
            else:
                cells.append(f"{_seconds(entry['median_s']):>13} {entry['peak_mb']:>5.0f}MB")
        print(f"{name:<26}" + "".join(cells))


if __name__ == "__main__":
    sys.exit(main())
