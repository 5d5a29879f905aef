"""Forms of the agent console: queue filters, the reply box, ticket actions, bulk actions, and
the phone intake. Every form that changes a ticket carries the `version` it was rendered with."""

from decimal import Decimal
from typing import Any, Final

from django import forms
from django.contrib.auth.models import Group
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from shopdesk.accounts.models import Customer, User
from shopdesk.core.crypto import lookup_hash, normalise_phone
from shopdesk.orders.models import Order, OrderItem
from shopdesk.tickets.models import Category, CompensationStandard
from shopdesk.tickets.selectors import QUEUES, TicketFilter
from shopdesk.tickets.states import Channel, Party, Priority, TicketStatus

QUEUE_LABELS: Final = {
    "mine": _("Mine"),
    "team": _("My team"),
    "unassigned": _("Unassigned"),
    "breaching": _("Breaching soon"),
    "merchant": _("Waiting on merchant"),
    "all": _("All"),
}


def _any(choices: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", _("Any")), *choices]


def agents_queryset() -> QuerySet[User]:
    """Platform staff who can answer tickets: the people a ticket can be given to."""
    # Subqueries rather than joins: no DISTINCT over whole user rows on every ticket page.
    groups = Group.objects.filter(
        permissions__codename="reply_ticket", permissions__content_type__app_label="tickets"
    ).values("pk")
    members = User.groups.through.objects.filter(group__in=groups).values("user_id")
    return User.objects.filter(
        Q(pk__in=members) | Q(is_superuser=True), is_active=True, merchant__isnull=True
    ).order_by("username")


class AgentChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.get_username()


class ConsoleFilterForm(forms.Form):
    """The console's GET form; an empty form is valid and shows the chosen queue."""

    queue = forms.ChoiceField(
        label=_("Queue"), required=False, choices=[(q, QUEUE_LABELS[q]) for q in QUEUES]
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=())
    priority = forms.ChoiceField(label=_("Priority"), required=False, choices=())
    category = forms.ChoiceField(label=_("Category"), required=False, choices=())
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=())
    party = forms.ChoiceField(label=_("Responsible party"), required=False, choices=())
    q = forms.CharField(
        label=_("Ticket or order number"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"placeholder": "AS-20261122-000123"}),
    )

    def __init__(self, *args: Any, categories: list[Category], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices("status", TicketStatus.choices)
        self._choices("priority", Priority.choices)
        self._choices("channel", Channel.choices)
        self._choices("party", Party.choices)
        self._choices("category", [(c.code, c.label) for c in categories])

    def _choices(self, name: str, choices: list[tuple[str, Any]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - narrows the type for mypy
        field.choices = _any(choices)

    @property
    def chosen_queue(self) -> str:
        return str(self.cleaned_data.get("queue") or "mine")

    def to_filter(self) -> TicketFilter:
        d = self.cleaned_data
        return TicketFilter(
            queue=self.chosen_queue,
            status=d.get("status") or "",
            priority=d.get("priority") or "",
            category=d.get("category") or "",
            channel=d.get("channel") or "",
            party=d.get("party") or "",
            q=(d.get("q") or "").strip(),
        )


class VersionedForm(forms.Form):
    """The ticket version the page showed: a write based on an older one is a conflict."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class ReplyForm(VersionedForm):
    PUBLIC, NOTE = "public", "note"
    kind = forms.ChoiceField(
        label=_("Send as"),
        choices=[(PUBLIC, _("Public reply")), (NOTE, _("Internal note"))],
        initial=PUBLIC,
        widget=forms.RadioSelect,
    )
    body = forms.CharField(
        label=_("Message"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "id": "reply-body"}),
    )
    status_after = forms.ChoiceField(label=_("Status after sending"), required=False, choices=())

    def __init__(self, *args: Any, allowed: list[TicketStatus], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["status_after"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - narrows the type for mypy
        field.choices = [("", _("Unchanged")), *((s.value, s.label) for s in allowed)]

    @property
    def is_note(self) -> bool:
        return self.cleaned_data.get("kind") == self.NOTE


class TransitionForm(VersionedForm):
    to = forms.ChoiceField(choices=TicketStatus.choices)
    note = forms.CharField(required=False, max_length=500)


class AssignForm(VersionedForm):
    assignee = AgentChoiceField(
        label=_("Give to"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody (back to the queue)"),
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)

    def __init__(self, *args: Any, agents: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, AgentChoiceField)  # noqa: S101 - narrows the type for mypy
        field.queryset = agents


class HandOffForm(VersionedForm):
    to_party = forms.ChoiceField(label=_("Hand off to"), choices=Party.choices)
    reason = forms.CharField(
        label=_("Reason (the customer sees it)"),
        max_length=500,
        error_messages={"required": _("Say why the ticket is handed off.")},
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CompensationForm(forms.Form):
    standard = forms.ModelChoiceField(
        label=_("Standard"), queryset=CompensationStandard.objects.none()
    )
    amount = forms.DecimalField(
        label=_("Amount"), min_value=Decimal("0.01"), max_digits=10, decimal_places=2
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args: Any, standards: QuerySet[CompensationStandard], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["standard"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - narrows the type
        field.queryset = standards


class CompensationDecideForm(forms.Form):
    approve = forms.TypedChoiceField(
        choices=[("1", _("Approve")), ("0", _("Reject"))], coerce=lambda v: v == "1"
    )


class TicketVersionsField(forms.Field):
    """Ticked rows, each "<id>.<version>", as (id, version) pairs."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[tuple[int, int]]:
        pairs = []
        for raw in value or []:
            pk, _dot, version = str(raw).partition(".")
            if not (pk.isdigit() and version.isdigit()):
                raise forms.ValidationError(_("The selection is not valid; reload the page."))
            pairs.append((int(pk), int(version)))
        return pairs


BULK_ACTIONS: Final = [
    ("assign_me", _("Assign to me")),
    ("assign", _("Assign to agent")),
    ("transition", _("Change status")),
    ("tag", _("Add tag")),
]


class BulkForm(forms.Form):
    """Selected rows come as "<id>.<version>", so a row changed meanwhile is a conflict."""

    action = forms.ChoiceField(label=_("Action"), choices=BULK_ACTIONS)
    tickets = TicketVersionsField(error_messages={"required": _("Tick at least one ticket.")})
    assignee = AgentChoiceField(label=_("Agent"), queryset=User.objects.none(), required=False)
    to = forms.ChoiceField(label=_("New status"), required=False, choices=())
    tag = forms.CharField(label=_("Tag"), required=False, max_length=50)

    def __init__(self, *args: Any, agents: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assignee = self.fields["assignee"]
        assert isinstance(assignee, AgentChoiceField)  # noqa: S101 - narrows the type
        assignee.queryset = agents
        to = self.fields["to"]
        assert isinstance(to, forms.ChoiceField)  # noqa: S101 - narrows the type
        to.choices = _any(TicketStatus.choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        needs = {"assign": "assignee", "transition": "to", "tag": "tag"}.get(data.get("action", ""))
        if needs and not data.get(needs):
            self.add_error(needs, _("This action needs a value here."))
        return data


class PhoneLookupForm(forms.Form):
    phone = forms.CharField(
        label=_("Caller's phone"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    order_number = forms.CharField(label=_("Order number"), required=False, max_length=64)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.is_bound and not (data.get("phone") or data.get("order_number")):
            raise forms.ValidationError(_("Enter the caller's phone or an order number."))
        if data.get("phone") and not normalise_phone(data["phone"]):
            self.add_error("phone", _("A phone number needs digits."))
        return data

    def customers(self, orders: QuerySet[Order]) -> list[Customer]:
        """Customers matching the phone (keyed hash) or owning the order number."""
        d = self.cleaned_data
        found = Customer.objects.none()
        if d.get("phone"):
            digest = lookup_hash(normalise_phone(d["phone"]))
            found = Customer.objects.filter(phone_hash=digest).exclude(phone_hash="")
        if d.get("order_number"):
            owners = orders.filter(external_id=d["order_number"].strip()).values("customer_id")
            found = found | Customer.objects.filter(pk__in=owners)
        return list(found.order_by("pk")[:10])


class PhoneTicketForm(forms.Form):
    """The call itself: the customer found above, optionally an order and item, the problem."""

    customer = forms.ModelChoiceField(
        label=_("Customer"), queryset=Customer.objects.none(), widget=forms.RadioSelect
    )
    order = forms.ModelChoiceField(label=_("Order"), queryset=Order.objects.none(), required=False)
    order_item = forms.ModelChoiceField(
        label=_("Item"), queryset=OrderItem.objects.none(), required=False
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.filter(is_active=True), to_field_name="code"
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    subject = forms.CharField(label=_("Subject"), required=False, max_length=200)
    description = forms.CharField(
        label=_("What the caller says"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(
        self, *args: Any, customers: list[Customer], orders: QuerySet[Order], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["priority"].initial = Priority.NORMAL
        ids = [c.pk for c in customers]
        self._set_queryset("customer", Customer.objects.filter(pk__in=ids))
        self._set_queryset("order", orders.filter(customer_id__in=ids).order_by("-placed_at"))
        self._set_queryset(
            "order_item",
            OrderItem.objects.filter(order__in=orders, order__customer_id__in=ids)
            .select_related("order", "product")
            .order_by("order_id", "line_no"),
        )
        if len(customers) == 1:
            self.fields["customer"].initial = customers[0].pk

    def _set_queryset(self, name: str, qs: QuerySet[Any]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - narrows the type
        field.queryset = qs

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        customer, order, item = data.get("customer"), data.get("order"), data.get("order_item")
        if item is not None and order is None:
            data["order"] = order = item.order
        if order is not None and customer is not None and order.customer_id != customer.pk:
            self.add_error("order", _("This order belongs to another customer."))
        if item is not None and order is not None and item.order_id != order.pk:
            self.add_error("order_item", _("This item is not part of the chosen order."))
        return data
