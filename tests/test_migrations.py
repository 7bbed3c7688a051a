"""Schema migrations carry existing data: each upgrade runs on a database of the previous one."""

import sqlalchemy as sa
from flask_migrate import upgrade

from service import create_app
from service.extensions import db
from service.models import ApiKey, Article, Comment, Site


def test_token_names_become_unique_and_old_events_get_their_token_id(tmp_path):
    app = create_app(
        {
            "DATA_DIR": str(tmp_path),
            "SECRET_KEY": "test",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'old.db'}",
        }
    )
    with app.app_context():
        upgrade(revision="28355fe42479")
        connection = db.session.connection()
        connection.execute(sa.insert(Site.__table__).values(id=1, name="Blog"))
        connection.execute(sa.insert(Article.__table__).values(id=1, site_id=1, external_id="a"))
        connection.execute(
            sa.insert(Comment.__table__).values(id=1, site_id=1, article_id=1, body="Hi")
        )
        for key_id, name in [
            (1, "Blog widget"),
            (2, "Blog widget"),
            (3, "ed"),
            (4, "ed"),
            (5, "ann"),
        ]:
            connection.execute(
                sa.insert(ApiKey.__table__).values(
                    id=key_id, role="moderator", name=name, lookup=f"l{key_id}", secret_hash="x"
                )
            )
        events = sa.table(
            "moderation_events",
            *(
                sa.column(c)
                for c in (
                    "id",
                    "comment_id",
                    "actor",
                    "action",
                    "from_status",
                    "to_status",
                    "reason",
                    "reasons",
                    "created_at",
                )
            ),
        )
        for event_id, actor in [(1, "system"), (2, "ann"), (3, "ed")]:
            connection.execute(
                events.insert().values(
                    id=event_id,
                    comment_id=1,
                    actor=actor,
                    action="x",
                    from_status="pending",
                    to_status="held",
                    reason="",
                    reasons="[]",
                    created_at=sa.func.now(),
                )
            )
        db.session.commit()

        upgrade()
        names = dict(db.session.execute(sa.select(ApiKey.id, ApiKey.name)).all())
        assert names == {1: "Blog widget", 2: "Blog widget-2", 3: "ed", 4: "ed-4", 5: "ann"}
        linked = db.session.execute(
            sa.text("SELECT actor, actor_id FROM moderation_events ORDER BY id")
        ).all()
        # "ed" named two tokens: which one acted is unknown, so it stays unlinked.
        assert [tuple(row) for row in linked] == [("system", None), ("ann", 5), ("ed", None)]
        indexes = sa.inspect(db.engine).get_indexes("api_keys")
        assert {"name": "ix_api_keys_name", "column_names": ["name"], "unique": 1} in [
            {k: c[k] for k in ("name", "column_names", "unique")} for c in indexes
        ]
        # The schema now matches the models: nothing left for autogenerate to add.
        from alembic.autogenerate import compare_metadata
        from alembic.migration import MigrationContext

        diff = compare_metadata(MigrationContext.configure(db.session.connection()), db.metadata)
        assert diff == []
