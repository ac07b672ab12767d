"""db verify: the audit trail's hash chains verify after every kind of write, and an
event altered, removed or inserted out of order is found by its id (docs/design.md §5)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.exc import DBAPIError

from tests.cli.test_import import TRACKER, write
from tests.conftest import Invoke, sql

RESTORE = " — restore from a backup; the trail cannot be trusted from there\n"
PLAN = 'Error: the audit trail of plan "Peterborough"'


def _writes(run: Invoke, tmp_path: Path) -> None:
    for args in (
        ("action", "add", "Audit files", "--owner", "Priya Natarajan", "--due", "2025-06-01"),
        ("action", "update", "1", "--title", "Audit case files"),
        ("action", "note", "1", "Started"),
        ("person", "add", "Zara Ali"),
        ("import", str(write(tmp_path, "tracker.csv", TRACKER))),
        (
            "import",
            str(write(tmp_path, "tracker.csv", TRACKER.replace("Red", "Amber"))),
            "--update",
        ),
        ("action", "done", "1"),
    ):
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)


def _verified(run: Invoke, db_url: str) -> str:
    events, chains = sql(
        db_url, "SELECT count(*), count(DISTINCT coalesce(plan_id, 0)) FROM audit_event"
    )[0]
    return f"ok  audit trail: {events:,} events in {chains} chains verify\n"


def _tamper(db_url: str, backend: str, *statements: str) -> None:
    """Run statements on the trail with its guard off (as a superuser could)."""
    if backend == "postgres":
        guard = "audit_event_append_only"
        sql(db_url, f"ALTER TABLE audit_event DISABLE TRIGGER {guard}")
        try:
            for statement in statements:
                sql(db_url, statement)
        finally:
            sql(db_url, f"ALTER TABLE audit_event ENABLE TRIGGER {guard}")
        return
    sql(db_url, "DROP TRIGGER audit_event_no_update")
    sql(db_url, "DROP TRIGGER audit_event_no_delete")
    for statement in statements:
        sql(db_url, statement)


def _plan_ids(db_url: str) -> list[int]:
    rows = sql(db_url, "SELECT id FROM audit_event WHERE plan_id = 1 ORDER BY id")
    return [r[0] for r in rows]


def test_the_trail_verifies_after_every_kind_of_write(
    plan_run: Invoke, db_url: str, tmp_path: Path
) -> None:
    _writes(plan_run, tmp_path)
    result = plan_run("db", "verify")
    assert (result.exit_code, result.stdout) == (0, _verified(plan_run, db_url))
    check = plan_run("db", "check")
    assert (check.exit_code, check.stdout.splitlines()[-1]) == (0, _verified(plan_run, db_url)[:-1])


def test_an_import_of_an_export_verifies(plan_run: Invoke, db_url: str, tmp_path: Path) -> None:
    _writes(plan_run, tmp_path)
    exported = plan_run("export")
    path = tmp_path / "copy.json"  # the same plan under another name, beside it
    path.write_text(exported.stdout.replace("Peterborough", "Copy"))
    imported = plan_run("import", str(path))
    assert imported.exit_code == 0, imported.output
    result = plan_run("db", "verify")
    assert (result.exit_code, result.stdout) == (0, _verified(plan_run, db_url))


def test_an_altered_event_is_found(
    plan_run: Invoke, db_url: str, backend: str, tmp_path: Path
) -> None:
    _writes(plan_run, tmp_path)
    target = _plan_ids(db_url)[3]
    _tamper(db_url, backend, f"UPDATE audit_event SET new_value = 'Forged' WHERE id = {target}")
    result = plan_run("db", "verify")
    assert result.exit_code == 1
    assert result.stderr == (
        f"{PLAN} was altered at event {target} (its hash does not match its fields, or an "
        f"event before it was removed){RESTORE}"
    )
    check = plan_run("db", "check")
    assert (check.exit_code, check.stderr) == (1, result.stderr)


def test_a_removed_event_is_found_at_the_one_after(
    plan_run: Invoke, db_url: str, backend: str, tmp_path: Path
) -> None:
    _writes(plan_run, tmp_path)
    ids = _plan_ids(db_url)
    _tamper(db_url, backend, f"DELETE FROM audit_event WHERE id = {ids[2]}")
    result = plan_run("db", "verify")
    assert result.exit_code == 1
    assert result.stderr == (
        f"{PLAN} was altered at event {ids[3]} (its hash does not match its fields, or an "
        f"event before it was removed){RESTORE}"
    )


def test_an_event_inserted_out_of_order_is_found(
    plan_run: Invoke, db_url: str, backend: str, tmp_path: Path
) -> None:
    _writes(plan_run, tmp_path)
    # The person added between the plan's writes begins the tail of the chain of no plan;
    # that tail goes, and in the person's place a forged event of the plan, hash made up.
    first = sql(db_url, "SELECT id FROM audit_event WHERE new_value = 'Zara Ali'")[0][0]
    forged = (
        "INSERT INTO audit_event (id, plan_id, actor, at, entity, entity_id, field, "
        f"old_value, new_value, hash) VALUES ({first}, 1, 'tester', '2024-06-03 09:00:00', "
        f"'action', 1, 'status', NULL, 'signed_off', '{'a' * 64}')"
    )
    _tamper(
        db_url, backend, f"DELETE FROM audit_event WHERE plan_id IS NULL AND id >= {first}", forged
    )
    result = plan_run("db", "verify")
    assert result.exit_code == 1
    assert result.stderr == (
        f"{PLAN} has event {first} inserted out of order (the events either side of it "
        f"chain without it){RESTORE}"
    )


def test_the_database_refuses_to_change_the_trail(plan_run: Invoke, db_url: str) -> None:
    for statement in ("UPDATE audit_event SET actor = 'someone else'", "DELETE FROM audit_event"):
        with pytest.raises(DBAPIError, match="the audit trail is append-only"):
            sql(db_url, statement)
    assert plan_run("db", "verify").exit_code == 0
