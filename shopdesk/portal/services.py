"""Customer sign-in without a password: a one-time code by SMS or e-mail, or a signed link
from the shop's own site (format in docs/users/portal.md)."""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shopdesk.accounts.models import Customer
from shopdesk.core import crypto
from shopdesk.core.errors import DomainError
from shopdesk.notifications.models import Notification
from shopdesk.notifications.services import notification_deliver, notification_enqueue
from shopdesk.portal.errors import PortalErrorCode
from shopdesk.portal.models import LoginCode

MAX_CODES_PER_HOUR: Final = 5
MAX_ATTEMPTS: Final = 5
_EMAIL: Final = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class Contact:
    channel: str  # Notification.Channel.SMS or .EMAIL
    value: str  # normalised
    hash: str


def contact_parse(*, contact: str) -> Contact:
    """A phone number or e-mail address as typed, normalised and hashed like Customer's.

    Raises: DomainError `contact_invalid`.
    """
    raw = contact.strip()
    if "@" in raw:
        value = crypto.normalise_text(raw)
        if _EMAIL.fullmatch(value):
            return Contact(Notification.Channel.EMAIL, value, crypto.lookup_hash(value))
    else:
        value = crypto.normalise_phone(raw)
        if 5 <= len(value) <= 15:
            return Contact(Notification.Channel.SMS, value, crypto.lookup_hash(value))
    raise DomainError(
        _("Enter the phone number or e-mail address of one of your orders."),
        code=PortalErrorCode.CONTACT_INVALID,
    )


def code_ttl() -> timedelta:
    return timedelta(seconds=getattr(settings, "SHOPDESK_PORTAL_CODE_TTL_SECONDS", 600))


def _code_hash(contact_hash: str, code: str) -> str:
    # Keyed: a six-digit code would fall to a plain hash in a second.
    return crypto.lookup_hash(f"portal-login-code:{contact_hash}:{code}")


def _customer_for_contact(contact: Contact) -> Customer | None:
    """The customer with this phone or e-mail whose latest order is newest; without orders,
    one with tickets (someone who wrote by e-mail or chat follows their tickets here too).
    Contacts with neither get the same answer as unknown ones."""
    column = "phone_hash" if contact.channel == Notification.Channel.SMS else "email_hash"
    # The exclude spells out the partial index's condition for SQLite's planner.
    same = Customer.objects.filter(**{column: contact.hash}).exclude(**{column: ""})
    with_orders = (
        same.filter(orders__isnull=False)
        .order_by(F("orders__placed_at").desc(nulls_last=True), "-id")
        .first()
    )
    if with_orders is not None:
        return with_orders
    return same.filter(tickets__isnull=False).order_by("-updated_at", "-id").first()


