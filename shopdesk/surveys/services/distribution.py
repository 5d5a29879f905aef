"""Distribution: who is invited, when, and by which channel; one reminder; expiry.

`surveys_distribute` is the periodic job (config/schedule.py). Each survey's round runs in one
transaction that first moves `last_run_at` by compare-and-set: of two processes running at
once, the second waits for the first to commit, then finds `last_run_at` moved and does
nothing. The (survey, ticket) and (survey, order) unique constraints back that up for manual
invitations racing the job.

Sampling: a ticket or order candidate drawn out by `sample_rate`, or held back by the
per-customer limit, gets an invitation with status `skipped` (a random hash, no link given
out). So a later round never draws the same ticket again, and the response rate can be read
against everyone who was eligible. A periodic round leaves nothing for customers it did not
pick (one row per active customer every round would be noise). Skipped rows do not count
towards the per-customer limit.

Reminders repeat the invitation's own link (the token is kept encrypted beside its hash), so the
first message's link keeps working.
"""

import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, Final, NamedTuple

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from shopdesk.accounts.models import Customer
from shopdesk.core import crypto
from shopdesk.orders.models import Order, OrderItem
from shopdesk.surveys.models import Invitation, Survey
from shopdesk.surveys.services.invitation_messages import invitation_send
from shopdesk.surveys.services.links import OPEN_STATUSES, invitation_url, token_new
from shopdesk.surveys.states import Channel, InvitationStatus, Trigger
from shopdesk.tickets.models import Ticket
from shopdesk.tickets.states import TicketStatus

FIRST_WINDOW: Final = timedelta(days=1)
_rng: Final = secrets.SystemRandom()
_RESOLVED: Final = (TicketStatus.RESOLVED, TicketStatus.CLOSED)


class NewInvitation(NamedTuple):
    invitation: Invitation
    url: str  # empty for a skipped invitation: its token is never given out


def _category(order_id: int | None) -> str:
    if order_id is None:
        return ""
    item = (
        OrderItem.objects.filter(order_id=order_id)
        .select_related("product")
        .order_by("line_no")
        .first()
    )
    return item.product.category if item is not None else ""


def segment_for(
    *, customer: Customer | None, ticket: Ticket | None = None, order: Order | None = None
) -> dict[str, Any]:
    """The segment snapshot an invitation keeps (states.SEGMENT_FIELDS), also when anonymous."""
    category = ""
    if ticket is not None and ticket.order_item_id is not None and ticket.order_item is not None:
        category = ticket.order_item.product.category
    elif ticket is not None:
        category = _category(ticket.order_id)
    elif order is not None:
        category = _category(order.pk)
    merchant = ticket.merchant_id if ticket is not None else None
    if merchant is None and order is not None:
        merchant = order.merchant_id
    return {
        "channel": ticket.channel if ticket is not None else "",
        "merchant": merchant,
        "product_category": category,
        "customer_tier": customer.tier if customer is not None else "",
        "region": (customer.region or customer.city) if customer is not None else "",
        "agent": ticket.assignee_id if ticket is not None else None,
    }


def _first_channel(survey: Survey) -> str:
    channels = [c for c in survey.channels if c in Channel.values]
    return channels[0] if channels else Channel.PORTAL


def invitation_create(
    *,
    survey: Survey,
    customer: Customer | None,
    ticket: Ticket | None = None,
    order: Order | None = None,
    status: str = InvitationStatus.PENDING,
    now: datetime | None = None,
) -> NewInvitation:
    """A new invitation with a random link token (only its keyed hash is kept) valid for the
    survey's `link_days`; returns it with the link URL.

    Raises:
        IntegrityError: this survey already invited for this ticket or order.
    """
    now = now or timezone.now()
    token, hashed = token_new()
    invitation = Invitation(
        survey=survey,
        customer=customer,
        ticket=ticket,
        order=order,
        channel=_first_channel(survey),
        status=status,
        token_hash=hashed,
        link_enc=crypto.encrypt_str(token) if status != InvitationStatus.SKIPPED else "",
        expires_at=now + timedelta(days=survey.link_days),
        segment=segment_for(customer=customer, ticket=ticket, order=order),
    )
    with transaction.atomic():  # a savepoint: a duplicate leaves the caller's transaction usable
        invitation.save()
    url = invitation_url(token) if status != InvitationStatus.SKIPPED else ""
    return NewInvitation(invitation, url)


def _limited(survey: Survey, customer_ids: Iterable[int], now: datetime) -> set[int]:
    """Customers invited (not skipped) by any survey within this survey's per-customer days."""
    ids = [c for c in customer_ids if c is not None]
    if not ids or survey.per_customer_days == 0:
        return set()
    since = now - timedelta(days=survey.per_customer_days)
    return set(
        Invitation.objects.filter(customer_id__in=ids, created_at__gt=since)
        .exclude(status=InvitationStatus.SKIPPED)
        .values_list("customer_id", flat=True)
    )


