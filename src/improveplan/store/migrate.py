"""The migration runner: Alembic driven from code, and the schema-version check.

`KNOWN_REVISIONS` (store/revisions.py) lists this program's revisions in order, so the
version check needs only one query and no Alembic import: a revision not in the list
means the database was made by a newer improveplan.
A test keeps the list equal to `migrations/versions`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from improveplan.errors import DatabaseError
from improveplan.resources import broken_install, resource_dir
from improveplan.store.engine import is_read_only, read_only_refusal, refuse_writes
from improveplan.store.revisions import HEAD as HEAD  # re-exported
from improveplan.store.revisions import KNOWN_REVISIONS as KNOWN_REVISIONS

SchemaState = Literal["empty", "old", "current", "new"]


def current_revision(engine: Engine) -> str | None:
    """The revision stamped in the database, or None when it has no schema yet."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def schema_state(revision: str | None) -> SchemaState:
    if revision is None:
        return "empty"
    if revision not in KNOWN_REVISIONS:
        return "new"
    return "current" if revision == HEAD else "old"


def require_current(engine: Engine) -> None:
    """Refuse to work on a database that is not at this program's head revision."""
    revision = current_revision(engine)
    state = schema_state(revision)
    if state == "empty":
        raise DatabaseError("the database has no improveplan schema", "run improveplan init")
    if state == "old":
        raise DatabaseError(
            f"the database schema is older ({revision}) than this program ({HEAD})",
            "run improveplan db upgrade",
        )
    if state == "new":
        raise DatabaseError(
            f"the database schema ({revision}) is newer than this program ({HEAD})",
            "upgrade improveplan (pip install -U improveplan)",
        )


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision`, refusing a database newer than the program (and
    a read-only one that needs upgrading; one at head needs nothing)."""
    state = schema_state(current_revision(engine))
    if state == "new":
        require_current(engine)
    if is_read_only(engine):
        if state == "current":
            return
        refuse_writes(engine)
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(script_folder()))
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
    except DBAPIError as exc:
        raise read_only_refusal(engine, exc) or exc from None


def script_folder() -> Path:
    """The migrations folder, after checking it holds a script for every known revision
    (a broken install is one line, not Alembic's traceback half-way through an upgrade)."""
    folder = resource_dir("migrations")
    for revision in KNOWN_REVISIONS:
        if not any((folder / "versions").glob(f"{revision}_*.py")):
            raise broken_install(f"migrations/versions/{revision}_*.py script")
    return folder
