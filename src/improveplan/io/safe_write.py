"""Write an output file without ever destroying what was there (docs/design.md §5).

Every `-o FILE` goes through `replacing`: it refuses the live database and the files
SQLite keeps beside it (`-wal`, `-shm`, `-journal`), also when FILE is a symlink to one,
and writes to a temporary file in the same folder that is renamed over FILE only once it
is complete and on disk. A full disk, a crash or an error half-way leaves the previous
file whole. New files are created 0600 like the database: reports and exports hold
children's services data.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from improveplan.errors import ImproveplanError

__all__ = ["SIDECARS", "guard_output", "replacing", "write_bytes", "write_text"]

SIDECARS = ("", "-wal", "-shm", "-journal")


def guard_output(path: Path, protected: Sequence[Path]) -> Path:
    """The resolved target, after refusing a database file or one of its sidecars."""
    target = path.expanduser().resolve()
    for database in protected:
        db = database.expanduser().resolve()
        if target in {db.with_name(db.name + suffix) for suffix in SIDECARS}:
            raise ImproveplanError(
                f"{path} is the database{' (through a link)' if path.is_symlink() else ''}",
                "choose another file for the output",
            )
    if target.is_dir():
        raise ImproveplanError(f"{path} is a folder", "give a file name for the output")
    if not target.parent.is_dir():
        raise ImproveplanError(
            f"no folder {target.parent} to write {path.name} in", "create it or choose another"
        )
    return target


@contextlib.contextmanager
def replacing(path: Path, *, protected: Sequence[Path] = ()) -> Iterator[Path]:
    """A temporary path beside `path` to write to; it replaces `path` when the block ends
    without error, and is removed otherwise. For writers that want a file name."""
    target = guard_output(path, protected)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(fd)
    temporary = Path(name)
    mode = _existing_mode(target)
    try:
        yield temporary
        _sync(temporary)
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except OSError as exc:
        _discard(temporary)
        raise ImproveplanError(
            f"cannot write {path} ({exc.strerror or exc}); the previous file is unchanged",
            "free some space or choose another place",
        ) from None
    except BaseException:
        _discard(temporary)
        raise


def _sync(path: Path) -> None:
    """On disk before the rename, so a power cut cannot leave an empty file in place."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _existing_mode(target: Path) -> int:
    """Keep the permissions of a file being replaced; a new one is the owner's alone."""
    try:
        return target.stat().st_mode & 0o777
    except FileNotFoundError:
        return 0o600


def _discard(temporary: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()


def write_text(path: Path, text: str, *, protected: Sequence[Path] = ()) -> None:
    """`path` becomes `text` (UTF-8) whole, or stays as it was."""
    with replacing(path, protected=protected) as temporary:
        temporary.write_text(text, encoding="utf-8")


def write_bytes(path: Path, data: bytes, *, protected: Sequence[Path] = ()) -> None:
    """`path` becomes `data` whole, or stays as it was."""
    with replacing(path, protected=protected) as temporary:
        temporary.write_bytes(data)
