"""a SIF report's recommendations to the Local Safeguarding Children Board

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 06:00:00

- `inspection.lscb_recommendations`: the LSCB's recommendations of a single inspection
  framework (2013–2018) report, one a line, kept with the inspection whether or not they
  were made plan recommendations (`import-report --include-lscb`). NULL for every other
  inspection, so existing rows are unchanged.

The new judgement areas and the `sif` inspection type need nothing: enums are stored as
plain text, with no CHECK constraint.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN, never batch mode (see 0005): inspection is pointed at by others.
    op.add_column("inspection", sa.Column("lscb_recommendations", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("inspection", "lscb_recommendations")
