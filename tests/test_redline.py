"""The redline (.docx with tracked changes) and the printable audit trail.

Accepting every tracked change must give the later revision's layout, rejecting every one
the earlier revision's: checked here over the XML, and where LibreOffice is installed by
LibreOffice itself.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from lxml import etree

from qmsdocs import Form, Objectives, Policy, Procedure, QmsConfig, Repository
from qmsdocs.audit import attribution
from qmsdocs.export._text import datetime_text
from qmsdocs.export.redline import redline
from qmsdocs.export.trail import audit_trail_docx
from qmsdocs.model import DossierItem, LegalRef, Step
from tests.conftest import SAMPLE

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
VN = dt.timezone(dt.timedelta(hours=7))
WHEN = dt.datetime(2026, 3, 2, 8, 45, tzinfo=VN)
AUTHOR = "Võ Minh Tuấn"


# -- helpers: read a .docx, accept or reject its tracked changes -----------------------


def body(data: bytes) -> Any:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return etree.fromstring(archive.read("word/document.xml")).find(f"{W}body")


def text_of(element: Any) -> str:
    """Return the text inside *element* (runs, inserted or deleted)."""
    return "".join(
        "\n" if node.tag == f"{W}br" else node.text or ""
        for node in element.iter(f"{W}t", f"{W}delText", f"{W}br")
    )


def texts(root: Any) -> list[str]:
    """Return the text of every paragraph (table cells included) in reading order."""
    out = []
    for p in root.iter(f"{W}p"):
        parts = []
        for node in p.iter(f"{W}t", f"{W}delText", f"{W}br"):
            parts.append("\n" if node.tag == f"{W}br" else node.text or "")
        out.append("".join(parts))
    return out


def resolve(data: bytes, *, accept: bool) -> list[str]:
    """Return the paragraph texts after accepting (or rejecting) every tracked change.

    Accept: inserted text and rows stay, deleted ones go; reject: the opposite. A paragraph
    whose mark is dropped must be empty once its runs are resolved, and goes with its mark.
    """
    root = body(data)
    keep, drop = (f"{W}ins", f"{W}del") if accept else (f"{W}del", f"{W}ins")
    for tr in list(root.iter(f"{W}tr")):
        marks = tr.find(f"{W}trPr")
        if marks is None:
            continue
        if marks.find(drop) is not None:
            tr.getparent().remove(tr)
        for mark in marks.findall(keep):
            marks.remove(mark)
    dropped = []
    for p in root.iter(f"{W}p"):
        marks = p.find(f"{W}pPr/{W}rPr")
        if marks is None:
            continue
        if marks.find(drop) is not None:
            dropped.append(p)
        for mark in marks.findall(drop) + marks.findall(keep):
            marks.remove(mark)
    for element in list(root.iter(drop)):
        element.getparent().remove(element)
    for element in list(root.iter(keep)):
        parent = element.getparent()
        index = parent.index(element)
        for child in reversed(list(element)):
            parent.insert(index, child)
        parent.remove(element)
    for p in dropped:
        assert texts(p) == [""], "a paragraph whose mark is tracked keeps text"
        p.getparent().remove(p)
    assert not list(root.iter(f"{W}ins")) and not list(root.iter(f"{W}del"))
    return texts(root)


def tracked(data: bytes) -> list[Any]:
    root = body(data)
    return list(root.iter(f"{W}ins")) + list(root.iter(f"{W}del"))


def plain(document: Any, config: QmsConfig, legal: Any = None) -> list[str]:
    """Return the layout of *document* alone: its redline against itself, which tracks nothing."""
    data = redline(document, document, config=config, author=AUTHOR, when=WHEN, legal=legal)
    assert tracked(data) == []
    return texts(body(data))


def assert_round_trip(a: Any, b: Any, config: QmsConfig, *, author: str = AUTHOR) -> bytes:
    data = redline(a, b, config=config, author=author, when=WHEN)
    assert resolve(data, accept=True) == plain(b, config)
    assert resolve(data, accept=False) == plain(a, config)
    return data


def with_steps(procedure: Procedure, steps: list[Step]) -> Procedure:
    numbered = [s.model_copy(update={"no": n}) for n, s in enumerate(steps, start=1)]
    return Procedure.model_validate({**procedure.model_dump(), "steps": numbered})


NEW_STEP = Step(
    no=1,
    action="Kiểm tra, đối chiếu thông tin trên Cơ sở dữ liệu quốc gia về dân cư.",
    responsible="Công chức Tư pháp - Hộ tịch",
    time="0,25 ngày làm việc",
    forms=["BM-MC-05"],
)


@pytest.fixture(scope="module")
def sample_repo() -> Repository:
    return Repository.open(SAMPLE)


@pytest.fixture(scope="module")
def config(sample_repo: Repository) -> QmsConfig:
    return sample_repo.config


@pytest.fixture
def tthc(sample_repo: Repository) -> Procedure:
    document = sample_repo.document("QT-TP-04")
    assert isinstance(document, Procedure)
    return document


@pytest.fixture
def edited(tthc: Procedure) -> Procedure:
    """QT-TP-04 with a step inserted, one removed, one moved, words changed, rows changed."""
    steps = list(tthc.steps)
    steps[1] = steps[1].model_copy(
        update={
            "time": "01 ngày làm việc",
            "action": steps[1].action.replace("Thẩm định", "Thẩm tra"),
        }
    )
    new_steps = [steps[0], steps[1], NEW_STEP, steps[4], steps[2], steps[5]]  # 4 gone, 5 moved
    assert tthc.tthc is not None
    dossier = list(tthc.tthc.dossier)
    dossier[3] = dossier[3].model_copy(update={"name": "Văn bản ủy quyền có chứng thực"})
    dossier.append(DossierItem(name="Ảnh chân dung 4x6 cm", originals=2))
    changed = with_steps(tthc, new_steps)
    return changed.model_copy(
        update={
            "revision": tthc.revision + 1,
            "purpose": tthc.purpose.replace("chính xác", "đầy đủ, chính xác"),
            "legal_basis": [
                *tthc.legal_basis[:3],
                LegalRef(ref="09/2025/TT-BTP"),
                *tthc.legal_basis[4:],
            ],
            "tthc": tthc.tthc.model_copy(update={"dossier": dossier, "fees": []}),
            "records": tthc.records[:2],
            "definitions": tthc.definitions[:-1],
        }
    )


# -- tracked changes -------------------------------------------------------------------


def test_accepting_all_gives_the_later_revision_and_rejecting_all_the_earlier(
    tthc: Procedure, edited: Procedure, config: QmsConfig
) -> None:
    data = assert_round_trip(tthc, edited, config)
    accepted, rejected = resolve(data, accept=True), resolve(data, accept=False)
    assert NEW_STEP.action in accepted and NEW_STEP.action not in rejected
    removed_step = tthc.steps[3].action
    assert removed_step in rejected and removed_step not in accepted
    assert "- 09/2025/TT-BTP" in accepted and "- 09/2025/TT-BTP" not in rejected


def test_changes_are_words_rows_and_paragraphs_attributed_to_the_author(
    tthc: Procedure, edited: Procedure, config: QmsConfig
) -> None:
    data = redline(tthc, edited, config=config, author=AUTHOR, when=WHEN)
    marks = tracked(data)
    assert marks and {m.get(f"{W}author") for m in marks} == {AUTHOR}
    assert {m.get(f"{W}date") for m in marks} == {"2026-03-02T08:45:00"}
    ids = [m.get(f"{W}id") for m in marks]
    assert len(ids) == len(set(ids))
    root = body(data)
    rows = {
        tag: [tr for tr in root.iter(f"{W}tr") if tr.find(f"{W}trPr/{W}{tag}") is not None]
        for tag in ("ins", "del")
    }
    inserted = ["".join(texts(tr)) for tr in rows["ins"]]
    deleted = ["".join(texts(tr)) for tr in rows["del"]]
    assert any(NEW_STEP.action in row for row in inserted)  # the new step: an inserted row
    assert any(tthc.steps[3].action in row for row in deleted)  # the removed step
    assert any(tthc.steps[2].action in row for row in deleted)  # the moved one, where it was
    assert any(tthc.steps[2].action in row for row in inserted)  # and where it is
    assert any("Ảnh chân dung 4x6 cm" in row for row in inserted)
    assert any(tthc.records[2].name in row for row in deleted)
    # a word change inside a paragraph: "Thẩm định" -> "Thẩm tra", the syllable whole
    words = [(m.tag[len(W) :], text_of(m)) for m in marks if m.getparent().tag == f"{W}p"]
    assert ("del", "định") in words and ("ins", "tra") in words
    # a new legal reference: a whole paragraph, its mark tracked too
    paragraph_marks = [p for p in root.iter(f"{W}p") if p.find(f"{W}pPr/{W}rPr/{W}ins") is not None]
    assert any("09/2025/TT-BTP" in "".join(texts(p)) for p in paragraph_marks)


def test_the_redline_reopens_and_is_the_same_bytes_every_time(
    tthc: Procedure, edited: Procedure, config: QmsConfig
) -> None:
    data = redline(tthc, edited, config=config, author=AUTHOR, when=WHEN)
    assert data == redline(tthc, edited, config=config, author=AUTHOR, when=WHEN)
    opened = docx.Document(io.BytesIO(data))
    props = opened.core_properties
    assert props.author == AUTHOR and props.created == WHEN
    assert props.title == "QT-TP-04 Quy trình cấp Giấy xác nhận tình trạng hôn nhân"
    assert props.revision == 5
    section = opened.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.left_margin.cm, 1) == 3.0
    assert "so sánh lần ban hành 4 với lần ban hành 5" in section.header.paragraphs[0].text
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_the_layout_follows_a_procedure(tthc: Procedure, config: QmsConfig) -> None:
    lines = plain(tthc, config)
    headings = [
        "1. MỤC ĐÍCH",
        "2. PHẠM VI ÁP DỤNG",
        "3. TÀI LIỆU VIỆN DẪN",
        "4. ĐỊNH NGHĨA VÀ CHỮ VIẾT TẮT",
        "5. NỘI DUNG QUY TRÌNH",
        "6. BIỂU MẪU",
        "7. HỒ SƠ CẦN LƯU",
    ]
    positions = [lines.index(h) for h in headings]
    assert positions == sorted(positions)
    assert lines[:3] == [  # the copy's header block: agency | title | code, revision, dates
        "ỦY BAN NHÂN DÂN\nPHƯỜNG AN HÒA",
        "QUY TRÌNH CẤP GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN",
        "Mã hiệu: QT-TP-04\nLần ban hành: 04\nNgày ban hành: 21/07/2025\nNgày hiệu lực: 25/07/2025",
    ]
    for step in tthc.steps:
        assert step.action in lines
    assert "Soạn thảo" in lines and "Nguyễn Văn Hùng" in lines


def test_english_labels(tthc: Procedure, edited: Procedure, config: QmsConfig) -> None:
    english = config.model_copy(update={"language": "en"})
    data = assert_round_trip(tthc, edited, english)
    lines = texts(body(data))
    assert "1. PURPOSE" in lines and "7. RECORDS TO KEEP" in lines
    assert "REDLINE" in docx.Document(io.BytesIO(data)).sections[0].header.paragraphs[0].text


def test_policy_objectives_and_forms_round_trip(sample_repo: Repository, config: QmsConfig) -> None:
    policy = sample_repo.document("CSCL")
    assert isinstance(policy, Policy)
    commitments = [
        policy.commitments[-1],
        *policy.commitments[1:-1],
        "Cam kết mới: công khai kết quả.",
    ]
    assert_round_trip(policy, policy.model_copy(update={"commitments": commitments}), config)
    objectives = next(d for d in sample_repo if isinstance(d, Objectives))
    first = objectives.objectives[0]
    changed = first.model_copy(update={"target": "95%", "plan": first.plan[1:]})
    assert_round_trip(
        objectives,
        objectives.model_copy(update={"objectives": [changed, *objectives.objectives[2:]]}),
        config,
    )
    form = next(d for d in sample_repo if isinstance(d, Form))
    assert_round_trip(form, form.model_copy(update={"description": "Mẫu mới, có mã QR."}), config)


def test_every_demo_procedure_revision_round_trips(demo_master: Path) -> None:
    repo = Repository.open(demo_master)
    count = 0
    for document in repo:
        if not isinstance(document, Procedure):
            continue
        revisions = [
            repo.revision(document.code, r.revision) for r in repo.revisions(document.code)
        ]
        layouts = [plain(r, repo.config) for r in revisions]
        for n in range(1, len(revisions)):
            a, b = revisions[n - 1], revisions[n]
            credited = attribution(repo, b)
            assert credited is not None
            author = credited[0]
            assert author == next(s.name for s in b.approvals if s.meaning == "authored")
            data = redline(a, b, config=repo.config, author=author, when=credited[1])
            assert resolve(data, accept=True) == layouts[n]
            assert resolve(data, accept=False) == layouts[n - 1]
            assert {m.get(f"{W}author") for m in tracked(data)} == {author}
            count += 1
    assert count >= 12


# -- LibreOffice -----------------------------------------------------------------------

_SOFFICE = shutil.which("soffice")
_UNO_PYTHON = "/usr/bin/python3"

# Run by the system python that has LibreOffice's uno module: open each .docx, list its
# tracked changes, accept or reject them all, and save the text.
_UNO_SCRIPT = r"""
import json, subprocess, sys, time
import uno
from com.sun.star.beans import PropertyValue

