"""The order search form: every condition of OrderFilter, validated, with clear field errors."""

from decimal import Decimal
from typing import Any, Final

from django import forms
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from shopdesk.accounts.models import Merchant, User
from shopdesk.accounts.permissions import Perm
from shopdesk.orders.filters import DEFAULT_SORT, OrderFilter
from shopdesk.orders.states import OrderStatus

SORT_CHOICES: Final = [
    ("-placed_at", _("Placed, newest first")),
    ("placed_at", _("Placed, oldest first")),
    ("-delivered_at", _("Delivered, newest first")),
    ("delivered_at", _("Delivered, oldest first")),
    ("-total_amount", _("Amount, highest first")),
    ("total_amount", _("Amount, lowest first")),
]

LATE_CHOICES: Final = [("", _("Any")), ("yes", _("Late only")), ("no", _("On time only"))]

_DATE_ERRORS: Final = {"invalid": _("Enter a real date, for example 2024-06-18.")}


def _date_field(label: StrOrPromise) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        error_messages=_DATE_ERRORS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _text_field(label: StrOrPromise, max_length: int = 64, **attrs: str) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=max_length, widget=forms.TextInput(attrs=attrs)
    )


def _amount_field(label: StrOrPromise) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
    )


class OrderSearchForm(forms.Form):
    """A GET form: an empty form is valid and lists the newest orders the user may see."""

    status = forms.MultipleChoiceField(
        label=_("Status"),
        required=False,
        choices=OrderStatus.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    merchant = forms.ModelChoiceField(
        label=_("Merchant"),
        required=False,
        queryset=Merchant.objects.order_by("name", "id"),
        empty_label=_("All merchants"),
    )
    order_number = _text_field(_("Order number"))
    customer_phone = _text_field(_("Customer phone"), 32, inputmode="tel")
    customer_name = _text_field(_("Customer name"), 100)
    sku = _text_field(_("SKU"))
    category = _text_field(_("Category"), 100)
    tracking_number = _text_field(_("Tracking number"))
    placed_from = _date_field(_("Placed from"))
    placed_to = _date_field(_("Placed until"))
    delivered_from = _date_field(_("Delivered from"))
    delivered_to = _date_field(_("Delivered until"))
    late = forms.ChoiceField(label=_("Late or on time"), required=False, choices=LATE_CHOICES)
    amount_min = _amount_field(_("Minimum amount"))
    amount_max = _amount_field(_("Maximum amount"))
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Merchant staff and customers are already scoped: a merchant choice means nothing to
        # them, and customers need not see every merchant's name.
        if user.merchant_id is not None or not user.has_perm(Perm.VIEW_ORDER):
            del self.fields["merchant"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._check_range(
            data, "placed_from", "placed_to", _("Must be on or after the “placed from” date.")
        )
        self._check_range(
            data,
            "delivered_from",
            "delivered_to",
            _("Must be on or after the “delivered from” date."),
        )
        self._check_range(
            data, "amount_min", "amount_max", _("Must not be below the minimum amount.")
        )
        return data

    def _check_range(
        self, data: dict[str, Any], low: str, high: str, message: StrOrPromise
    ) -> None:
        start, end = data.get(low), data.get(high)
        if start is not None and end is not None and start > end:
            self.add_error(high, message)

    @property
    def sort_key(self) -> str:
        return str(self.cleaned_data.get("sort") or DEFAULT_SORT)

    def to_filter(self) -> OrderFilter:
        """The validated conditions as the selectors' OrderFilter (call after is_valid())."""
        d = self.cleaned_data
        merchant: Merchant | None = d.get("merchant")
        late = {"yes": True, "no": False}.get(d.get("late") or "")
        return OrderFilter(
            statuses=tuple(d.get("status") or ()),
            merchant_id=merchant.pk if merchant is not None else None,
            customer_phone=d.get("customer_phone", ""),
            customer_name=d.get("customer_name", ""),
            order_number=d.get("order_number", ""),
            sku=d.get("sku", "").strip(),
            category=d.get("category", "").strip(),
            tracking_number=d.get("tracking_number", ""),
            placed_from=d.get("placed_from"),
            placed_to=d.get("placed_to"),
            delivered_from=d.get("delivered_from"),
            delivered_to=d.get("delivered_to"),
            is_late=late,
            amount_min=d.get("amount_min"),
            amount_max=d.get("amount_max"),
        )

    def is_filtered(self) -> bool:
        """True when any condition (not just the sort) is set."""
        return any(v not in (None, "", [], ()) for k, v in self.cleaned_data.items() if k != "sort")
