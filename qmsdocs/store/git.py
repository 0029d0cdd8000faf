"""The only module that imports gitpython."""

from __future__ import annotations

from pathlib import Path

import git

__all__ = ["GitState", "git_state"]


class GitState:
    """Where a folder sits in git: its work tree top, or why it has none."""

    def __init__(self, top: Path | None, problem: str | None) -> None:
        self.top = top
        self.problem = problem


def git_state(path: Path) -> GitState:
    """Return the git work tree that holds *path*, or the reason there is none."""
    try:
        repo = git.Repo(path, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return GitState(None, "not inside a git work tree (run 'git init' here)")
    try:
        if repo.bare or repo.working_tree_dir is None:
            return GitState(None, "a bare git repository has no work tree to hold documents")
        return GitState(Path(repo.working_tree_dir).resolve(), None)
    finally:
        repo.close()
