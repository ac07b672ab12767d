"""Locate the bundled `migrations/` and `templates/` folders.

In a wheel they are force-included inside the package; in a source checkout
(editable install or tests) they sit at the repository root. One lookup serves both.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """Return the folder `name` ("migrations" or "templates") wherever it was installed."""
    for candidate in (_PACKAGE_DIR / name, _PACKAGE_DIR.parent.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"improveplan is installed without its {name}/ folder")
