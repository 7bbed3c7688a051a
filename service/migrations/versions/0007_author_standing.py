"""author standing: moderators trust, always hold or ban an author on a site, audited

Revision ID: 0007_author_standing
Revises: 0006_appeals
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_author_standing"
down_revision = "0006_appeals"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "author_standings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=100), nullable=False),
        sa.Column("standing", sa.String(length=10), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_author_standings_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_author_standings")),
        sa.UniqueConstraint("site_id", "email", name=op.f("uq_author_standings_site_id")),
    )
    op.create_table(
        "author_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=100), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("from_standing", sa.String(length=10), nullable=False),
        sa.Column("to_standing", sa.String(length=10), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_author_events_site_id_sites")
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["api_keys.id"], name=op.f("fk_author_events_actor_id_api_keys")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_author_events")),
    )
    op.create_index("ix_author_events_site_email", "author_events", ["site_id", "email"])


def downgrade():
    op.drop_index("ix_author_events_site_email", table_name="author_events")
    op.drop_table("author_events")
    op.drop_table("author_standings")
