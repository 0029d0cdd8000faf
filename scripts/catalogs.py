"""Extract, update and compile qmsdocs's message catalogs with Babel (``make catalogs``).

The template takes every string marked ``_()``, ``N_()`` or ``ngettext()`` in qmsdocs/, and
the help texts of every ``qms`` command and option (click keeps those as plain strings; the
CLI translates them when it shows help). The Vietnamese catalog is updated from it (new
messages arrive empty, for a translator to fill; obsolete ones are dropped) and compiled.
`tests/test_catalogs.py` fails while any message lacks its Vietnamese translation.
"""

from __future__ import annotations

import sys
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "qmsdocs"
LOCALE = PACKAGE / "locale"
KEYWORDS = {
    "_": None,
    "N_": None,
    "S_": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "NC_": ((1, "c"), 2),
}


def template() -> Catalog:
    """Return the catalog template: every message of the code and of the CLI's help."""
    sys.path.insert(0, str(ROOT))
    from qmsdocs.cli.help import help_texts
    from qmsdocs.cli.main import cli

    catalog = Catalog(project="qmsdocs", domain="qmsdocs", charset="utf-8")
    for file, line, message, _comments, context in extract_from_dir(
        str(PACKAGE),
        # the portal's pages are Jinja2 templates calling _() (Jinja2's own extractor)
        method_map=[("**.py", "python"), ("portal/templates/**.html", "jinja2")],
        keywords=KEYWORDS,
    ):
        catalog.add(message, locations=[(f"qmsdocs/{file}", line)], context=context)
    for text in help_texts(cli):
        catalog.add(text, locations=[("qmsdocs/cli (help)", 0)])
    return catalog


def compiled(po: Path) -> bytes:
    """Return the .mo bytes of the catalog *po*, as Babel compiles it."""
    with po.open("rb") as handle:
        catalog = read_po(handle, locale="vi", domain="qmsdocs")
    out = BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def main() -> int:
    pot = template()
    LOCALE.mkdir(exist_ok=True)
    with (LOCALE / "qmsdocs.pot").open("wb") as handle:
        write_po(handle, pot, omit_header=False, sort_output=True, width=100)
    po_path = LOCALE / "vi" / "LC_MESSAGES" / "qmsdocs.po"
    po_path.parent.mkdir(parents=True, exist_ok=True)
    if po_path.exists():
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale="vi", domain="qmsdocs")
    else:
        catalog = Catalog(locale="vi", domain="qmsdocs", project="qmsdocs", charset="utf-8")
    catalog.update(pot, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    with po_path.open("wb") as handle:
        write_po(handle, catalog, sort_output=True, width=100, ignore_obsolete=True)
    po_path.with_suffix(".mo").write_bytes(compiled(po_path))
    missing = [m.id for m in catalog if m.id and not m.string]
    print(f"{len(catalog)} messages, {len(missing)} without a Vietnamese translation")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
