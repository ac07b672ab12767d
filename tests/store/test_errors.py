"""Values that slip past the checks at the door, and a user without rights, are one line.

`translate_db_error` on the drivers' own messages; then through the CLI on PostgreSQL: an
acting user (`--user`) longer than the audit column, and a role that may only read.
"""

from __future__ import annotations

import sqlite3
import uuid

import psycopg
import pytest
from sqlalchemy.exc import DataError, IntegrityError, ProgrammingError

from improveplan.errors import DatabaseError
from improveplan.store.errors import translate_db_error
from tests.conftest import Invoke, _pg_admin, make_invoker, sql

COUNTS = "SELECT (SELECT count(*) FROM person), (SELECT count(*) FROM audit_event)"


class DriverError(Exception):
    """Stands for psycopg's exception inside SQLAlchemy's."""


@pytest.mark.parametrize(
    ("exc", "line"),
    [
        (DataError("INSERT", {}, DriverError("value too long for type character varying(200)\n")),
         "a value is longer than its database column (value too long for type character"
         " varying(200)) — shorten it (names hold 200 characters, references 20) and retry"),
        (DataError("INSERT", {}, DriverError("PostgreSQL text fields cannot contain NUL (0x00) bytes")),
         "a value holds a NUL character (U+0000), which PostgreSQL cannot store (PostgreSQL text"
         " fields cannot contain NUL (0x00) bytes) — remove it and retry"),
        (DataError("INSERT", {}, DriverError('invalid byte sequence for encoding "UTF8": 0xc3 0x28')),
         "a value is not valid text in the database's encoding (invalid byte sequence for"
         ' encoding "UTF8": 0xc3 0x28) — remove the character and retry'),
        (DataError("UPDATE", {}, DriverError("integer out of range")),
         "a number is beyond what the database holds (integer out of range) — use a smaller one"
         " and retry"),
        (DataError("SELECT", {}, DriverError("invalid input for postgresql://ann:s3cr@t@db/x")),
         "the database refused a value (invalid input for postgresql://ann:***@db/x) — check the"
         " values, retry"),
        (ProgrammingError("INSERT", {}, DriverError("permission denied for table person")),
         "the database refused access (permission denied for table person) — ask its owner to"
         " GRANT the improveplan tables to this user, or connect as the owner"),
    ],
)  # fmt: skip
def test_values_the_database_refuses_are_one_masked_line(exc: Exception, line: str) -> None:
    translated = translate_db_error(exc)
    assert isinstance(translated, DatabaseError) and str(translated) == line


def test_other_programming_errors_stay_bugs() -> None:
    assert translate_db_error(ProgrammingError("SELECT", {}, DriverError("syntax error"))) is None
    assert translate_db_error(IntegrityError("INSERT", {}, DriverError("dup"))) is not None


def test_an_acting_user_longer_than_the_audit_column_is_refused_at_the_door(
    run: Invoke, db_url: str
) -> None:
    """PostgreSQL's actor column holds 200 characters; SQLite would keep any length, so the
    name is checked before either sees it."""
    before = sql(db_url, COUNTS)
    result = run("person", "add", "Ann", user="u" * 201)
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: the acting user (--user) can be at most 200 characters (this one has 201)"
        " — give --user NAME or set IMPROVEPLAN_USER\n",
    )
    assert sql(db_url, COUNTS) == before
    assert run("person", "add", "Ann", user="  Ann   Lee ").exit_code == 0
    assert sql(db_url, "SELECT DISTINCT actor FROM audit_event") == [("Ann Lee",)]


@pytest.mark.postgres
def test_a_user_who_may_only_read_gets_one_line(pg_database: str) -> None:
    from sqlalchemy import make_url

    db_url = pg_database

    role = f"reader_{uuid.uuid4().hex[:8]}"
    url = make_url(db_url)
    _pg_admin(f'CREATE ROLE "{role}" LOGIN')
    try:
        for grant in (f'GRANT CONNECT ON DATABASE "{url.database}" TO "{role}"',
                      f'GRANT USAGE ON SCHEMA public TO "{role}"',
                      f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{role}"'):  # fmt: skip
            sql(db_url, grant)
        reader = make_invoker(url.set(username=role).render_as_string(hide_password=False))
        listed = reader("person", "list", "--format", "json")
        assert listed.exit_code == 0, listed.output
        result = reader("person", "add", f"Ann {uuid.uuid4().hex}")
        assert (result.exit_code, result.stderr) == (
            1,
            "Error: the database refused access (permission denied for table person) — ask its"
            " owner to GRANT the improveplan tables to this user, or connect as the owner\n",
        )
    finally:
        sql(db_url, f'DROP OWNED BY "{role}"')  # its grants in this database
        _pg_admin(f'REVOKE ALL ON DATABASE "{url.database}" FROM "{role}"')
        _pg_admin(f'DROP ROLE "{role}"')


@pytest.mark.parametrize(
    ("exc", "line"),
    [
        (sqlite3.DatabaseError("database disk image is malformed"),
         "the database is damaged (database disk image is malformed) — restore it from a"
         " backup; improveplan db check reports what it finds"),
        (sqlite3.OperationalError("disk I/O error"),
         "database error: disk I/O error — check the database and retry"),
        (psycopg.OperationalError(
            "connection to postgresql://ann:Top@Secret@db/x lost\nDETAIL: more"),
         "database error: connection to postgresql://ann:***@db/x lost — check the database"
         " and retry"),
    ],
)  # fmt: skip
def test_the_drivers_own_errors_met_mid_read_are_one_line(exc: Exception, line: str) -> None:
    """A session's raw cursor (the export) and the driver-alone reads raise the driver's
    exceptions, not SQLAlchemy's: the same words, passwords masked."""
    found = translate_db_error(exc)
    assert isinstance(found, DatabaseError)
    assert str(found) == line


@pytest.mark.parametrize(
    "exc",
    [sqlite3.ProgrammingError("bad SQL"), psycopg.ProgrammingError("bad SQL"), ValueError("x")],
)
def test_a_drivers_bug_is_not_translated(exc: Exception) -> None:
    assert translate_db_error(exc) is None
