"""The portal as files: what a build writes, byte for byte, and what a rebuild renders."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from click.testing import CliRunner

from qmsdocs import Repository
from qmsdocs.cli.main import cli
from qmsdocs.i18n import fold
from qmsdocs.portal import MANIFEST, DashboardRow, build_portal
from tests.conftest import git

TZ = dt.timezone(dt.timedelta(hours=7))
AS_OF = dt.date(2026, 12, 4)


def files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def issue_qt_tp_01(root: Path, *, title: str | None = None) -> None:
    """Revise, submit, review and approve QT-TP-01 through the workflow."""
    day = dt.datetime(2026, 8, 3, 9, tzinfo=TZ)
    repo = Repository.open(root)
    repo.revise("QT-TP-01", reason="Cập nhật theo quy định mới", by="vo-minh-tuan", now=day)
    path = root / repo.file_of("QT-TP-01")
    text = path.read_text(encoding="utf-8")
    if title is not None:
        text = text.replace("title: Quy trình đăng ký khai sinh", f"title: '{title}'", 1)
    path.write_text(text.replace("purpose: ", "purpose: Mới. ", 1), encoding="utf-8")
    git(root, "commit", "-qam", "Soạn thảo")
    repo = Repository.open(root)
    repo.submit("QT-TP-01", by="vo-minh-tuan", now=day + dt.timedelta(hours=1))
    repo.review("QT-TP-01", by="tran-thi-mai", now=day + dt.timedelta(hours=2))
    repo.approve(
        "QT-TP-01", by="nguyen-van-hung", now=day + dt.timedelta(hours=3), effective=day.date()
    )


def test_the_same_repository_gives_the_same_bytes(demo_master: Path, tmp_path: Path) -> None:
    repo = Repository.open(demo_master)
    build_portal(repo, tmp_path / "a", as_of=AS_OF)
    build_portal(Repository.open(demo_master), tmp_path / "b", as_of=AS_OF)
    a, b = files(tmp_path / "a"), files(tmp_path / "b")
    assert a == b
    # every issued revision has its permanent address; the current one shows the one in force
    revisions = repo.revisions("QT-TP-01")
    assert [f"doc/QT-TP-01/r{r.revision}.html" in a for r in revisions] == [True] * len(revisions)
    last = revisions[-1].revision
    assert a["doc/QT-TP-01/index.html"] == a[f"doc/QT-TP-01/r{last}.html"]
    assert f"doc/QT-TP-01/QT-TP-01_r{last}.docx" in a
    # a withdrawn document: its banner names its replacement and links to it
    withdrawn = a["doc/QT-08/index.html"].decode()
    assert 'class="banner withdrawn"' in withdrawn
    assert '<a id="in-force" href="../QT-01/index.html">' in withdrawn
    assert "doc/QT-08/QT-08_r1.docx" not in a
    assert a[f"doc/QT-TP-01/QT-TP-01_r{last}.docx"].startswith(b"PK")


def test_links_are_relative_and_nothing_is_loaded_from_elsewhere(
    demo_master: Path, tmp_path: Path
) -> None:
    build_portal(Repository.open(demo_master), tmp_path, as_of=AS_OF)
    pages = {k: v.decode() for k, v in files(tmp_path).items() if k.endswith(".html")}
    assert len(pages) > 100
    for name, page in pages.items():
        assert "Content-Security-Policy" in page and "default-src 'none'" in page, name
        for target in re.findall(r'(?:href|src|action)="([^"]*)"', page):
            if target == "data:,":  # the empty icon: no request for /favicon.ico
                continue
            assert not re.match(r"^(?:[a-z]+:|//|/)", target), (name, target)
            if not target.startswith("#"):
                path = (tmp_path / name).parent / target.split("?")[0].split("#")[0]
                assert path.resolve().is_file(), (name, target)


def test_a_title_holding_a_script_shows_as_text(demo: Path, tmp_path: Path) -> None:
    issue_qt_tp_01(demo, title="<script>alert(1)</script> Đăng ký khai sinh")
    build_portal(Repository.open(demo), tmp_path, as_of=AS_OF)
    page = (tmp_path / "doc" / "QT-TP-01" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Đăng ký khai sinh" in page
    index = (tmp_path / "search-index.js").read_text(encoding="utf-8")
    assert "<script>" not in index.replace("\\u003c", "<").split("window.QMS_INDEX=", 1)[0]


def test_a_rebuild_renders_only_the_revised_document(demo: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    first = build_portal(Repository.open(demo), site, as_of=AS_OF)
    assert first.reused_revisions == 0 and first.rendered_revisions > 50
    again = build_portal(Repository.open(demo), site, as_of=AS_OF)
    assert again.rendered_revisions == 0 and again.written == []
    before = len(Repository.open(demo).revisions("QT-TP-01"))
    issue_qt_tp_01(demo)
    third = build_portal(Repository.open(demo), site, as_of=AS_OF)
    assert third.rendered_revisions == before + 1
    assert f"doc/QT-TP-01/r{before + 1}.html" in third.written
    assert not any(p.startswith("doc/QT-01/") for p in third.written)
    # and the result is what a build from nothing writes
    fresh = tmp_path / "fresh"
    build_portal(Repository.open(demo), fresh, as_of=AS_OF)
    assert files(fresh) == files(site)
    assert (site / MANIFEST).is_file()


def test_the_search_index_folds_as_the_library_does(demo_master: Path, tmp_path: Path) -> None:
    result = build_portal(Repository.open(demo_master), tmp_path, as_of=AS_OF)
    index = (tmp_path / "search-index.js").read_text(encoding="utf-8")
    assert fold("Đăng ký khai sinh") == "dang ky khai sinh"
    assert "quy trinh dang ky khai sinh" in index
    assert result.index_bytes == len(index.encode())


def test_english_site_and_the_command(demo_master: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "site"
    result = runner.invoke(
        cli,
        [
            "-C",
            str(demo_master),
            "portal",
            "build",
            str(out),
            "--as-of",
            "2026-12-04",
            "--lang",
            "en",
            "--no-docx",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "files written" in result.output
    home = (out / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in home and "What changed recently" in home
    assert not list(out.rglob("*.docx"))
    page = (out / "doc" / "QT-TP-01" / "r1.html").read_text(encoding="utf-8")
    assert "This revision is no longer in force." in page


def test_the_dashboard_takes_fleet_rows(demo_master: Path, tmp_path: Path) -> None:
    rows = [
        DashboardRow("UBND phường An Hòa", 42, overdue_reviews=3, portal="an-hoa/index.html"),
        DashboardRow("UBND xã <b>Bình</b>", 10, overdue_legal=2, framework_lag=1),
    ]
    build_portal(Repository.open(demo_master), tmp_path, as_of=AS_OF, lang="en", fleet=rows)
    page = (tmp_path / "dashboard.html").read_text(encoding="utf-8")
    assert page.count("<svg") == 3
    assert '<a href="an-hoa/index.html">UBND phường An Hòa</a>' in page
    assert "UBND xã &lt;b&gt;Bình&lt;/b&gt;" in page


def test_a_province_portal_has_its_dashboard_and_each_agency_portal(
    demo: Path, demo_master: Path, tmp_path: Path
) -> None:
    """In a repository with fleet.yaml: one row per agency, linked to its own portal."""
    from qmsdocs.cli.main import main

    province = demo  # a QMS repository of its own, with the agencies it oversees
    for agency_id, url, name in (
        ("an-hoa", str(demo_master), "UBND phường An Hòa"),
        ("ha-giang", str(tmp_path / "nowhere.git"), "UBND xã Hà Giang"),
    ):
        code = main(["-C", str(province), "fleet", "add", agency_id, url, "--name", name,
                     "--by", "Trần Thị Mai <mai@example.org>"])  # fmt: skip
        assert code == 0
    main(["-C", str(province), "fleet", "fetch"])
    out = tmp_path / "site"
    result = CliRunner().invoke(
        cli,
        [
            "-C",
            str(province),
            "--lang",
            "en",
            "portal",
            "build",
            str(out),
            "--as-of",
            "2026-12-04",
            "--no-docx",
        ],  # fmt: skip
    )
    assert result.exit_code == 0, result.output
    page = (out / "dashboard.html").read_text(encoding="utf-8")
    assert '<a href="agencies/an-hoa/index.html">UBND phường An Hòa</a>' in page
    assert "UBND xã Hà Giang" in page and "agencies/ha-giang" not in page
    assert page.count("<svg") == 2  # overdue reviews, overdue legal updates
    agency = (out / "agencies" / "an-hoa" / "doc" / "QT-TP-01" / "index.html").read_text("utf-8")
    assert "Quy trình đăng ký khai sinh".upper() in agency
    assert 'href="dashboard.html"' in (out / "index.html").read_text(encoding="utf-8")
