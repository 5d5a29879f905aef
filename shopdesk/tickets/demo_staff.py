"""The demo's service desk: six agents with skills, a supervisor over the platform teams, and
the staff and service team of the first two merchants (so hand-offs land somewhere)."""

import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from django.contrib.auth.models import Group
from django.db import transaction

from shopdesk.accounts.models import AgentProfile, BusinessCalendar, Merchant, Team, User
from shopdesk.accounts.roles import Role
from shopdesk.orders.demo.logins import DemoLogin, demo_password

BOTH: Final = ["zh-hans", "en"]
# user name, team code, languages, ticket categories (empty: any)
AGENTS: Final[tuple[tuple[str, str, list[str], list[str]], ...]] = (
    ("demo-agent", "service", BOTH, []),
    ("demo-agent2", "service", ["zh-hans"], ["logistics_delay", "damaged_in_transit"]),
    ("demo-agent3", "service", ["zh-hans"], ["return_refund", "payment", "price_promotion"]),
    ("demo-agent4", "service", BOTH, []),
    ("demo-agent5", "service", ["en"], []),
    ("demo-agent6", "vip", BOTH, []),
)
PLATFORM_TEAMS: Final = ("service", "vip", "supervisors")
MERCHANT_CALENDAR: Final = "商家工作日 Merchant workdays 09:00-18:00"


@dataclass
class DemoStaff:
    agents: list[User]
    languages: dict[int, list[str]]
    supervisor: User
    merchant_staff: dict[int, User] = field(default_factory=dict)
    complaints: int = 0

    def agent_for(self, rng: random.Random, language: str) -> User:
        able = [a for a in self.agents if language in self.languages[a.pk]]
        return rng.choice(able or self.agents)

    def by_id(self, user_id: int | None) -> User | None:
        return next((a for a in self.agents if a.pk == user_id), None)


def _user(
    rng: random.Random, username: str, role: Role, merchant_id: int | None = None
) -> tuple[User, DemoLogin | None]:
    """The existing login, or a new one with a printable password (drawn either way, so the
    random stream does not depend on what exists)."""
    password = demo_password(rng)
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user, None
    user = User(username=username, merchant_id=merchant_id)
    user.set_password(password)
    user.save()
    user.groups.add(Group.objects.get(name=role.value))
    return user, DemoLogin(username, password, role.value, merchant_id)


def demo_staff_setup(*, rng: random.Random, now: datetime) -> tuple[DemoStaff, list[DemoLogin]]:
    """Create (or reuse) the demo's agents, supervisor and merchant teams; agents are online
    as of `now`. Returns the staff and the logins created now."""
    logins: list[DemoLogin] = []
    with transaction.atomic():
        supervisor, login = _user(rng, "demo-supervisor", Role.SUPERVISOR)
        logins += [login] if login else []
        Team.objects.filter(code__in=PLATFORM_TEAMS).update(supervisor=supervisor)
        teams = {t.code: t for t in Team.objects.filter(code__in=PLATFORM_TEAMS)}
        staff = DemoStaff(agents=[], languages={}, supervisor=supervisor)
        for username, team_code, languages, categories in AGENTS:
            agent, login = _user(rng, username, Role.AGENT)
            logins += [login] if login else []
            AgentProfile.objects.update_or_create(
                user=agent,
                defaults={
                    "team": teams.get(team_code),
                    "skill_languages": languages,
                    "skill_categories": categories,
                    "capacity": 30,
                    "is_online": True,
                    "last_seen_at": now,
                },
            )
            staff.agents.append(agent)
            staff.languages[agent.pk] = languages
        logins += _merchant_teams(rng, staff)
    return staff, logins


def _merchant_teams(rng: random.Random, staff: DemoStaff) -> list[DemoLogin]:
    logins = []
    calendar = BusinessCalendar.objects.filter(name=MERCHANT_CALENDAR).first()
    for n, merchant in enumerate(Merchant.objects.order_by("id")[:2], 1):
        user, login = _user(rng, f"demo-merchant{n}", Role.MERCHANT_STAFF, merchant.pk)
        logins += [login] if login else []
        team, _ = Team.objects.get_or_create(
            code=f"merchant-{merchant.pk}",
            defaults={"name": f"{merchant.name} 客服", "merchant": merchant, "calendar": calendar},
        )
        AgentProfile.objects.update_or_create(user=user, defaults={"team": team})
        staff.merchant_staff[merchant.pk] = user
    return logins
