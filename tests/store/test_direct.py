"""The listings read with the driver alone say what the SQLAlchemy path says (issue 14).

`overdue` and `action list` in json or csv, and `action list` as a table, read through
store/direct.py when they can. Each command here runs twice on the same database, on
SQLite and PostgreSQL: as it runs (direct), and with `open_plan` saying no, so the
SQLAlchemy path (services/listing.py, services/action_reads.py) answers; the bytes on
stdout and stderr and the exit code must be equal. The plan is the demo's (a notice, inspections, stored
and default milestones, linked actions) with actions added whose text a spreadsheet
would take for a formula, names in other cases and scripts, a RAG set by hand, slips,
and every status.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from improveplan.domain.stamps import stamp_iso, stamp_minutes
from improveplan.services import direct as direct_service
from improveplan.store import direct, direct_csv, direct_status
from tests.conftest import Invoke, make_invoker

TODAY = {"IMPROVEPLAN_TODAY": "2025-03-31", "COLUMNS": "120", "NO_COLOR": "1"}

EXTRA: tuple[tuple[str, ...], ...] = (
    ("person", "add", "Émile Zola"),
    ("person", "add", "ann  lee"),
    ("action", "add", "=SUM(A1:A9) audit", "--owner", "Émile Zola", "--due", "2025-03-01"),
    ("action", "add", "--owner", "ann lee", "--due", "2025-04-02", "--", '-minus, "quoted"'),
    ("action", "add", "@mention, comma", "--owner", "ann lee", "--due", "2025-04-30"),
    ("action", "add", "Far off", "--owner", "Émile Zola", "--due", "2026-01-30"),
    ("milestone", "add", "Care leaver hub opens", "--date", "2025-06-30"),
    ("action", "add", "Blocked later", "--owner", "Émile Zola", "--due", "2025-09-30"),
    ("measure", "add", "Return interviews", "--unit", "%", "--baseline", "40", "--target", "80"),
    (
        "measure",
        "add",
        "Days to assessment",
        "--unit",
        "days",
        "--baseline",
        "30",
        "--target",
        "20",
        "--lower-is-better",
        "--baseline-date",
        "2024-04-01",
        "--target-date",
        "2025-09-30",
    ),
    ("measure", "record", "Days to assessment", "26", "--date", "2025-01-31"),
    ("measure", "record", "Days to assessment", "19", "--date", "2025-05-31"),
)

COMMANDS: tuple[tuple[str, ...], ...] = (
    ("overdue", "--format", "json"),
    ("overdue", "--format", "csv"),
    ("overdue", "--format", "json", "--as-of", "2024-11-01"),
    ("overdue", "--format", "csv", "--within", "90", "--as-of", "2025-01-15"),
    ("overdue", "--format", "json", "--owner", "ÉMILE  zola"),
    ("overdue", "--format", "json", "--owner", "Ann Lee"),
    ("action", "list", "--format", "json", "--all"),
    ("action", "list", "--format", "csv"),
    ("action", "list", "--format", "csv", "--all", "--as-of", "2025-06-30"),
    ("action", "list", "--format", "json", "--overdue"),
    ("action", "list", "--format", "csv", "--status", "blocked", "--status", "cancelled"),
    ("action", "list", "--format", "json", "--rag", "amber"),
    ("action", "list", "--format", "csv", "--rag", "red", "--owner", "émile zola"),
    ("action", "list", "--format", "json", "--theme", "children in care"),
    ("action", "list"),  # the table
    ("action", "list", "--owner", "ÉMILE  zola"),
    ("action", "list", "--owner", "Sarah Whitfield", "--all", "--as-of", "2025-06-30"),
    ("action", "list", "--status", "blocked", "--status", "cancelled"),
    ("action", "list", "--overdue"),
    ("action", "list", "--all", "--rag", "red"),
    ("action", "list", "--theme", "CHILDREN IN CARE", "--owner", "gareth  lloyd"),
    ("overdue",),  # the table: its first rows, counts, milestones at risk cut short
    ("overdue", "--owner", "ÉMILE  zola"),
    ("overdue", "--as-of", "2024-11-01"),
    ("overdue", "--within", "90", "--as-of", "2025-01-15"),
    ("overdue", "--as-of", "2025-06-30"),
)
# `status` is read directly but with --since (the audit trail is left to the services)
STATUS: tuple[tuple[str, ...], ...] = (
    ("status",),
    ("status", "--format", "json"),
    ("status", "--format", "csv", "--by", "owner"),
    ("status", "--by", "recommendation"),
    ("status", "--format", "json", "--by", "recommendation", "--as-of", "2024-11-01"),
    ("status", "--format", "json", "--by", "owner", "--as-of", "2025-06-30"),
    ("status", "--by", "theme", "--as-of", "2025-03-01"),
    ("status", "--as-of", "2023-01-01"),  # before the plan: nothing ahead yet counted
)
# --mine finds the acting user as the services' mine_filter does: in any case and spacing
MINE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("émile  ZOLA", ("action", "list", "--mine")),
    ("Sarah Whitfield", ("action", "list", "--mine", "--overdue")),
    ("ann lee", ("action", "list", "--mine", "--format", "json", "--all")),
    ("Sarah Whitfield", ("action", "list", "--mine", "--format", "csv", "--status", "blocked")),
)
# What the direct read leaves to the services: their errors, their rows (exit code, said).
LEFT: tuple[tuple[str, tuple[str, ...], int, str], ...] = (
    ("tester", ("action", "list", "--owner", "Nobody Known"), 1, 'no person named "Nobody Known"'),
    ("tester", ("action", "list", "--theme", "Nothing"), 1, 'no theme named "Nothing"'),
    ("tester", ("action", "list", "--format", "csv", "--theme", "Nothing"), 1, "no theme named"),
    ("Nobody Here", ("action", "list", "--mine"), 1, 'you are "Nobody Here", who owns no'),
    ("Nobody Here", ("action", "list", "--mine", "--format", "json"), 1, 'you are "Nobody Here"'),
    ("tester", ("--plan", "Elsewhere", "action", "list"), 1, 'no plan named "Elsewhere"'),
    ("tester", ("action", "list", "--rec", "r1"), 0, "actions:"),
    ("Sarah Whitfield", ("action", "list", "--mine", "--rec", "R1", "--all"), 0, "actions:"),
    ("tester", ("overdue", "--format", "json", "--owner", "Nobody Known"), 1, "no person named"),
)


@pytest.fixture
def demo_run(backend: str, db_url: str, tmp_path: Path) -> Invoke:
    """The demo plan on the backend under test, with the extra actions."""
    from improveplan.cli.main import cli

    built = CliRunner().invoke(cli, ["--db", db_url, "init", "--demo"], env=TODAY)
    assert built.exit_code == 0, built.output
    run = make_invoker(db_url)
    for args in EXTRA:
        result = run(*args, env=TODAY)
        assert result.exit_code == 0, (args, result.output)
    refs = _refs(run)
    changes = (
        ("action", "update", refs["Blocked later"], "--status", "blocked"),
        ("action", "update", refs["@mention, comma"], "--rag", "red", "--reason", "Staffing",
         "--milestone", "Care leaver hub opens"),
        ("action", "update", refs["-minus, \"quoted\""], "--due", "2025-05-02",
         "--reason", "Provider delayed"),
    )  # fmt: skip
    for args in changes:
        result = run(*args, env=TODAY)
        assert result.exit_code == 0, (args, result.output)
    return run


def _refs(run: Invoke) -> dict[str, str]:
    import json

    listed = run("action", "list", "--all", "--format", "json", env=TODAY)
    return {a["title"]: a["ref"] for a in json.loads(listed.output)}


Seen = tuple[int, str, str]  # exit code, stdout, stderr


def _seen(run: Invoke, args: tuple[str, ...], user: str) -> Seen:
    result = run(*args, user=user, env=TODAY)
    return result.exit_code, result.stdout, result.stderr


def _both(
    run: Invoke, args: tuple[str, ...], monkeypatch: pytest.MonkeyPatch, *,
    user: str = "tester", taken: bool = True,
) -> tuple[Seen, Seen]:  # fmt: skip
    """The command as it runs, then through SQLAlchemy alone; the direct read's listing
    (or PostgreSQL's CSV of it) must be read (`taken`), or not at all (a name it cannot
    settle, a filter it leaves)."""
    read: list[object] = []
    real = direct.listing

    def counted(*args: Any, **kw: Any) -> tuple[str, list[Any]] | None:
        found = real(*args, **kw)
        read.append(found)
        return found

    def copied(*args: Any, **kw: Any) -> tuple[str, list[Any]] | None:
        found = real_copy(*args, **kw)
        read.append(found)
        return found

    real_copy = direct_csv.copy_query
    with monkeypatch.context() as patch:
        patch.setattr(direct, "listing", counted)
        patch.setattr(direct_csv, "listing", counted)
        patch.setattr(direct_csv, "copy_query", copied)
        first = _seen(run, args, user)
    assert any(r is not None for r in read) is taken, "the direct read was (not) taken"
    with monkeypatch.context() as patch:
        patch.setattr(direct, "open_plan", lambda db, plan: None)
        second = _seen(run, args, user)
    return first, second


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_direct_and_sqlalchemy_reads_agree(
    demo_run: Invoke, args: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen, full = _both(demo_run, args, monkeypatch)
    assert seen == full
    assert seen[0] == 0 and len(seen[1].splitlines()) >= 2  # something was listed


def test_the_direct_reads_see_milestones_at_risk(
    demo_run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hub's opening is at risk (a red action linked to it, off-track work due by
    it); both reads say so, with the same actions."""
    import json

    args = ("overdue", "--format", "json", "--as-of", "2025-03-31")
    found = json.loads(demo_run(*args, env=TODAY).output)
    names = [m["name"] for m in found["milestones_at_risk"]]
    assert "Care leaver hub opens" in names
    seen, full = _both(demo_run, args, monkeypatch)
    assert seen == full


