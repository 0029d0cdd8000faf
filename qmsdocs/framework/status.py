"""How an agency stands against the frameworks it follows; read-only, works on snapshots."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qmsdocs.repository import Repository

__all__ = ["FrameworkStatus", "framework_status"]


@dataclass(frozen=True)
class FrameworkStatus:
    """Placeholder; filled in below."""

    framework: str
    rows: tuple[Any, ...] = field(default=())


def framework_status(repo: Repository, name: str | None = None) -> list[FrameworkStatus]:
    """Return, per followed framework, how the agency stands against it."""
    return []
