"""improveplan: the improvement plan that follows an Ofsted inspection of children's services."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("improveplan")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