def _invite(
    survey: Survey,
    customer: Customer | None,
    *,
    now: datetime,
    ticket: Ticket | None = None,
    order: Order | None = None,
    skip: bool = False,
) -> Invitation | None:
    """Create and send one invitation (or a skipped one); None when it exists already."""
    status = InvitationStatus.SKIPPED if skip else InvitationStatus.PENDING
    try:
        created = invitation_create(
            survey=survey, customer=customer, ticket=ticket, order=order, status=status, now=now
        )
    except IntegrityError:
        return None  # invited by another process or by hand meanwhile
    if not skip:
        invitation_deliver(invitation=created.invitation, url=created.url, now=now)
    return created.invitation


def invitation_deliver(
    *, invitation: Invitation, url: str, reminder: bool = False, now: datetime | None = None
) -> bool:
    """Enqueue the invitation (or its reminder) by the survey's channels and mark it sent;
    returns whether any channel reached the customer (else the invitation is skipped)."""
    now = now or timezone.now()
    reached = invitation_send(invitation=invitation, url=url, reminder=reminder)
    if reminder:
        return reached
    fields: dict[str, Any] = (
        {"status": InvitationStatus.SENT, "sent_at": now}
        if reached
        else {"status": InvitationStatus.SKIPPED}
    )
    Invitation.objects.filter(pk=invitation.pk, version=invitation.version).update(
        **fields, version=F("version") + 1, updated_at=now
    )
    for key, value in fields.items():
        setattr(invitation, key, value)
    invitation.version += 1
    return reached


def survey_invite(
    *,
    survey: Survey,
    customer: Customer,
    ticket: Ticket | None = None,
    order: Order | None = None,
    respect_limit: bool = True,
    now: datetime | None = None,
) -> Invitation:
    """Invite one customer by hand (no sampling). A ticket or order already invited to this
    survey gives that invitation back; a customer within the per-customer limit gets a
    `skipped` invitation unless `respect_limit` is off."""
    now = now or timezone.now()
    existing = Invitation.objects.filter(survey=survey)
    if ticket is not None and (found := existing.filter(ticket=ticket).first()):
        return found
    if order is not None and (found := existing.filter(order=order).first()):
        return found
    skip = respect_limit and customer.pk in _limited(survey, [customer.pk], now)
    invitation = _invite(survey, customer, now=now, ticket=ticket, order=order, skip=skip)
    if invitation is None:  # lost a race with the job: theirs stands
        return existing.get(Q(ticket=ticket) if ticket is not None else Q(order=order))
    return invitation


def _claim_round(survey: Survey, now: datetime) -> datetime | None:
    """Move last_run_at to now by compare-and-set; the window start, None if another process
    ran this survey meanwhile. Called inside the round's transaction."""
    previous = survey.last_run_at
    match = Q(last_run_at=previous) if previous is not None else Q(last_run_at__isnull=True)
    if not Survey.objects.filter(match, pk=survey.pk).update(last_run_at=now, updated_at=now):
        return None
    survey.last_run_at = now
    return previous or (now - FIRST_WINDOW)


def _invite_candidates(
    survey: Survey,
    rows: Sequence[tuple[Customer | None, Ticket | None, Order | None]],
    now: datetime,
) -> dict[str, int]:
    counts = {"invited": 0, "skipped": 0}
    limited = _limited(survey, [c.pk for c, _t, _o in rows if c is not None], now)
    for customer, ticket, order in rows:
        drawn_out = _rng.random() >= survey.sample_rate
        skip = drawn_out or customer is None or customer.pk in limited
        invitation = _invite(survey, customer, now=now, ticket=ticket, order=order, skip=skip)
        if invitation is None:
            continue
        if invitation.status == InvitationStatus.SKIPPED:
            counts["skipped"] += 1
        else:
            counts["invited"] += 1
            if customer is not None:
                limited.add(customer.pk)
    return counts


def _ticket_round(survey: Survey, since: datetime, now: datetime) -> dict[str, int]:
    delay = timedelta(days=survey.delay_days)
    tickets = (
        Ticket.objects.filter(
            status__in=_RESOLVED, resolved_at__gt=since - delay, resolved_at__lte=now - delay
        )
        .exclude(
            pk__in=Invitation.objects.filter(survey=survey, ticket__isnull=False).values(
                "ticket_id"
            )
        )
        .select_related("customer", "order_item__product")
        .order_by("resolved_at", "id")
    )
    if survey.merchant_id is not None:
        tickets = tickets.filter(merchant_id=survey.merchant_id)
    rows = [(t.customer, t, None) for t in tickets]
    return _invite_candidates(survey, rows, now)


