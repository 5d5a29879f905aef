"""Demo logins: one staff user per role and a few customer logins, with printable passwords.

Passwords come from the seeded generator, so the same seed prints the same table. They are
for a local demo database only.
"""

import random
import secrets
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import transaction

from shopdesk.accounts.models import Customer, User
from shopdesk.accounts.roles import Role

CUSTOMER_ROLE = "customer"
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    merchant_id: int | None = None
    customer_id: int | None = None


def demo_password(rng: random.Random) -> str:
    return "-".join("".join(rng.choice(_ALPHABET) for _ in range(4)) for _ in range(3))


def demo_login_plan(
    *, rng: random.Random, merchant_ids: list[int], customer_ids: list[int]
) -> list[DemoLogin]:
    """Who gets a login: every role (merchant staff for the first merchants) and customers."""
    plan = []
    for role in Role:
        if role == Role.MERCHANT_STAFF:
            for n, merchant_id in enumerate(merchant_ids, 1):
                plan.append(
                    DemoLogin(f"demo-merchant{n}", demo_password(rng), role.value, merchant_id)
                )
        else:
            plan.append(
                DemoLogin(f"demo-{role.value.replace('_', '-')}", demo_password(rng), role.value)
            )
    for n, customer_id in enumerate(customer_ids, 1):
        plan.append(
            DemoLogin(
                f"demo-customer{n}",
                demo_password(rng),
                CUSTOMER_ROLE,
                customer_id=customer_id,
            )
        )
    return plan


def demo_logins_create(
    *, rng: random.Random, merchant_ids: list[int], customer_ids: list[int]
) -> list[DemoLogin]:
    """Create the users of `demo_login_plan`; role groups must exist (they do after migrate)."""
    plan = demo_login_plan(rng=rng, merchant_ids=merchant_ids, customer_ids=customer_ids)
    with transaction.atomic():
        for login in plan:
            user = User(
                username=login.username,
                merchant_id=login.merchant_id,
                # The quality manager sets questionnaires and surveys up in the admin too.
                is_staff=login.role in (Role.ADMIN, Role.QUALITY_MANAGER),
                is_superuser=login.role == Role.ADMIN,
            )
            user.set_password(login.password)
            user.save()
            if login.customer_id is not None:
                Customer.objects.filter(pk=login.customer_id).update(user=user)
            else:
                user.groups.add(Group.objects.get(name=login.role))
    return plan


def demo_logins_reset() -> list[DemoLogin]:
    """Give every existing demo login (user name `demo-*`) a fresh password and return them,
    so a second `make demo` can print working logins again."""
    logins = []
    with transaction.atomic():
        users = User.objects.filter(username__startswith="demo-").prefetch_related("groups")
        for user in users.order_by("id"):
            password = demo_password(random.Random(secrets.randbits(64)))
            user.set_password(password)
            user.save(update_fields=["password"])
            group = next(iter(user.groups.all()), None)
            role = group.name if group is not None else CUSTOMER_ROLE
            logins.append(DemoLogin(user.username, password, role, user.merchant_id))
    return logins
