"""a used OAuth nonce is unique with its timestamp, as RFC 5849 3.3 scopes it

A replay repeats the signed timestamp with the nonce, so (key, timestamp, nonce) refuses every replay;
keyed on (key, nonce) alone, the official Python client's nonces (drawn from 8 random digits) repeat
often enough at a few thousand requests per key and quarter of an hour to refuse honest requests. The
table is rebuilt with the wider primary key and keeps the nonces it holds.

Revision ID: 0005_nonce_per_timestamp
Revises: 0004_search_counts
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_nonce_per_timestamp"
down_revision: str | None = "0004_search_counts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _rebuild(primary_key: list[str], copy: str) -> None:
    """The nonces table again with `primary_key`, its rows copied by `copy` (a SELECT of the old rows)."""
    op.create_table(
        "oauth_nonces_next",
        sa.Column("key_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("nonce", sa.String(length=255), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["key_id"], ["api_keys.id"], name="fk_oauth_nonces_key_id_api_keys_next", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint(*primary_key, name="pk_oauth_nonces_next"),
    )
    op.execute(f"INSERT INTO oauth_nonces_next (key_id, nonce, timestamp) {copy}")
    op.drop_index("ix_oauth_nonces_timestamp", table_name="oauth_nonces")
    op.drop_table("oauth_nonces")
    op.rename_table("oauth_nonces_next", "oauth_nonces")
    if op.get_bind().dialect.name == "postgresql":  # SQLite's constraint names are the table's own
        op.execute("ALTER TABLE oauth_nonces RENAME CONSTRAINT pk_oauth_nonces_next TO pk_oauth_nonces")
        op.execute(
            "ALTER TABLE oauth_nonces RENAME CONSTRAINT fk_oauth_nonces_key_id_api_keys_next "
            "TO fk_oauth_nonces_key_id_api_keys"
        )
    op.create_index("ix_oauth_nonces_timestamp", "oauth_nonces", ["timestamp"], unique=False)


def upgrade() -> None:
    _rebuild(["key_id", "nonce", "timestamp"], "SELECT key_id, nonce, timestamp FROM oauth_nonces")


def downgrade() -> None:
    # A nonce used with several timestamps keeps its latest.
    _rebuild(
        ["key_id", "nonce"],
        "SELECT key_id, nonce, max(timestamp) FROM oauth_nonces GROUP BY key_id, nonce",
    )
