"""Reads the tickets API needs beyond selectors.py: who a new ticket is for, pages, assignees.

Every look-up is scoped to the user who asks: what they may not see answers NotFound (404),
exactly like what does not exist.
"""

from django.db.models import QuerySet
from django.utils.translation import gettext

from shopdesk.accounts.models import Customer, User
from shopdesk.accounts.permissions import Perm
from shopdesk.core.errors import DomainError, NotFound
from shopdesk.orders.models import Order
from shopdesk.orders.selectors import order_scope_for_user
from shopdesk.tickets.errors import TicketsErrorCode
from shopdesk.tickets.selectors import AnyUser


def customer_scope_for_user(*, user: AnyUser) -> QuerySet[Customer]:
    """Platform staff who may view customers see them all; anyone else (merchant staff too) none."""
    if not user.is_authenticated or getattr(user, "merchant_id", None) is not None:
        return Customer.objects.none()
    if user.has_perm(Perm.VIEW_CUSTOMER):
        return Customer.objects.all()
    return Customer.objects.none()


def intake_customer_get_for_user(
    *, user: AnyUser, customer_id: int | None = None, source: str = "", external_id: str = ""
) -> Customer:
    """The customer named by id or by (source, external id), or NotFound."""
    scope = customer_scope_for_user(user=user)
    if customer_id is not None:
        customer = scope.select_related("user").filter(pk=customer_id).first()
        name = str(customer_id)
    else:
        customer = (
            scope.select_related("user").filter(source=source, external_id=external_id).first()
        )
        name = f"{source}/{external_id}"
    if customer is None:
        raise NotFound(gettext("Customer %(name)s not found.") % {"name": name})
    return customer


def intake_order_get_for_user(*, user: AnyUser, source: str, external_id: str) -> Order:
    """The order a shop system knows as (source, external id), with its customer, or NotFound."""
    order = (
        order_scope_for_user(user=user)
        .select_related("customer__user")
        .filter(source=source, external_id=external_id)
        .first()
    )
    if order is None:
        raise NotFound(gettext("Order %(name)s not found.") % {"name": f"{source}/{external_id}"})
    return order


def intake_parties_for_user(
    *,
    user: AnyUser,
    customer_id: int | None,
    customer_ref: tuple[str, str] | None,
    order_ref: tuple[str, str] | None,
) -> tuple[Customer, Order | None]:
    """Who a new ticket is for: the customer given, else the customer of the order given.

    Raises:
        NotFound: the customer or order does not exist or is not visible to the user.
        DomainError: only an order is given and it has no customer.
    """
    order = None
    if order_ref is not None:
        order = intake_order_get_for_user(user=user, source=order_ref[0], external_id=order_ref[1])
    if customer_id is not None or customer_ref is not None:
        source, external_id = customer_ref or ("", "")
        customer = intake_customer_get_for_user(
            user=user, customer_id=customer_id, source=source, external_id=external_id
        )
        return customer, order
    if order is None or order.customer is None:
        raise DomainError(
            gettext("Say who the ticket is for: a customer, or an order that has a customer."),
            code=TicketsErrorCode.INVALID_ORDER,
        )
    return order.customer, order


def assignee_get(*, user_id: int) -> User:
    """An active staff login that a ticket may be given to, or NotFound."""
    assignee = User.objects.filter(pk=user_id, is_active=True, customer__isnull=True).first()
    if assignee is None:
        raise NotFound(gettext("User %(id)d not found.") % {"id": user_id})
    return assignee
