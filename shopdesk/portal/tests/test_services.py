import hashlib
import hmac
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.utils import timezone

from shopdesk.accounts.services import customer_login_user_get_or_create
from shopdesk.accounts.tests.factories import CustomerFactory
from shopdesk.core.errors import DomainError
from shopdesk.notifications import backends
from shopdesk.notifications.models import Notification
from shopdesk.orders.tests.factories import OrderFactory
from shopdesk.portal.models import LoginCode
from shopdesk.portal.services import (
    login_code_send,
    login_code_verify,
    portal_link_make,
    portal_link_signature,
    portal_link_verify,
)
from shopdesk.tickets.services import TicketIntake, ticket_create
from shopdesk.tickets.states import Channel

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


def _customer_with_order(**kwargs):
    customer = CustomerFactory(phone=PHONE, email="li@example.com", **kwargs)
    OrderFactory(customer=customer)
    return customer


def _sent_code() -> str:
    return re.search(r"\b(\d{6})\b", backends.outbox[-1].body).group(1)


def test_send_texts_a_six_digit_code_and_stores_only_its_hash():
    # given
    customer = _customer_with_order()
    # when
    login_code_send(contact="+86 138-1234-5678")
    # then
    assert len(backends.outbox) == 1
    assert backends.outbox[0].to == PHONE
    code = _sent_code()
    login = LoginCode.objects.get()
    assert login.customer == customer
    assert code not in login.code_hash
    assert Notification.objects.get().body == "[redacted]"


def test_send_by_email_uses_the_mail_outbox():
    # given
    _customer_with_order()
    # when
    login_code_send(contact=" LI@Example.com ")
    # then
    assert mail.outbox[0].to == ["li@example.com"]
    assert re.search(r"\b\d{6}\b", mail.outbox[0].body)


def test_customer_who_only_wrote_by_email_can_sign_in_to_follow_the_ticket():
    # given: a customer met through the e-mail channel, no order
    customer = CustomerFactory(email="only.mail@example.com", phone="")
    intake = TicketIntake(
        channel=Channel.EMAIL, customer=customer, category_code="other", description="在吗"
    )
    ticket_create(intake=intake)
    # when
    login_code_send(contact="only.mail@example.com")
    # then
    assert mail.outbox[-1].to == ["only.mail@example.com"]
    assert LoginCode.objects.filter(customer__isnull=False).count() == 1


def test_unknown_contact_or_customer_without_orders_gets_same_answer_and_no_message():
    # given
    CustomerFactory(phone="13900000000")  # no order, no ticket
    # when
    login_code_send(contact="13900000000")
    login_code_send(contact="13700000000")
    # then: no error, nothing sent, a decoy row keeps the rate limit identical
    assert backends.outbox == []
    assert LoginCode.objects.filter(customer__isnull=True).count() == 2


@pytest.mark.parametrize("known", [True, False])
def test_sixth_code_in_an_hour_is_refused_for_known_and_unknown_contacts(known):
    # given
    if known:
        _customer_with_order()
    now = timezone.now()
    for i in range(5):
        login_code_send(contact=PHONE, now=now + timedelta(minutes=i))
    # when
    with pytest.raises(DomainError) as exc:
        login_code_send(contact=PHONE, now=now + timedelta(minutes=10))
    login_code_send(contact=PHONE, now=now + timedelta(minutes=61))
    # then
    assert exc.value.code == "too_many_codes"


def test_invalid_contact_is_refused():
    # when
    with pytest.raises(DomainError) as exc:
        login_code_send(contact="hello")
    # then
    assert exc.value.code == "contact_invalid"


def test_verify_right_code_returns_customer_once():
    # given
    customer = _customer_with_order()
    login_code_send(contact=PHONE)
    code = _sent_code()
    # when
    found = login_code_verify(contact=PHONE, code=code)
    # then
    assert found == customer
    with pytest.raises(DomainError) as exc:
        login_code_verify(contact=PHONE, code=code)
    assert exc.value.code == "code_invalid"


