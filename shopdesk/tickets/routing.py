"""Who should work on a ticket (DESIGN §1, §2): merchant hand-off, skills, presence, working
hours, load vs capacity, stickiness to the last agent, the VIP queue, urgent-first queues.

Read-only: `route_ticket()` decides; the ticket services apply the decision and record it.
It costs three queries whatever the number of agents or tickets: the ticket's facts (customer
tier, the last agent within STICKY_WINDOW through the (customer, created_at) index, category,
order total and product category) in one row, the available agents in one (the roster of
routable agents is cached a few seconds, see routing_roster), and the default team when nobody
is available. Load is `AgentProfile.active_ticket_count`, never a COUNT.
"""

import copy
import logging
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from fractions import Fraction
from typing import Final

from django.db.models import (
    Case,
    F,
    IntegerField,
    OrderBy,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext, ngettext

from shopdesk.accounts.models import AgentProfile, BusinessCalendar, Team, User
from shopdesk.core import business_time
from shopdesk.orders.models import OrderItem
from shopdesk.tickets.models import Ticket
from shopdesk.tickets.routing_facts import STICKY_WINDOW as STICKY_WINDOW
from shopdesk.tickets.routing_facts import TicketFacts, ticket_facts
from shopdesk.tickets.routing_roster import ROUTABLE_ROLES as ROUTABLE_ROLES
from shopdesk.tickets.routing_roster import Candidate, available_candidates
from shopdesk.tickets.sla_policies import working_calendar_of
from shopdesk.tickets.states import PRIORITY_RANK, Party, TicketStatus

logger = logging.getLogger(__name__)

# An agent counts as online while the flag is set and the last heartbeat is this recent: a
# browser closed without logging out stops receiving tickets after this long.
PRESENCE_TIMEOUT: Final = timedelta(minutes=10)
DEFAULT_TEAM_CODE: Final = "service"
QUEUE_STATUSES: Final = (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.REOPENED)  # waiting

# Urgent first, then the earliest SLA deadline (none last), then the oldest:
# `Ticket.objects.order_by(*URGENT_FIRST_ORDERING)`.
URGENT_FIRST_ORDERING: Final[tuple[OrderBy, ...]] = (
    Case(
        *(When(priority=priority, then=Value(rank)) for priority, rank in PRIORITY_RANK.items()),
        default=Value(len(PRIORITY_RANK)),
        output_field=IntegerField(),
    ).asc(),
    F("sla_due_at").asc(nulls_last=True),
    F("created_at").asc(),
    F("id").asc(),
)

CalendarOpen = Callable[[BusinessCalendar, datetime], bool]


class Rule(StrEnum):
    MERCHANT = "merchant"
    STICKY = "sticky"
    VIP = "vip"
    SKILLS = "skills"
    NO_AGENT = "no_agent"


@dataclass(frozen=True)
class RoutingDecision:
    assignee: User | None  # None: leave the ticket in the team's unassigned queue
    team: Team | None
    rule: str  # a Rule value
    reason: str  # one sentence for the timeline, in the active language


def calendar_is_open(calendar: BusinessCalendar, at: datetime) -> bool:
    """Whether the calendar's working hours include `at`, on the same conversion the SLA clocks
    use (cached per version of the row; a malformed calendar counts as 24x7 there too)."""
    return business_time.is_open(working_calendar_of(calendar), at)


def route_ticket(
    *,
    ticket: Ticket,
    now: datetime,
    exclude_user_ids: Collection[int] = (),
    calendar_open: CalendarOpen = calendar_is_open,
) -> RoutingDecision:
    """Who should hold the ticket now, and why. Reads only; the caller applies the decision.

    Merchant-held tickets go to the merchant's team. Platform-held ones go to an available
    agent (role agent or supervisor, online, team open, below capacity, skills matching): the
    customer's last agent within STICKY_WINDOW, else the least-loaded agent of a VIP team for a
    VIP, else the least-loaded agent; with nobody available, to the default team's queue.
    `exclude_user_ids` keeps agents out, e.g. the one who let the SLA lapse.
    """
    if ticket.responsible_party != Party.PLATFORM:
        return _merchant_decision(ticket)
    facts = ticket_facts(ticket=ticket, now=now)
    open_by_calendar: dict[int, bool] = {}

    def is_team_open(team: Team | None) -> bool:
        if team is None or team.calendar is None:
            return True
        if team.calendar.pk not in open_by_calendar:
            open_by_calendar[team.calendar.pk] = calendar_open(team.calendar, now)
        return open_by_calendar[team.calendar.pk]

    candidates = [
        candidate
        for candidate in available_candidates(
            online_since=now - PRESENCE_TIMEOUT, exclude_user_ids=exclude_user_ids
        )
        if skills_match(profile=candidate.profile, facts=facts)
        and is_team_open(candidate.profile.team)
    ]
    return _choose(candidates=candidates, facts=facts, now=now)


def _choose(*, candidates: list[Candidate], facts: TicketFacts, now: datetime) -> RoutingDecision:
    sticky = next((c for c in candidates if c.user_id == facts.last_agent_id), None)
    if sticky is not None and facts.last_served_at is not None:
        days = max((now - facts.last_served_at).days, 0)
        reason = ngettext(
            "Last served this customer %(days)d day ago (sticky routing); load %(load)s.",
            "Last served this customer %(days)d days ago (sticky routing); load %(load)s.",
            days,
        ) % {"days": days, "load": _load(sticky)}
        return _decision(sticky, Rule.STICKY, reason)
    if facts.is_vip:
        vip = [c for c in candidates if c.profile.team is not None and c.profile.team.is_vip_queue]
        if vip:
            chosen = _least_loaded(vip)
            reason = gettext(
                "High-value customer: least-loaded agent of the VIP queue; load %(load)s."
            ) % {"load": _load(chosen)}
            return _decision(chosen, Rule.VIP, reason)
    if candidates:
        chosen = _least_loaded(candidates)
        reason = gettext(
            "Least-loaded online agent with the skills for this ticket; load %(load)s."
        ) % {"load": _load(chosen)}
        return _decision(chosen, Rule.SKILLS, reason)
    return _no_agent_decision(is_vip=facts.is_vip)


def _decision(chosen: Candidate, rule: Rule, reason: str) -> RoutingDecision:
    """The decision with copies of the roster's user and team: the cached ones stay untouched,
    and the user's agent profile (whose load the roster does not keep) is read afresh if asked."""
    user = copy.copy(chosen.profile.user)
    user._state.fields_cache.pop("agent_profile", None)
    team = copy.copy(chosen.profile.team)
    return RoutingDecision(user, team, rule, reason)


def _load(candidate: Candidate) -> str:
    return f"{candidate.load}/{candidate.capacity}"


def _least_loaded(candidates: Iterable[Candidate]) -> Candidate:
    # Ties go to the lowest user id: stable, and no extra query for the last assignment time.
    return min(candidates, key=lambda c: (Fraction(c.load, c.capacity), c.user_id))


def _merchant_decision(ticket: Ticket) -> RoutingDecision:
    team = None
    if ticket.merchant_id is not None:
        team = Team.objects.filter(merchant_id=ticket.merchant_id).order_by("id").first()
    reason = (
        gettext("Held by the merchant: queued for the merchant's team %(team)s.")
        % {"team": team.name}
        if team is not None
        else gettext("Held by the merchant, who has no service team: the merchant's staff see it.")
    )
    return RoutingDecision(None, team, Rule.MERCHANT, reason)


def _no_agent_decision(*, is_vip: bool) -> RoutingDecision:
    teams = list(
        Team.objects.filter(
            Q(code=DEFAULT_TEAM_CODE) | Q(is_vip_queue=True, merchant__isnull=True)
        ).order_by("id")
    )
    default = next((t for t in teams if t.code == DEFAULT_TEAM_CODE), None)
    vip = next((t for t in teams if t.is_vip_queue), None)
    if is_vip and vip is not None:
        reason = gettext(
            "High-value customer, but no online agent with the skills and free capacity; "
            "waiting in the VIP queue."
        )
        return RoutingDecision(None, vip, Rule.NO_AGENT, reason)
    reason = gettext(
        "No online agent with the skills and free capacity; waiting in the unassigned queue."
    )
    return RoutingDecision(None, default, Rule.NO_AGENT, reason)


def _language_matches(language: str, skills: Iterable[str]) -> bool:
    language = language.lower()
    return any(language == s.lower() or language.startswith(f"{s.lower()}-") for s in skills)


def skills_match(*, profile: AgentProfile, facts: TicketFacts) -> bool:
    """Each skill list is empty (any) or names the ticket's value; an unknown value matches."""
    checks = (
        (profile.skill_categories, facts.category_code, None),
        (profile.skill_product_categories, facts.product_category, None),
        (profile.skill_merchant_ids, facts.merchant_id, None),
        (profile.skill_languages, facts.language, _language_matches),
    )
    for skills, value, matcher in checks:
        if not skills or value in (None, ""):
            continue
        if matcher is not None:
            if not matcher(str(value), skills):
                return False
        elif str(value) not in {str(s) for s in skills}:
            return False
    return True


def unassigned_queue() -> QuerySet[Ticket]:
    """Platform-held tickets waiting for an agent, urgent first, then earliest SLA due."""
    return Ticket.objects.filter(
        status__in=QUEUE_STATUSES, responsible_party=Party.PLATFORM, assignee__isnull=True
    ).order_by(*URGENT_FIRST_ORDERING)


def _skills_filter(profile: AgentProfile) -> Q:
    """`skills_match` as a filter on tickets annotated with `routing_product_category`."""
    condition = Q()
    if profile.skill_categories:
        condition &= Q(category__code__in=[str(c) for c in profile.skill_categories])
    if profile.skill_languages:
        by_language = Q()
        for language in profile.skill_languages:
            by_language |= Q(language__iexact=language) | Q(language__istartswith=f"{language}-")
        condition &= by_language
    if profile.skill_merchant_ids:
        ids = [int(m) for m in profile.skill_merchant_ids if str(m).isdigit()]
        condition &= Q(merchant_id__in=ids) | Q(merchant__isnull=True)
    if profile.skill_product_categories:
        condition &= (
            Q(routing_product_category__in=[str(c) for c in profile.skill_product_categories])
            | Q(routing_product_category__isnull=True)
            | Q(routing_product_category="")
        )
    return condition


def _with_product_category(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    item = OrderItem.objects.filter(pk=OuterRef("order_item_id"))
    first_item = OrderItem.objects.filter(order_id=OuterRef("order_id")).order_by("line_no")
    return tickets.annotate(
        routing_product_category=Coalesce(
            Subquery(item.values("product__category")[:1]),
            Subquery(first_item.values("product__category")[:1]),
        )
    )


def next_ticket_for_agent(
    *, agent: User, now: datetime, calendar_open: CalendarOpen = calendar_is_open
) -> Ticket | None:
    """The unassigned ticket the agent should take next under their skills: urgent first, then
    the earliest SLA deadline. None without an agent profile, at capacity, or while the agent's
    team is closed. Two queries; reads only."""
    profile = AgentProfile.objects.select_related("team__calendar").filter(user=agent).first()
    if profile is None or profile.active_ticket_count >= profile.capacity:
        return None
    calendar = profile.team.calendar if profile.team is not None else None
    if calendar is not None and not calendar_open(calendar, now):
        return None
    tickets = unassigned_queue()
    if profile.skill_product_categories:
        tickets = _with_product_category(tickets)
    return tickets.filter(_skills_filter(profile)).first()
