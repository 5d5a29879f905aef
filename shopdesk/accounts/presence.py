"""Agent presence: the explicit online/away switch and the heartbeat of an open console
(the console page posts to accounts:heartbeat every HEARTBEAT_SECONDS with htmx).

Routing gives new tickets only to agents who are switched online AND were seen in the last
minutes (a closed laptop stops receiving tickets without anyone switching off).
"""

from datetime import datetime

from django.utils import timezone

from shopdesk.accounts.models import AgentProfile, User

# The console page posts a heartbeat this often while it is open.
HEARTBEAT_SECONDS = 60


def agent_presence_set(*, user: User, online: bool, now: datetime | None = None) -> bool:
    """Switch the agent online or away; returns False when the user has no agent profile."""
    now = now or timezone.now()
    updated = AgentProfile.objects.filter(user_id=user.pk).update(
        is_online=online, last_seen_at=now
    )
    return updated == 1


def agent_presence_touch(*, user: User, now: datetime | None = None) -> None:
    """Record that the agent is at the console now (does not switch them online)."""
    AgentProfile.objects.filter(user_id=user.pk).update(last_seen_at=now or timezone.now())


def agent_presence_get(*, user: User) -> bool | None:
    """True online, False away, None when the user is not an agent (one query)."""
    return AgentProfile.objects.filter(user_id=user.pk).values_list("is_online", flat=True).first()
