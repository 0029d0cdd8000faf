"""The agency's time: signatures, exports and messages in qms.yaml's time zone, on any machine."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from qmsdocs import ConfigError, Repository
from qmsdocs.cli.main import main


@pytest.fixture
def utc_machine(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A machine whose clock is set to UTC, as many servers are."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_a_signature_made_on_a_utc_machine_carries_the_agency_time(
    demo: Path, utc_machine: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert dt.datetime.now().astimezone().utcoffset() == dt.timedelta(0)
    revise = ["revise", "QT-TP-01", "--reason", "Cập nhật", "--as", "vo-minh-tuan"]
    assert main(["-C", str(demo), *revise]) == 0
    assert main(["-C", str(demo), "submit", "QT-TP-01", "--as", "vo-minh-tuan"]) == 0
    [signature] = Repository.open(demo).document("QT-TP-01").approvals
    assert signature.signed_at.utcoffset() == dt.timedelta(hours=7)
    assert "+07:00" in (demo / "procedures" / "QT-TP-01.yaml").read_text(encoding="utf-8")
    capsys.readouterr()
    assert main(["-C", str(demo), "show", "QT-TP-01"]) == 0
    assert signature.signed_at.strftime("%d/%m/%Y %H:%M +0700") in capsys.readouterr().out


def test_times_stored_with_another_offset_are_shown_in_the_agency_time(demo: Path) -> None:
    repo = Repository.open(demo)
    utc = dt.datetime(2026, 8, 3, 20, 30, tzinfo=dt.UTC)  # 03:30 the next day in Hà Nội
    repo.revise("QT-TP-01", reason="Cập nhật", by="vo-minh-tuan", now=utc)
    repo.submit("QT-TP-01", by="vo-minh-tuan", now=utc + dt.timedelta(minutes=5))
    [signature] = Repository.open(demo).document("QT-TP-01").approvals
    assert signature.signed_at == utc + dt.timedelta(minutes=5)  # the same instant
    assert signature.signed_at.isoformat() == "2026-08-04T03:35:00+07:00"  # the agency's day


def test_an_unknown_time_zone_is_refused_naming_the_file_and_field(sample: Path) -> None:
    config = sample / "qms.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("language: vi\n", "language: vi\ntimezone: Asia/Hanoi_City\n", 1),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as raised:
        Repository.open(sample).config  # noqa: B018
    assert "unknown time zone 'Asia/Hanoi_City'" in str(raised.value)
    assert "qms.yaml" in str(raised.value) and "timezone" in str(raised.value)
