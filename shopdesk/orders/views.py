"""Order pages: the multi-condition search, the order page, and the audited contact reveal.

Each handler checks the role permission, loads through a scoped selector and renders a page or,
for htmx requests, one partial of it. Every page also works without JavaScript.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.middleware import HtmxDetails

from shopdesk.accounts.models import Customer, User
from shopdesk.accounts.permissions import Perm
from shopdesk.accounts.services import CustomerContact, customer_pii_reveal
from shopdesk.core.errors import NotFound
from shopdesk.core.pagination import InvalidCursor, Page
from shopdesk.orders.forms import OrderSearchForm
from shopdesk.orders.models import Order
from shopdesk.orders.selectors import (
    order_get_for_user,
    order_is_late,
    order_page_for_user,
    order_timeline,
)

PAGE_SIZE: Final = 50
# Logistics events that need an agent's attention are drawn in red on the timeline.
_EXCEPTION_KINDS: Final = frozenset({"logistics:exception", "logistics:returned"})


class AuthedRequest(HttpRequest):
    user: User
    htmx: HtmxDetails


@dataclass(frozen=True)
class OrderRow:
    order: Order
    is_late: bool


def _can_view_orders(user: User) -> bool:
    """Staff with `orders.view_order`, or a customer login (scoped to its own orders)."""
    return user.has_perm(Perm.VIEW_ORDER) or Customer.objects.filter(user=user).exists()


def _search_page(request: AuthedRequest, form: OrderSearchForm) -> tuple[Page[Order], str]:
    """One page of results, and a notice when the cursor was unusable (first page instead)."""
    args: dict[str, Any] = {
        "user": request.user,
        "filters": form.to_filter(),
        "sort": form.sort_key,
        "limit": PAGE_SIZE,
    }
    try:
        return order_page_for_user(cursor=request.GET.get("cursor") or None, **args), ""
    except InvalidCursor:
        notice = _("That “next page” link is no longer valid: showing the first page again.")
        return order_page_for_user(cursor=None, **args), notice


def _url_with_cursor(request: AuthedRequest, cursor: str | None) -> str:
    """The current search's URL on another page (`None`: the first page)."""
    query = request.GET.copy()
    query.pop("cursor", None)
    if cursor:
        query["cursor"] = cursor
    return f"{request.path}?{query.urlencode()}"


@require_GET
@login_required
def order_search_view(request: AuthedRequest) -> HttpResponse:
    if not _can_view_orders(request.user):
        raise PermissionDenied
    form = OrderSearchForm(request.GET, user=request.user)
    context: dict[str, Any] = {"form": form, "rows": [], "next_url": "", "notice": ""}
    if form.is_valid():
        page, context["notice"] = _search_page(request, form)
        now = timezone.now()
        context["rows"] = [OrderRow(o, order_is_late(order=o, now=now)) for o in page.items]
        if page.next_cursor:
            context["next_url"] = _url_with_cursor(request, page.next_cursor)
    context["is_next_page"] = "cursor" in request.GET
    context["first_url"] = _url_with_cursor(request, None)
    template = "orders/search.html"
    if request.htmx and context["is_next_page"] and form.is_valid():
        template += "#rows"
    return render(request, template, context)


def _visible_order(request: AuthedRequest, order_id: int) -> Order:
    try:
        return order_get_for_user(user=request.user, order_id=order_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _detail_context(
    request: AuthedRequest, order: Order, contact: CustomerContact | None = None
) -> dict[str, Any]:
    items = list(order.items.all())
    timeline = order_timeline(order=order)
    return {
        "order": order,
        "items": items,
        "shipments": list(order.shipments.all()),
        "timeline": timeline,
        "exception_kinds": _EXCEPTION_KINDS,
        "has_exception": any(e.kind in _EXCEPTION_KINDS for e in timeline),
        "goods_amount": sum((i.unit_price * i.quantity for i in items), Decimal("0.00")),
        "freight_amount": sum((i.freight for i in items), Decimal("0.00")),
        "is_late": order_is_late(order=order, now=timezone.now()),
        "can_reveal": request.user.has_perm(Perm.VIEW_CUSTOMER_PII),
        "contact": contact,
    }


@require_GET
@login_required
def order_detail_view(request: AuthedRequest, order_id: int) -> HttpResponse:
    if not _can_view_orders(request.user):
        raise PermissionDenied
    order = _visible_order(request, order_id)
    return render(request, "orders/detail.html", _detail_context(request, order))


@require_POST
@login_required
def customer_pii_reveal_view(request: AuthedRequest, order_id: int) -> HttpResponse:
    """Show the unmasked contact of the order's customer; every reveal is audited."""
    if not request.user.has_perm(Perm.VIEW_CUSTOMER_PII):
        raise PermissionDenied
    order = _visible_order(request, order_id)
    if order.customer is None:
        raise Http404(_("This order has no customer."))
    contact = customer_pii_reveal(
        customer=order.customer, actor=request.user, reason=f"order:{order.external_id}"
    )
    context = _detail_context(request, order, contact)
    template = "orders/detail.html#contact" if request.htmx else "orders/detail.html"
    return render(request, template, context)
