"""Following a framework: its releases fetched into the agency's own git, read back as snapshots.

A framework's releases are its git tags. ``qms framework fetch`` brings them into the
agency's repository under a private namespace, ``refs/qms-framework/<name>/tags/<tag>``
(never a checkout, never among the agency's own branches or tags), and every read of a
release goes through :meth:`qmsdocs.Repository.at` on that ref. A release once fetched is
never moved: a tag the framework moved later is reported, and the base every derived
document came from can be read back forever.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qmsdocs.errors import ActionRefused, ConfigError, GitError, RepositoryNotFound
from qmsdocs.i18n import S_, _

if TYPE_CHECKING:
    from qmsdocs.repository import Repository

__all__ = [
    "NAMESPACE",
    "FetchedFramework",
    "fetch_followed",
    "fetch_framework",
    "latest_release",
    "open_release",
    "release_ref",
    "releases",
]

#: Where the releases of followed frameworks are kept in the agency's git.
NAMESPACE = "refs/qms-framework"
#: Where a fetch lands first, until the release is known to be a framework's.
_INCOMING = "refs/qms-framework-incoming"


def release_ref(name: str, tag: str) -> str:
    """Return the ref that keeps release *tag* of framework *name* in the agency's git."""
    return f"{NAMESPACE}/{name}/tags/{tag}"


def releases(git_dir: Path, name: str) -> list[str]:
    """Return the fetched releases of framework *name*, oldest first."""
    from qmsdocs.store.git import list_refs

    prefix = f"{NAMESPACE}/{name}/tags/"
    try:
        return [ref.removeprefix(prefix) for ref in list_refs(git_dir, prefix)]
    except GitError:
        return []


def latest_release(git_dir: Path, name: str) -> str | None:
    """Return the newest fetched release of framework *name*, or None."""
    found = releases(git_dir, name)
    return found[-1] if found else None


def open_release(git_dir: Path, name: str, tag: str) -> Repository:
    """Return release *tag* of framework *name* as a read-only snapshot.

    Raise :class:`ActionRefused` when it was not fetched, or is no framework's release.
    """
    from qmsdocs.store.git import list_refs

    ref = release_ref(name, tag)
    if ref not in list_refs(git_dir, ref):
        raise ActionRefused(
            S_(
                "release {tag} of framework {name} is not fetched: run 'qms framework fetch {name}'",
                tag=tag,
                name=name,
            )
        )
    return _framework_at(git_dir, ref, url=name, tag=tag)


def _framework_at(git_dir: Path, ref: str, *, url: str, tag: str) -> Repository:
    from qmsdocs.repository import Repository

    try:
        snapshot = Repository.at(git_dir, ref)
    except RepositoryNotFound:
        raise ActionRefused(
            S_(
                "{url} is not a QMS repository: its release {tag} holds no qms.yaml at the top",
                url=url,
                tag=tag,
            )
        ) from None
    try:
        declared = snapshot.config.framework
    except ConfigError as error:
        raise ActionRefused(
            S_(
                "{url}: the qms.yaml of release {tag} cannot be read: {problem}",
                url=url,
                tag=tag,
                problem=str(error),
            )
        ) from None
    if declared is None:
        raise ActionRefused(
            S_(
                "{url} is a QMS repository but not a framework: the qms.yaml of release {tag} "
                "declares no framework block",
                url=url,
                tag=tag,
            )
        )
    return snapshot


@dataclass(frozen=True)
class FetchedFramework:
    """What fetching one framework gave: its releases, the new ones, and any moved tag."""

    name: str
    url: str
    releases: tuple[str, ...]  # oldest first
    new: tuple[str, ...]
    moved: tuple[str, ...] = ()  # tags the framework moved since fetched: ours are kept

    def to_dict(self) -> dict[str, Any]:
        """Return the result as JSON-ready values."""
        return {
            "framework": self.name,
            "url": self.url,
            "releases": list(self.releases),
            "new": list(self.new),
            "moved": list(self.moved),
        }


def fetch_framework(
    git_dir: Path, name: str, url: str, *, release: str | None = None, timeout: float = 120.0
) -> FetchedFramework:
    """Fetch every release of the framework at *url* into the agency's git at *git_dir*.

    The newest release (and *release*, when given) must be a framework's: a QMS repository
    whose qms.yaml declares a framework block. Raise :class:`ActionRefused` in one line
    when *url* cannot be reached, has no release, has no release *release*, or is not a
    framework; then no ref is left changed.
    """
    from qmsdocs.store.git import fetch_refs, list_refs, remote_tags, update_refs

    try:
        offered = remote_tags(url, timeout=timeout)
    except GitError as error:
        raise ActionRefused(
            S_(
                "framework {name}: cannot reach {url}: {problem}",
                name=name,
                url=url,
                problem=error.message,
            )  # fmt: skip
        ) from None
    if not offered:
        raise ActionRefused(
            S_("framework {name}: {url} has no release (no git tag)", name=name, url=url)
        )
    if release is not None and release not in offered:
        raise ActionRefused(
            S_(
                "framework {name}: {url} has no release {tag} (its releases: {known})",
                name=name,
                url=url,
                tag=release,
                known=", ".join(sorted(offered)),
            )
        )
    incoming = f"{_INCOMING}/{name}/tags/"
    update_refs(git_dir, dict.fromkeys(list_refs(git_dir, incoming)))
    try:
        try:
            fetch_refs(git_dir, url, [f"+refs/tags/*:{incoming}*"], timeout=timeout)
        except GitError as error:
            raise ActionRefused(
                S_(
                    "framework {name}: cannot fetch {url}: {problem}",
                    name=name,
                    url=url,
                    problem=error.message,
                )  # fmt: skip
            ) from None
        got = list_refs(git_dir, incoming)
        tags = [ref.removeprefix(incoming) for ref in got]
        for tag in dict.fromkeys([t for t in (release, tags[-1] if tags else None) if t]):
            _framework_at(git_dir, incoming + tag, url=url, tag=tag)
        prefix = f"{NAMESPACE}/{name}/tags/"
        before = list_refs(git_dir, prefix)
        changes: dict[str, str | None] = {}
        new, moved = [], []
        for tag in tags:
            oid = got[incoming + tag]
            had = before.get(prefix + tag)
            if had is None:
                changes[prefix + tag] = oid
                new.append(tag)
            elif had != oid:
                moved.append(tag)  # a release once taken is never replaced
        update_refs(git_dir, changes)
    finally:
        update_refs(git_dir, dict.fromkeys(list_refs(git_dir, incoming)))
    return FetchedFramework(name, url, tuple(releases(git_dir, name)), tuple(new), tuple(moved))


def fetch_followed(repo: Repository, name: str | None = None) -> list[FetchedFramework]:
    """Fetch the releases of every framework *repo* follows (or of *name*) into its git."""
    from qmsdocs.framework.actions import followed_framework
    from qmsdocs.store.git import GitStore

    config = repo.config
    chosen = [followed_framework(config, name)] if name else list(config.frameworks)
    if not chosen:
        followed_framework(config, None)  # says that none is followed
    if repo.git_top is None:
        raise ActionRefused(_("{root} is not inside a git work tree").format(root=repo.root))
    store = GitStore(repo.git_top)
    try:
        git_dir = store.git_dir()
    finally:
        store.close()
    return [fetch_framework(git_dir, f.name, f.url, release=f.release) for f in chosen]
