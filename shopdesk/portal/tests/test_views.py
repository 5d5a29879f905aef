import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from shopdesk.accounts.services import customer_login_user_get_or_create
from shopdesk.accounts.tests.factories import CustomerFactory, UserFactory
from shopdesk.notifications import backends
from shopdesk.orders.tests.factories import (
    LogisticsEventFactory,
    OrderFactory,
    OrderItemFactory,
    ShipmentFactory,
)
from shopdesk.portal.services import portal_link_make

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


def _customer_with_order():
    customer = CustomerFactory(phone=PHONE)
    order = OrderFactory(customer=customer, external_id="SD-MINE-1")
    return customer, order


def _signed_in(client, customer):
    client.force_login(customer_login_user_get_or_create(customer=customer))


def test_code_sign_in_flow(client):
    # given
    customer, _ = _customer_with_order()
    # when
    sent = client.post(reverse("portal:login"), {"contact": PHONE})
    code = re.search(r"\d{6}", backends.outbox[-1].body).group(0)
    verified = client.post(reverse("portal:code"), {"code": code})
    orders = client.get(reverse("portal:orders"))
    # then
    assert sent.status_code == 302
    assert sent["Location"] == reverse("portal:code")
    assert verified["Location"] == reverse("portal:orders")
    assert "SD-MINE-1" in orders.content.decode()
    customer.refresh_from_db()
    assert int(client.session["_auth_user_id"]) == customer.user_id


def test_unknown_contact_goes_to_the_code_page_too(client):
    # when
    response = client.post(reverse("portal:login"), {"contact": "13700000000"})
    # then
    assert response["Location"] == reverse("portal:code")
    assert backends.outbox == []


def test_wrong_code_shows_an_error_and_signs_nobody_in(client):
    # given
    _customer_with_order()
    client.post(reverse("portal:login"), {"contact": PHONE})
    right = re.search(r"\d{6}", backends.outbox[-1].body).group(0)
    wrong = "000000" if right != "000000" else "111111"
    # when
    response = client.post(reverse("portal:code"), {"code": wrong})
    # then
    assert response.status_code == 200
    assert "This code is not right" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_code_page_without_contact_goes_back_to_sign_in(client):
    # when
    response = client.get(reverse("portal:code"))
    # then
    assert response["Location"] == reverse("portal:login")


def test_orders_page_lists_only_own_orders(client, django_assert_num_queries):
    # given
    customer, order = _customer_with_order()
    OrderItemFactory(order=order, product__name="Blue kettle", quantity=2)
    OrderItemFactory.create_batch(3, order__customer=customer)
    OrderFactory(external_id="SD-OTHER-1")
    _signed_in(client, customer)
    # when
    # session, user, customer, 2 permission look-ups of order_scope_for_user, orders, items:
    # the same for any number of orders.
    with django_assert_num_queries(7):
        response = client.get(reverse("portal:orders"))
    # then
    body = response.content.decode()
    assert "SD-MINE-1" in body
    assert "Blue kettle × 2" in body
    assert "SD-OTHER-1" not in body


def test_order_page_shows_items_parcels_timeline_and_issue_hook(client):
    # given
    customer, order = _customer_with_order()
    OrderItemFactory(order=order, product__name="Blue kettle")
    shipment = ShipmentFactory(order=order, tracking_number="SF0000012345")
    LogisticsEventFactory(shipment=shipment, location="杭州转运中心")
    _signed_in(client, customer)
    # when
    response = client.get(reverse("portal:order", args=[order.pk]))
    # then
    body = response.content.decode()
    assert "Blue kettle" in body
    assert "SF0000012345" in body
    assert "杭州转运中心" in body
    assert 'class="order-issue-actions"' in body


def test_someone_elses_order_is_404(client):
    # given
    customer, _ = _customer_with_order()
    other = OrderFactory()
    _signed_in(client, customer)
    # when
    response = client.get(reverse("portal:order", args=[other.pk]))
    # then
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["portal:orders", "portal:login"])
def test_staff_user_is_told_the_portal_is_for_customers(client, name):
    # given
    client.force_login(UserFactory(is_staff=True))
    OrderFactory()
    # when
    response = client.get(reverse(name))
    # then
    assert response.status_code == 403
    assert "This page is for customers" in response.content.decode()


def test_anonymous_is_sent_to_sign_in(client):
    # given
    _, order = _customer_with_order()
    # when
    response = client.get(reverse("portal:order", args=[order.pk]))
    # then
    assert response["Location"] == reverse("portal:login")


def test_signed_link_asks_to_continue_then_signs_in(client):
    # given
    customer, _ = _customer_with_order()
    link = portal_link_make(customer=customer)
    # when
    shown = client.get(link)
    assert "_auth_user_id" not in client.session  # GET changes nothing
    query = dict(p.split("=", 1) for p in urlsplit(link).query.split("&"))
    signed_in = client.post(reverse("portal:link"), query)
    # then
    assert shown.status_code == 200
    assert signed_in["Location"] == reverse("portal:orders")
    customer.refresh_from_db()
    assert int(client.session["_auth_user_id"]) == customer.user_id


@pytest.mark.parametrize("kind", ["forged", "expired", "garbage"])
def test_bad_link_shows_a_clear_page(client, kind):
    # given
    customer, _ = _customer_with_order()
    now = timezone.now() - timedelta(hours=1) if kind == "expired" else None
    link = portal_link_make(customer=customer, now=now)
    if kind == "forged":
        link = link.replace(customer.external_id, "someone-else")
    if kind == "garbage":
        link = reverse("portal:link") + "?expires=x&sig=%00"
    # when
    response = client.get(link)
    # then
    assert response.status_code == 400
    assert "This link cannot sign you in" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_is_post_only(client):
    # given
    customer, _ = _customer_with_order()
    _signed_in(client, customer)
    # when
    get = client.get(reverse("portal:logout"))
    post = client.post(reverse("portal:logout"))
    # then
    assert get.status_code == 405
    assert post["Location"] == reverse("portal:login")
    assert "_auth_user_id" not in client.session
