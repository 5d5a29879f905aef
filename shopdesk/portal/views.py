"""Customer portal pages: sign in by code or signed link, my orders, one order.

A staff login is not a customer: the customer pages tell it so instead of showing anything.
"""

from typing import Any

from django.contrib.auth import login, logout
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shopdesk.accounts.models import Customer, User
from shopdesk.accounts.services import customer_login_user_get_or_create
from shopdesk.core.errors import DomainError, NotFound
from shopdesk.orders.selectors import order_timeline
from shopdesk.portal.selectors import (
    portal_customer_for_user,
    portal_order_get_for_user,
    portal_order_list_for_user,
)
from shopdesk.portal.services import login_code_send, login_code_verify, portal_link_verify

SESSION_CONTACT = "portal_contact"
_BACKEND = "django.contrib.auth.backends.ModelBackend"


class AuthedRequest(HttpRequest):
    user: User


def _not_customer(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/not_customer.html", status=403)


def _sign_in(request: HttpRequest, customer: Customer) -> HttpResponse:
    user = customer_login_user_get_or_create(customer=customer)
    login(request, user, backend=_BACKEND)
    request.session.pop(SESSION_CONTACT, None)
    return redirect("portal:orders")


def _gate(request: HttpRequest) -> HttpResponse | None:
    """A response for a visitor who may not use the sign-in pages now, else None."""
    if not request.user.is_authenticated:
        return None
    if portal_customer_for_user(user=request.user) is None:
        return _not_customer(request)
    return redirect("portal:orders")


@require_http_methods(["GET", "POST"])
def portal_login_view(request: HttpRequest) -> HttpResponse:
    if (gated := _gate(request)) is not None:
        return gated
    context: dict[str, Any] = {"contact": request.POST.get("contact", ""), "error": ""}
    if request.method == "POST":
        try:
            login_code_send(contact=context["contact"])
        except DomainError as exc:
            context["error"] = exc.message
        else:
            request.session[SESSION_CONTACT] = context["contact"].strip()
            return redirect("portal:code")
    return render(request, "portal/login.html", context)


@require_http_methods(["GET", "POST"])
def portal_code_view(request: HttpRequest) -> HttpResponse:
    if (gated := _gate(request)) is not None:
        return gated
    contact = request.session.get(SESSION_CONTACT, "")
    if not contact:
        return redirect("portal:login")
    context = {"contact": contact, "error": ""}
    if request.method == "POST":
        try:
            customer = login_code_verify(contact=contact, code=request.POST.get("code", ""))
        except DomainError as exc:
            context["error"] = exc.message
        else:
            return _sign_in(request, customer)
    return render(request, "portal/code.html", context)


@require_http_methods(["GET", "POST"])
def portal_link_view(request: HttpRequest) -> HttpResponse:
    """GET checks the link and asks to continue; POST signs in (no state change on GET, so a
    mail scanner that follows the link signs no one in)."""
    params = request.POST if request.method == "POST" else request.GET
    fields = {k: params.get(k, "") for k in ("source", "customer", "expires", "sig")}
    try:
        customer = portal_link_verify(
            source=fields["source"],
            external_id=fields["customer"],
            expires=fields["expires"],
            signature=fields["sig"],
        )
    except DomainError as exc:
        return render(request, "portal/link_error.html", {"error": exc.message}, status=400)
    if request.user.is_authenticated and portal_customer_for_user(user=request.user) is None:
        return _not_customer(request)
    if request.method == "POST":
        return _sign_in(request, customer)
    return render(request, "portal/link_confirm.html", {"fields": fields})


def _customer_or_response(request: HttpRequest) -> Customer | HttpResponse:
    if not request.user.is_authenticated:
        return redirect("portal:login")
    customer = portal_customer_for_user(user=request.user)
    return customer if customer is not None else _not_customer(request)


@require_GET
def portal_orders_view(request: AuthedRequest) -> HttpResponse:
    customer = _customer_or_response(request)
    if isinstance(customer, HttpResponse):
        return customer
    orders = portal_order_list_for_user(user=request.user, customer=customer)
    return render(request, "portal/orders.html", {"customer": customer, "orders": orders})


@require_GET
def portal_order_view(request: AuthedRequest, order_id: int) -> HttpResponse:
    customer = _customer_or_response(request)
    if isinstance(customer, HttpResponse):
        return customer
    try:
        order = portal_order_get_for_user(user=request.user, customer=customer, order_id=order_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    context = {
        "customer": customer,
        "order": order,
        "items": list(order.items.all()),
        "shipments": list(order.shipments.all()),
        "timeline": order_timeline(order=order),
    }
    return render(request, "portal/order.html", context)


@require_POST
def portal_logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("portal:login")
