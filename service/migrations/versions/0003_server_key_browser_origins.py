"""server keys usable from browsers: api_keys.browser_origins

Revision ID: 6b1f0c2d9e47
Revises: 0002_token_names
Create Date: 2026-12-02 03:10:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "6b1f0c2d9e47"
down_revision = "0002_token_names"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("browser_origins", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_column("browser_origins")
