"""The schema: SQLAlchemy Core tables shared by SQLite and PostgreSQL.

Migrations in `migrations/versions` create exactly these; `tests/store/test_schema.py` checks they agree.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    literal_column,
    text,
)

from regulars.domain.customer_records import PLACE

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

Id = BigInteger().with_variant(Integer(), "sqlite")  # SQLite only auto-increments INTEGER PRIMARY KEY


def _id() -> Column:
    return Column("id", Id, primary_key=True, autoincrement=True)


# Search (migration 0004_search_counts, store/search.py). PostgreSQL: a pg_trgm GIN index on each lowered
# searched value. SQLite: FTS5 trigram tables `<table>_search` over views `<table>_search_source`, kept
# by triggers (not expressible here), and B-tree indexes on lowered columns for terms too short for
# trigrams.
def _trigram(name: str, value: Any) -> None:
    label = f"{name}_value"
    Index(
        name, func.lower(value).label(label), postgresql_using="gin", postgresql_ops={label: "gin_trgm_ops"}
    ).ddl_if(dialect="postgresql")


def _lowered(name: str, column: Column) -> None:
    Index(name, func.lower(column)).ddl_if(dialect="sqlite")


def _full_name(table: Table) -> Any:
    return table.c.first_name + literal_column("' '") + table.c.last_name


site_options = Table(
    "site_options",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

accounts = Table(
    "accounts",
    metadata,
    _id(),
    Column("username", String(60), nullable=False),
    Column("email", String(100), nullable=False),
    Column("password_hash", String(255), nullable=True),  # NULL: no usable password
    Column("display_name", String(250), nullable=False, server_default=""),
    Column("first_name", String(255), nullable=False, server_default=""),
    Column("last_name", String(255), nullable=False, server_default=""),
    Column("role", String(32), nullable=False),
    Column("registered_at", DateTime, nullable=False),
    Column("modified_at", DateTime, nullable=True),
)
Index("ux_accounts_username", func.lower(accounts.c.username), unique=True)
Index("ux_accounts_email", func.lower(accounts.c.email), unique=True)
Index("ix_accounts_role_id", accounts.c.role, accounts.c.id)
Index("ix_accounts_display_name", accounts.c.display_name, accounts.c.id)
Index("ix_accounts_registered_at", accounts.c.registered_at, accounts.c.id)
# One role's list in each sort and date filter is an index walk, so a deep page skips inside an index
# (migration 0004_search_counts).
Index("ix_accounts_role_display_name", accounts.c.role, accounts.c.display_name, accounts.c.id)
Index("ix_accounts_role_registered_at", accounts.c.role, accounts.c.registered_at, accounts.c.id)
Index("ix_accounts_role_modified_at", accounts.c.role, accounts.c.modified_at, accounts.c.id)
Index("ix_accounts_modified_at", accounts.c.modified_at, accounts.c.id)
for _name in ("username", "email", "display_name"):
    _trigram(f"ix_accounts_trgm_{_name}", accounts.c[_name])
_trigram("ix_accounts_trgm_name", _full_name(accounts))
for _name in ("display_name", "first_name", "last_name"):
    _lowered(f"ix_accounts_lower_{_name}", accounts.c[_name])

account_meta = Table(
    "account_meta",
    metadata,
    _id(),
    Column("account_id", Id, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("meta_key", String(255), nullable=False),
    Column("meta_value", JSON, nullable=True),
)
Index("ix_account_meta_account_id_meta_key", account_meta.c.account_id, account_meta.c.meta_key)

customers = Table(
    "customers",
    metadata,
    _id(),
    Column("account_id", Id, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=True, unique=True),
    Column("email", String(192), nullable=False),
    Column("first_name", String(255), nullable=False, server_default=""),
    Column("last_name", String(255), nullable=False, server_default=""),
    Column("phone", String(64), nullable=False, server_default=""),
    Column("status", String(16), nullable=False, server_default="active"),
    Column("notes", Text, nullable=False, server_default=""),
    Column("additional_info", JSON, nullable=True),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    # Statistics, kept current in the same transaction as the orders that change them.
    Column("orders_count", Integer, nullable=False, server_default="0"),
    Column("paid_orders_count", Integer, nullable=False, server_default="0"),
    Column("total_spent", BigInteger, nullable=False, server_default="0"),  # minor units
    Column("first_order_at", DateTime, nullable=True),
    Column("last_order_at", DateTime, nullable=True),
    Column("last_order_id", Id, nullable=True),
    # FluentCart's purchase dates: paid orders only (migration 0008_paid_order_dates).
    Column("first_paid_order_at", DateTime, nullable=True),
    Column("last_paid_order_at", DateTime, nullable=True),
    Column("is_paying", Boolean, nullable=False, server_default=text("false")),
    # The customer's place, as FluentCart keeps it on the customer row (domain.customer_records.PLACE):
    # what its record was given, until the primary billing address's is copied here, in the same
    # transaction as the address writes that change it (migration 0007); NULL without either.
    Column("country", String(100), nullable=True),
    Column("city", String(192), nullable=True),
    Column("state", String(192), nullable=True),
    Column("postcode", String(32), nullable=True),
)
# Which columns of the customer row copy the primary billing address (the same names on both tables).
LOCATION: tuple[str, ...] = PLACE
Index("ux_customers_email", func.lower(customers.c.email), unique=True)
Index("ix_customers_status_id", customers.c.status, customers.c.id)
Index("ix_customers_created_at", customers.c.created_at, customers.c.id)
Index("ix_customers_total_spent", customers.c.total_spent, customers.c.id)
# The customer-record list's other sorts (migration 0002_customer_sorts).
Index("ix_customers_first_name", customers.c.first_name, customers.c.id)
Index("ix_customers_last_name", customers.c.last_name, customers.c.id)
Index("ix_customers_updated_at", customers.c.updated_at, customers.c.id)
Index("ix_customers_paid_orders_count", customers.c.paid_orders_count, customers.c.id)
# The average order value in minor units, rounded half up (domain.customer_records.average); NULL without
# paid orders, as FluentCart's aov. Its index (migration 0006_customer_null_sorts) serves the query only
# when the query spells it exactly so: literals, not parameters.
_TWO = literal_column("2", BigInteger)
AVERAGE_ORDER_VALUE = (_TWO * customers.c.total_spent + customers.c.paid_orders_count) // func.nullif(
    _TWO * customers.c.paid_orders_count, literal_column("0"), type_=BigInteger
)


def _nulls_first(name: str, value: Any, *trailing: Column) -> None:
    """The index of a nullable sort: NULLs first, as MySQL (FluentCart's database) orders them ascending
    and SQLite's B-trees hold them; PostgreSQL is told so (migrations 0006 and 0007)."""
    Index(name, value, customers.c.id, *trailing).ddl_if(dialect="sqlite")
    Index(name, value.nulls_first(), customers.c.id, *trailing).ddl_if(dialect="postgresql")


_nulls_first("ix_customers_first_paid_order_at", customers.c.first_paid_order_at)
_nulls_first("ix_customers_last_paid_order_at", customers.c.last_paid_order_at)
_nulls_first("ix_customers_account_id", customers.c.account_id)
for _name in LOCATION:
    _nulls_first(f"ix_customers_{_name}", customers.c[_name])
# What the average is made of rides along, so SQLite reads a page's ids from the index alone.
_nulls_first("ix_customers_aov", AVERAGE_ORDER_VALUE, customers.c.total_spent, customers.c.paid_orders_count)
for _name in ("email", "phone"):
    _trigram(f"ix_customers_trgm_{_name}", customers.c[_name])
_trigram("ix_customers_trgm_name", _full_name(customers))
for _name in ("first_name", "last_name", "phone"):
    _lowered(f"ix_customers_lower_{_name}", customers.c[_name])

addresses = Table(
    "addresses",
    metadata,
    _id(),
    Column("customer_id", Id, ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
    Column("type", String(16), nullable=False),
    Column("is_primary", Boolean, nullable=False, server_default=text("false")),
    Column("status", String(16), nullable=False, server_default="active"),
    Column("label", String(50), nullable=False, server_default=""),
    Column("first_name", String(255), nullable=False, server_default=""),
    Column("last_name", String(255), nullable=False, server_default=""),
    Column("company", String(255), nullable=False, server_default=""),
    Column("address_1", String(255), nullable=False, server_default=""),
    Column("address_2", String(255), nullable=False, server_default=""),
    Column("city", String(192), nullable=False, server_default=""),
    Column("state", String(192), nullable=False, server_default=""),
    Column("postcode", String(32), nullable=False, server_default=""),
    Column("country", String(100), nullable=False, server_default=""),
    Column("email", String(192), nullable=False, server_default=""),
    Column("phone", String(64), nullable=False, server_default=""),
    Column("meta", JSON, nullable=True),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)
Index("ix_addresses_customer_id_type", addresses.c.customer_id, addresses.c.type)
Index(
    "ux_addresses_primary",
    addresses.c.customer_id,
    addresses.c.type,
    unique=True,
    sqlite_where=addresses.c.is_primary,
    postgresql_where=addresses.c.is_primary,
)
_trigram("ix_addresses_trgm_phone", addresses.c.phone)
_lowered("ix_addresses_lower_phone", addresses.c.phone)

api_keys = Table(
    "api_keys",
    metadata,
    _id(),
    Column("account_id", Id, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("description", String(200), nullable=False, server_default=""),
    Column("permissions", String(10), nullable=False),
    Column("consumer_key_hash", String(64), nullable=False, unique=True),
    Column("consumer_secret", String(43), nullable=False),
    Column("truncated_key", String(7), nullable=False),
    Column("last_access", DateTime, nullable=True),
    Column("created_at", DateTime, nullable=False),
)

app_passwords = Table(
    "app_passwords",
    metadata,
    _id(),
    Column("account_id", Id, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("password_hash", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("last_used", DateTime, nullable=True),
)
Index("ix_app_passwords_account_id", app_passwords.c.account_id)

oauth_nonces = Table(
    "oauth_nonces",
    metadata,
    Column("key_id", Id, ForeignKey("api_keys.id", ondelete="CASCADE"), primary_key=True),
    Column("nonce", String(255), primary_key=True),
    # With its timestamp, as RFC 5849 3.3 scopes a nonce (migration 0005 says why).
    Column("timestamp", BigInteger, primary_key=True),
)
Index("ix_oauth_nonces_timestamp", oauth_nonces.c.timestamp)

products = Table(
    "products",
    metadata,
    _id(),
    Column("name", String(255), nullable=False, server_default=""),
    Column("slug", String(200), nullable=False, server_default=""),  # migration 0003_order_lines
    Column("sku", String(100), nullable=False, server_default=""),
    Column("type", String(32), nullable=False, server_default="simple"),
    Column("status", String(32), nullable=False, server_default="publish"),
    Column("regular_price", String(32), nullable=False, server_default=""),
    Column("sale_price", String(32), nullable=False, server_default=""),
    Column("downloadable", Boolean, nullable=False, server_default=text("false")),
    Column("virtual", Boolean, nullable=False, server_default=text("false")),
    Column("download_limit", Integer, nullable=False, server_default="-1"),
    Column("download_expiry", Integer, nullable=False, server_default="-1"),
    Column("downloads", JSON, nullable=True),  # [{"id", "name", "file"}]
    Column("data", JSON, nullable=True),  # every other field of WooCommerce's product, echoed back
    Column("created_at", DateTime, nullable=False),
    Column("modified_at", DateTime, nullable=False),
)
# Product lookups and list sorts (migration 0003_order_lines).
Index("ix_products_slug", products.c.slug)
Index("ix_products_sku", products.c.sku)
Index("ix_products_created_at", products.c.created_at, products.c.id)

orders = Table(
    "orders",
    metadata,
    _id(),
    Column("parent_id", Id, nullable=False, server_default="0"),
    Column("order_key", String(64), nullable=False),
    Column("status", String(32), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("total", BigInteger, nullable=False, server_default="0"),  # minor units
    Column("customer_id", Id, ForeignKey("customers.id", ondelete="SET NULL"), nullable=True),
    Column("billing", JSON, nullable=True),
    Column("shipping", JSON, nullable=True),
    Column("payment_method", String(100), nullable=False, server_default=""),
    Column("payment_method_title", String(255), nullable=False, server_default=""),
    Column("transaction_id", String(255), nullable=False, server_default=""),
    Column("customer_note", Text, nullable=False, server_default=""),
    Column("data", JSON, nullable=True),  # every other field of WooCommerce's order, echoed back
    Column("created_at", DateTime, nullable=False),
    Column("modified_at", DateTime, nullable=False),
    Column("paid_at", DateTime, nullable=True),
    Column("completed_at", DateTime, nullable=True),
)
Index("ix_orders_customer_id_id", orders.c.customer_id, orders.c.id)
Index("ix_orders_status_id", orders.c.status, orders.c.id)
Index("ix_orders_created_at", orders.c.created_at, orders.c.id)

order_items = Table(
    "order_items",
    metadata,
    _id(),
    Column("order_id", Id, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False, server_default="line_item"),  # line_item|shipping|fee|coupon
    Column("product_id", Id, nullable=False, server_default="0"),
    Column("name", String(255), nullable=False, server_default=""),
    Column("quantity", Integer, nullable=False, server_default="1"),
    Column("subtotal", BigInteger, nullable=False, server_default="0"),
    Column("total", BigInteger, nullable=False, server_default="0"),
    Column("data", JSON, nullable=True),
)
Index("ix_order_items_order_id", order_items.c.order_id)
Index("ix_order_items_product_id", order_items.c.product_id, order_items.c.order_id)  # 0003_order_lines

download_permissions = Table(
    "download_permissions",
    metadata,
    _id(),
    Column("download_id", String(36), nullable=False),
    Column("product_id", Id, nullable=False),
    Column("order_id", Id, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False),
    Column("order_key", String(64), nullable=False),
    Column("customer_id", Id, ForeignKey("customers.id", ondelete="SET NULL"), nullable=True),
    Column("user_email", String(192), nullable=False, server_default=""),
    # NULL: unlimited. A product's limit times the quantity bought, both 32-bit (migration 0008).
    Column("downloads_remaining", BigInteger, nullable=True),
    Column("access_granted", DateTime, nullable=False),
    Column("access_expires", DateTime, nullable=True),  # NULL: never
    Column("download_count", Integer, nullable=False, server_default="0"),
)
Index(
    "ix_download_permissions_customer_id", download_permissions.c.customer_id, download_permissions.c.order_id
)
Index("ix_download_permissions_order_id", download_permissions.c.order_id)  # migration 0003_order_lines

# How many rows each value of a counted column has (accounts by role, customers by status), so a list's
# total needs no count of the table. Triggers keep it on every insert, delete and change of the value
# (migration 0004_search_counts). A PostgreSQL backend adds to its own row (`shard` = its process id),
# so concurrent writers never wait for one another; a total is the sum of a value's rows. SQLite has
# one writer at a time and one row per value (`shard` 0).
row_counts = Table(
    "row_counts",
    metadata,
    Column("kind", String(32), primary_key=True),  # account_role | customer_status
    Column("name", String(64), primary_key=True),
    Column("shard", BigInteger, primary_key=True),
    Column("count", BigInteger, nullable=False),
)

# SQLite only (migration 0010_bulk_writes): the id range a bulk writer is writing in its open
# transaction, whose rows the search and count triggers leave to it (store/bulk.py); empty once it commits.
bulk_writes = Table(
    "bulk_writes",
    metadata,
    Column("table_name", String(32), primary_key=True),
    Column("first_id", Integer, nullable=False),
    Column("last_id", Integer, nullable=False),
)

# SQLite only (migration 0011_deferred_indexes): the non-unique indexes a large import dropped while it
# writes, with the SQL that builds each again when it ends (store/bulk.py); empty otherwise.
deferred_indexes = Table(
    "deferred_indexes",
    metadata,
    Column("name", String(128), primary_key=True),
    Column("definition", Text, nullable=False),
)

# SQLite only, and no part of the store: each connection's own table (TEMP, in memory), made when it
# connects (store/engine.py). One search's candidate ids, held while its total and page are read from
# them (store/pages.py); writing it takes no lock on the store, so a reading snapshot may.
connection_tables = MetaData()
search_candidates = Table(
    "search_candidates",
    connection_tables,
    Column("id", Integer, primary_key=True),
    prefixes=["TEMPORARY"],
)
