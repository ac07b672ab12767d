"""Output files never destroy what was there: the database is refused, and a failure
half-way leaves the previous file whole (io/safe_write.py)."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from improveplan.errors import ImproveplanError
from improveplan.io.safe_write import guard_output, replacing, write_bytes, write_text


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
def test_the_database_and_its_sidecars_are_refused(tmp_path: Path, suffix: str) -> None:
    db = tmp_path / "plan.db"
    db.write_bytes(b"SQLite format 3\x00")
    target = tmp_path / f"plan.db{suffix}"
    with pytest.raises(ImproveplanError, match=r"is the database — choose another file"):
        write_text(target, "report", protected=[db])
    assert db.read_bytes() == b"SQLite format 3\x00"


def test_a_link_to_the_database_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "plan.db"
    db.write_bytes(b"live")
    link = tmp_path / "report.html"
    link.symlink_to(db)
    with pytest.raises(ImproveplanError, match=r"is the database \(through a link\)"):
        write_text(link, "report", protected=[tmp_path / "." / "plan.db"])
    assert db.read_bytes() == b"live"


def test_a_failure_half_way_keeps_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    target.write_text("last good report")
    with pytest.raises(RuntimeError), replacing(target) as temporary:
        temporary.write_text("half a rep")
        raise RuntimeError("template failed")
    assert target.read_text() == "last good report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]


def test_new_files_are_the_owners_alone_and_replaced_ones_keep_their_mode(tmp_path: Path) -> None:
    fresh = tmp_path / "new.json"
    write_bytes(fresh, b"{}")
    assert fresh.stat().st_mode & 0o777 == 0o600
    shared = tmp_path / "shared.csv"
    shared.write_text("old")
    shared.chmod(0o640)
    write_text(shared, "new")
    assert shared.read_text() == "new" and shared.stat().st_mode & 0o777 == 0o640


def test_folders_and_missing_folders_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(ImproveplanError, match="is a folder — give a file name"):
        guard_output(tmp_path, [])
    with pytest.raises(ImproveplanError, match=r"no folder .* to write x\.md in"):
        guard_output(tmp_path / "missing" / "x.md", [])


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 kB tmpfs, where this machine lets the tests mount one (CI runs as root)."""
    where = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(where)],
        capture_output=True, check=False,
    )  # fmt: skip
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=False)


def test_a_full_disk_keeps_the_last_good_file(small_disk: Path) -> None:
    target = small_disk / "board-report.html"
    target.write_text("last good report " * 100)
    before = target.read_text()
    with pytest.raises(
        ImproveplanError, match=r"cannot write .*No space left on device.*unchanged"
    ):
        write_text(target, "x" * 200_000)
    assert target.read_text() == before
    assert os.listdir(small_disk) == ["board-report.html"]