def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p

profile, pipe, jobs = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
office = subprocess.Popen(
    ["soffice", "-env:UserInstallation=" + uno.systemPathToFileUrl(profile), "--headless",
     "--invisible", "--norestore", "--nologo", "--accept=pipe,name=%s;urp;" % pipe],
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(480):
        try:
            ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            break
        except Exception:
            time.sleep(0.25)
    else:
        raise SystemExit("LibreOffice did not start")
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    dispatcher = ctx.ServiceManager.createInstanceWithContext(
        "com.sun.star.frame.DispatchHelper", ctx)
    results = []
    for source, action, target in jobs:
        doc = desktop.loadComponentFromURL(
            uno.systemPathToFileUrl(source), "_blank", 0, (prop("Hidden", True),))
        changes = []
        found = doc.getRedlines().createEnumeration()
        while found.hasMoreElements():
            r = found.nextElement()
            changes.append([r.getPropertyValue("RedlineType"), r.getPropertyValue("RedlineAuthor")])
        if action:
            frame = doc.getCurrentController().getFrame()
            dispatcher.executeDispatch(frame, ".uno:%sAllTrackedChanges" % action, "", 0, ())
        doc.storeToURL(uno.systemPathToFileUrl(target),
                       (prop("FilterName", "Text (encoded)"), prop("FilterOptions", "UTF8")))
        left = doc.getRedlines().createEnumeration().hasMoreElements()
        doc.close(True)
        results.append({"changes": changes, "left": left})
    print(json.dumps(results))
    try:
        desktop.terminate()
    except Exception:
        pass
finally:
    try:
        office.wait(timeout=60)
    except subprocess.TimeoutExpired:
        office.kill()
"""


def _uno_available() -> bool:
    if _SOFFICE is None or not Path(_UNO_PYTHON).exists():
        return False
    probe = subprocess.run([_UNO_PYTHON, "-c", "import uno"], capture_output=True)
    return probe.returncode == 0


@pytest.mark.skipif(_SOFFICE is None, reason="LibreOffice is not installed")
def test_libreoffice_reads_the_tracked_changes(
    tthc: Procedure, edited: Procedure, config: QmsConfig, tmp_path: Path
) -> None:
    source = tmp_path / "redline.docx"
    source.write_bytes(redline(tthc, edited, config=config, author=AUTHOR, when=WHEN))
    subprocess.run(
        [
            str(_SOFFICE),
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "odt",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    with zipfile.ZipFile(tmp_path / "redline.odt") as archive:
        content = etree.fromstring(archive.read("content.xml"))
    ns = {
        "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
        "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
        "dc": "http://purl.org/dc/elements/1.1/",
    }
    regions = content.findall(".//text:tracked-changes/text:changed-region", ns)
    kinds = {child.tag.rsplit("}", 1)[1] for r in regions for child in r}
    assert len(regions) >= 20 and kinds == {"insertion", "deletion"}
    assert {c.text for c in content.findall(".//office:change-info/dc:creator", ns)} == {AUTHOR}
    assert {c.text for c in content.findall(".//office:change-info/dc:date", ns)} == {
        "2026-03-02T08:45:00"
    }


@pytest.mark.skipif(not _uno_available(), reason="LibreOffice with python3-uno is not installed")
def test_libreoffice_accept_all_gives_the_later_revision_reject_all_the_earlier(
    tthc: Procedure, edited: Procedure, config: QmsConfig, tmp_path: Path
) -> None:
    files = {
        "redline": redline(tthc, edited, config=config, author=AUTHOR, when=WHEN),
        "old": redline(tthc, tthc, config=config, author=AUTHOR, when=WHEN),
        "new": redline(edited, edited, config=config, author=AUTHOR, when=WHEN),
    }
    for name, data in files.items():
        (tmp_path / f"{name}.docx").write_bytes(data)
    jobs = [
        (str(tmp_path / "redline.docx"), "Accept", str(tmp_path / "accepted.txt")),
        (str(tmp_path / "redline.docx"), "Reject", str(tmp_path / "rejected.txt")),
        (str(tmp_path / "old.docx"), "", str(tmp_path / "old.txt")),
        (str(tmp_path / "new.docx"), "", str(tmp_path / "new.txt")),
    ]
    script = tmp_path / "lo_check.py"
    script.write_text(_UNO_SCRIPT, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    run = subprocess.run(
        [
            _UNO_PYTHON,
            str(script),
            str(tmp_path / "profile"),
            f"qmsdocs_{os.getpid()}",
            json.dumps(jobs),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert run.returncode == 0, run.stderr
    results = json.loads(run.stdout.strip().splitlines()[-1])
    redlines = results[0]["changes"]
    assert len(redlines) >= 20 and {t for t, _ in redlines} == {"Insert", "Delete"}
    assert {a for _, a in redlines} == {AUTHOR}
    assert results[2]["changes"] == results[3]["changes"] == []
    assert not results[0]["left"] and not results[1]["left"]

    def read(name: str) -> str:
        return (tmp_path / name).read_text(encoding="utf-8-sig")

    assert read("accepted.txt") == read("new.txt")
    assert read("rejected.txt") == read("old.txt")
    assert NEW_STEP.action in read("accepted.txt")


# -- the audit trail -------------------------------------------------------------------


def test_the_audit_trail_lists_every_action_of_the_period(demo_master: Path) -> None:
    repo = Repository.open(demo_master)
    since, until = dt.date(2023, 1, 1), dt.date(2023, 12, 31)
    actions = repo.actions(since=since, until=until)
    assert actions
    data = audit_trail_docx(actions, config=repo.config, since=since, until=until)
    assert data == audit_trail_docx(actions, config=repo.config, since=since, until=until)
    opened = docx.Document(io.BytesIO(data))
    table = opened.tables[0]
    assert [c.text for c in table.rows[0].cells] == [
        "STT",
        "Thời gian",
        "Người thực hiện",
        "Tài liệu",
        "Lần BH",
        "Hoạt động",
        "Lý do, ý kiến",
        "Commit",
    ]
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert len(rows) == len(actions)
    for row, action in zip(rows, actions, strict=True):
        assert row[1].startswith(f"{action.when:%d/%m/%Y %H:%M}")
        assert row[3] == action.code and row[7] == action.commit[:10]
        assert row[6] == (action.reason or "")
        person = repo.config.person(action.person or "")
        assert row[2] == (person.name if person else action.author_name)
    paragraphs = [p.text for p in opened.paragraphs]
    assert "Từ ngày 01/01/2023 đến ngày 31/12/2023" in paragraphs
    assert f"Tổng số: {len(actions)} hoạt động." in paragraphs
    assert opened.core_properties.modified == max(a.when for a in actions)
    assert opened.sections[0].page_width > opened.sections[0].page_height  # landscape


def test_the_audit_trail_in_english_and_empty(config: QmsConfig) -> None:
    english = config.model_copy(update={"language": "en"})
    data = audit_trail_docx([], config=english, since=dt.date(2020, 1, 1), until=None)
    opened = docx.Document(io.BytesIO(data))
    paragraphs = [p.text for p in opened.paragraphs]
    assert "DOCUMENT CONTROL AUDIT TRAIL" in paragraphs and "From 01/01/2020" in paragraphs
    assert "No action in this period." in paragraphs and not opened.tables


def test_a_time_changed_in_its_zone_is_one_value_replaced(
    tthc: Procedure, config: QmsConfig
) -> None:
    """09:00 (UTC+07:00) → 02:00 (UTC+00:00) is one replaced value, not digits here and there."""
    signature = tthc.approvals[0]
    moved = signature.model_copy(
        update={"signed_at": signature.signed_at.astimezone(dt.UTC) + dt.timedelta(hours=2)}
    )
    later = tthc.model_copy(update={"approvals": [moved, *tthc.approvals[1:]]})
    utc = config.model_copy(update={"timezone": "UTC"})
    data = redline(tthc, later, config=utc, author=AUTHOR, when=WHEN)
    marks = [(m.tag[len(W) :], text_of(m)) for m in tracked(data)]
    old = datetime_text(signature.signed_at.astimezone(dt.UTC))
    new = datetime_text(moved.signed_at)
    assert marks == [("ins", new), ("del", old)]
    assert_round_trip(tthc, later, utc)


def test_the_redline_and_the_copy_share_one_layout(sample_repo: Repository) -> None:
    """The same numbered sections (5.1 … 5.14) and the same citations, in the same order."""
    import docx as python_docx

    from qmsdocs.export import DocumentRenderer, ExportContext, ExportInfo
    from qmsdocs.lifecycle import DocumentState

    document = sample_repo.document("QT-TP-04")
    context = ExportContext(config=sample_repo.config, legal=sample_repo.legal)
    copy = DocumentRenderer(document, context=context, info=ExportInfo(DocumentState.EFFECTIVE))
    printed = [p.text for p in python_docx.Document(io.BytesIO(copy.copy())).paragraphs]
    lines = plain(document, sample_repo.config, sample_repo.legal)
    numbered = re.compile(r"^\d+(\.\d+)*\. [^\d]")
    assert [t for t in lines if numbered.match(t)] == [t for t in printed if numbered.match(t)]
    cited = [t for t in printed if "123/2015/NĐ-CP ngày 15/11/2015 của Chính phủ" in t]
    assert cited and all("- " + t.removeprefix("-\t") in lines for t in cited)
