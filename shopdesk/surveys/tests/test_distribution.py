"""Triggers, sampling, the per-customer limit, sending, one reminder and expiry."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from shopdesk.accounts.tests.factories import CustomerFactory, UserFactory
from shopdesk.core import crypto
from shopdesk.notifications.models import Notification
from shopdesk.orders.tests.factories import OrderFactory, OrderItemFactory, ProductFactory
from shopdesk.surveys.models import Invitation, Response
from shopdesk.surveys.services.distribution import (
    survey_invite,
    surveys_distribute,
)
from shopdesk.surveys.services.links import invitation_get_by_token, invitation_open
from shopdesk.surveys.states import InvitationStatus, Trigger
from shopdesk.surveys.tests.factories import SurveyFactory
from shopdesk.tickets.states import TicketStatus
from shopdesk.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/surveys/a/([A-Za-z0-9_-]+)/")


def resolved_ticket(*, ago: timedelta, **kwargs):
    now = timezone.now()
    return TicketFactory(
        status=TicketStatus.RESOLVED, resolved_at=now - ago, status_changed_at=now - ago, **kwargs
    )


def csat_survey(**kwargs):
    kwargs.setdefault("trigger", Trigger.TICKET_RESOLVED)
    kwargs.setdefault("channels", ["email"])
    return SurveyFactory(**kwargs)


def test_a_resolved_ticket_gets_one_invitation_even_when_the_job_runs_twice():
    # given
    survey = csat_survey()
    ticket = resolved_ticket(ago=timedelta(hours=2))
    now = timezone.now()
    # when
    first = surveys_distribute(now=now)
    again = surveys_distribute(now=now)
    later = surveys_distribute(now=now + timedelta(hours=1))
    # then
    invitation = Invitation.objects.get(survey=survey)
    assert first["invited"] == 1
    assert again["invited"] == later["invited"] == 0
    assert invitation.ticket == ticket
    assert invitation.customer == ticket.customer
    assert invitation.status == InvitationStatus.SENT
    assert invitation.expires_at == now + timedelta(days=survey.link_days)


def test_the_delay_is_respected():
    # given
    survey = csat_survey(delay_days=1)
    resolved_ticket(ago=timedelta(hours=2))
    now = timezone.now()
    # when
    too_early = surveys_distribute(now=now)
    next_day = surveys_distribute(now=now + timedelta(days=1))
    # then
    assert too_early["invited"] == 0
    assert next_day["invited"] == 1
    assert Invitation.objects.filter(survey=survey).count() == 1


def test_the_segment_is_taken_from_the_ticket_the_order_and_the_customer():
    # given
    survey = csat_survey()
    agent = UserFactory()
    customer = CustomerFactory(tier="vip", region="", city="杭州")
    item = OrderItemFactory(
        order=OrderFactory(customer=customer), product=ProductFactory(category="手机")
    )
    ticket = resolved_ticket(
        ago=timedelta(hours=1),
        customer=customer,
        order=item.order,
        merchant=item.order.merchant,
        assignee=agent,
        channel="chat",
    )
    # when
    surveys_distribute()
    # then
    invitation = Invitation.objects.get(survey=survey, ticket=ticket)
    assert invitation.segment == {
        "channel": "chat",
        "merchant": item.order.merchant_id,
        "product_category": "手机",
        "customer_tier": "vip",
        "region": "杭州",
        "agent": agent.pk,
    }


def test_an_order_is_invited_n_days_after_delivery():
    # given
    survey = SurveyFactory(trigger=Trigger.ORDER_DELIVERED, delay_days=7, channels=["email"])
    now = timezone.now()
    due = OrderFactory(delivered_at=now - timedelta(days=7, hours=3))
    OrderFactory(delivered_at=now - timedelta(days=2))  # not yet
    # when
    counts = surveys_distribute(now=now)
    # then
    assert counts["invited"] == 1
    assert list(Invitation.objects.filter(survey=survey).values_list("order", flat=True)) == [
        due.pk
    ]


def test_a_periodic_round_invites_a_sample_of_active_customers_once_per_period():
    # given
    survey = SurveyFactory(
        trigger=Trigger.PERIODIC, period_days=90, sample_size=3, channels=["email"]
    )
    now = timezone.now()
    for _ in range(5):
        OrderFactory(placed_at=now - timedelta(days=10))
    OrderFactory(placed_at=now - timedelta(days=200))  # not active
    # when
    first = surveys_distribute(now=now)
    again = surveys_distribute(now=now + timedelta(days=1))
    # then
    assert first["invited"] == 3
    assert again["invited"] == 0
    invited = Invitation.objects.filter(survey=survey)
    assert invited.count() == 3
    assert len({i.customer_id for i in invited}) == 3


def test_sample_rate_zero_sends_nothing_and_records_the_draw():
    # given
    survey = csat_survey(sample_rate=0.0)
    resolved_ticket(ago=timedelta(hours=1))
    # when
    counts = surveys_distribute()
    # then
    assert counts["invited"] == 0
    assert counts["skipped"] == 1
    assert Invitation.objects.get(survey=survey).status == InvitationStatus.SKIPPED
    assert Notification.objects.count() == 0


def test_no_customer_gets_two_invitations_within_the_limit_across_surveys():
    # given
    customer = CustomerFactory()
    first = csat_survey(per_customer_days=30)
    second = SurveyFactory(trigger=Trigger.MANUAL, per_customer_days=30, channels=["email"])
    resolved_ticket(ago=timedelta(hours=1), customer=customer)
    resolved_ticket(ago=timedelta(hours=1), customer=customer)
    # when: two tickets of one customer in one round, then a manual invitation
    counts = surveys_distribute()
    manual = survey_invite(survey=second, customer=customer)
    forced = survey_invite(survey=second, customer=customer, respect_limit=False)
    # then
    assert counts == {**counts, "invited": 1, "skipped": 1}
    assert Invitation.objects.filter(survey=first, status=InvitationStatus.SENT).count() == 1
    assert manual.status == InvitationStatus.SKIPPED
    assert forced.status == InvitationStatus.SENT


def test_the_limit_lapses_after_its_days():
    customer = CustomerFactory()
    survey = SurveyFactory(per_customer_days=30, channels=["email"])
    survey_invite(survey=survey, customer=customer)
    later = survey_invite(survey=survey, customer=customer, now=timezone.now() + timedelta(days=31))
    assert later.status == InvitationStatus.SENT


def test_an_anonymous_survey_keeps_segments_but_not_the_customer():
    # given
    survey = csat_survey(anonymous=True)
    customer = CustomerFactory(tier="gold", region="广东", language="en")
    resolved_ticket(ago=timedelta(hours=1), customer=customer)
    surveys_distribute()
    invitation = Invitation.objects.get(survey=survey)
    # when
    response = invitation_open(invitation=invitation, language="zh-hans")
    # then
    assert response.customer is None
    assert (response.customer_tier, response.region) == ("gold", "广东")
    body = Notification.objects.get(channel="email").body
    assert "anonymous" in body


def test_email_and_sms_carry_the_link_in_the_customers_language():
    # given
    survey = csat_survey(channels=["email", "sms"])
    survey.version.title_en = "After-service survey"
    survey.version.title_zh = "服务满意度调查"
    survey.version.save()
    english = CustomerFactory(language="en")
    chinese = CustomerFactory(language="zh-hans")
    en_ticket = resolved_ticket(ago=timedelta(hours=1), customer=english)
    zh_ticket = resolved_ticket(ago=timedelta(hours=1), customer=chinese)
    # when
    surveys_distribute()
    # then
    for customer, ticket, title in (
        (english, en_ticket, "After-service"),
        (chinese, zh_ticket, "服务"),
    ):
        invitation = Invitation.objects.get(ticket=ticket)
        ref = f"survey-invitation:{invitation.pk}"
        email = Notification.objects.get(ref=ref, channel="email")
        sms = Notification.objects.get(ref=ref, channel="sms")
        token = LINK.search(email.body).group(1)
        assert invitation_get_by_token(token=token) == invitation
        assert LINK.search(sms.body).group(1) == token
        assert title in email.subject
        assert email.language == sms.language == customer.language
        assert crypto.decrypt_str(email.to_enc) == crypto.decrypt_str(customer.email_enc)
        assert len(sms.body) < 140
    assert token not in Invitation.objects.get(ticket=zh_ticket).token_hash  # only the hash


def test_one_reminder_repeats_the_same_link():
    # given
    survey = csat_survey(reminder_days=3)
    resolved_ticket(ago=timedelta(hours=1))
    now = timezone.now()
    surveys_distribute(now=now)
    invitation = Invitation.objects.get(survey=survey)
    first_token = LINK.search(Notification.objects.get(channel="email").body).group(1)
    # when
    early = surveys_distribute(now=now + timedelta(days=2))
    due = surveys_distribute(now=now + timedelta(days=3, hours=1))
    again = surveys_distribute(now=now + timedelta(days=4))
    # then
    assert (early["reminded"], due["reminded"], again["reminded"]) == (0, 1, 0)
    reminder = Notification.objects.get(dedupe_key__contains=":reminder:")
    again_token = LINK.search(reminder.body).group(1)
    invitation.refresh_from_db()
    assert invitation.reminded_at == now + timedelta(days=3, hours=1)
    assert again_token == first_token
    assert invitation_get_by_token(token=first_token) == invitation
    assert first_token not in invitation.link_enc  # kept encrypted


def test_answered_invitations_get_no_reminder():
    survey = csat_survey(reminder_days=1)
    resolved_ticket(ago=timedelta(hours=1))
    now = timezone.now()
    surveys_distribute(now=now)
    Invitation.objects.filter(survey=survey).update(status=InvitationStatus.ANSWERED)
    assert surveys_distribute(now=now + timedelta(days=2))["reminded"] == 0


def test_invitations_past_their_link_expire():
    # given
    survey = csat_survey(link_days=14, reminder_days=0)
    resolved_ticket(ago=timedelta(hours=1))
    now = timezone.now()
    surveys_distribute(now=now)
    # when
    before = surveys_distribute(now=now + timedelta(days=13))
    after = surveys_distribute(now=now + timedelta(days=14, seconds=1))
    # then
    assert (before["expired"], after["expired"]) == (0, 1)
    assert Invitation.objects.get(survey=survey).status == InvitationStatus.EXPIRED


def test_an_invitation_opens_one_response_and_is_marked_opened():
    survey = csat_survey()
    resolved_ticket(ago=timedelta(hours=1))
    surveys_distribute()
    invitation = Invitation.objects.get(survey=survey)
    first = invitation_open(invitation=invitation, language="en")
    second = invitation_open(invitation=invitation, language="en")
    invitation.refresh_from_db()
    assert first == second
    assert Response.objects.filter(invitation=invitation).count() == 1
    assert invitation.status == InvitationStatus.OPENED
    assert invitation.opened_at is not None


def test_a_customer_without_reachable_channel_is_skipped():
    survey = csat_survey(channels=["sms"])
    resolved_ticket(ago=timedelta(hours=1), customer=CustomerFactory(phone=""))
    counts = surveys_distribute()
    assert Invitation.objects.get(survey=survey).status == InvitationStatus.SKIPPED
    assert (counts["invited"], counts["skipped"]) == (0, 1)
