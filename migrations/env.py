"""Alembic environment on SQLModel.metadata (render_as_batch for SQLite ALTERs).

improveplan runs migrations from code with a live connection in
`config.attributes["connection"]`; `alembic` on the command line uses `sqlalchemy.url`.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from improveplan.store.models import metadata

config = context.config


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = config.get_main_option("sqlalchemy.url") or "sqlite:///improveplan.db"
    with create_engine(url).connect() as conn:
        _run(conn)
        conn.commit()
