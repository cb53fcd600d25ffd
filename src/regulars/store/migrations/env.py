"""Alembic environment: runs on the connection `regulars.store.migrate` hands over."""

from alembic import context

from regulars.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only the packaged runner calls us
    raise RuntimeError("run migrations through `regulars migrate`")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
