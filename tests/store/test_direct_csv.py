"""`action list --format csv` made as it is read (store/direct_csv.py), on both databases.

tests/store/test_direct.py runs the CSV listings of the demo plan (formula-like titles,
commas, quotes, names in other cases and scripts) both ways and compares the bytes. Here:
texts no command lets in but a database may hold (CRs, tabs, empty names), written into
the rows with SQL; PostgreSQL's cell rule (`sql_cell`) against the Python one over any
text; and the COPY's text coming in pieces, not whole.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from improveplan.domain.cells import FORMULA_PREFIXES, sql_cell, text_cell
from improveplan.domain.filters import ActionFilter
from improveplan.domain.records import CsvText, TupleRows
from improveplan.store import dbapi, direct, direct_csv
from tests.conftest import Invoke, sql
from tests.store import test_direct

demo_run = test_direct.demo_run  # the fixture: the demo plan with odd actions added
_both = test_direct._both

# (table, column, text) written over the demo's rows; each is what the CSV must neutralise
# or quote exactly as the csv writer does.
ODD: tuple[tuple[str, str, str], ...] = (
    ("action", "title", "Line one\r\nline two\rthree"),
    ("action", "title", "\tTabbed, with a comma"),
    ("action", "title", '+44 "quoted" \r'),
    ("action", "title", ""),
    ("person", "name", "=HYPERLINK(x)"),
    ("theme", "name", "-\r\n"),
    ("milestone", "name", "@board"),
    ("recommendation", "ref", "-R1"),
)


@pytest.fixture
def odd_run(demo_run: Invoke, db_url: str) -> Invoke:
    """The demo plan with texts only a database can hold, each in a row of its own."""
    used: dict[str, int] = {}
    for table, column, text in ODD:
        ids = sql(db_url, f"SELECT id FROM {table} ORDER BY id")
        ident = ids[used.setdefault(table, 0)][0]
        used[table] += 1
        sql(db_url, f"UPDATE {table} SET {column} = :text WHERE id = :id", text=text, id=ident)
    return demo_run


@pytest.mark.parametrize(
    "args",
    [
        ("action", "list", "--format", "csv", "--all"),
        ("action", "list", "--format", "csv", "--all", "--as-of", "2024-10-01"),
        ("action", "list", "--format", "csv", "--overdue"),
    ],
    ids=" ".join,
)
def test_odd_texts_are_the_same_cells_both_ways(
    odd_run: Invoke, args: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen, full = _both(odd_run, args, monkeypatch)
    assert seen == full
    assert seen[0] == 0 and "\r" not in seen[1]
    assert "=HYPERLINK" not in seen[1].replace("'=HYPERLINK", "")  # never bare


@pytest.mark.postgres
@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.one_of(
        st.text(alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=["Cs"])),
        st.builds(lambda p, t: p + t, st.sampled_from(FORMULA_PREFIXES), st.text("\r\n a,")),
    )
)
def test_postgres_makes_every_text_the_same_cell(pg_database: str, value: str) -> None:
    conn = dbapi.connect(pg_database, timeout=10)
    try:
        query = f"WITH v(x) AS (SELECT CAST(? AS text)) SELECT {sql_cell('x')} FROM v"
        found = conn.rows(query, value)[0][0]
    finally:
        conn.close()
    assert found == (text_cell(value) or None)


def _pieces(db_url: str) -> list[Any]:
    """What the direct read hands the writer, taken whole (rows, or pieces of text)."""
    plan = direct.open_plan(db_url, None)
    assert plan is not None
    try:
        flt = ActionFilter(include_cancelled=True)
        found = direct_csv.action_csv(plan, as_of=dt.date(2025, 3, 31), amber_days=14, flt=flt)
        assert isinstance(found, CsvText if plan.conn.dialect == "postgresql" else TupleRows)
        return list(found)
    finally:
        plan.conn.close()


def test_the_listing_is_handed_on_as_it_is_read(
    demo_run: Invoke, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Memory stays flat: SQLite's rows come from the cursor as cells; PostgreSQL's text
    a piece of COPY_PIECE bytes at a time, not whole."""
    whole = _pieces(db_url)
    if isinstance(whole[0], tuple):  # SQLite: ACTION_CSV_CELLS rows, one a row
        assert (
            len(whole)
            == len(demo_run("action", "list", "--all", "--format", "csv").stdout.splitlines()) - 1
        )
        return
    text = "".join(whole)
    monkeypatch.setattr(dbapi, "COPY_PIECE", 512)
    pieces = _pieces(db_url)
    longest = max(len(line.encode()) for line in text.splitlines(keepends=True))
    assert "".join(pieces) == text and len(pieces) > 3
    assert all(len(p.encode()) < 512 + longest for p in pieces)
    assert text.startswith("ref,title,owner,due,original_due,status,rag,rag_computed,")


def test_a_query_the_server_refuses_is_no_csv(
    demo_run: Invoke, backend: str, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error before the first piece leaves the listing to the services, unwritten."""

    def refused(*args: Any, **kw: Any) -> tuple[str, list[Any]]:
        return "SELECT no_such_column FROM action", []

    monkeypatch.setattr(direct_csv, "copy_query", refused)  # PostgreSQL's
    monkeypatch.setattr(direct_csv, "listing", refused)  # SQLite's
    plan = direct.open_plan(db_url, None)
    assert plan is not None
    try:
        found = direct_csv.action_csv(
            plan, as_of=dt.date(2025, 3, 31), amber_days=14, flt=ActionFilter()
        )
    finally:
        plan.conn.close()
    assert found is None
