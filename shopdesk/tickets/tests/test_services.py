from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from shopdesk.accounts.models import Team
from shopdesk.accounts.presence import agent_presence_set
from shopdesk.accounts.roles import Role
from shopdesk.accounts.tests.factories import CustomerFactory, MerchantFactory, UserFactory
from shopdesk.core.errors import ConcurrentUpdate, DomainError, PermissionDenied
from shopdesk.notifications.models import Notification
from shopdesk.orders.tests.factories import OrderFactory, OrderItemFactory
from shopdesk.tickets import services
from shopdesk.tickets.errors import HandOffRequired, InvalidTransition
from shopdesk.tickets.models import Compensation, CompensationStandard, Macro, Ticket, TicketEvent
from shopdesk.tickets.services import IncomingFile, TicketIntake
from shopdesk.tickets.services.notify import customer_notifications_suppressed
from shopdesk.tickets.states import (
    HANDOFF_ONLY,
    TRANSITIONS,
    Channel,
    EventType,
    Party,
    TicketStatus,
)
from shopdesk.tickets.tests.factories import AgentProfileFactory, TicketFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _intake(**kwargs: object) -> TicketIntake:
    order = kwargs.pop("order", None) or OrderFactory()
    base: dict[str, object] = {
        "channel": Channel.PORTAL,
        "customer": order.customer,
        "order": order,
        "category_code": "logistics_delay",
        "description": "包裹五天没有更新物流信息",
    }
    base.update(kwargs)
    return TicketIntake(**base)  # type: ignore[arg-type]


def test_create_numbers_the_ticket_starts_sla_and_records_the_routing_reason() -> None:
    # given an online agent
    profile = AgentProfileFactory()
    # when
    result = services.ticket_create(intake=_intake())
    # then
    ticket = Ticket.objects.get(pk=result.ticket.pk)
    assert result.created
    assert ticket.number == f"AS-{timezone.localtime(ticket.created_at):%Y%m%d}-{ticket.pk:06d}"
    assert ticket.first_reply_due_at is not None
    assert ticket.first_reply_due_at - ticket.created_at == timedelta(minutes=15)
    assert ticket.assignee_id == profile.user_id
    assert ticket.merchant_id == ticket.order.merchant_id
    types = list(ticket.events.order_by("pk").values_list("type", flat=True))
    assert types == [EventType.CREATED, EventType.MESSAGE, EventType.ASSIGNED]
    assigned = ticket.events.get(type=EventType.ASSIGNED)
    assert assigned.data["rule"]
    assert assigned.data["reason"]
    profile.refresh_from_db()
    assert profile.active_ticket_count == 1


def test_the_same_intake_key_never_makes_two_tickets() -> None:
    intake = _intake(intake_key="api:1:abc", channel=Channel.API)
    first = services.ticket_create(intake=intake)
    second = services.ticket_create(intake=intake)
    assert first.created
    assert not second.created
    assert second.ticket.pk == first.ticket.pk
    assert Ticket.objects.count() == 1


def test_phone_intake_records_who_logged_the_call() -> None:
    agent = UserFactory(role=Role.AGENT)
    result = services.ticket_create(intake=_intake(channel=Channel.PHONE, actor=agent))
    message = result.ticket.events.get(type=EventType.MESSAGE)
    assert result.ticket.channel == Channel.PHONE
    assert message.data == {"logged_by": agent.pk}


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"category_code": "nope"}, "invalid_category"),
        ({"description": "   "}, "empty_message"),
        ({"priority": "asap"}, "invalid_priority"),
    ],
)
def test_bad_intake_is_refused_with_a_clear_code(change: dict[str, object], code: str) -> None:
    with pytest.raises(DomainError) as error:
        services.ticket_create(intake=_intake(**change))
    assert error.value.code == code
    assert Ticket.objects.count() == 0


def test_an_order_of_another_customer_is_refused() -> None:
    with pytest.raises(DomainError) as error:
        services.ticket_create(intake=_intake(customer=CustomerFactory()))
    assert error.value.code == "invalid_order"


def test_disallowed_attachments_are_refused_and_the_rest_is_kept(settings) -> None:
    settings.SHOPDESK_ATTACHMENT_MAX_BYTES = 100
    files = [
        IncomingFile("photo.png", PNG),
        IncomingFile("big.png", PNG + b"\x00" * 200),
        IncomingFile("tool.exe", b"MZ\x90\x00\x03\x00\xff\xfe"),
    ]
    result = services.ticket_create(intake=_intake(files=files))
    message = result.ticket.events.get(type=EventType.MESSAGE)
    assert [a.name for a in message.attachments.all()] == ["photo.png"]
    assert [r.name for r in result.refused_files] == ["big.png", "tool.exe"]
    assert "larger than the limit" in result.refused_files[0].reason
    assert message.body == "包裹五天没有更新物流信息"


