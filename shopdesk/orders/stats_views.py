"""Order-processing speed page: filter form, KPI cards, duration table and charts."""

from datetime import date
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shopdesk.accounts.models import Merchant
from shopdesk.accounts.permissions import Perm
from shopdesk.orders.selectors import AnyUser
from shopdesk.orders.states import OrderStatus
from shopdesk.orders.stats import OrderProcessingStats, order_processing_stats

MAX_MERCHANT_CHOICES = 300


class OrderStatsFilterForm(forms.Form):
    date_from = forms.DateField(
        label=_("Placed from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Placed to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    merchant = forms.ModelChoiceField(
        label=_("Merchant"),
        queryset=Merchant.objects.none(),
        required=False,
        empty_label=_("All merchants"),
    )

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        merchant_id = getattr(user, "merchant_id", None)
        # Merchant staff can only pick their own shop; the selector scopes the figures anyway.
        merchants = Merchant.objects.order_by("name", "id")
        field = self.fields["merchant"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        field.queryset = merchants.filter(pk=merchant_id) if merchant_id else merchants
        # A marketplace may have tens of thousands of sellers: ask for the id instead.
        if not merchant_id and merchants.count() > MAX_MERCHANT_CHOICES:
            field.widget = forms.NumberInput(attrs={"min": 1})
            field.label = _("Merchant ID")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if isinstance(start, date) and isinstance(end, date) and start > end:
            raise forms.ValidationError(
                _("The start date is after the end date: swap them."), code="date_order"
            )
        return data


def _chart_data(stats: OrderProcessingStats) -> dict[str, Any]:
    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 2)

    return {
        "stages": [s.label for s in stats.stages],
        "series": [
            {"name": gettext("Mean"), "data": [rounded(s.mean_hours) for s in stats.stages]},
            {"name": gettext("Median"), "data": [rounded(s.median_hours) for s in stats.stages]},
            {"name": gettext("P90"), "data": [rounded(s.p90_hours) for s in stats.stages]},
        ],
        "statuses": [
            {"name": str(OrderStatus(key).label), "value": n}
            for key, n in stats.status_counts.items()
        ],
        "hours": gettext("hours"),
    }


@login_required
@permission_required(Perm.VIEW_ORDER_STATS, raise_exception=True)
def order_stats_view(request: HttpRequest) -> HttpResponse:
    form = OrderStatsFilterForm(request.GET or None, user=request.user)
    stats = None
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        merchant = data.get("merchant")
        stats = order_processing_stats(
            user=request.user,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            merchant_id=merchant.pk if merchant else None,
        )
    context = {
        "form": form,
        "stats": stats,
        "status_rows": [
            (OrderStatus(key).label, n) for key, n in (stats.status_counts.items() if stats else ())
        ],
        "chart_data": _chart_data(stats) if stats else None,
        "on_time_percent": stats.on_time_rate * 100 if stats and stats.on_time_rate else 0,
    }
    return render(request, "orders/stats.html", context)
