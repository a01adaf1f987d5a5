"""Threads across imports, every row accounted for, quarantine in original columns.

Messages keep their source id and the id they answer, so a reply imported later (another
file, another day) joins its stored thread; ``held_rows`` keeps a reply whose thread is
not imported yet; imports count threaded and skipped rows; a quarantined row keeps its
columns for ``quarantine export``.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ticketlens.store._types import JSONType, UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("external_id", sa.String(255), nullable=True))
        batch.add_column(sa.Column("reply_to", sa.String(255), nullable=True))
        batch.create_index("ix_messages_external_id", ["external_id"])
        batch.create_index("ix_messages_reply_to", ["reply_to"])
    with op.batch_alter_table("imports") as batch:
        batch.add_column(
            sa.Column("rows_threaded", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("rows_skipped", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("quarantine") as batch:
        batch.add_column(sa.Column("fields", JSONType, nullable=True))
    op.create_table(
        "held_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("external_id", sa.String(255), nullable=False),
        sa.Column("reply_to", sa.String(255), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("message", JSONType, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_held_rows_import_id_imports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_held_rows")),
        sa.UniqueConstraint("source", "external_id", name=op.f("uq_held_rows_source_external_id")),
    )
    op.create_index("ix_held_rows_reply_to", "held_rows", ["source", "reply_to"])


def downgrade() -> None:
    op.drop_index("ix_held_rows_reply_to", table_name="held_rows")
    op.drop_table("held_rows")
    with op.batch_alter_table("quarantine") as batch:
        batch.drop_column("fields")
    with op.batch_alter_table("imports") as batch:
        batch.drop_column("rows_skipped")
        batch.drop_column("rows_threaded")
    with op.batch_alter_table("messages") as batch:
        batch.drop_index("ix_messages_reply_to")
        batch.drop_index("ix_messages_external_id")
        batch.drop_column("reply_to")
        batch.drop_column("external_id")