ALL = list(TicketStatus)


@pytest.mark.parametrize(("old", "new"), [(a, b) for a in ALL for b in ALL if a != b])
def test_every_status_pair_follows_the_machine(old: TicketStatus, new: TicketStatus) -> None:
    ticket = TicketFactory(status=old)
    if (old, new) in HANDOFF_ONLY:
        with pytest.raises(HandOffRequired):
            services.ticket_transition(ticket=ticket, to=new, actor=None)
        ticket.refresh_from_db()
        assert ticket.status == old
    elif new in TRANSITIONS[old]:
        services.ticket_transition(ticket=ticket, to=new, actor=None)
        ticket.refresh_from_db()
        assert ticket.status == new
        event = ticket.events.get(type=EventType.STATUS_CHANGED)
        assert event.data == {"from": old.value, "to": new.value}
    else:
        with pytest.raises(InvalidTransition) as error:
            services.ticket_transition(ticket=ticket, to=new, actor=None)
        assert "cannot become" in error.value.message
        ticket.refresh_from_db()
        assert ticket.status == old
        assert not ticket.events.exists()


def test_a_stale_copy_loses_with_a_conflict_and_nothing_is_written() -> None:
    ticket = TicketFactory(status=TicketStatus.OPEN)
    stale = Ticket.objects.get(pk=ticket.pk)
    services.ticket_transition(ticket=ticket, to=TicketStatus.ON_HOLD, actor=None)
    with pytest.raises(ConcurrentUpdate):
        services.ticket_transition(ticket=stale, to=TicketStatus.RESOLVED, actor=None)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.ON_HOLD
    assert ticket.events.count() == 1


def test_first_public_reply_opens_the_ticket_takes_it_and_stops_the_first_reply_clock() -> None:
    agent = UserFactory(role=Role.AGENT)
    AgentProfileFactory(user=agent, is_online=False)
    ticket = services.ticket_create(intake=_intake()).ticket
    services.ticket_reply(ticket=ticket, actor=agent, body="您好，我们马上核实。")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN
    assert ticket.first_replied_at is not None
    assert ticket.assignee_id == agent.pk
    agent.agent_profile.refresh_from_db()
    assert agent.agent_profile.active_ticket_count == 1


def test_an_internal_note_is_not_public_and_changes_no_clock() -> None:
    agent = UserFactory(role=Role.AGENT)
    ticket = services.ticket_create(intake=_intake()).ticket
    note = services.ticket_note(ticket=ticket, actor=agent, body="<script>alert(1)</script>")
    ticket.refresh_from_db()
    assert not note.event.is_public
    assert note.event.body == "<script>alert(1)</script>"
    assert ticket.first_replied_at is None


def test_a_customer_reply_reopens_a_resolved_ticket() -> None:
    agent = UserFactory(role=Role.AGENT)
    ticket = services.ticket_create(intake=_intake()).ticket
    services.ticket_reply(ticket=ticket, actor=agent, body="已处理", status_after="resolved")
    assert ticket.status == TicketStatus.RESOLVED
    services.ticket_customer_message(ticket=ticket, author=None, body="还是没收到")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN
    assert ticket.reopen_count == 1
    statuses = [e.data["to"] for e in ticket.events.filter(type=EventType.STATUS_CHANGED)]
    assert statuses[-2:] == ["reopened", "open"]


def test_hand_off_needs_a_reason_and_a_bounce_then_needs_a_supervisor() -> None:
    agent = UserFactory(role=Role.AGENT)
    merchant_user = UserFactory(role=Role.MERCHANT_STAFF, merchant=MerchantFactory())
    supervisor = UserFactory(role=Role.SUPERVISOR)
    order = OrderFactory(merchant=merchant_user.merchant)
    ticket = services.ticket_create(intake=_intake(order=order)).ticket
    with pytest.raises(DomainError) as error:
        services.ticket_hand_off(ticket=ticket, to_party=Party.MERCHANT, reason="", actor=agent)
    assert error.value.code == "handoff_reason_required"
    # platform -> merchant
    services.ticket_hand_off(
        ticket=ticket, to_party=Party.MERCHANT, reason="商家需核实库存", actor=agent
    )
    ticket.refresh_from_db()
    assert (ticket.responsible_party, ticket.status) == (Party.MERCHANT, "pending_merchant")
    assert ticket.merchant_due_at is not None
    assert ticket.assignee_id is None
    # merchant -> platform: a bounce
    services.ticket_hand_off(
        ticket=ticket, to_party=Party.PLATFORM, reason="这是物流问题", actor=merchant_user
    )
    ticket.refresh_from_db()
    assert (ticket.bounce_count, ticket.handoff_count) == (1, 2)
    # a further hand-off needs a supervisor
    with pytest.raises(DomainError) as error:
        services.ticket_hand_off(
            ticket=ticket, to_party=Party.MERCHANT, reason="再请商家看看", actor=agent
        )
    assert error.value.code == "supervisor_required"
    services.ticket_hand_off(
        ticket=ticket, to_party=Party.MERCHANT, reason="主管决定由商家处理", actor=supervisor
    )
    ticket.refresh_from_db()
    assert ticket.responsible_party == Party.MERCHANT
    handed = ticket.events.filter(type=EventType.HANDED_OFF, is_public=True)
    assert handed.count() == 3


