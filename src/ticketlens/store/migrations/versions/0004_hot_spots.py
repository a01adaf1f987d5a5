"""Hot spots: the state a person gives a theme landing on a system (service map).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ticketlens.store._types import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hot_spots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("system", sa.String(200), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("owner", sa.String(200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.CheckConstraint(
            "state IN ('open', 'acknowledged', 'scheduled', 'fixed')",
            name=op.f("ck_hot_spots_state"),
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["themes.id"], name=op.f("fk_hot_spots_theme_id_themes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hot_spots")),
        sa.UniqueConstraint("system", "theme_id", name=op.f("uq_hot_spots_system_theme_id")),
    )


def downgrade() -> None:
    op.drop_table("hot_spots")
