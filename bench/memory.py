"""The memory a run holds at once: a process and all its descendants, by proportional set size.

Forked workers share most of their pages with their parent; the sum of their peak resident
sizes counts those pages once per process. PSS divides each shared page among the processes
that share it, so the sum over a process tree is what the run takes from the machine.
"""

from __future__ import annotations

import os

__all__ = ["pss", "tree_memory"]


def tree_memory(root: int) -> int:
    """Return the memory, in bytes, of process *root* and all its descendants (PSS)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += pss(pid) or rss.get(pid, 0)
        todo += [child for child, parent in parents.items() if parent == pid]
    return total


def pss(pid: int) -> int:
    """Return the proportional set size of *pid* (pages shared after a fork counted once
    over the processes sharing them), or 0 where the kernel does not say."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0