def test_verify_expired_code():
    # given
    _customer_with_order()
    now = timezone.now()
    login_code_send(contact=PHONE, now=now)
    # when
    with pytest.raises(DomainError) as exc:
        login_code_verify(contact=PHONE, code=_sent_code(), now=now + timedelta(minutes=10))
    # then
    assert exc.value.code == "code_expired"
    assert login_code_verify(
        contact=PHONE, code=_sent_code(), now=now + timedelta(minutes=9, seconds=59)
    )


def test_five_wrong_codes_kill_the_code():
    # given
    _customer_with_order()
    login_code_send(contact=PHONE)
    right = _sent_code()
    wrong = "000000" if right != "000000" else "111111"
    codes = []
    # when
    for _ in range(5):
        with pytest.raises(DomainError) as exc:
            login_code_verify(contact=PHONE, code=wrong)
        codes.append(exc.value.code)
    with pytest.raises(DomainError) as after:
        login_code_verify(contact=PHONE, code=right)
    # then
    assert codes == ["code_invalid"] * 4 + ["too_many_attempts"]
    assert after.value.code == "too_many_attempts"


def test_only_the_latest_code_counts():
    # given
    _customer_with_order()
    login_code_send(contact=PHONE)
    old = _sent_code()
    login_code_send(contact=PHONE)
    new = _sent_code()
    if old == new:
        pytest.skip("the two random codes happened to be equal")
    # when
    with pytest.raises(DomainError):
        login_code_verify(contact=PHONE, code=old)
    # then
    assert login_code_verify(contact=PHONE, code=new)


def test_verify_for_unknown_contact_is_code_invalid():
    # given
    login_code_send(contact="13700000000")
    # when
    with pytest.raises(DomainError) as exc:
        login_code_verify(contact="13700000000", code="123456")
    # then
    assert exc.value.code == "code_invalid"


def test_customer_login_user_is_created_once_without_password():
    # given
    customer = _customer_with_order()
    # when
    user = customer_login_user_get_or_create(customer=customer)
    again = customer_login_user_get_or_create(customer=customer)
    # then
    assert user == again
    assert not user.has_usable_password()
    customer.refresh_from_db()
    assert customer.user == user


def _link_params(link: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}


def test_signed_link_round_trip_and_documented_format(settings):
    # given
    settings.SHOPDESK_PORTAL_LINK_KEY = "shop-secret"
    customer = _customer_with_order(source="shop", external_id="U-42")
    now = timezone.now()
    # when
    link = portal_link_make(customer=customer, ttl_seconds=900, now=now)
    params = _link_params(link)
    # then
    assert link.startswith("/portal/link/?")
    assert params["expires"] == str(int(now.timestamp()) + 900)
    message = f"shop\nU-42\n{params['expires']}".encode()
    assert params["sig"] == hmac.new(b"shop-secret", message, hashlib.sha256).hexdigest()
    found = portal_link_verify(
        source="shop", external_id="U-42", expires=params["expires"], signature=params["sig"]
    )
    assert found == customer


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"external_id": "U-43"}, "link_invalid"),
        ({"signature": "0" * 64}, "link_invalid"),
        ({"expires": "abc"}, "link_invalid"),
        ({"now_offset": 901}, "link_expired"),
    ],
)
def test_forged_or_expired_link_is_refused(change, code):
    # given
    customer = _customer_with_order(source="shop", external_id="U-42")
    CustomerFactory(source="shop", external_id="U-43")
    now = timezone.now()
    params = _link_params(portal_link_make(customer=customer, now=now))
    args = {
        "source": "shop",
        "external_id": "U-42",
        "expires": params["expires"],
        "signature": params["sig"],
        "now": now + timedelta(seconds=change.pop("now_offset", 0)),
    }
    args.update(change)
    # when
    with pytest.raises(DomainError) as exc:
        portal_link_verify(**args)
    # then
    assert exc.value.code == code


def test_link_signature_falls_back_to_a_secret_key_derived_key(settings):
    # given
    settings.SHOPDESK_PORTAL_LINK_KEY = ""
    # when
    first = portal_link_signature(source="s", external_id="1", expires=1)
    settings.SECRET_KEY = "another"
    second = portal_link_signature(source="s", external_id="1", expires=1)
    # then
    assert first != second