def test_take_back_returns_a_merchant_ticket_to_the_platform_without_a_bounce() -> None:
    agent = UserFactory(role=Role.AGENT)
    ticket = services.ticket_create(intake=_intake()).ticket
    services.ticket_hand_off(
        ticket=ticket, to_party=Party.MERCHANT, reason="请商家处理", actor=agent
    )
    services.ticket_take_back(ticket=ticket, reason="商家超时未回复")
    ticket.refresh_from_db()
    assert (ticket.responsible_party, ticket.status) == (Party.PLATFORM, TicketStatus.OPEN)
    assert ticket.bounce_count == 0
    assert ticket.merchant_due_at is None
    assert ticket.events.filter(type=EventType.TAKEN_BACK).count() == 1


def test_rating_once_after_resolution_and_a_complaint_goes_to_the_supervisors() -> None:
    supervisor = UserFactory(role=Role.SUPERVISOR)
    Team.objects.filter(code="supervisors").update(supervisor=supervisor)
    ticket = TicketFactory(status=TicketStatus.OPEN)
    with pytest.raises(DomainError):
        services.ticket_rate(ticket=ticket, author=None, rating=5)
    services.ticket_transition(ticket=ticket, to=TicketStatus.RESOLVED, actor=None)
    services.ticket_rate(ticket=ticket, author=None, rating=2, comment="太慢了")
    with pytest.raises(DomainError) as error:
        services.ticket_rate(ticket=ticket, author=None, rating=5)
    assert error.value.code == "already_rated"
    result = services.ticket_complain(ticket=ticket, author=None, body="我不满意")
    again = services.ticket_complain(ticket=ticket, author=None, body="我不满意")
    complaint = result.ticket
    assert again.ticket.pk == complaint.pk
    assert complaint.parent_id == ticket.pk
    assert complaint.category.code == "service_complaint"
    assert complaint.assignee_id == supervisor.pk


def test_auto_close_after_n_silent_days() -> None:
    now = timezone.now()
    old = TicketFactory(status=TicketStatus.RESOLVED, resolved_at=now - timedelta(days=8))
    recent = TicketFactory(status=TicketStatus.RESOLVED, resolved_at=now - timedelta(days=2))
    assert services.tickets_auto_close(now=now, days=7) == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.status, recent.status) == (TicketStatus.CLOSED, TicketStatus.RESOLVED)


def test_compensation_within_the_role_limit_is_granted_above_it_waits_for_approval() -> None:
    agent = UserFactory(role=Role.AGENT)
    supervisor = UserFactory(role=Role.SUPERVISOR)
    standard = CompensationStandard.objects.get(code="late_delivery")  # agent 20, supervisor 50
    ticket = TicketFactory()
    small = services.compensation_request(
        ticket=ticket, standard=standard, amount=Decimal("10"), actor=agent
    )
    large = services.compensation_request(
        ticket=ticket, standard=standard, amount=Decimal("40"), actor=agent
    )
    assert small.status == Compensation.Status.GRANTED
    assert large.status == Compensation.Status.PENDING_APPROVAL
    with pytest.raises(PermissionDenied):
        services.compensation_decide(compensation=large, approve=True, actor=agent)
    services.compensation_decide(compensation=large, approve=True, actor=supervisor)
    large.refresh_from_db()
    assert (large.status, large.decided_by_id) == (Compensation.Status.GRANTED, supervisor.pk)


def test_macro_fills_variables_in_the_ticket_language_and_leaves_unknown_ones() -> None:
    agent = UserFactory(role=Role.AGENT, first_name="Li")
    order = OrderFactory(external_id="ORD-42")
    ticket = services.ticket_create(intake=_intake(order=order, language="en")).ticket
    macro = Macro.objects.create(
        name="t", body_zh="订单 {order_number}", body_en="Order {order_number} {secret.x} {nope}"
    )
    text = services.macro_render(macro=macro, ticket=ticket, agent=agent)
    assert text == "Order ORD-42 {secret.x} {nope}"


