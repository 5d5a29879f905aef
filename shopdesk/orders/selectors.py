"""Every read of orders, scoped to the user who asks.

Scope: merchant staff see their merchant's orders; staff with `orders.view_order` see all;
a customer login sees its own; anyone else sees nothing.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from shopdesk.accounts.models import User
from shopdesk.accounts.permissions import Perm
from shopdesk.core import crypto
from shopdesk.core.errors import DomainError, NotFound
from shopdesk.core.pagination import Page, keyset_page
from shopdesk.orders.errors import OrdersErrorCode
from shopdesk.orders.filters import SORTS, OrderFilter
from shopdesk.orders.models import LogisticsEvent, Order, OrderItem, Shipment
from shopdesk.orders.states import OrderStatus

# Any user object from request.user: a logged-in User or the anonymous one.
AnyUser = User | AnonymousUser


def order_scope_for_user(*, user: AnyUser) -> QuerySet[Order]:
    """All orders this user may see, unfiltered."""
    if not user.is_authenticated:
        return Order.objects.none()
    merchant_id = getattr(user, "merchant_id", None)
    if merchant_id is not None:
        if not user.has_perm(Perm.VIEW_ORDER):
            return Order.objects.none()
        return Order.objects.filter(merchant_id=merchant_id)
    if user.has_perm(Perm.VIEW_ORDER):
        return Order.objects.all()
    return Order.objects.filter(customer__user=user)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _filter_dates(
    qs: QuerySet[Order], column: str, start: date | None, end: date | None
) -> QuerySet[Order]:
    if start is not None:
        qs = qs.filter(**{f"{column}__gte": _day_start(start)})
    if end is not None:
        qs = qs.filter(**{f"{column}__lt": _day_start(end + timedelta(days=1))})
    return qs


def _filter_customer(qs: QuerySet[Order], f: OrderFilter) -> QuerySet[Order]:
    # Names and phones are encrypted at rest, so they match exactly through the keyed hash.
    # A value that normalises to nothing (a "phone" without digits) matches no one, rather than
    # every customer without a phone; the non-empty condition also lets PostgreSQL use the
    # partial hash indexes.
    if f.customer_phone:
        digest = crypto.lookup_hash(crypto.normalise_phone(f.customer_phone))
        qs = qs.filter(customer__phone_hash=digest).exclude(customer__phone_hash="")
    if f.customer_name:
        digest = crypto.lookup_hash(crypto.normalise_text(f.customer_name))
        qs = qs.filter(customer__name_hash=digest).exclude(customer__name_hash="")
    return qs


def _filter_items(qs: QuerySet[Order], f: OrderFilter) -> QuerySet[Order]:
    items = OrderItem.objects.filter(order_id=OuterRef("pk"))
    if f.sku:
        qs = qs.filter(Exists(items.filter(sku=f.sku)))
    if f.product_id is not None:
        qs = qs.filter(Exists(items.filter(product_id=f.product_id)))
    if f.category:
        qs = qs.filter(Exists(items.filter(product__category=f.category)))
    if f.tracking_number:
        shipments = Shipment.objects.filter(order_id=OuterRef("pk"))
        qs = qs.filter(Exists(shipments.filter(tracking_number=f.tracking_number.strip())))
    return qs


def late_condition(now: datetime) -> Q:
    """Late: delivered after the promise, or still open with the promise passed."""
    return Q(delivered_at__gt=F("promised_delivery_at")) | Q(
        delivered_at__isnull=True,
        promised_delivery_at__lt=now,
        status__in=[
            OrderStatus.PLACED,
            OrderStatus.PAID,
            OrderStatus.APPROVED,
            OrderStatus.SHIPPED,
        ],
    )


def order_is_late(*, order: Order, now: datetime) -> bool:
    """The same rule as `late_condition`, for one order already in memory (page badges)."""
    promised = order.promised_delivery_at
    if promised is None:
        return False
    if order.delivered_at is not None:
        return order.delivered_at > promised
    is_open = order.status in {
        OrderStatus.PLACED,
        OrderStatus.PAID,
        OrderStatus.APPROVED,
        OrderStatus.SHIPPED,
    }
    return is_open and promised < now


def order_list_for_user(*, user: AnyUser, filters: OrderFilter) -> QuerySet[Order]:
    """The user's orders that match every given condition (unordered)."""
    qs = order_scope_for_user(user=user)
    f = filters
    if f.statuses:
        qs = qs.filter(status__in=f.statuses)
    if f.merchant_id is not None:
        qs = qs.filter(merchant_id=f.merchant_id)
    if f.order_number:
        qs = qs.filter(external_id=f.order_number.strip())
    qs = _filter_customer(qs, f)
    qs = _filter_items(qs, f)
    qs = _filter_dates(qs, "placed_at", f.placed_from, f.placed_to)
    qs = _filter_dates(qs, "delivered_at", f.delivered_from, f.delivered_to)
    if f.is_late is not None:
        late = late_condition(timezone.now())
        qs = qs.filter(late) if f.is_late else qs.exclude(late)
    if f.amount_min is not None:
        qs = qs.filter(total_amount__gte=f.amount_min)
    if f.amount_max is not None:
        qs = qs.filter(total_amount__lte=f.amount_max)
    return qs


