"""Theme lifecycle: stable themes with a state, lineage and language; fitted spaces.

Themes were one set per discovery run; from here a theme lives across runs. Themes
of earlier runs (no longer holding tickets) become ``retired``.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ticketlens.store._types import JSONType, UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("theme_runs") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(20), nullable=False, server_default="discover")
        )
        batch.add_column(sa.Column("summary", JSONType, nullable=True))
    op.create_table(
        "theme_spaces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("adapter", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["theme_runs.id"], name=op.f("fk_theme_spaces_run_id_theme_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_theme_spaces")),
        sa.UniqueConstraint("run_id", "language", name=op.f("uq_theme_spaces_run_id_language")),
    )
    with op.batch_alter_table("themes") as batch:
        batch.drop_constraint(op.f("uq_themes_run_id_number"), type_="unique")
        batch.add_column(sa.Column("fit_floor", sa.Float(), nullable=True))
        batch.add_column(sa.Column("state", sa.String(20), nullable=False, server_default="active"))
        batch.add_column(sa.Column("pinned", sa.Boolean(), nullable=False, server_default="0"))
        batch.add_column(
            sa.Column("origin", sa.String(20), nullable=False, server_default="discovered")
        )
        batch.add_column(sa.Column("language", sa.String(16), nullable=True))
        batch.add_column(sa.Column("space_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("description", sa.Text(), nullable=True))
        batch.add_column(sa.Column("examples", JSONType, nullable=False, server_default="[]"))
        batch.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("split_from_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("created_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("updated_at", UTCDateTime(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_themes_space_id_theme_spaces"), "theme_spaces", ["space_id"], ["id"]
        )
        batch.create_foreign_key(
            op.f("fk_themes_merged_into_id_themes"), "themes", ["merged_into_id"], ["id"]
        )
        batch.create_foreign_key(
            op.f("fk_themes_split_from_id_themes"), "themes", ["split_from_id"], ["id"]
        )
        batch.create_check_constraint(
            op.f("ck_themes_state"),
            "state IN ('proposed', 'active', 'curated', 'merged', 'retired', 'dismissed')",
        )
        batch.create_index("ix_themes_state", ["state"], unique=False)
    # Themes of earlier runs hold no tickets any more: keep them, as history.
    op.execute(
        "UPDATE themes SET state = 'retired' WHERE run_id <> (SELECT MAX(id) FROM theme_runs)"
    )
    with op.batch_alter_table("theme_assignments") as batch:
        batch.alter_column("run_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("how", sa.String(10), nullable=False, server_default="auto"))
        batch.add_column(sa.Column("language", sa.String(16), nullable=True))
        batch.create_check_constraint(op.f("ck_theme_assignments_how"), "how IN ('auto', 'manual')")


def downgrade() -> None:
    with op.batch_alter_table("theme_assignments") as batch:
        batch.drop_constraint(op.f("ck_theme_assignments_how"), type_="check")
        batch.drop_column("language")
        batch.drop_column("how")
        batch.alter_column("run_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("themes") as batch:
        batch.drop_index("ix_themes_state")
        batch.drop_constraint(op.f("ck_themes_state"), type_="check")
        batch.drop_constraint(op.f("fk_themes_split_from_id_themes"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_themes_merged_into_id_themes"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_themes_space_id_theme_spaces"), type_="foreignkey")
        for column in (
            "updated_at",
            "created_at",
            "split_from_id",
            "merged_into_id",
            "examples",
            "description",
            "space_id",
            "language",
            "origin",
            "pinned",
            "state",
            "fit_floor",
        ):
            batch.drop_column(column)
        batch.create_unique_constraint(op.f("uq_themes_run_id_number"), ["run_id", "number"])
    op.drop_table("theme_spaces")
    with op.batch_alter_table("theme_runs") as batch:
        batch.drop_column("summary")
        batch.drop_column("kind")
