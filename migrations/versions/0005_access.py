"""who may do what: logins mapped to people, roles per plan, self sign-off, login trail

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 06:00:00

- `person.login`: the PostgreSQL login (session_user) that acts as the person, unique.
- `plan.allow_self_signoff`: very small teams may sign off what they own or completed.
- `access_grant`: one role (viewer, manager, lead, admin) of one person in one plan; a
  lead's grant names their theme. No grants at all: no access checks, as before.
- `audit_event.login`: the login behind the actor when the two differ (the OS login on
  SQLite, session_user on PostgreSQL), part of the event's hash when present. Existing
  rows keep NULL, so their hashes stand.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN, never batch mode: a batch copy of audit_event would drop its
    # append-only triggers, and one of plan or person would drop the tables pointing at it.
    op.add_column("person", sa.Column("login", sqlmodel.sql.sqltypes.AutoString(length=63)))
    op.create_index(op.f("ix_person_login"), "person", ["login"], unique=True)
    op.add_column(
        "plan",
        sa.Column("allow_self_signoff", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("audit_event", sa.Column("login", sqlmodel.sql.sqltypes.AutoString(length=200)))
    op.create_table(
        "access_grant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_access_grant_plan_id_plan")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_access_grant_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["theme.id"], name=op.f("fk_access_grant_theme_id_theme")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_grant")),
    )
    op.create_index(op.f("ix_access_grant_plan_id"), "access_grant", ["plan_id"])
    op.create_index(op.f("ix_access_grant_person_id"), "access_grant", ["person_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_access_grant_person_id"), table_name="access_grant")
    op.drop_index(op.f("ix_access_grant_plan_id"), table_name="access_grant")
    op.drop_table("access_grant")
    op.drop_column("audit_event", "login")
    op.drop_column("plan", "allow_self_signoff")
    op.drop_index(op.f("ix_person_login"), table_name="person")
    op.drop_column("person", "login")
