"""The announcement (công bố) of the QMS by the head of the agency; pure.

Decision 19/2014/QĐ-TTg Art. 4 (form of Phụ lục I): the agency announces that its QMS
conforms to TCVN ISO 9001:2015, with its scope, and announces again when the scope
changes. The file ``announcements/CB-YYYY-MM-DD.yaml`` freezes the scope announced; the
commit that adds it carries a tag of its own.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from qmsdocs.model.base import Code, Ident, Model, Text

__all__ = ["Announcement", "ScopeItem"]


class ScopeItem(Model):
    """A line of the scope: a TTHC (its code and name) or a system process (a procedure)."""

    code: Text  # mã TTHC, or the procedure's code for a system process
    name: Text
    procedure: Code | None = None  # the procedure that implements the TTHC


class Announcement(Model):
    """An announcement of the QMS (công bố hệ thống quản lý chất lượng)."""

    schema_version: Literal[1] = 1
    kind: Literal["announcement"] = "announcement"
    date: dt.date  # ngày công bố
    place: Text  # địa danh (… , ngày … tháng … năm …)
    head: Ident  # the person of qms.yaml who signs (thủ trưởng cơ quan)
    standard: Text = "TCVN ISO 9001:2015"
    tthc: list[ScopeItem] = Field(default_factory=list)  # the TTHC in scope
    processes: list[ScopeItem] = Field(default_factory=list)  # the system processes
