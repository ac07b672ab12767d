"""Names for shell completion, read with the database driver alone.

A completion runs on every Tab, so it must cost about what `--help` does: the database is
opened read-only with the standard library's sqlite3 (libpq for PostgreSQL), one small
query is run and the schema is never checked. SQLAlchemy's import alone would take longer
than all of that. Any failure (no database, a lock, another schema, a server that does not
answer) means no names, never an error: the shell has nowhere to show one.
"""

from __future__ import annotations

from typing import Any

from improveplan.store.dbapi import Connection, connect

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


def _connect(db: str) -> Connection:
    return connect(db, timeout=0.5, postgres_options="-c statement_timeout=2000")


def _names(conn: Connection, kind: str, plan: str | None, typed: str) -> list[tuple[str, str]]:
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
    rows = conn.rows(query.format(like=f"lower({column}) LIKE ? ESCAPE '\\'"), *params, limit=LIMIT)
    rows.sort(key=lambda row: row[1 + helps :] or (str(row[0]).casefold(),))
    wanted = typed.casefold()
    found = [(str(row[0]), _help(row[1 : 1 + helps])) for row in rows]
    return [(name, text) for name, text in found if name.casefold().startswith(wanted)]


def _plan_id(conn: Connection, plan: str | None) -> int | None:
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
