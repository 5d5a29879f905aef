"""Writes for merchants and customers, and the audited reveal of personal data."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction

from shopdesk.accounts.models import Customer, Merchant, User
from shopdesk.audit.models import AuditEvent
from shopdesk.audit.services import audit_record
from shopdesk.core import crypto


@dataclass(frozen=True)
class CustomerContact:
    name: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""


def customer_contact_columns(contact: CustomerContact) -> dict[str, str]:
    """The encrypted and hashed column values for a customer's contact data."""
    return {
        "name_enc": crypto.encrypt_str(contact.name.strip()),
        "phone_enc": crypto.encrypt_str(contact.phone.strip()),
        "email_enc": crypto.encrypt_str(contact.email.strip()),
        "address_enc": crypto.encrypt_str(contact.address.strip()),
        **customer_contact_hashes(contact),
    }


def merchant_upsert(*, source: str, external_id: str, name: str, city: str = "") -> Merchant:
    """Create or update a merchant identified by (source, external_id); unchanged rows stay as
    they are."""
    wanted = {"name": name or external_id, "city": city}
    merchant, created = Merchant.objects.get_or_create(
        source=source, external_id=external_id, defaults=wanted
    )
    changed = [k for k, v in wanted.items() if getattr(merchant, k) != v]
    if not created and changed:
        for key in changed:
            setattr(merchant, key, wanted[key])
        merchant.save(update_fields=[*changed, "updated_at"])
    return merchant


def _contact_differs(customer: Customer, contact: CustomerContact) -> bool:
    # Ciphertexts differ on every encryption (random IV), so compare hashes and clear text.
    hashes = customer_contact_hashes(contact)
    if any(getattr(customer, k) != v for k, v in hashes.items()):
        return True
    return crypto.decrypt_str(customer.address_enc) != contact.address.strip()


def customer_contact_hashes(contact: CustomerContact) -> dict[str, str]:
    return {
        "name_hash": crypto.lookup_hash(crypto.normalise_text(contact.name)),
        "phone_hash": crypto.lookup_hash(crypto.normalise_phone(contact.phone)),
        "email_hash": crypto.lookup_hash(crypto.normalise_text(contact.email)),
    }


def customer_upsert(
    *,
    source: str,
    external_id: str,
    contact: CustomerContact,
    tier: str = Customer.Tier.REGULAR,
    language: str = "zh-hans",
    city: str = "",
    region: str = "",
) -> Customer:
    """Create or update a customer; contact data is encrypted before it reaches the database,
    and an identical upsert writes nothing."""
    plain: dict[str, str] = {"tier": tier, "language": language, "city": city, "region": region}
    customer = Customer.objects.filter(source=source, external_id=external_id).first()
    if customer is None:
        customer, created = Customer.objects.get_or_create(
            source=source,
            external_id=external_id,
            defaults={**plain, **customer_contact_columns(contact)},
        )
        if created:
            return customer
    changed: dict[str, str] = {k: v for k, v in plain.items() if getattr(customer, k) != v}
    if _contact_differs(customer, contact):
        changed.update(customer_contact_columns(contact))
    if changed:
        for key, value in changed.items():
            setattr(customer, key, value)
        customer.save(update_fields=[*changed, "updated_at"])
    return customer


def customer_first_contact(
    *, source: str, external_id: str, contact: CustomerContact, language: str = "zh-hans"
) -> Customer:
    """A customer met for the first time (an e-mail or chat from an unknown address): one
    insert; when another process made the same (source, external_id) a moment ago, that one."""
    try:
        with transaction.atomic():
            return Customer.objects.create(
                source=source,
                external_id=external_id,
                language=language,
                **customer_contact_columns(contact),
            )
    except IntegrityError:
        return Customer.objects.get(source=source, external_id=external_id)


def customer_pii_reveal(
    *, customer: Customer, actor: AbstractBaseUser | AnonymousUser, reason: str = ""
) -> CustomerContact:
    """Decrypt a customer's contact data and write the view to the audit trail.

    The caller has checked the `accounts.view_customer_pii` permission.
    """
    audit_record(
        actor=actor,
        action=AuditEvent.Action.PII_VIEWED,
        object_type="accounts.customer",
        object_id=customer.pk,
        data={"fields": ["name", "phone", "email", "address"], "reason": reason},
    )
    return CustomerContact(
        name=crypto.decrypt_str(customer.name_enc),
        phone=crypto.decrypt_str(customer.phone_enc),
        email=crypto.decrypt_str(customer.email_enc),
        address=crypto.decrypt_str(customer.address_enc),
    )


def customer_login_user_get_or_create(*, customer: Customer) -> User:
    """The customer's own login (no password: the portal signs it in by code or signed link),
    created on first use. The customer row is locked so two first sign-ins make one user."""
    with transaction.atomic():
        locked = (
            Customer.objects.select_for_update(of=("self",))
            .select_related("user")
            .get(pk=customer.pk)
        )
        if locked.user is not None:
            return locked.user
        user = User(username=f"customer-{locked.pk}", language=locked.language)
        user.set_unusable_password()
        user.save()
        locked.user = user
        locked.save(update_fields=["user", "updated_at"])
    customer.user = user
    return user
