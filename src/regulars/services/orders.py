"""Orders: recording them as WooCommerce does, and keeping what follows from them current in the same
unit of work — the customer's statistics and the download permissions a payment grants."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from regulars.domain import limits
from regulars.domain.accounts import is_email
from regulars.domain.customers import BILLING_FIELDS, SHIPPING_FIELDS
from regulars.domain.downloads import grants_for
from regulars.domain.errors import Invalid, NotFound
from regulars.domain.orders import (
    GRANTING_STATUSES,
    PAYABLE_STATUSES,
    TRASH,
    LineChange,
    LineItem,
    Order,
    OrderChange,
    OrderQuery,
    check_money,
    merge_meta,
    minor_units,
    new_order_key,
    paid,
    with_status,
)
from regulars.domain.products import Product
from regulars.services import profiles
from regulars.services.clock import now
from regulars.store.unit import Unit


# --- reading ------------------------------------------------------------------------------------------
def get(unit: Unit, order_id: int) -> Order | None:
    return unit.orders.get(order_id)


def require(unit: Unit, order_id: int) -> Order:
    found = unit.orders.get(order_id)
    if found is None:
        raise NotFound("order")
    return found


def page(unit: Unit, query: OrderQuery) -> tuple[list[Order], int]:
    return unit.orders.page(query)


def for_customer(unit: Unit, customer_id: int, *, newest_first: bool = True) -> list[Order]:
    """A customer record's orders, every status but trash, newest first unless asked otherwise."""
    return unit.orders.for_customer(customer_id, newest_first=newest_first)


# --- writing ------------------------------------------------------------------------------------------
def create(unit: Unit, change: OrderChange, *, currency: str, decimals: int) -> Order:
    """A new order, pending until the request's status (or payment) moves it on."""
    moment = now()
    customer_id = _customer_record(unit, change.customer, moment) if change.customer else None
    unit.orders.lock_customers([customer_id] if customer_id else [])
    draft = Order(
        id=0,
        order_key=new_order_key(),
        status="pending",
        currency=change.currency or currency,
        total=0,
        customer_id=customer_id,
        created_at=moment,
        modified_at=moment,
        data={"created_via": "rest-api"},
    )
    order = _changed(unit, draft, change, decimals)
    order.id = unit.orders.insert(order)
    return _settle(unit, order, change, moment, before=None, decimals=decimals)


def update(unit: Unit, order_id: int, change: OrderChange, *, decimals: int) -> Order:
    current = unit.orders.get(order_id, lock=True)
    if current is None:
        raise NotFound("order")
    moment = now()
    customer_id = current.customer_id
    if change.customer is not None:
        customer_id = _customer_record(unit, change.customer, moment) if change.customer else None
    unit.orders.lock_customers({c for c in (current.customer_id, customer_id) if c})
    order = _changed(unit, replace(current, customer_id=customer_id, modified_at=moment), change, decimals)
    return _settle(unit, order, change, moment, before=current, decimals=decimals)


def delete(unit: Unit, order_id: int, *, force: bool) -> Order:
    """Delete for good (`force`) or move to the trash; returns the order as it was. A trashed order no
    longer counts in its customer's figures; trashing it twice is refused."""
    current = unit.orders.get(order_id, lock=True)
    if current is None:
        raise NotFound("order")
    if not force and current.status == TRASH:
        raise Invalid("already_trashed", "id")
    if current.customer_id:
        unit.orders.lock_customers([current.customer_id])
    if force:
        unit.orders.delete(order_id)
    else:
        unit.orders.update(replace(current, status=TRASH, modified_at=now()))
    _refresh_figures(unit, {current.customer_id}, paying_customer=None)
    return current


# --- the rules ----------------------------------------------------------------------------------------
def _customer_record(unit: Unit, account_id: int, moment: datetime) -> int:
    """The customer record of an account (WooCommerce's customer_id), made if the account has none."""
    account = unit.accounts.get(account_id)
    if account is None:
        raise Invalid("invalid_customer", "customer_id")
    record = unit.customers.by_account(account_id)
    if record is not None:
        return record.id
    known = unit.customers.by_email(account.email)
    if known is not None and known.account_id is None:
        unit.customers.update(known.id, {"account_id": account_id, "updated_at": moment})
        return known.id
    return unit.customers.insert(
        account_id=account_id,
        email=account.email,
        first_name=account.first_name,
        last_name=account.last_name,
        now=moment,
    )


def _address(current: dict[str, str], sent: dict[str, str] | None, names: tuple[str, ...]) -> dict[str, str]:
    """Sent fields replace stored ones one by one (WooCommerce's update_address); others are ignored."""
    merged = {name: current.get(name, "") for name in names}
    merged.update({k: str(v) for k, v in (sent or {}).items() if k in names and v is not None})
    return merged


