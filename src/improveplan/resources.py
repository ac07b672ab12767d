"""Locate the bundled `migrations/` and `templates/` folders.

In a wheel they are force-included inside the package; in a source checkout
(editable install or tests) they sit at the repository root. One lookup serves both.
A folder that is missing, or lacks a file the program reads, is a broken install: one
line naming what is missing and saying to reinstall, never a traceback.
"""

from __future__ import annotations

from pathlib import Path

from improveplan.errors import ImproveplanError

_PACKAGE_DIR = Path(__file__).resolve().parent

# What each folder must hold for the commands that read it (the migration scripts
# themselves are checked against KNOWN_REVISIONS in store/migrate.py).
_CONTENTS = {
    "migrations": ("env.py", "script.py.mako", "versions"),
    "templates": (
        "report.html.j2",
        "report.md.j2",
        "email/digest.txt.j2",
        "email/digest.html.j2",
    ),
}


def broken_install(missing: str) -> ImproveplanError:
    """The one line for a file or folder the installed program lacks."""
    return ImproveplanError(
        f"improveplan is installed without its {missing}",
        "reinstall it (pip install --force-reinstall improveplan)",
    )


def resource_dir(name: str) -> Path:
    """Return the folder `name` ("migrations" or "templates") wherever it was installed."""
    for candidate in (_PACKAGE_DIR / name, _PACKAGE_DIR.parent.parent / name):
        if candidate.is_dir():
            for part in _CONTENTS.get(name, ()):
                if not (candidate / part).exists():
                    raise broken_install(f"{name}/{part}")
            return candidate
    raise broken_install(f"{name}/ folder")