def _code_send_message(customer: Customer, contact: Contact, code: str, pk: int) -> None:
    minutes = int(code_ttl().total_seconds() // 60)
    with translation.override(customer.language):
        subject = _("Your sign-in code")
        body = _(
            "Your sign-in code is %(code)s. It is valid for %(minutes)d minutes. "
            "Never tell it to anyone, not even our staff."
        ) % {"code": code, "minutes": minutes}
    notification = notification_enqueue(
        channel=contact.channel,
        subject=subject,
        body=body,
        to=contact.value,
        language=customer.language,
        ref=f"customer:{customer.pk}",
        dedupe_key=f"portal:login-code:{pk}",
        is_sensitive=True,
    )
    # Sent now, not by the next worker run: the customer is waiting on the page.
    notification_deliver(notification=notification)


def login_code_send(*, contact: str, now: datetime | None = None) -> None:
    """Send a six-digit code to a phone or e-mail of a customer with orders; the answer is the
    same for an unknown contact. At most MAX_CODES_PER_HOUR per contact.

    Raises: DomainError `contact_invalid`, `too_many_codes`.
    """
    parsed = contact_parse(contact=contact)
    now = now or timezone.now()
    with transaction.atomic():
        recent = LoginCode.objects.filter(
            contact_hash=parsed.hash, created_at__gt=now - timedelta(hours=1)
        ).count()
        if recent >= MAX_CODES_PER_HOUR:
            raise DomainError(
                _("Too many codes were asked for. Please try again in an hour."),
                code=PortalErrorCode.TOO_MANY_CODES,
            )
        customer = _customer_for_contact(parsed)
        code = f"{secrets.randbelow(10**6):06d}"
        login = LoginCode.objects.create(
            contact_hash=parsed.hash,
            customer=customer,
            code_hash=_code_hash(parsed.hash, code),
            expires_at=now + code_ttl(),
            created_at=now,
        )
    if customer is not None:
        _code_send_message(customer, parsed, code, login.pk)


def _code_error(message: str, code: PortalErrorCode) -> DomainError:
    return DomainError(message, code=code)


def login_code_verify(*, contact: str, code: str, now: datetime | None = None) -> Customer:
    """The customer whose latest code for this contact is `code`; the code is then used up.
    Each try counts (at most MAX_ATTEMPTS per code), so guessing stays bounded under load.

    Raises: DomainError `contact_invalid`, `code_invalid`, `code_expired`, `too_many_attempts`.
    """
    parsed = contact_parse(contact=contact)
    now = now or timezone.now()
    invalid = _("This code is not right. Check the message and try again.")
    login = (
        LoginCode.objects.filter(contact_hash=parsed.hash)
        .select_related("customer")
        .order_by("-created_at", "-id")
        .first()
    )
    if login is None or login.customer is None:
        raise _code_error(invalid, PortalErrorCode.CODE_INVALID)
    if login.used_at is not None:
        raise _code_error(
            _("This code has already been used. Ask for a new one."), PortalErrorCode.CODE_INVALID
        )
    if login.expires_at <= now:
        raise _code_error(
            _("This code has expired. Ask for a new one."), PortalErrorCode.CODE_EXPIRED
        )
    too_many = _("Too many wrong codes. Ask for a new one.")
    open_code = LoginCode.objects.filter(pk=login.pk, used_at__isnull=True)
    if not open_code.filter(attempts__lt=MAX_ATTEMPTS).update(attempts=F("attempts") + 1):
        raise _code_error(too_many, PortalErrorCode.TOO_MANY_ATTEMPTS)
    if not hmac.compare_digest(_code_hash(parsed.hash, code.strip()), login.code_hash):
        if login.attempts + 1 >= MAX_ATTEMPTS:
            raise _code_error(too_many, PortalErrorCode.TOO_MANY_ATTEMPTS)
        raise _code_error(invalid, PortalErrorCode.CODE_INVALID)
    if not open_code.update(used_at=now):
        raise _code_error(invalid, PortalErrorCode.CODE_INVALID)
    return login.customer


def _link_key() -> bytes:
    key: str = getattr(settings, "SHOPDESK_PORTAL_LINK_KEY", "")
    if key:
        return key.encode()
    # Development fallback: only this server knows it, so a shop cannot make links with it.
    derived = hmac.new(settings.SECRET_KEY.encode(), b"shopdesk.portal.link", hashlib.sha256)
    return derived.hexdigest().encode()


def portal_link_signature(*, source: str, external_id: str, expires: int) -> str:
    """Hex HMAC-SHA256 over "source\\nexternal_id\\nexpires" with SHOPDESK_PORTAL_LINK_KEY."""
    message = f"{source}\n{external_id}\n{expires}".encode()
    return hmac.new(_link_key(), message, hashlib.sha256).hexdigest()


def portal_link_make(
    *, customer: Customer, ttl_seconds: int = 900, now: datetime | None = None
) -> str:
    """The portal path (with query) that signs this customer in until `ttl_seconds` from now."""
    expires = int((now or timezone.now()).timestamp()) + ttl_seconds
    query = {
        "source": customer.source,
        "customer": customer.external_id,
        "expires": expires,
        "sig": portal_link_signature(
            source=customer.source, external_id=customer.external_id, expires=expires
        ),
    }
    return f"{reverse('portal:link')}?{urlencode(query)}"


def portal_link_verify(
    *, source: str, external_id: str, expires: str, signature: str, now: datetime | None = None
) -> Customer:
    """The customer a signed link names, if the signature is right and it has not expired.

    Raises: DomainError `link_invalid`, `link_expired`.
    """
    invalid = DomainError(
        _("This sign-in link is not valid. Open it again from the shop, or sign in with a code."),
        code=PortalErrorCode.LINK_INVALID,
    )
    if not expires.isdigit() or len(expires) > 12:
        raise invalid
    expected = portal_link_signature(source=source, external_id=external_id, expires=int(expires))
    if not hmac.compare_digest(expected, signature.strip().lower()):
        raise invalid
    if int(expires) <= (now or timezone.now()).timestamp():
        raise DomainError(
            _(
                "This sign-in link has expired. "
                "Open it again from the shop, or sign in with a code."
            ),
            code=PortalErrorCode.LINK_EXPIRED,
        )
    customer = Customer.objects.filter(source=source, external_id=external_id).first()
    if customer is None:
        raise invalid
    return customer
