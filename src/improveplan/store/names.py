"""Names for shell completion, read with the database driver alone.

A completion runs on every Tab, so it must cost about what `--help` does: the database is
opened read-only with the standard library's sqlite3 (psycopg for PostgreSQL), one small
query is run and the schema is never checked. SQLAlchemy's import alone would take longer
than all of that. Any failure (no database, a lock, another schema, a server that does not
answer) means no names, never an error: the shell has nowhere to show one.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote

LIMIT = 1000  # a shell asks before showing more than a screenful anyway
HELP_WIDTH = 100  # the help zsh and fish show beside a name: one line

# kind -> (query, scoped to a plan, help columns). The first column is the name completed,
# the next ones (joined) its help, any after them the order shown in (default: the name,
# in any case). `?` is the placeholder; {like} keeps what starts with the ASCII head of what
# was typed, so a 100k-action plan is filtered by the database. The rows are sorted here,
# not by the database: an ORDER BY over 100k actions would sort them all before the LIMIT
# (0.1 s), and both backends then show the same order.
QUERIES: dict[str, tuple[str, bool, int]] = {
    "plan": ("SELECT name, authority FROM plan WHERE {like}", False, 1),
    "person": ("SELECT name, role FROM person WHERE {like}", False, 1),
    "action": ("SELECT ref, title, seq, id FROM action WHERE plan_id = ? AND {like}", True, 1),
    "rec": ("SELECT ref, text, seq, id FROM recommendation WHERE plan_id = ? AND {like}", True, 1),
    "theme": ("SELECT name FROM theme WHERE plan_id = ? AND {like}", True, 0),
    "milestone": (
        "SELECT name, date, date, name FROM milestone WHERE plan_id = ? AND {like}",
        True,
        1,
    ),
    "measure": ("SELECT name FROM measure WHERE plan_id = ? AND {like}", True, 0),
    "inspection": ("SELECT id, type, start, start, id FROM inspection WHERE plan_id = ?", True, 2),
}


def names(db: str, kind: str, *, plan: str | None, typed: str) -> list[tuple[str, str]]:
    """(name, help) of `kind` in the database `db` that start with `typed` (any case),
    within the plan named `plan` or the only plan; [] on any failure."""
    try:
        with _connect(db) as conn:
            return _names(conn, kind, plan, typed)
    except Exception:  # a completion never fails: no names instead
        return []


class _Connection:
    """One read-only connection, sqlite3 or psycopg, behind the same small API."""

    def __init__(self, conn: Any, placeholder: str) -> None:
        self.conn = conn
        self.placeholder = placeholder

    def rows(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        cursor = self.conn.cursor()
        cursor.execute(query.replace("?", self.placeholder), params)
        return list(cursor.fetchmany(LIMIT))

    def __enter__(self) -> _Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.conn.close()


def _connect(db: str) -> _Connection:
    scheme, _, rest = db.partition("://")
    if not rest:
        return _sqlite(Path(db).expanduser())
    base = scheme.split("+", 1)[0].lower()
    if base == "sqlite":
        path = rest.partition("?")[0].removeprefix("/")  # sqlite:///x is x, sqlite:////x is /x
        if not path or path == ":memory:":
            raise ValueError("no database file")
        return _sqlite(Path(path).expanduser())
    if base in ("postgresql", "postgres"):
        import psycopg  # only PostgreSQL users have it, and only they pay for it

        conninfo = f"postgresql://{quoted_password(rest)}"
        conn = psycopg.connect(conninfo, connect_timeout=2, autocommit=True)
        conn.execute("SET statement_timeout = 2000")
        return _Connection(conn, "%s")
    raise ValueError(f"{base}:// databases are not supported")


def _sqlite(path: Path) -> _Connection:
    """`mode=ro` never creates the file, and a reader waits for no writer (WAL)."""
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    return _Connection(sqlite3.connect(uri, uri=True, timeout=0.5), "?")


def quoted_password(rest: str) -> str:
    """`u:Top@Secret99@h/x` -> `u:Top%40Secret99@h/x`: the host follows the last `@`
    (people paste passwords unencoded; store.engine.to_url reads them the same way)."""
    authority, slash, path = rest.partition("/")
    if authority.count("@") < 2:
        return rest
    userinfo, _, host = authority.rpartition("@")
    user, colon, password = userinfo.partition(":")
    return f"{user}{colon}{quote(password, safe='')}@{host}{slash}{path}"


def _names(conn: _Connection, kind: str, plan: str | None, typed: str) -> list[tuple[str, str]]:
    query, scoped, helps = QUERIES[kind]
    params: list[Any] = []
    if scoped:
        plan_id = _plan_id(conn, plan)
        if plan_id is None:
            return []
        params.append(plan_id)
    if "{like}" in query:  # a name or ref starting with what was typed, in any case
        head = _ascii_head(typed).lower()
        params.append("".join("\\" + c if c in "\\%_" else c for c in head) + "%")
    column = "ref" if kind in ("action", "rec") else "name"
    rows = conn.rows(query.format(like=f"lower({column}) LIKE ? ESCAPE '\\'"), *params)
    rows.sort(key=lambda row: row[1 + helps :] or (str(row[0]).casefold(),))
    wanted = typed.casefold()
    found = [(str(row[0]), _help(row[1 : 1 + helps])) for row in rows]
    return [(name, text) for name, text in found if name.casefold().startswith(wanted)]


def _plan_id(conn: _Connection, plan: str | None) -> int | None:
    """The plan named as people type it (any case, runs of spaces), or the only plan."""
    plans = conn.rows("SELECT id, name FROM plan")
    if plan is None:
        return int(plans[0][0]) if len(plans) == 1 else None
    wanted = " ".join(plan.split()).casefold()
    matches = [row[0] for row in plans if " ".join(str(row[1]).split()).casefold() == wanted]
    return int(matches[0]) if matches else None


def _ascii_head(text: str) -> str:
    """What SQLite's ASCII-only lower() can match: the text up to its first other letter."""
    for index, char in enumerate(text):
        if not char.isascii():
            return text[:index]
    return text


def _help(parts: tuple[Any, ...]) -> str:
    """The other columns on one line, shortened to HELP_WIDTH."""
    text = " ".join(" ".join(str(part).split()) for part in parts if part is not None)
    return text if len(text) <= HELP_WIDTH else text[: HELP_WIDTH - 1].rstrip() + "…"
