"""appeals: an author's appeal of a decision, decided by a moderator

Revision ID: 0006_appeals
Revises: 0005_learning
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_appeals"
down_revision = "0005_learning"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=False),
        sa.Column("requester", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("appealed_status", sa.String(length=10), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("spam_flagged", sa.Boolean(), nullable=False),
        sa.Column("reviewer", sa.String(length=200), nullable=True),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_appeals_site_id_sites")),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comments.id"], name=op.f("fk_appeals_comment_id_comments")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["api_keys.id"], name=op.f("fk_appeals_decided_by_id_api_keys")
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["api_keys.id"], name=op.f("fk_appeals_reviewer_id_api_keys")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeals")),
        sa.UniqueConstraint("comment_id", name=op.f("uq_appeals_comment_id")),
    )
    op.create_index(
        "ix_appeals_site_status_created", "appeals", ["site_id", "status", "created_at"]
    )


def downgrade():
    op.drop_index("ix_appeals_site_status_created", table_name="appeals")
    op.drop_table("appeals")
