"""Reading and changing ``fleet.yaml``: each change one commit of the province's repository."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import ValidationError

from qmsdocs.errors import ActionRefused, GitError, InvalidDocument
from qmsdocs.findings import field_name
from qmsdocs.fleet.model import FLEET_FILE, Agency, FleetList
from qmsdocs.i18n import NC_, _, translate
from qmsdocs.model.problems import schema_problem, shown
from qmsdocs.store import yaml as yaml_store
from qmsdocs.store.files import action_lock, write_atomic
from qmsdocs.store.git import GitStore, Identity, git_state

__all__ = ["add_agency", "read_fleet", "remove_agency"]

#: The lock file of actions, in the git directory (the same as the workflow's).
_LOCK = "qms.lock"
_SUBJECTS = {
    "add": NC_("record", "Add agency {name} ({id}) to the fleet"),
    "remove": NC_("record", "Remove agency {name} ({id}) from the fleet"),
}
_HEADER = NC_(
    "record", "The agencies this province oversees: written by 'qms fleet add' and 'remove'."
)


def read_fleet(root: Path) -> FleetList:
    """Return the fleet list of the province repository at *root* (empty when there is none).

    Raise :class:`InvalidDocument` naming the file, line and field of what is wrong.
    """
    path = root / FLEET_FILE
    if not path.is_file():
        return FleetList()
    data = path.read_bytes()
    value = yaml_store.load(data, file=FLEET_FILE)
    if value is None:
        return FleetList()
    if not isinstance(value, dict):
        raise InvalidDocument(
            _("expected a mapping of fields, found {found}").format(found=shown(value)),
            file=FLEET_FILE,
            line=1,
        )
    try:
        return FleetList.model_validate(value)
    except ValidationError as error:
        item = error.errors(include_url=False)[0]
        loc = tuple(p for p in item["loc"] if isinstance(p, str | int))
        place = yaml_store.locate(data.decode("utf-8-sig"), loc) if loc else None
        said = schema_problem(item)
        raise InvalidDocument(
            f"{field_name(loc)}: {said}" if loc else str(said),
            file=FLEET_FILE,
            line=place[0] if place else None,
            column=place[1] if place else None,
            field=".".join(str(p) for p in loc) or None,
        ) from None


def add_agency(
    root: Path, agency: Agency, *, by: Identity, now: dt.datetime, language: str = "vi"
) -> str:
    """Add *agency* to the fleet list of the repository at *root*; one commit, returned."""
    fleet = read_fleet(root)
    if fleet.get(agency.id) is not None:
        raise ActionRefused(_("agency {id} is already in the fleet").format(id=agency.id))
    new = fleet.model_copy(update={"agencies": [*fleet.agencies, agency]})
    return _commit(root, new, "add", agency, by=by, now=now, language=language)


def remove_agency(
    root: Path, agency_id: str, *, by: Identity, now: dt.datetime, language: str = "vi"
) -> str:
    """Remove the agency *agency_id* from the fleet list; one commit, returned.

    Its mirror is kept: what was fetched stays as evidence.
    """
    fleet = read_fleet(root)
    agency = fleet.get(agency_id)
    if agency is None:
        raise ActionRefused(_("no agency {id} in the fleet").format(id=agency_id))
    new = fleet.model_copy(update={"agencies": [a for a in fleet.agencies if a.id != agency_id]})
    return _commit(root, new, "remove", agency, by=by, now=now, language=language)


def _commit(
    root: Path,
    fleet: FleetList,
    action: str,
    agency: Agency,
    *,
    by: Identity,
    now: dt.datetime,
    language: str,
) -> str:
    state = git_state(root)
    if state.top is None or state.git_dir is None:
        raise ActionRefused(_("{root} is not inside a git repository").format(root=root))
    store = GitStore(state.top)
    path = root / FLEET_FILE
    rel = path.resolve().relative_to(state.top).as_posix()
    try:
        with action_lock(state.git_dir / _LOCK):
            if store.dirty([rel]):
                raise ActionRefused(
                    _(
                        "{file} has uncommitted edits: commit them (git commit) or discard them "
                        "before this action"
                    ).format(file=FLEET_FILE),
                    file=FLEET_FILE,
                )
            before = path.read_bytes() if path.exists() else None
            from qmsdocs.schemas import schema_comment  # schemas imports the fleet's model

            header = schema_comment("fleet", 0) + f"# {translate(language, _HEADER, 'record')}\n"
            text = yaml_store.dump_text(
                fleet.model_dump(mode="json", exclude_none=True), header=header
            )
            data = text.encode("utf-8")
            if FleetList.model_validate(yaml_store.load(data, file=FLEET_FILE)) != fleet:
                raise GitError(f"{FLEET_FILE} would not read back as written")
            subject = translate(language, _SUBJECTS[action], "record").format(
                name=agency.name, id=agency.id
            )
            write_atomic(path, data)
            try:
                return store.commit(
                    [rel], f"{subject}\n\nQMS-Action: fleet-{action}\n", author=by, when=now
                )
            except (GitError, OSError):
                if before is None:
                    path.unlink(missing_ok=True)
                else:
                    write_atomic(path, before)
                store.unstage([rel])
                raise
    finally:
        store.close()