def _order_round(survey: Survey, since: datetime, now: datetime) -> dict[str, int]:
    delay = timedelta(days=survey.delay_days)
    orders = (
        Order.objects.filter(delivered_at__gt=since - delay, delivered_at__lte=now - delay)
        .exclude(
            pk__in=Invitation.objects.filter(survey=survey, order__isnull=False).values("order_id")
        )
        .select_related("customer")
        .order_by("delivered_at", "id")
    )
    if survey.merchant_id is not None:
        orders = orders.filter(merchant_id=survey.merchant_id)
    rows = [(o.customer, None, o) for o in orders]
    return _invite_candidates(survey, rows, now)


def _periodic_round(survey: Survey, now: datetime) -> dict[str, int]:
    """A random `sample_size` of the customers with an order in the last period."""
    active = Order.objects.filter(
        placed_at__gt=now - timedelta(days=survey.period_days), customer__isnull=False
    )
    if survey.merchant_id is not None:
        active = active.filter(merchant_id=survey.merchant_id)
    ids = set(active.values_list("customer_id", flat=True).distinct())
    ids -= _limited(survey, ids, now)
    chosen = _rng.sample(sorted(ids), min(survey.sample_size, len(ids)))
    chosen = [c for c in chosen if _rng.random() < survey.sample_rate]
    counts = {"invited": 0, "skipped": 0}
    for customer in Customer.objects.filter(pk__in=chosen).order_by("id"):
        if _invite(survey, customer, now=now) is not None:
            counts["invited"] += 1
    return counts


def _periodic_due(survey: Survey, now: datetime) -> bool:
    last = survey.last_run_at
    return last is None or now - last >= timedelta(days=survey.period_days)


def survey_distribute_round(*, survey: Survey, now: datetime | None = None) -> dict[str, int]:
    """One survey's round of its trigger (idempotent; see the module docstring)."""
    now = now or timezone.now()
    if survey.trigger == Trigger.PERIODIC and not _periodic_due(survey, now):
        return {"invited": 0, "skipped": 0}
    with transaction.atomic():
        since = _claim_round(survey, now)
        if since is None:
            return {"invited": 0, "skipped": 0}
        if survey.trigger == Trigger.TICKET_RESOLVED:
            return _ticket_round(survey, since, now)
        if survey.trigger == Trigger.ORDER_DELIVERED:
            return _order_round(survey, since, now)
        return _periodic_round(survey, now)


def invitations_remind(*, now: datetime | None = None) -> int:
    """One reminder, with the same link, to invitations sent `reminder_days` ago and neither
    answered nor expired; `reminded_at` is set once by compare-and-set."""
    now = now or timezone.now()
    reminded = 0
    surveys = Survey.objects.filter(is_active=True, reminder_days__gt=0)
    for survey in surveys:
        due = Invitation.objects.filter(
            survey=survey,
            status__in=(InvitationStatus.SENT, InvitationStatus.OPENED),
            reminded_at__isnull=True,
            sent_at__lte=now - timedelta(days=survey.reminder_days),
            expires_at__gt=now,
        ).select_related("survey__version", "customer")
        for invitation in due:
            # The same link again; an invitation made before links were kept gets a new one.
            token = crypto.decrypt_str(invitation.link_enc)
            hashed = invitation.token_hash
            if not token:
                token, hashed = token_new()
            with transaction.atomic():
                won = Invitation.objects.filter(
                    pk=invitation.pk, version=invitation.version, reminded_at__isnull=True
                ).update(
                    reminded_at=now, token_hash=hashed, version=F("version") + 1, updated_at=now
                )
                if not won:
                    continue
                invitation.reminded_at, invitation.token_hash = now, hashed
                invitation.version += 1
                invitation_deliver(
                    invitation=invitation, url=invitation_url(token), reminder=True, now=now
                )
            reminded += 1
    return reminded


def invitations_expire(*, now: datetime | None = None) -> int:
    """Invitations past their link's end and not answered become `expired`."""
    now = now or timezone.now()
    return Invitation.objects.filter(status__in=OPEN_STATUSES, expires_at__lte=now).update(
        status=InvitationStatus.EXPIRED, version=F("version") + 1, updated_at=now
    )


def surveys_distribute(*, now: datetime | None = None) -> dict[str, int]:
    """The periodic job: every active survey's trigger round, reminders, expiry. Safe to run
    twice and in two processes at once. Returns counts."""
    now = now or timezone.now()
    counts = {"surveys": 0, "invited": 0, "skipped": 0, "reminded": 0, "expired": 0}
    automatic = (Trigger.TICKET_RESOLVED, Trigger.ORDER_DELIVERED, Trigger.PERIODIC)
    surveys = Survey.objects.filter(
        is_active=True, trigger__in=automatic, version__status="published"
    ).select_related("version")
    for survey in surveys.order_by("id"):
        result = survey_distribute_round(survey=survey, now=now)
        counts["surveys"] += 1
        counts["invited"] += result["invited"]
        counts["skipped"] += result["skipped"]
    counts["reminded"] = invitations_remind(now=now)
    counts["expired"] = invitations_expire(now=now)
    return counts