def _changed(unit: Unit, order: Order, change: OrderChange, decimals: int) -> Order:
    """The order with the request's fields, addresses, lines and meta applied, and its total recomputed.
    The status is not touched here: transitions need the stored lines."""
    billing = _address(order.billing, change.billing, BILLING_FIELDS)
    if billing["email"] and not is_email(billing["email"]):
        raise Invalid("invalid_billing_email", "billing.email")
    if change.parent_id and (change.parent_id == order.id or unit.orders.get(change.parent_id) is None):
        raise Invalid("invalid_parent", "parent_id")
    data = dict(order.data)
    if change.meta_data is not None:
        data["meta_data"] = merge_meta(data.get("meta_data") or [], change.meta_data)
    texts = {
        name: value
        for name in ("currency", "payment_method", "payment_method_title", "transaction_id", "customer_note")
        if (value := getattr(change, name)) is not None
    }
    updated = replace(
        order,
        billing=billing,
        shipping=_address(order.shipping, change.shipping, SHIPPING_FIELDS),
        parent_id=order.parent_id if change.parent_id is None else change.parent_id,
        data=data,
        line_items=_product_lines(unit, order.line_items, change.line_items, decimals),
        shipping_lines=_other_lines(order.shipping_lines, change.shipping_lines, "shipping", decimals),
        fee_lines=_other_lines(order.fee_lines, change.fee_lines, "fee", decimals),
        coupon_lines=order.coupon_lines if change.coupon_lines is None else _coupons(change.coupon_lines),
        **texts,
    )
    limits.check_all(texts, limits.ORDER)
    for line in updated.lines:
        limits.check(_LINE_NAMES[line.kind], line.name, limits.ORDER_LINE_NAME)
    updated.total = updated.calculated_total()
    check_money("total", updated.total, decimals)
    return updated


# The field of a request that names each kind of line.
_LINE_NAMES = {
    "line_item": "line_items.name",
    "shipping": "shipping_lines.method_title",
    "fee": "fee_lines.name",
    "coupon": "coupon_lines.code",
}


def _put(lines: list[LineItem], existing: LineItem | None, updated: LineItem) -> list[LineItem]:
    """`updated` in place of `existing`, or added at the end when it is new."""
    if existing is None:
        return [*lines, updated]
    return [updated if line is existing else line for line in lines]


def _find(lines: list[LineItem], change: LineChange) -> LineItem | None:
    if change.id is None:
        return None
    found = next((line for line in lines if line.id == change.id), None)
    if found is None:
        raise Invalid("invalid_item_id", "id")
    return found


def _product_lines(
    unit: Unit, current: list[LineItem], changes: list[LineChange] | None, decimals: int
) -> list[LineItem]:
    """WooCommerce's line items: an id updates (or, with quantity 0, removes) that line; no id adds one,
    priced at the product's price times the quantity unless the request gives the totals."""
    if changes is None:
        return current
    lines = list(current)
    for change in changes:
        existing = _find(lines, change)
        if change.remove:
            lines = [line for line in lines if line is not existing]
            continue
        product = _product_of(unit, change, required=existing is None)
        line = existing or LineItem(0, 0, "", 1, 0, 0)
        quantity = change.quantity if change.quantity is not None else line.quantity
        limits.check_range("line_items.quantity", quantity, limits.COUNT)
        data = {**line.data, **change.data}
        if "meta_data" in change.data:
            data["meta_data"] = merge_meta(line.data.get("meta_data") or [], change.data["meta_data"] or [])
        name, total = line.name, line.total
        if product is not None:
            data["sku"] = product.sku
            name = product.name
        if product is not None or change.quantity is not None:
            total = _unit_price(product, line, decimals) * quantity
            check_money("line_items.total", total, decimals)
        if change.total is not None:
            total = minor_units(change.total, decimals, "line_items.total")
        subtotal = total
        if change.subtotal is not None:
            subtotal = minor_units(change.subtotal, decimals, "line_items.subtotal")
        updated = LineItem(
            id=line.id,
            product_id=product.id if product is not None else line.product_id,
            name=change.name if change.name is not None else name,
            quantity=quantity,
            subtotal=subtotal,
            total=total,
            data=data,
        )
        lines = _put(lines, existing, updated)
    return lines


def _product_of(unit: Unit, change: LineChange, *, required: bool) -> Product | None:
    """The product a line names by SKU or id; a new line must name one that exists."""
    product_id = change.product_id
    if change.sku:
        product_id = unit.products.id_by_sku(change.sku)
    if not product_id:
        if required:
            raise Invalid("product_required", "product_id")
        return None
    product = unit.products.get(product_id)
    if product is None:
        raise Invalid("invalid_product", "product_id")
    return product


