"""Demo surveys lived through the real services: an after-service CSAT on resolved demo tickets
(answers that fall with slow replies and bounces), the e-commerce service questionnaire on
delivered demo orders (answers that fall with late deliveries, a few key dimensions driving the
overall score), and open invitations in the portal for the demo customers."""

import random
from datetime import datetime, timedelta
from typing import Any, Final

from django.db.models import Count

from shopdesk.accounts.models import Customer
from shopdesk.orders.models import Order
from shopdesk.surveys.models import QuestionnaireVersion, Response, Survey
from shopdesk.surveys.services.distribution import survey_invite
from shopdesk.surveys.services.responses import (
    ResponseRecord,
    response_record,
    version_questions,
)
from shopdesk.surveys.states import Trigger
from shopdesk.tickets.models import Ticket
from shopdesk.tickets.services.notify import customer_notifications_suppressed

COMMENTS_LOW: Final = (
    "物流太慢了，等了一个多星期",
    "客服回复很慢，问题转来转去没人管",
    "包装破损，商品有划痕",
    "退款到现在还没到账",
)
COMMENTS_HIGH: Final = ("客服态度很好，解决得很快", "发货快，包装很好", "很满意，会再来买")
# Dimension weights behind the generated overall score (the key drivers the report should find).
DRIVERS: Final = {"logistics": 0.35, "service": 0.3, "info": 0.15, "returns": 0.1, "speed": 0.1}


def _template(code: str) -> QuestionnaireVersion | None:
    return (
        QuestionnaireVersion.objects.filter(questionnaire__code=code, status="published")
        .order_by("-number")
        .first()
    )


def _clip(value: float, low: int = 1, high: int = 5) -> int:
    return max(low, min(high, round(value)))


def demo_surveys(*, rng: random.Random, now: datetime) -> dict[str, Any]:
    """Surveys, answers and open invitations on the demo's tickets and orders."""
    csat = _template("after-service-csat")
    service = _template("ecommerce-service")
    if csat is None or service is None:
        return {"surveys": 0}
    with customer_notifications_suppressed():
        _csat(rng, csat, now)
        _order_experience(rng, service, now)
    counts = dict(Response.objects.order_by().values_list("survey__name").annotate(n=Count("id")))
    return {"surveys": Survey.objects.count(), "responses": counts}


def _csat(rng: random.Random, version: QuestionnaireVersion, now: datetime) -> None:
    survey, _ = Survey.objects.get_or_create(
        name="售后服务满意度 After-service CSAT",
        defaults={
            "version": version,
            "trigger": Trigger.TICKET_RESOLVED,
            "channels": ["email", "portal"],
            "reminder_days": 3,
        },
    )
    questions = version_questions(version)
    tickets = Ticket.objects.filter(resolved_at__isnull=False).select_related("customer")
    for ticket in tickets.order_by("id"):
        if rng.random() > 0.45:  # about the response rate of a real CSAT
            continue
        minutes = (
            (ticket.first_replied_at - ticket.created_at).total_seconds() / 60
            if ticket.first_replied_at
            else 240.0
        )
        mood = 4.6 - min(minutes, 600) / 300 - 0.8 * ticket.bounce_count + rng.gauss(0, 0.6)
        rating = _clip(mood)
        answers: dict[str, Any] = {
            "rating": rating,
            "solved": "yes" if rating >= 3 or rng.random() < 0.3 else "no",
            "effort": _clip(8 - mood - rng.random(), 1, 7),
        }
        if rating <= 3:
            answers["what_went_wrong"] = rng.choice(COMMENTS_LOW)
        elif rng.random() < 0.3:
            answers["comment"] = rng.choice(COMMENTS_HIGH)
        resolved = ticket.resolved_at or now
        response_record(
            survey=survey,
            record=ResponseRecord(
                answers=answers,
                submitted_at=min(now, resolved + timedelta(hours=rng.randint(1, 48))),
                external_id=f"demo-ticket-{ticket.pk}",
                customer=ticket.customer,
                ticket=ticket,
                order=ticket.order,
                segment={
                    "channel": ticket.channel,
                    "merchant": ticket.merchant_id,
                    "customer_tier": ticket.customer.tier,
                    "region": ticket.customer.region or ticket.customer.city,
                    "agent": ticket.assignee_id,
                },
            ),
            source="link",
            questions=questions,
        )
    # Open invitations for the demo customers, in the portal under My surveys.
    for customer in Customer.objects.filter(user__username__startswith="demo-customer"):
        latest = Ticket.objects.filter(customer=customer).order_by("-id").first()
        survey_invite(survey=survey, customer=customer, ticket=latest, respect_limit=False, now=now)


def _order_experience(rng: random.Random, version: QuestionnaireVersion, now: datetime) -> None:
    survey, _ = Survey.objects.get_or_create(
        name="电商购物体验 Order experience",
        defaults={
            "version": version,
            "trigger": Trigger.ORDER_DELIVERED,
            "delay_days": 3,
            "sample_rate": 0.2,
            "channels": ["email"],
        },
    )
    questions = version_questions(version)
    orders = (
        Order.objects.filter(delivered_at__isnull=False)
        .select_related("customer")
        .order_by("-delivered_at")[:600]
    )
    for order in orders:
        if order.customer is None or rng.random() > 0.5:
            continue
        late = 0.0
        if order.promised_delivery_at and order.delivered_at:
            late = max(
                0.0, (order.delivered_at - order.promised_delivery_at).total_seconds() / 86400
            )
        base = 4.3 + rng.gauss(0, 0.5)
        dims = {
            d: base + rng.gauss(0, 0.6) - (min(late, 10) * 0.25 if d == "logistics" else 0.0)
            for d in (
                "speed",
                "info",
                "logistics",
                "service",
                "returns",
                "payment",
                "website",
                "care",
            )
        }
        answers: dict[str, Any] = {}
        for question in questions:
            if question.dimension is not None:
                answers[question.code] = _clip(dims[question.dimension.code] + rng.gauss(0, 0.5))
        overall = sum(w * dims[d] for d, w in DRIVERS.items()) + rng.gauss(0, 0.3)
        answers["overall"] = _clip(overall)
        answers["repurchase"] = _clip(overall + rng.gauss(0, 0.5))
        answers["recommend"] = _clip(2 * overall + rng.gauss(0, 1.2), 0, 10)
        if answers["overall"] <= 3 and rng.random() < 0.6:
            answers["improve"] = rng.choice(COMMENTS_LOW)
        delivered = order.delivered_at or now
        response_record(
            survey=survey,
            record=ResponseRecord(
                answers=answers,
                submitted_at=min(now, delivered + timedelta(days=3, hours=rng.randint(0, 72))),
                external_id=f"demo-order-{order.pk}",
                customer=order.customer,
                order=order,
                segment={
                    "channel": "email",
                    "merchant": order.merchant_id,
                    "customer_tier": order.customer.tier,
                    "region": order.customer.region or order.customer.city,
                },
            ),
            source="link",
            questions=questions,
        )
