"""Reads of the customer portal: the signed-in customer and their own orders only."""

from typing import Final

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch

from shopdesk.accounts.models import Customer, User
from shopdesk.core.errors import NotFound
from shopdesk.orders.models import Order, OrderItem
from shopdesk.orders.selectors import order_get_for_user, order_scope_for_user

ORDER_LIST_SIZE: Final = 100


def portal_customer_for_user(*, user: User | AnonymousUser) -> Customer | None:
    """The customer this login belongs to; None for staff and anonymous visitors."""
    if not user.is_authenticated:
        return None
    return Customer.objects.filter(user_id=user.pk).first()


def portal_order_list_for_user(
    *, user: User, customer: Customer, limit: int = ORDER_LIST_SIZE
) -> list[Order]:
    """The customer's newest orders with their items (two queries)."""
    # order_scope_for_user already limits a customer login to its orders; the customer filter
    # keeps the portal to the customer's own even for a login that also holds staff rights.
    qs = (
        order_scope_for_user(user=user)
        .filter(customer=customer)
        .select_related("merchant")
        .prefetch_related(
            Prefetch(
                "items", queryset=OrderItem.objects.select_related("product").order_by("line_no")
            )
        )
        .order_by("-placed_at", "-id")
    )
    return list(qs[:limit])


def portal_order_get_for_user(*, user: User, customer: Customer, order_id: int) -> Order:
    """One of the customer's own orders with items, parcels and events; NotFound otherwise."""
    order = order_get_for_user(user=user, order_id=order_id)
    if order.customer_id != customer.pk:
        raise NotFound("No such order.")
    return order
