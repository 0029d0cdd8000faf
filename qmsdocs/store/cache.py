"""The persistent cache: what was read from files and git objects, kept between runs.

It lives in ``<git dir>/qms-cache/``: never in the work tree, never committed, never shared
with another clone. Each cache file is plain JSON in an envelope naming its format and
version — data, never pickle, so a cache file cannot run code. A cache file that is missing,
corrupt, from another version, or cannot be written is ignored: the cache only saves time,
it never decides a result. Entries are keyed by what makes them true: a work-tree file by
its size, modification time and inode; a git object by its id, which names its content.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from qmsdocs._version import __version__

__all__ = ["CACHE_FOLDER", "JsonCache"]

#: The folder of the cache inside the git directory.
CACHE_FOLDER = "qms-cache"
# Bumped whenever what is cached, or how it is computed, changes: older files are ignored.
# Files written by another release of qmsdocs are ignored too (its checks may differ).
_FORMAT = "qmsdocs-cache"
_VERSION = 3


class JsonCache:
    """Named JSON documents in one folder; *folder* None keeps nothing (outside git)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def read(self, name: str) -> dict[str, Any]:
        """Return the data cached under *name*, or an empty dict if there is none usable."""
        if self.folder is None:
            return {}
        try:
            envelope = json.loads((self.folder / f"{name}.json").read_bytes())
        except (OSError, ValueError, RecursionError):
            return {}
        if (
            not isinstance(envelope, dict)
            or envelope.get("format") != _FORMAT
            or envelope.get("version") != _VERSION
            or envelope.get("library") != __version__
            or not isinstance(envelope.get("data"), dict)
        ):
            return {}
        return envelope["data"]  # type: ignore[no-any-return]

    def write(self, name: str, data: dict[str, Any]) -> None:
        """Store *data* under *name* atomically; a failure to write is ignored."""
        if self.folder is None:
            return
        text = json.dumps(
            {"format": _FORMAT, "version": _VERSION, "library": __version__, "data": data},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        tmp = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f".{name}.", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(tmp, self.folder / f"{name}.json")
            tmp = None
        except OSError:
            pass
        finally:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)

    def clear(self) -> None:
        """Remove every cache file (the next reads start cold)."""
        if self.folder is None or not self.folder.is_dir():
            return
        for path in self.folder.glob("*.json"):
            path.unlink(missing_ok=True)
