"""Alembic environment: uses the connection handed over by storage.migrate, or DATABASE_URL."""
from alembic import context

from storage.models import Base

target_metadata = Base.metadata
config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        from bot.config import load_config
        from storage.db import make_engine

        engine = make_engine(load_config().database.url)
        with engine.connect() as connection:
            _configure_and_run(connection)
            connection.commit()
    else:
        _configure_and_run(connection)


def _configure_and_run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