def _unit_price(product: Product | None, line: LineItem, decimals: int) -> int:
    """The price a line's quantity multiplies: the product's current price, else what the line had."""
    if product is not None:
        return minor_units(product.price, decimals, "line_items.price")
    return line.total // line.quantity if line.quantity else 0


_REQUIRED_NAME = {"shipping": "shipping_method_required", "fee": "fee_name_required"}


def _other_lines(
    current: list[LineItem], changes: list[LineChange] | None, kind: str, decimals: int
) -> list[LineItem]:
    """Shipping and fee lines: added, updated or removed as product lines are, with the amount sent."""
    if changes is None:
        return current
    lines = list(current)
    for change in changes:
        existing = _find(lines, change)
        if change.remove:
            lines = [line for line in lines if line is not existing]
            continue
        if existing is None and not (change.data.get("method_id") if kind == "shipping" else change.name):
            raise Invalid(_REQUIRED_NAME[kind], "method_id" if kind == "shipping" else "name")
        line = existing or LineItem(0, 0, "", 1, 0, 0, kind=kind)
        data = {**line.data, **change.data}
        if "meta_data" in change.data:
            data["meta_data"] = merge_meta(line.data.get("meta_data") or [], change.data["meta_data"] or [])
        total = (
            line.total if change.total is None else minor_units(change.total, decimals, f"{kind}_lines.total")
        )
        updated = replace(
            line,
            name=change.name if change.name is not None else line.name,
            total=total,
            subtotal=total,
            data=data,
        )
        lines = _put(lines, existing, updated)
    return lines


def _coupons(changes: list[LineChange]) -> list[LineItem]:
    """The coupons sent replace the order's (as WooCommerce re-applies them all). Regulars keeps no coupon
    definitions, so a coupon is recorded with its code and takes nothing off."""
    coupons: list[LineItem] = []
    for change in changes:
        if change.remove:
            continue
        if change.id is not None:
            raise Invalid("coupon_id_readonly", "id")
        if not change.name:
            raise Invalid("coupon_required", "code")
        meta = merge_meta([], change.data.get("meta_data") or [])
        coupons.append(LineItem(0, 0, change.name, 1, 0, 0, {"meta_data": meta}, kind="coupon"))
    return coupons


def _settle(
    unit: Unit, order: Order, change: OrderChange, moment: datetime, before: Order | None, decimals: int
) -> Order:
    """Store the order, then what follows: the status transition (and payment) with its dates, the
    download permissions payment grants, permissions following a change of hands, and the figures of
    every customer the order belongs or belonged to (refused if the money it spends would not fit)."""
    unit.orders.save_lines(order.id, order.lines)
    products = unit.products.get_many(i.product_id for i in order.line_items)
    needs_processing = any(p.needs_processing for p in products.values())
    if change.status and change.status != order.status:
        order = with_status(order, change.status, moment, needs_processing)
    paying = False
    if change.set_paid and (before is None or order.needs_payment):
        paying = order.status in PAYABLE_STATUSES
        order = paid(order, moment, needs_processing, change.transaction_id)
    if order.customer_id:  # a negative total backed out adds to the spend, so every change is checked
        spent = unit.orders.paid_total(order.customer_id, excluding=order.id)
        check_money("total", spent + (order.total if order.is_paid else 0), decimals, limits.SPENT)
    unit.orders.update(order)
    if order.status in GRANTING_STATUSES and not unit.downloads.granted(order.id):
        unit.downloads.grant(grants_for(order, products, moment))
    if before is not None and (
        before.customer_id != order.customer_id or before.billing.get("email") != order.billing.get("email")
    ):
        unit.downloads.reassign(order.id, order.customer_id, order.billing.get("email", ""))
    owner = unit.customers.get(order.customer_id) if order.customer_id else None
    if owner is not None and owner.account_id is not None:
        profiles.mark_active(unit, owner.account_id, moment)
    previous = before.customer_id if before is not None else None
    _refresh_figures(
        unit, {previous, order.customer_id}, paying_customer=order.customer_id if paying else None
    )
    return require(unit, order.id)


def _refresh_figures(unit: Unit, customer_ids: set[int | None], paying_customer: int | None) -> None:
    """Recompute each customer's figures from its orders; WooCommerce's cached copies in the account's
    meta are dropped, to be written again by the next view that reports them."""
    for customer_id in sorted(c for c in customer_ids if c):
        unit.orders.refresh_stats(customer_id, paying=customer_id == paying_customer)
        record = unit.customers.get(customer_id)
        if record is not None and record.account_id is not None:
            profiles.forget_stat_cache(unit, record.account_id)
