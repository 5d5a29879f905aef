"""The agents routing may choose from, without reloading them on every ticket.

Who is routable (an active agent or supervisor of a platform team or of none), with skills, team
and calendar, changes when someone edits it; presence and load change all the time. So the
roster is read at most once every `SHOPDESK_ROUTING_CACHE_SECONDS` (2 by default, 0 in tests) per
process, and every routing reads only the volatile columns of the available agents, in one small
query: routing then costs one query for the agents whatever the cache holds.
"""

import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from shopdesk.accounts.models import AgentProfile, User
from shopdesk.accounts.roles import Role

ROUTABLE_ROLES: Final = (Role.AGENT.value, Role.SUPERVISOR.value)
DEFAULT_CACHE_SECONDS: Final = 2.0


@dataclass(frozen=True)
class Candidate:
    """An available agent: the roster's profile (shared and read-only: skills, user, team with
    its calendar) and the load and capacity read just now."""

    profile: AgentProfile
    load: int
    capacity: int

    @property
    def user_id(self) -> int:
        return int(self.profile.user_id)


@dataclass(frozen=True)
class _Roster:
    expires: float
    profiles: Mapping[int, AgentProfile]  # by user id


_roster = _Roster(expires=0.0, profiles={})


def roster_cache_clear() -> None:
    """Forget the cached roster (after editing agents in a script or a test)."""
    global _roster  # one immutable snapshot, swapped whole: safe across threads
    _roster = _Roster(expires=0.0, profiles={})


def routable_profiles() -> QuerySet[AgentProfile]:
    """Active platform agents and supervisors, with user, team and calendar, by user id."""
    has_role = Exists(
        User.groups.through.objects.filter(
            user_id=OuterRef("user_id"), group__name__in=ROUTABLE_ROLES
        )
    )
    return (
        AgentProfile.objects.filter(
            has_role, Q(team__isnull=True) | Q(team__merchant__isnull=True), user__is_active=True
        )
        .select_related("user", "team__calendar")
        .order_by("user_id")
    )


def available_candidates(
    *, online_since: datetime, exclude_user_ids: Collection[int] = ()
) -> list[Candidate]:
    """Routable agents online (heartbeat since `online_since`) and below capacity, by user id.

    One query: the whole roster when the cache is stale (presence and load come with it), else
    only (user, load, capacity) of the agents online below capacity.
    """
    global _roster
    clock = time.monotonic()
    roster = _roster
    seconds = float(getattr(settings, "SHOPDESK_ROUTING_CACHE_SECONDS", DEFAULT_CACHE_SECONDS))
    if seconds > 0 and clock < roster.expires:
        volatile = list(
            AgentProfile.objects.filter(
                is_online=True,
                last_seen_at__gte=online_since,
                active_ticket_count__lt=F("capacity"),
                user__is_active=True,
            ).values_list("user_id", "active_ticket_count", "capacity")
        )
    else:
        fresh = list(routable_profiles())
        roster = _Roster(expires=clock + seconds, profiles={p.user_id: p for p in fresh})
        _roster = roster
        volatile = [
            (p.user_id, p.active_ticket_count, p.capacity)
            for p in fresh
            if p.is_online
            and p.last_seen_at is not None
            and p.last_seen_at >= online_since
            and p.active_ticket_count < p.capacity
        ]
    excluded = set(exclude_user_ids)
    candidates = [
        Candidate(profile=roster.profiles[user_id], load=load, capacity=capacity)
        for user_id, load, capacity in volatile
        if user_id in roster.profiles and user_id not in excluded
    ]
    return sorted(candidates, key=lambda c: c.user_id)
