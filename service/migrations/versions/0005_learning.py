"""learning from moderators: audited settings changes, shadow policies and their decisions

Revision ID: 0005_learning
Revises: 0004_webhooks
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_learning"
down_revision = "0004_webhooks"
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
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_settings_changes_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settings_changes")),
    )
    op.create_index(op.f("ix_settings_changes_site_id"), "settings_changes", ["site_id"])
    op.create_table(
        "shadow_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("started_by", sa.String(length=200), nullable=False),
        sa.Column("ended_by", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_shadow_policies_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shadow_policies")),
    )
    op.create_index(op.f("ix_shadow_policies_site_id"), "shadow_policies", ["site_id"])
    op.create_table(
        "shadow_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("live_status", sa.String(length=10), nullable=False),
        sa.Column("shadow_status", sa.String(length=10), nullable=False),
        sa.Column("shadow_reasons", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["shadow_policies.id"],
            name=op.f("fk_shadow_decisions_policy_id_shadow_policies"),
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comments.id"], name=op.f("fk_shadow_decisions_comment_id_comments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shadow_decisions")),
    )
    op.create_index(op.f("ix_shadow_decisions_policy_id"), "shadow_decisions", ["policy_id"])
    op.create_index(op.f("ix_shadow_decisions_comment_id"), "shadow_decisions", ["comment_id"])


def downgrade():
    op.drop_index(op.f("ix_shadow_decisions_comment_id"), table_name="shadow_decisions")
    op.drop_index(op.f("ix_shadow_decisions_policy_id"), table_name="shadow_decisions")
    op.drop_table("shadow_decisions")
    op.drop_index(op.f("ix_shadow_policies_site_id"), table_name="shadow_policies")
    op.drop_table("shadow_policies")
    op.drop_index(op.f("ix_settings_changes_site_id"), table_name="settings_changes")
    op.drop_table("settings_changes")
