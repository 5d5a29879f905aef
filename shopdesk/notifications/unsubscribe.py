"""Unsubscribing from notification e-mail: signed links and the suppression list.

The link carries only the keyed hash of the address, signed with SECRET_KEY, so it reveals
nothing and cannot be made for another address. It does not expire: RFC 8058 one-click
unsubscribe must keep working for as long as the mail sits in the customer's inbox.
"""

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse

from shopdesk.core import crypto
from shopdesk.notifications.models import EmailSuppression

_SALT = "shopdesk.notifications.unsubscribe"


def address_hash(address: str) -> str:
    return crypto.lookup_hash(crypto.normalise_text(address))


def unsubscribe_token(address: str) -> str:
    return signing.dumps(address_hash(address), salt=_SALT, compress=False)


def unsubscribe_hash_from(token: str) -> str | None:
    """The address hash a token was made for, None when it was altered or made up."""
    try:
        value = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, str) and len(value) == 64 else None


def unsubscribe_url(address: str) -> str:
    base = str(getattr(settings, "SHOPDESK_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")
    path = reverse("notifications:unsubscribe", args=[unsubscribe_token(address)])
    return f"{base}{path}"


def email_is_suppressed(address: str) -> bool:
    return EmailSuppression.objects.filter(address_hash=address_hash(address)).exists()


def email_suppress(*, hashed: str, reason: str = "unsubscribed") -> None:
    """Add an address (by its hash) to the suppression list; twice is the same as once."""
    try:
        with transaction.atomic():
            EmailSuppression.objects.get_or_create(address_hash=hashed, defaults={"reason": reason})
    except IntegrityError:
        pass  # the same click arrived twice at once: it is on the list


def email_resubscribe(*, hashed: str) -> None:
    EmailSuppression.objects.filter(address_hash=hashed).delete()
