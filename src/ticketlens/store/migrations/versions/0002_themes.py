"""Themes: discovery runs, parent groups, themes and each ticket's theme.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ticketlens.store._types import JSONType, UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "theme_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("options", JSONType, nullable=False),
        sa.Column("tickets", sa.Integer(), nullable=False),
        sa.Column("themes", sa.Integer(), nullable=False),
        sa.Column("unclear", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_theme_runs")),
    )
    op.create_table(
        "theme_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("keywords", JSONType, nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["theme_runs.id"], name=op.f("fk_theme_groups_run_id_theme_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_theme_groups")),
        sa.UniqueConstraint("run_id", "number", name=op.f("uq_theme_groups_run_id_number")),
    )
    op.create_table(
        "themes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("keywords", JSONType, nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("representatives", JSONType, nullable=False),
        sa.Column("centroid", sa.LargeBinary(), nullable=False),
        sa.Column("prototypes", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["theme_groups.id"], name=op.f("fk_themes_group_id_theme_groups")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["theme_runs.id"], name=op.f("fk_themes_run_id_theme_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_themes")),
        sa.UniqueConstraint("run_id", "number", name=op.f("uq_themes_run_id_number")),
    )
    op.create_table(
        "theme_assignments",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["theme_runs.id"], name=op.f("fk_theme_assignments_run_id_theme_runs")
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["themes.id"], name=op.f("fk_theme_assignments_theme_id_themes")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_theme_assignments_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_theme_assignments")),
    )
    op.create_index(
        "ix_theme_assignments_theme_id", "theme_assignments", ["theme_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_theme_assignments_theme_id", table_name="theme_assignments")
    for table in ("theme_assignments", "themes", "theme_groups", "theme_runs"):
        op.drop_table(table)