def test_transfer_between_agents_and_supervisor_override() -> None:
    a, b = UserFactory(role=Role.AGENT), UserFactory(role=Role.AGENT)
    supervisor = UserFactory(role=Role.SUPERVISOR)
    ticket = TicketFactory(assignee=a, status=TicketStatus.OPEN)
    with pytest.raises(PermissionDenied):
        services.ticket_assign(ticket=ticket, assignee=b, actor=b, reason="我来")
    services.ticket_assign(ticket=ticket, assignee=b, actor=a, reason="转派给英语客服")
    services.ticket_assign(ticket=ticket, assignee=a, actor=supervisor, reason="主管调整")
    ticket.refresh_from_db()
    assert ticket.assignee_id == a.pk
    reasons = list(
        TicketEvent.objects.filter(ticket=ticket, type=EventType.ASSIGNED).values_list(
            "data__reason", flat=True
        )
    )
    assert reasons == ["转派给英语客服", "主管调整"]


def test_order_item_must_belong_to_the_order() -> None:
    order = OrderFactory()
    other_item = OrderItemFactory()
    with pytest.raises(DomainError) as error:
        services.ticket_create(intake=_intake(order=order, order_item=other_item))
    assert error.value.code == "invalid_order"


def test_waiting_tickets_go_to_an_agent_who_comes_online_urgent_first() -> None:
    # given two unassigned tickets and an agent with room for one
    normal = TicketFactory(priority="normal")
    urgent = TicketFactory(priority="urgent")
    profile = AgentProfileFactory(is_online=False, capacity=1)
    assert services.tickets_route_waiting() == 0
    # when the agent switches online
    agent_presence_set(user=profile.user, online=True)
    assigned = services.tickets_route_waiting()
    # then the urgent ticket is theirs and the other waits
    urgent.refresh_from_db()
    normal.refresh_from_db()
    assert assigned == 1
    assert urgent.assignee_id == profile.user_id
    assert normal.assignee_id is None


def test_a_complaint_before_resolution_is_refused() -> None:
    ticket = TicketFactory(status=TicketStatus.OPEN)
    with pytest.raises(DomainError) as error:
        services.ticket_complain(ticket=ticket, author=None, body="不满意")
    assert error.value.code == "not_resolved"
    assert Ticket.objects.count() == 1


def test_customers_hear_of_changes_unless_history_is_being_written(
    django_capture_on_commit_callbacks,
) -> None:
    # given a customer with a login and an e-mail address
    customer = CustomerFactory(user=UserFactory())
    # when one ticket is opened normally and one while history is written
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_create(intake=_intake(order=OrderFactory(customer=customer)))
    with django_capture_on_commit_callbacks(execute=True), customer_notifications_suppressed():
        services.ticket_create(intake=_intake(order=OrderFactory(customer=customer)))
    # then only the first told the customer, in the app and by e-mail
    channels = sorted(Notification.objects.values_list("channel", flat=True))
    assert channels == ["email", "in_app"]


def test_merchant_staff_act_only_while_their_merchant_holds_the_ticket() -> None:
    # given a ticket on the merchant's order, held by the platform
    merchant_user = UserFactory(role=Role.MERCHANT_STAFF, merchant=MerchantFactory())
    agent = UserFactory(role=Role.AGENT)
    ticket = services.ticket_create(
        intake=_intake(order=OrderFactory(merchant=merchant_user.merchant))
    ).ticket
    # then the merchant can neither reply nor change the status yet
    with pytest.raises(PermissionDenied):
        services.ticket_reply(ticket=ticket, actor=merchant_user, body="我们来处理")
    with pytest.raises(PermissionDenied):
        services.ticket_transition(ticket=ticket, to=TicketStatus.RESOLVED, actor=merchant_user)
    # when the platform hands it over, the merchant replies and resolves
    services.ticket_hand_off(
        ticket=ticket, to_party=Party.MERCHANT, reason="请商家核实", actor=agent
    )
    services.ticket_reply(
        ticket=ticket, actor=merchant_user, body="已补发", status_after=TicketStatus.RESOLVED
    )
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED
    assert ticket.events.filter(type=EventType.MESSAGE, author=merchant_user).count() == 1


def test_the_created_notification_names_the_new_ticket(
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given a customer with an e-mail address and no login
    customer = CustomerFactory(user=None)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        result = services.ticket_create(intake=_intake(order=OrderFactory(customer=customer)))
    # then the e-mail is about this ticket and its created event
    ticket = Ticket.objects.get(pk=result.ticket.pk)
    created = ticket.events.get(type=EventType.CREATED)
    [mail] = Notification.objects.all()
    assert mail.channel == "email"
    assert ticket.number in mail.subject
    assert mail.dedupe_key == f"ticket-event:{created.pk}:email"
