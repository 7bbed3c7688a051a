"""token names are unique; audit events record the acting token's id

Revision ID: 0002_token_names
Revises: 28355fe42479
Create Date: 2026-12-02 02:50:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0002_token_names"
down_revision = "28355fe42479"
branch_labels = None
depends_on = None

api_keys = sa.table("api_keys", sa.column("id", sa.Integer), sa.column("name", sa.String))
events = sa.table(
    "moderation_events", sa.column("actor", sa.String), sa.column("actor_id", sa.Integer)
)


def upgrade():
    with op.batch_alter_table("moderation_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("actor_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_moderation_events_actor_id_api_keys"), "api_keys", ["actor_id"], ["id"]
        )

    connection = op.get_bind()
    # Past events name their token: link those whose name belongs to exactly one token.
    counts = (
        sa.select(
            api_keys.c.name,
            sa.func.count().label("n"),
            sa.func.min(api_keys.c.id).label("first_id"),
        )
        .group_by(api_keys.c.name)
        .subquery()
    )
    unique_names = sa.select(counts.c.first_id).where(
        counts.c.n == 1, counts.c.name == events.c.actor
    )
    connection.execute(
        events.update()
        .where(events.c.actor != "system")
        .values(actor_id=unique_names.scalar_subquery())
    )

    # Duplicated names: the oldest keeps its name, the others get "-<id>" appended.
    duplicated = connection.execute(sa.select(counts.c.name).where(counts.c.n > 1)).scalars().all()
    for name in duplicated:
        ids = (
            connection.execute(
                sa.select(api_keys.c.id).where(api_keys.c.name == name).order_by(api_keys.c.id)
            )
            .scalars()
            .all()
        )
        for key_id in ids[1:]:
            suffix = f"-{key_id}"
            connection.execute(
                api_keys.update()
                .where(api_keys.c.id == key_id)
                .values(name=name[: 200 - len(suffix)] + suffix)
            )

    # A unique index, not a constraint: SQLite adds it without rebuilding the referenced table.
    op.create_index(op.f("ix_api_keys_name"), "api_keys", ["name"], unique=True)


def downgrade():
    op.drop_index(op.f("ix_api_keys_name"), table_name="api_keys")
    with op.batch_alter_table("moderation_events", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_moderation_events_actor_id_api_keys"), type_="foreignkey"
        )
        batch_op.drop_column("actor_id")
