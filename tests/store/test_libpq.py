"""store/libpq.py gives what psycopg gives: the same values of the same types, the same
rows streamed and copied, errors told apart the same way (issue 14).

psycopg is the reference here: each read runs on a libpq connection and on a psycopg one
(`libpq.library` said None, as where no libpq loads) to the same database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from improveplan.store import dbapi, libpq

pytestmark = pytest.mark.postgres

VALUES = (  # (SQL, what psycopg reads) of every kind a read of ours might meet
    "SELECT 1::int2, 2::int4, 9007199254740993::int8, 'it''s \\ \"q\" é 🚀\n'::text,"
    " 'x'::varchar(3), true, false, NULL::int, NULL::text, DATE '2025-06-01',"
    " TIMESTAMP '2025-03-09 09:19:07.123456', TIMESTAMPTZ '2025-03-09 09:19:07+00',"
    " TIMESTAMPTZ '2025-07-01 10:00:00.5+01', 1.50::numeric, 12::numeric, 0.1::float8,"
    " 'NaN'::float8, 2.5::float4, '\\x00ff'::bytea, ARRAY[1, 2], TIME '10:30:00', ''::text"
)


def _pair(url: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    """(a libpq connection, a psycopg one) to the database at `url`."""
    assert libpq.library() is not None, "libpq is found wherever psycopg-binary is installed"
    ours = dbapi.connect(url, timeout=10)
    with monkeypatch.context() as patch:
        patch.setattr(libpq, "library", lambda: None)
        theirs = dbapi.connect(url, timeout=10)
    assert isinstance(ours.conn, libpq.PqConnection)
    assert type(theirs.conn).__module__.startswith("psycopg")
    return ours, theirs


@pytest.fixture
def both(pg_database: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Any]]:
    ours, theirs = _pair(pg_database, monkeypatch)
    try:
        yield ours, theirs
    finally:
        ours.close()
        theirs.close()


def _typed(rows: list[tuple[Any, ...]]) -> list[list[tuple[type, Any]]]:
    """Values with their types: 1 == 1.0 == True would hide a difference (and NaN
    equals nothing)."""
    return [[(type(v), "NaN" if v != v else v) for v in row] for row in rows]


def _outcome(conn: Any, query: str, *params: Any) -> Any:
    """The typed rows, or the SQLSTATE of the error."""
    try:
        return _typed(conn.rows(query, *params[: query.count("?")]))
    except Exception as exc:
        return getattr(exc, "sqlstate", None) or type(exc).__name__


def test_every_kind_of_value_reads_as_psycopg_reads_it(both: tuple[Any, Any]) -> None:
    ours, theirs = both
    found = ours.rows(VALUES)
    assert _typed(found) == _typed(theirs.rows(VALUES))
    row = found[0]
    assert row[:3] == (1, 2, 9007199254740993)  # past a float's exact integers
    assert row[13:15] == (Decimal("1.50"), Decimal("12"))
    assert row[12] == dt.datetime(2025, 7, 1, 9, 0, 0, 500000, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "value",
    [None, True, False, 0, -5, 2**40, 1.25, "", "O'Neil", "100%", "a\\b", "%s",
     dt.date(2024, 2, 29), dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
     dt.datetime(2025, 1, 2, 3, 4, 5)],
    ids=repr,
)  # fmt: skip
def test_a_parameter_is_sent_as_psycopg_sends_it(
    pg_database: str, monkeypatch: pytest.MonkeyPatch, value: Any
) -> None:
    for query in ("SELECT ?, pg_typeof(?)::text", "SELECT ?::text, ? IS NULL", "SELECT 1 + ?"):
        ours, theirs = _pair(pg_database, monkeypatch)  # an error ends a transaction
        try:
            assert _outcome(ours, query, value, value) == _outcome(theirs, query, value, value)
        finally:
            ours.close()
            theirs.close()


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=["Cs"])))
def test_any_text_comes_back_as_it_went(pg_database: str, text: str) -> None:
    conn = dbapi.connect(pg_database, timeout=10)
    try:
        assert conn.rows("SELECT ?, length(?), lower(?) = lower(?)", text, text, text, text) == [
            (text, len(text), True)
        ]
    finally:
        conn.close()


def test_streams_read_in_batches_and_two_stay_open(both: tuple[Any, Any]) -> None:
    ours, theirs = both
    query = "SELECT n, 'row ' || n, DATE '2025-01-01' + n FROM generate_series(1, ?) n ORDER BY n"
    first = ours.stream(query, [2500], 1000)
    second = ours.stream(query, [3], 2)
    mixed = [next(first), *second, *first]
    expected = theirs.rows(query, 2500)
    assert _typed(mixed) == _typed([expected[0], *expected[:3], *expected[1:]])
    assert ours.streams == 2


def test_a_fetch_sent_ahead_is_taken_in_by_whatever_comes_next(both: tuple[Any, Any]) -> None:
    """A stream's next batch is asked for before this one is decoded; any other command
    on the connection first takes that batch in, for the stream to read later."""
    ours, _ = both
    rows = ours.stream("SELECT n FROM generate_series(1, 9) n", [], 2)
    assert next(rows) == (1,)  # rows 3 and 4 are on their way
    assert ours.conn.ahead is not None
    assert ours.rows("SELECT 42") == [(42,)]
    assert ours.conn.ahead is None
    assert list(rows) == [(n,) for n in range(2, 10)]
    assert ours.rows("SELECT 43") == [(43,)]  # the stream closed: the cursor is gone


def test_an_error_in_a_batch_sent_ahead_is_raised_where_it_is_read(pg_database: str) -> None:
    conn = dbapi.connect(pg_database, timeout=10)
    try:
        rows = conn.stream("SELECT 12 / (3 - n) FROM generate_series(1, 6) n", [], 2)
        assert [next(rows), next(rows)] == [(6,), (12,)]
        with pytest.raises(libpq.Error, match="division by zero"):
            next(rows)
    finally:
        conn.close()


def test_copy_writes_the_bytes_psycopg_writes(both: tuple[Any, Any]) -> None:
    ours, theirs = both
    query = "SELECT n, ? || n, ?::date + n, ? FROM generate_series(1, 3000) n WHERE n > ?"
    params = ['it\'s "quoted", \\ and, ', dt.date(2025, 6, 1), None, 2]
    copied = "".join(ours.copy_csv(query, params))
    assert copied == "".join(theirs.copy_csv(query, params))
    assert copied.startswith(
        'n,?column?,?column?,?column?\n3,"it\'s ""quoted"", \\ and, 3",2025-06-04,\n'
    )
    assert copied.count("\n") == 2999


def test_a_copy_takes_each_kind_of_parameter(both: tuple[Any, Any]) -> None:
    ours, theirs = both
    query = "SELECT 1 -?, ?::float8, ?, ?, ?::text, ?"
    params = [-5, float("nan"), True, 2.5, dt.datetime(2025, 1, 2, 3, 4, tzinfo=dt.UTC), "%s"]
    copied = "".join(ours.copy_csv(query, params))
    assert copied == "".join(theirs.copy_csv(query, params))
    assert copied.splitlines()[1] == "6,NaN,t,2.5,2025-01-02 03:04:00+00,%s"


def test_a_query_of_ours_that_is_wrong_is_a_bug_not_a_database_error(both: tuple[Any, Any]) -> None:
    ours, _ = both
    with pytest.raises(libpq.Error) as raised:
        ours.rows("SELECT * FROM no_such_table")
    assert raised.value.sqlstate == "42P01"
    assert str(raised.value) == 'relation "no_such_table" does not exist'
    assert dbapi.driver_error(raised.value) is None  # a traceback: it is ours to fix


def test_what_the_server_refuses_is_one_line(pg_database: str) -> None:
    conn = dbapi.connect(pg_database, timeout=10)
    try:
        with pytest.raises(libpq.Error) as raised:
            conn.rows("SELECT 1 / (? - 1)", 1)
        said = dbapi.driver_error(raised.value)
        assert said is not None and said.what == "database error: division by zero"
        with pytest.raises(libpq.Error, match="current transaction is aborted"):
            conn.rows("SELECT 1")  # as psycopg's: the read's transaction is over
    finally:
        conn.close()


def test_the_connection_is_read_only(pg_database: str) -> None:
    conn = dbapi.connect(pg_database, timeout=10)
    try:
        with pytest.raises(libpq.Error) as raised:
            conn.rows("SELECT count(*) FROM (SELECT setval('plan_id_seq', 5)) s")
        assert raised.value.sqlstate == "25006"  # read_only_sql_transaction
    finally:
        conn.close()


def test_what_cannot_be_read_or_sent_is_said(pg_database: str) -> None:
    conn = dbapi.connect(pg_database, timeout=10)
    try:
        with pytest.raises(TypeError, match="SELECT statements only"):
            conn.rows("EXPLAIN SELECT 1")
        with pytest.raises(TypeError, match="cannot send a bytes"):
            conn.rows("SELECT ?", b"x")
        with pytest.raises(libpq.Error, match="NUL character"):
            conn.rows("SELECT ?", "a\0b")
    finally:
        conn.close()


def test_a_server_not_there_is_an_error_and_the_listing_falls_back() -> None:
    with pytest.raises(libpq.Error, match=r"127\.0\.0\.1"):
        dbapi.connect("postgresql://postgres@127.0.0.1:1/none", timeout=1)
    from improveplan.store.direct import open_plan

    assert open_plan("postgresql://postgres@127.0.0.1:1/none", None) is None