@pytest.mark.parametrize(
    ("user", "args"), MINE, ids=lambda v: v if isinstance(v, str) else " ".join(v)
)
def test_mine_is_read_directly_as_the_services_read_it(
    demo_run: Invoke, user: str, args: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen, full = _both(demo_run, args, monkeypatch, user=user)
    assert seen == full
    assert seen[0] == 0 and len(seen[1].splitlines()) >= 2


@pytest.mark.parametrize(("user", "args", "code", "said"), LEFT, ids=lambda v: str(v))
def test_what_the_direct_read_cannot_settle_goes_to_the_full_path(
    demo_run: Invoke, user: str, args: tuple[str, ...], code: int, said: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """An unknown owner, theme, user or plan, a recommendation filter: the SQLAlchemy
    path's own errors and rows, the same as when the direct read is not there at all."""
    seen, full = _both(demo_run, args, monkeypatch, user=user, taken=False)
    assert seen == full
    assert seen[0] == code and said in seen[1] + seen[2]


def test_an_empty_database_lists_as_before(run: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    """No plan yet: the services' error; a plan of no actions: the table says so."""
    seen, full = _both(run, ("action", "list"), monkeypatch, taken=False)
    assert seen == full and seen[0] == 1 and "no plan" in seen[2], seen
    for setup in (
        ("plan", "add", "Peterborough", "--authority", "PCC"),
        ("person", "add", "Aisha Rahman"),
    ):
        assert run(*setup).exit_code == 0
    cases: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("tester", ("action", "list")),
        ("aisha rahman", ("action", "list", "--mine", "--all")),
        ("tester", ("action", "list", "--owner", "Aisha Rahman", "--format", "csv")),
    )
    for user, args in cases:
        seen, full = _both(run, args, monkeypatch, user=user)
        assert seen == full and seen[0] == 0, seen
    assert "No actions match" in _seen(run, ("action", "list"), "tester")[2]


@pytest.mark.parametrize("args", STATUS, ids=" ".join)
def test_status_read_directly_says_what_the_services_say(
    demo_run: Invoke, args: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    counted: list[object] = []
    real = direct_status.rag_counts

    def counting(*args: Any, **kw: Any) -> Any:
        counted.append(kw["group_by"])
        return real(*args, **kw)

    with monkeypatch.context() as patch:
        patch.setattr(direct_status, "rag_counts", counting)
        seen = _seen(demo_run, args, "tester")
        assert counted, "the direct read was taken"
        with_since = _seen(demo_run, (*args, "--since", "2025-03-01"), "tester")
        assert len(counted) == (2 if "recommendation" in args else 1), "--since: the services"
    with monkeypatch.context() as patch:
        patch.setattr(direct, "open_plan", lambda db, plan: None)
        full = _seen(demo_run, args, "tester")
    assert seen == full
    assert seen[0] == 0 and with_since[0] == 0
    assert with_since[1].startswith(seen[1].splitlines()[0][:12])  # the same plan shown


def test_status_counts_packed_or_plainly_alike(
    demo_run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plan's totals and the count by theme come from one packed sum per (theme,
    status); a group of more actions than a packed field holds is counted the plain way
    (here a field of one action: every group of the demo is larger)."""
    packed: list[object] = []
    real = direct_status._packed_counts

    def counting(*args: Any, **kw: Any) -> Any:
        found = real(*args, **kw)
        packed.append(found is not None)
        return found

    args = ("status", "--format", "json")
    with monkeypatch.context() as patch:
        patch.setattr(direct_status, "_packed_counts", counting)
        seen = _seen(demo_run, args, "tester")
        patch.setattr(direct_status, "_FIELD", 1)
        plain = _seen(demo_run, args, "tester")
    assert packed == [True, False]
    assert seen == plain and seen[0] == 0
    with monkeypatch.context() as patch:
        patch.setattr(direct, "open_plan", lambda db, plan: None)
        assert _seen(demo_run, args, "tester") == seen


def test_the_overdue_table_cut_short_reads_as_the_services_cut_it(
    demo_run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lists longer than the table's limit say how many more; a milestone at risk shows
    its first refs and how many in all (the demo's lists are shorter than the limits)."""
    from improveplan.cli import overdue as command
    from improveplan.domain import at_risk
    from improveplan.services import overdue as service

    monkeypatch.setattr(command, "TABLE_LIMIT", 2)
    monkeypatch.setattr(at_risk, "REFS_LIMIT", 1)
    monkeypatch.setattr(service, "REFS_LIMIT", 1)
    cases = (("overdue",), ("overdue", "--within", "90"), ("overdue", "--fail-on-overdue"))
    for args in cases:
        seen, full = _both(demo_run, args, monkeypatch)
        assert seen == full
        assert seen[0] == (3 if "--fail-on-overdue" in args else 0)
        assert "more — use --format csv or json" in seen[2]
        assert re.search(r"\+\d+ more +│", seen[1]), "a milestone's refs cut short"


def test_the_direct_status_reads_measures_as_the_services_do(demo_run: Invoke) -> None:
    import json

    listed = json.loads(demo_run("status", "--format", "json", env=TODAY).output)["measures"]
    named = {m["name"]: m for m in listed}
    assert named["Return interviews"]["latest"] is None
    assert named["Return interviews"]["on_track"] is None
    days = named["Days to assessment"]
    assert (days["latest"], days["latest_date"], days["on_track"]) == (26.0, "2025-01-31", False)
    assert days["direction"] == "lower is better"


def test_a_database_with_grants_is_read_through_sqlalchemy(demo_run: Invoke, db_url: str) -> None:
    """Roles are checked on the SQLAlchemy path: the direct read stands aside."""
    opened = direct.open_plan(db_url, None)
    assert opened is not None
    opened.conn.close()
    granted = demo_run("access", "grant", "Émile Zola", "viewer", env=TODAY)
    assert granted.exit_code == 0, granted.output
    assert direct.open_plan(db_url, None) is None


def test_the_direct_read_imports_no_sqlalchemy(tmp_path: Path) -> None:
    """The point of it: a full listing, or a table, never loads SQLAlchemy or SQLModel."""
    db = tmp_path / "demo.db"
    env = {**os.environ, **TODAY, "IMPROVEPLAN_USER": "tester"}
    subprocess.run(
        [sys.executable, "-m", "improveplan", "demo", "--db", str(db)],
        check=True, env=env, capture_output=True,
    )  # fmt: skip
    probe = (
        "import sys, runpy; sys.argv = ['improveplan', '--db', sys.argv[1], *sys.argv[2:]]\n"
        "try:\n    runpy.run_module('improveplan', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print('LOADED', sorted(m for m in sys.modules if m.split('.')[0] in "
        "('sqlalchemy', 'sqlmodel', 'pydantic'))[:3], file=sys.stderr)\n"
    )
    for args in (
        ("overdue", "--format", "json"),
        ("action", "list", "--format", "csv"),
        ("action", "list", "--owner", "Sarah Whitfield"),  # the table
        ("--user", "sarah whitfield", "action", "list", "--mine", "--format", "json"),
        ("status",),
        ("status", "--format", "json", "--by", "recommendation"),
        ("overdue",),
    ):
        done = subprocess.run(
            [sys.executable, "-c", probe, str(db), *args],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert "LOADED []" in done.stderr, (args, done.stderr[-500:])


def test_a_missing_database_is_the_usual_error(tmp_path: Path) -> None:
    run = make_invoker(str(tmp_path / "none.db"))
    result = run("action", "list", "--format", "csv", env=TODAY)
    assert result.exit_code != 0
    assert "no database at" in result.output
    assert direct.open_plan(str(tmp_path / "none.db"), None) is None
    assert not (tmp_path / "none.db").exists()


def test_the_direct_service_says_none_for_a_recommendation_filter(
    demo_run: Invoke, db_url: str
) -> None:
    from improveplan.domain.filters import ActionFilter
    from improveplan.services.context import App

    app = App.from_options(db=db_url, user="tester")
    with direct_service.action_stream(
        app, as_of=dt.date(2025, 3, 31), flt=ActionFilter(rec="R1")
    ) as rows:
        assert rows is None


def _aware(stamp: dt.datetime) -> dt.datetime:
    return stamp.replace(tzinfo=dt.UTC)


@given(st.datetimes(min_value=dt.datetime(1970, 1, 1), max_value=dt.datetime(2200, 1, 1)))
def test_stored_stamps_read_as_the_datetimes_would(stamp: dt.datetime) -> None:
    """SQLite's stored text, rearranged, is the aware datetime's own text."""
    stored = stamp.strftime("%Y-%m-%d %H:%M:%S.%f")  # how UTCDateTime stores it
    assert stamp_iso(stored) == _aware(stamp).isoformat()
    assert stamp_minutes(stored) == _aware(stamp).strftime("%Y-%m-%d %H:%M")
    offset = dt.timezone(dt.timedelta(hours=1))
    moved = _aware(stamp).astimezone(offset)  # psycopg gives the session's zone
    assert stamp_iso(moved) == _aware(stamp).isoformat()
    assert stamp_minutes(moved) == _aware(stamp).strftime("%Y-%m-%d %H:%M")


@given(st.datetimes(min_value=dt.datetime(1970, 1, 1), max_value=dt.datetime(2200, 1, 1)))
def test_postgres_text_of_stamps_reads_as_the_datetimes_would(stamp: dt.datetime) -> None:
    """PostgreSQL's text of a timestamp drops a zero fraction and trailing zeros."""
    text = stamp.strftime("%Y-%m-%d %H:%M:%S")
    if stamp.microsecond:
        text += ("." + f"{stamp.microsecond:06d}").rstrip("0")
    assert stamp_iso(text) == _aware(stamp).isoformat()
    assert stamp_minutes(text) == _aware(stamp).strftime("%Y-%m-%d %H:%M")
