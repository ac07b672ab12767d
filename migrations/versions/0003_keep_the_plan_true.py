"""plan lead, missed meetings, removed actions, unchanged digests

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 01:00:00

- `plan.lead_id`: the person accountable for the whole plan. Escalations about an owner
  who leads their own theme, or whose theme has no lead, go to them, and their digest
  names the people no reminder reaches.
- `milestone.missed_reason`: a board or review whose date has passed is held unless it
  was recorded as missed, with the reason.
- `notification.digest_key`: a digest of what a reminder said, so an owner whose list has
  not changed is reminded weekly rather than every night.
- `removed_action`: the refs of actions removed by mistake, so a ref is never reused and
  `action show` can say when and why it went.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN, not batch mode: SQLite adds a nullable column in place, whereas a
    # batch copy would drop tables that other tables' foreign keys point at.
    if op.get_bind().dialect.name == "sqlite":
        op.execute('ALTER TABLE "plan" ADD COLUMN lead_id INTEGER REFERENCES person (id)')
    else:
        op.add_column("plan", sa.Column("lead_id", sa.Integer(), nullable=True))
        op.create_foreign_key(op.f("fk_plan_lead_id_person"), "plan", "person", ["lead_id"], ["id"])
    op.add_column("milestone", sa.Column("missed_reason", sa.Text(), nullable=True))
    op.add_column(
        "notification",
        sa.Column("digest_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    )
    op.create_table(
        "removed_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("ref", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("removed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_removed_action_plan_id_plan")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_removed_action")),
        sa.UniqueConstraint("plan_id", "ref", name=op.f("uq_removed_action_plan_id_ref")),
    )


def downgrade() -> None:
    op.drop_table("removed_action")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_column("digest_key")
    with op.batch_alter_table("milestone", schema=None) as batch_op:
        batch_op.drop_column("missed_reason")
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_plan_lead_id_person"), type_="foreignkey")
        batch_op.drop_column("lead_id")
