"""settings changes: the audit trail of suggested thresholds applied to a site

Revision ID: 0004_learning
Revises: 28355fe42479
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_learning"
down_revision = "28355fe42479"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "settings_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.Column("basis", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"],
                                name=op.f("fk_settings_changes_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settings_changes")),
    )
    op.create_index(op.f("ix_settings_changes_site_id"), "settings_changes", ["site_id"])


def downgrade():
    op.drop_index(op.f("ix_settings_changes_site_id"), table_name="settings_changes")
    op.drop_table("settings_changes")
