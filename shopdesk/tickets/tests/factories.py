"""Factories for tickets and the routing data (teams, calendars, agent profiles).

Shared by every ticket test module: add to it, don't change what a factory builds by default.
"""

import factory
from django.utils import timezone

from shopdesk.accounts.models import AgentProfile, BusinessCalendar, Team
from shopdesk.accounts.roles import Role
from shopdesk.accounts.tests.factories import CustomerFactory, UserFactory
from shopdesk.tickets.models import Category, SlaPolicy, Ticket
from shopdesk.tickets.states import Channel, Party, Priority, TicketStatus


class CategoryFactory(factory.django.DjangoModelFactory):
    """The default categories exist from the data migration: an existing code is reused."""

    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = "other"
    name_zh = factory.LazyAttribute(lambda c: c.code)
    name_en = factory.LazyAttribute(lambda c: c.code)


class BusinessCalendarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessCalendar

    name = factory.Sequence(lambda n: f"Calendar {n}")
    is_24x7 = True
    uses_china_holidays = False


class TeamFactory(factory.django.DjangoModelFactory):
    """A 24x7 platform team unless told otherwise."""

    class Meta:
        model = Team

    code = factory.Sequence(lambda n: f"team-{n}")
    name = factory.Sequence(lambda n: f"Team {n}")
    calendar = factory.SubFactory(BusinessCalendarFactory)


class AgentProfileFactory(factory.django.DjangoModelFactory):
    """An online agent with no skill restriction, seen just now, with free capacity."""

    class Meta:
        model = AgentProfile

    user = factory.SubFactory(UserFactory, role=Role.AGENT)
    team = factory.SubFactory(TeamFactory)
    capacity = 20
    active_ticket_count = 0
    is_online = True
    last_seen_at = factory.LazyFunction(timezone.now)


class SlaPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SlaPolicy

    name = factory.Sequence(lambda n: f"Policy {n}")
    position = 1
    first_reply_minutes = 15
    next_reply_minutes = 60
    resolution_minutes = 1440


class TicketFactory(factory.django.DjangoModelFactory):
    """A new, platform-held, unassigned ticket without an order."""

    class Meta:
        model = Ticket

    channel = Channel.PORTAL
    category = factory.SubFactory(CategoryFactory)
    priority = Priority.NORMAL
    status = TicketStatus.NEW
    subject = factory.Sequence(lambda n: f"Problem {n}")
    language = "zh-hans"
    customer = factory.SubFactory(CustomerFactory)
    responsible_party = Party.PLATFORM
