"""A ticket's routing facts (DESIGN §2) in one query: the customer's tier, the customer's last
agent within the sticky window (through the (customer, created_at) index), the category code,
the order total and the product category.

The query is written out in SQL that PostgreSQL and SQLite both run: it is made for every new
ticket, and building the same query through the ORM (six subqueries) cost more CPU than the
rest of the routing together.
"""

# Only table and column names from the models are spliced in; every value is a parameter.
# ruff: noqa: S608

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Final

from django.conf import settings
from django.db import connection
from django.db.models import Model
from django.utils.dateparse import parse_datetime

from shopdesk.accounts.models import Customer
from shopdesk.orders.models import Order, OrderItem, Product
from shopdesk.tickets.models import Category, Ticket

STICKY_WINDOW: Final = timedelta(days=30)  # how far back the customer's last agent counts
DEFAULT_VIP_ORDER_AMOUNT: Final = Decimal("2000")


@dataclass(frozen=True)
class TicketFacts:
    category_code: str
    language: str
    product_category: str  # "" when the ticket has no order or the product no category
    merchant_id: int | None
    is_vip: bool
    last_agent_id: int | None
    last_served_at: datetime | None


def ticket_facts(*, ticket: Ticket, now: datetime) -> TicketFacts:
    """The ticket's routing facts in one query (the ticket itself may be unsaved)."""
    sql, params = _facts_sql(ticket, now)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        tier, last_agent_id, last_served_at, category_code, total, product_category = (
            cursor.fetchone() or (None,) * 6
        )
    vip_amount = getattr(settings, "SHOPDESK_VIP_ORDER_AMOUNT", DEFAULT_VIP_ORDER_AMOUNT)
    return TicketFacts(
        category_code=category_code or "",
        language=ticket.language,
        product_category=product_category or "",
        merchant_id=ticket.merchant_id,
        is_vip=tier == Customer.Tier.VIP
        or (total is not None and Decimal(str(total)) > Decimal(str(vip_amount))),
        last_agent_id=last_agent_id,
        last_served_at=_aware(last_served_at),
    )


def _facts_sql(ticket: Ticket, now: datetime) -> tuple[str, list[Any]]:
    tickets, customers = _table(Ticket), _table(Customer)
    orders, items, products = _table(Order), _table(OrderItem), _table(Product)
    recent = (
        f"FROM {tickets} WHERE {_col(Ticket, 'customer')} = %s AND {_col(Ticket, 'created_at')}"
        f" >= %s AND {_col(Ticket, 'assignee')} IS NOT NULL AND {_col(Ticket, 'id')} <> %s"
        f" ORDER BY {_col(Ticket, 'created_at')} DESC LIMIT 1"
    )
    since = connection.ops.adapt_datetimefield_value(now - STICKY_WINDOW)
    recent_params = [ticket.customer_id, since, ticket.pk or 0]
    select = [
        f"(SELECT {_col(Customer, 'tier')} FROM {customers} WHERE {_col(Customer, 'id')} = %s)",
        f"(SELECT {_col(Ticket, 'assignee')} {recent})",
        f"(SELECT {_col(Ticket, 'created_at')} {recent})",
        f"(SELECT {_col(Category, 'code')} FROM {_table(Category)}"
        f" WHERE {_col(Category, 'id')} = %s)",
    ]
    params: list[Any] = [ticket.customer_id, *recent_params, *recent_params, ticket.category_id]
    # The order's total; with only an item given, the item's order.
    select.append(
        f"(SELECT {_col(Order, 'total_amount')} FROM {orders} WHERE {_col(Order, 'id')} ="
        f" COALESCE(%s, (SELECT {_col(OrderItem, 'order')} FROM {items}"
        f" WHERE {_col(OrderItem, 'id')} = %s)))"
    )
    params += [ticket.order_id, ticket.order_item_id]
    # The category of the ticket's item, or of its order's first item.
    product = (
        f"SELECT {products}.{_col(Product, 'category')} FROM {items} INNER JOIN {products}"
        f" ON {products}.{_col(Product, 'id')} = {items}.{_col(OrderItem, 'product')}"
    )
    if ticket.order_item_id is not None:
        select.append(f"({product} WHERE {items}.{_col(OrderItem, 'id')} = %s)")
        params.append(ticket.order_item_id)
    elif ticket.order_id is not None:
        select.append(
            f"({product} WHERE {items}.{_col(OrderItem, 'order')} = %s"
            f" ORDER BY {items}.{_col(OrderItem, 'line_no')} LIMIT 1)"
        )
        params.append(ticket.order_id)
    else:
        select.append("NULL")
    return "SELECT " + ", ".join(select), params


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _col(model: type[Model], name: str) -> str:
    return connection.ops.quote_name(str(model._meta.get_field(name).column))  # type: ignore[union-attr]


def _aware(value: object) -> datetime | None:
    """A timestamp as the database returns it (SQLite: text in UTC) as an aware datetime."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else parse_datetime(str(value))
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
