"""The people of the tickets benchmark, made once and reused: a 24x7 calendar, four teams with
a supervisor each, agents with profiles, merchants, customers with one order each, and the
integration login that opens tickets through the API.

Every row is marked so `--reset` can remove exactly the benchmark's own data: merchants,
customers and orders have source "bench", logins start with "bench-", teams with "bench-".
"""

import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Final

from django.contrib.auth.models import Group
from django.utils import timezone

from shopdesk.accounts.models import AgentProfile, BusinessCalendar, Customer, Merchant, Team, User
from shopdesk.accounts.roles import Role, roles_sync
from shopdesk.core import crypto
from shopdesk.orders.models import Order
from shopdesk.orders.states import OrderStatus

BENCH: Final = "bench"
USER_PREFIX: Final = "bench-"
CALENDAR_NAME: Final = "Bench 24x7"
TEAMS: Final = 4
MERCHANTS: Final = 50
API_USERNAME: Final = "bench-api"
# Routing skips agents at capacity. A million seeded tickets leave ~2,000 active ones per agent,
# far above any real desk; the bench raises capacity so API creates still exercise assignment.
CAPACITY: Final = 5000
TIERS: Final[tuple[str, ...]] = (
    Customer.Tier.REGULAR,
    Customer.Tier.SILVER,
    Customer.Tier.GOLD,
    Customer.Tier.VIP,
)
TIER_WEIGHTS: Final = (80, 10, 6, 4)
SURNAMES: Final = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN: Final = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华"


@dataclass(frozen=True)
class BenchCustomer:
    pk: int
    tier: str
    language: str
    order_id: int
    order_external_id: str
    merchant_id: int


@dataclass(frozen=True)
class BenchPeople:
    agent_ids: list[int]
    agent_team: dict[int, int]  # agent user id -> team id
    supervisor_ids: list[int]
    teams: dict[int, Team]
    merchant_ids: list[int]
    customers: list[BenchCustomer]
    service_team_id: int | None
    api_user: User


def bench_people(*, agents: int, customers: int, seed: int) -> BenchPeople:
    """Create (or find) everyone the benchmark needs; idempotent."""
    roles_sync()
    calendar, _ = BusinessCalendar.objects.get_or_create(
        name=CALENDAR_NAME, defaults={"is_24x7": True, "uses_china_holidays": False}
    )
    teams: dict[int, Team] = {}
    supervisor_ids = []
    for n in range(1, TEAMS + 1):
        supervisor = _login(f"{USER_PREFIX}supervisor-{n}", Role.SUPERVISOR)
        team, _ = Team.objects.update_or_create(
            code=f"{USER_PREFIX}team-{n}",
            defaults={"name": f"Bench team {n}", "calendar": calendar, "supervisor": supervisor},
        )
        teams[team.pk] = team
        supervisor_ids.append(supervisor.pk)
    agent_team = _agents(count=agents, team_ids=sorted(teams))
    api_user = _login(API_USERNAME, Role.AGENT)
    merchant_ids = _merchants()
    service = Team.objects.filter(code="service").values_list("pk", flat=True).first()
    return BenchPeople(
        agent_ids=sorted(agent_team),
        agent_team=agent_team,
        supervisor_ids=supervisor_ids,
        teams=teams,
        merchant_ids=merchant_ids,
        customers=_customers(count=customers, merchant_ids=merchant_ids, seed=seed),
        service_team_id=service,
        api_user=api_user,
    )


def _login(username: str, role: Role) -> User:
    user, created = User.objects.get_or_create(username=username, defaults={"is_staff": True})
    if created:
        user.set_unusable_password()  # the bench signs in by session and token only
        user.save(update_fields=["password"])
    user.groups.add(Group.objects.get(name=role))
    return user


def _agents(*, count: int, team_ids: list[int]) -> dict[int, int]:
    agent_team = {}
    for n in range(1, count + 1):
        user = _login(f"{USER_PREFIX}agent-{n:03d}", Role.AGENT)
        team_id = team_ids[(n - 1) % len(team_ids)]
        AgentProfile.objects.update_or_create(
            user=user,
            defaults={"team_id": team_id, "capacity": CAPACITY, "skill_languages": []},
        )
        agent_team[user.pk] = team_id
    return agent_team


def _merchants() -> list[int]:
    Merchant.objects.bulk_create(
        [
            Merchant(source=BENCH, external_id=f"m{n:03d}", name=f"Bench shop {n}")
            for n in range(1, MERCHANTS + 1)
        ],
        ignore_conflicts=True,
    )
    return list(Merchant.objects.filter(source=BENCH).order_by("pk").values_list("pk", flat=True))


def _customers(*, count: int, merchant_ids: list[int], seed: int) -> list[BenchCustomer]:
    """`count` customers with one delivered order each (made once, then read back)."""
    have = Customer.objects.filter(source=BENCH).count()
    if have < count:
        rng = random.Random(seed)  # noqa: S311 - test data, not security
        Customer.objects.bulk_create(
            [
                Customer(
                    source=BENCH,
                    external_id=f"c{n:06d}",
                    tier=rng.choices(TIERS, TIER_WEIGHTS)[0],
                    language="en" if rng.random() < 0.1 else "zh-hans",
                    name_enc=crypto.encrypt_str(rng.choice(SURNAMES) + rng.choice(GIVEN)),
                    city="上海",
                )
                for n in range(have + 1, count + 1)
            ],
            batch_size=1000,
            ignore_conflicts=True,
        )
    rows = list(
        Customer.objects.filter(source=BENCH)
        .order_by("pk")
        .values_list("pk", "tier", "language")[:count]
    )
    _orders(rows=rows, merchant_ids=merchant_ids, seed=seed)
    orders = {
        customer_id: (pk, external_id, merchant_id)
        for pk, external_id, merchant_id, customer_id in Order.objects.filter(
            source=BENCH
        ).values_list("pk", "external_id", "merchant_id", "customer_id")
    }
    return [
        BenchCustomer(pk, tier, language, *orders[pk][:2], merchant_id=orders[pk][2])
        for pk, tier, language in rows
    ]


def _orders(*, rows: list[tuple[int, str, str]], merchant_ids: list[int], seed: int) -> None:
    rng = random.Random(seed + 1)  # noqa: S311 - test data, not security
    now = timezone.now()
    Order.objects.bulk_create(
        [
            Order(
                source=BENCH,
                external_id=f"BENCH-{pk:09d}",
                status=OrderStatus.DELIVERED,
                customer_id=pk,
                merchant_id=rng.choice(merchant_ids),
                total_amount=Decimal(rng.randint(1_000, 300_000)) / 100,
                placed_at=now - timedelta(days=rng.uniform(20, 400)),
            )
            for pk, _tier, _language in rows
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
