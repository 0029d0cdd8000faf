"""The portal: a read-only static website of a QMS repository as of a day.

Documents in force rendered like controlled copies, every issued revision at a permanent
address, superseded ones bannered, history with redlines and a timeline, the legal
registry with its chains, search that folds diacritics, and (for a province) a dashboard
of its agencies. Pages are Jinja2 templates with autoescaping (Jinja2 is imported only in
this package); the site has no remote loads, relative links only, and reads without
JavaScript (search alone needs it). ::

    import datetime as dt
    from qmsdocs import Repository
    from qmsdocs.portal import build_portal

    build_portal(Repository.open("qms"), "site", as_of=dt.date(2025, 9, 1))
"""

from qmsdocs.portal._build import MANIFEST, DashboardRow, PortalBuild, build_portal

__all__ = ["MANIFEST", "DashboardRow", "PortalBuild", "build_portal"]
