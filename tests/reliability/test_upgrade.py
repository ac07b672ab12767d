"""Upgrades keep every row: a database made at each past revision upgrades to head intact.

Each `tests/fixtures/schema-<rev>.sql` holds data for every table as it was at revision
<rev>. The test builds that database (Alembic to <rev>, then the INSERTs), runs
`improveplan db upgrade`, and compares full row dumps before and after (columns added by
later revisions are ignored). See tests/fixtures/README.md for adding a revision.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, select, text

from improveplan.store.engine import create_sqlite_file, make_engine, sqlite_path, to_url
from improveplan.store.migrate import HEAD, current_revision, upgrade
from improveplan.store.models import metadata as head_metadata
from tests.conftest import make_invoker

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SCRIPTS = sorted(FIXTURES.glob("schema-*.sql"))

Dump = dict[str, list[dict[str, Any]]]


def split_sql(script: str) -> list[str]:
    """Statements of a SQL script: `;` ends one unless inside a '...' literal; `--` comments."""
    statements: list[str] = []
    current: list[str] = []
    in_string = False
    i = 0
    while i < len(script):
        ch = script[i]
        if not in_string and script.startswith("--", i):
            i = script.find("\n", i) if "\n" in script[i:] else len(script)
            continue
        if ch == "'":
            in_string = not in_string
        if ch == ";" and not in_string:
            statements.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
        i += 1
    assert not in_string, "unterminated string literal in the SQL script"
    tail = "".join(current).strip()
    assert not tail, f"statement without a closing semicolon: {tail[:60]!r}"
    return [s for s in statements if s]


def load_script(engine: Engine, script: Path) -> None:
    """Run a fixture script in one transaction, then realign PostgreSQL's id sequences."""
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        if postgres:
            conn.exec_driver_sql("SET TIME ZONE 'UTC'")
        cursor = conn.connection.cursor()  # the DBAPI cursor: no '%' placeholder parsing
        for statement in split_sql(script.read_text(encoding="utf-8")):
            cursor.execute(statement)
        cursor.close()
        if postgres:
            for table in _reflected(conn).sorted_tables:
                if "id" in table.c and table.c.id.primary_key:
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                            f'(SELECT COALESCE(MAX(id), 0) + 1 FROM "{table.name}"), false)'
                        )
                    )


def _reflected(conn: Any) -> MetaData:
    meta = MetaData()
    meta.reflect(conn)
    return meta


def _normal(value: Any) -> Any:
    """Comparable values: aware datetimes as naive UTC (SQLite stores them naive)."""
    if isinstance(value, dt.datetime) and value.utcoffset() is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def dump(engine: Engine) -> Dump:
    """Every row of every table (but alembic_version), in primary-key order."""
    rows: Dump = {}
    with engine.connect() as conn:
        for table in _reflected(conn).sorted_tables:
            if table.name == "alembic_version":
                continue
            order = list(table.primary_key.columns) or list(table.c)
            result = conn.execute(select(table).order_by(*order)).mappings()
            rows[table.name] = [{k: _normal(v) for k, v in row.items()} for row in result]
    return rows


def build_at(url: str, script: Path) -> Engine:
    revision = script.stem.removeprefix("schema-")
    engine = make_engine(to_url(url))
    path = sqlite_path(engine.url)
    if path is not None and not path.exists():
        create_sqlite_file(path)
    upgrade(engine, revision)
    assert current_revision(engine) == revision
    load_script(engine, script)
    return engine


def test_there_is_a_fixture_for_every_past_revision() -> None:
    from improveplan.store.migrate import KNOWN_REVISIONS

    have = {p.stem.removeprefix("schema-") for p in SCRIPTS}
    assert have == set(KNOWN_REVISIONS), "add tests/fixtures/schema-<rev>.sql (see README.md)"


def test_the_splitter_keeps_semicolons_inside_strings() -> None:
    script = "-- note; here\nINSERT INTO t VALUES ('a;\nb', 'it''s');\nSELECT 1;\n"
    assert split_sql(script) == ["INSERT INTO t VALUES ('a;\nb', 'it''s')", "SELECT 1"]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_upgrade_keeps_every_row(script: Path, fresh_db_url: str) -> None:
    engine = build_at(fresh_db_url, script)
    before = dump(engine)
    engine.dispose()
    empty = sorted(name for name, rows in before.items() if not rows)
    assert not empty, f"{script.name} leaves tables empty: {empty}"
    assert set(before) >= {t.name for t in head_metadata.sorted_tables} - _added_after(script)

    run = make_invoker(fresh_db_url)
    result = run("db", "upgrade")
    assert result.exit_code == 0, result.output
    assert f"schema {HEAD}" in result.stderr

    engine = make_engine(to_url(fresh_db_url))
    after = dump(engine)
    engine.dispose()
    for table, old_rows in before.items():
        assert table in after, f"upgrade dropped table {table}"
        kept = [{k: row[k] for k in old_rows[0]} for row in after[table]]
        assert kept == old_rows, f"rows of {table} changed"

    check = run("db", "check", user="Siobhán O'Neill")  # a person: from 0005 there are grants
    assert check.exit_code == 0, check.output
    assert f"schema at head ({HEAD})" in check.stdout


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_upgraded_database_is_usable(script: Path, fresh_db_url: str) -> None:
    """After the upgrade the program reads the old rows and new ids do not collide.
    From 0005 the fixture holds grants, so it is used by an admin of both plans."""
    build_at(fresh_db_url, script).dispose()
    run = make_invoker(fresh_db_url)
    admin = "Siobhán O'Neill"
    assert run("db", "upgrade").exit_code == 0
    listed = run("--plan", "Peterborough", "plan", "list", "--format", "json", user=admin)
    assert listed.exit_code == 0, listed.output
    assert "Peterborough" in listed.stdout and "Bradford" in listed.stdout
    added = run("person", "add", "New Person", "--email", "new@example.org", user=admin)
    assert added.exit_code == 0, added.output


def _added_after(script: Path) -> set[str]:
    """Tables created by revisions after the script's."""
    revision = script.stem.removeprefix("schema-")
    added = {"removed_action"} if revision < "0003" else set()
    return added | ({"access_grant"} if revision < "0005" else set())