def order_page_for_user(
    *, user: AnyUser, filters: OrderFilter, sort: str, cursor: str | None, limit: int
) -> Page[Order]:
    """One page of matching orders, keyset-paginated, with merchant and customer loaded."""
    if sort not in SORTS:
        raise DomainError(
            f"Unknown sort '{sort}'; use one of: {', '.join(SORTS)}.",
            code=OrdersErrorCode.INVALID_SORT,
        )
    field, descending = SORTS[sort]
    qs = order_list_for_user(user=user, filters=filters).select_related("merchant", "customer")
    return keyset_page(qs, field=field, descending=descending, limit=limit, cursor=cursor)


def order_get_for_user(*, user: AnyUser, order_id: int) -> Order:
    """One order with items, shipments and events; NotFound if missing or not visible."""
    events = LogisticsEvent.objects.order_by("occurred_at", "id")
    qs = (
        order_scope_for_user(user=user)
        .select_related("merchant", "customer")
        .prefetch_related(
            Prefetch(
                "items", queryset=OrderItem.objects.select_related("product").order_by("line_no")
            ),
            Prefetch(
                "shipments",
                queryset=Shipment.objects.prefetch_related(
                    Prefetch("events", queryset=events)
                ).order_by("id"),
            ),
        )
    )
    order = qs.filter(pk=order_id).first()
    if order is None:
        raise NotFound("No such order, or you may not see it.")
    return order


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    label: str
    detail: str = ""


_TIMELINE_FIELDS = [
    ("placed_at", "placed", OrderStatus.PLACED.label),
    ("paid_at", "paid", OrderStatus.PAID.label),
    ("approved_at", "approved", OrderStatus.APPROVED.label),
    ("shipped_at", "shipped", OrderStatus.SHIPPED.label),
    ("delivered_at", "delivered", OrderStatus.DELIVERED.label),
    ("completed_at", "completed", OrderStatus.COMPLETED.label),
    ("cancelled_at", "cancelled", OrderStatus.CANCELLED.label),
]


def order_timeline(*, order: Order) -> list[TimelineEntry]:
    """The order's milestones and its shipments' logistics events, oldest first.

    Expects an order from `order_get_for_user` (shipments and events prefetched)."""
    entries = [
        TimelineEntry(at=getattr(order, attr), kind=kind, label=str(label))
        for attr, kind, label in _TIMELINE_FIELDS
        if getattr(order, attr) is not None
    ]
    for shipment in order.shipments.all():
        for event in shipment.events.all():
            detail = " · ".join(p for p in (event.location, event.description) if p)
            entries.append(
                TimelineEntry(
                    at=event.occurred_at,
                    kind=f"logistics:{event.type}",
                    label=f"{shipment.get_carrier_display()} {event.get_type_display()}",
                    detail=detail,
                )
            )
    return sorted(entries, key=lambda e: e.at)


def shipment_get_for_user(*, user: AnyUser, carrier: str, tracking_number: str) -> Shipment:
    """A parcel of an order the user may see; NotFound if missing or not visible."""
    shipment = (
        Shipment.objects.select_related("order")
        .filter(
            order__in=order_scope_for_user(user=user),
            carrier=carrier,
            tracking_number=tracking_number.strip(),
        )
        .first()
    )
    if shipment is None:
        raise NotFound(gettext("No such shipment, or you may not see it."))
    return shipment


def can_upsert_order(
    *, user: User, source: str, external_id: str, merchant_external_id: str
) -> bool:
    """Object scope of an order upsert; the caller has checked `orders.add_order`.

    Merchant staff may only send orders of their own merchant: the payload names their merchant
    (same source and external id) and an existing order with this number is already theirs.
    """
    merchant = user.merchant
    if merchant is None:
        return True
    if (source, merchant_external_id) != (merchant.source, merchant.external_id):
        return False
    others = Order.objects.filter(source=source, external_id=external_id).exclude(merchant=merchant)
    return not others.exists()
