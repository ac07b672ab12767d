"""improveplan: the improvement plan that follows an Ofsted inspection of children's services."""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    # Looked up on demand: reading package metadata is not free and --help never needs it.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("improveplan")
        except PackageNotFoundError:  # a source tree that is not installed
            return "0.0.0"
    raise AttributeError(name)
