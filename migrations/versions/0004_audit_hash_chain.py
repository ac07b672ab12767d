"""a tamper-evident audit trail: each event's hash chains to the one before

Revision ID: 0004
Revises: 0003
Create Date: 2027-01-10 01:00:00

- `audit_event.hash`: SHA-256 over the event's fields and the previous event's hash in
  its chain (one chain per plan, events of no plan their own), computed here for the
  rows already there, in id order (domain/audit_chain.py).
- an index on (plan_id, id), so an append finds its chain's last hash at once.
- triggers refusing UPDATE and DELETE on audit_event, on PostgreSQL and on SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from improveplan.domain.audit_chain import GENESIS, Event, event_hash

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PAGE = 5000
REFUSAL = "the audit trail is append-only: % on audit_event is refused"
_EVENTS = sa.table(
    "audit_event",
    sa.column("id", sa.Integer()),
    sa.column("plan_id", sa.Integer()),
    sa.column("actor", sa.String()),
    sa.column("at", sqlmodel.sql.sqltypes.UTCDateTime()),
    sa.column("entity", sa.String()),
    sa.column("entity_id", sa.Integer()),
    sa.column("field", sa.String()),
    sa.column("old_value", sa.Text()),
    sa.column("new_value", sa.Text()),
    sa.column("hash", sa.String()),
)


def upgrade() -> None:
    op.add_column(
        "audit_event",
        sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    )
    _hash_existing(op.get_bind())
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.alter_column(
            "hash", existing_type=sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False
        )
    op.create_index(
        op.f("ix_audit_event_plan_id_id"), "audit_event", ["plan_id", "id"], unique=False
    )
    _create_triggers(op.get_bind().dialect.name)


def _hash_existing(bind: sa.Connection) -> None:
    """Hash every row in id order, a page at a time (no million rows in memory)."""
    tails: dict[int | None, str] = {}
    last = 0
    update = (
        sa.update(_EVENTS)
        .where(_EVENTS.c.id == sa.bindparam("b_id"))
        .values(hash=sa.bindparam("b_hash"))
    )
    while True:
        page = bind.execute(
            sa.select(_EVENTS).where(_EVENTS.c.id > last).order_by(_EVENTS.c.id).limit(PAGE)
        ).all()
        if not page:
            return
        hashes = []
        for row in page:
            event = Event(
                plan_id=row.plan_id,
                actor=row.actor,
                at=row.at,
                entity=row.entity,
                entity_id=row.entity_id,
                field=row.field,
                old_value=row.old_value,
                new_value=row.new_value,
            )
            tails[row.plan_id] = event_hash(event, tails.get(row.plan_id, GENESIS))
            hashes.append({"b_id": row.id, "b_hash": tails[row.plan_id]})
        bind.execute(update, hashes)
        last = page[-1].id


def _create_triggers(dialect: str) -> None:
    if dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{REFUSAL}', TG_OP; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
        )
        return
    for what in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_event_no_{what.lower()} BEFORE {what} ON audit_event "
            f"BEGIN SELECT RAISE(ABORT, '{REFUSAL.replace('%', what)}'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION audit_event_append_only()")
    else:
        op.execute("DROP TRIGGER audit_event_no_update")
        op.execute("DROP TRIGGER audit_event_no_delete")
    op.drop_index(op.f("ix_audit_event_plan_id_id"), table_name="audit_event")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_column("hash")
