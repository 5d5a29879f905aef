"""Request and response shapes of the orders API.

Customer contact data leaves the API masked only (138****1234); the clear text stays encrypted.
"""

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from django.utils import timezone
from ninja import Field, Schema
from pydantic import AfterValidator, StringConstraints

from shopdesk.accounts.models import Customer
from shopdesk.accounts.services import CustomerContact
from shopdesk.orders.filters import DEFAULT_SORT, OrderFilter
from shopdesk.orders.models import Order
from shopdesk.orders.selectors import TimelineEntry
from shopdesk.orders.services import (
    CustomerData,
    ItemData,
    LogisticsEventData,
    OrderData,
    ShipmentData,
)
from shopdesk.orders.states import Carrier, LogisticsEventType, OrderStatus


def _aware(value: datetime) -> datetime:
    # Shop systems often send local wall-clock time; read it in the site's time zone.
    return timezone.make_aware(value) if timezone.is_naive(value) else value


Timestamp = Annotated[datetime, AfterValidator(_aware)]
Money = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
Text = Annotated[str, StringConstraints(strip_whitespace=True)]


class MerchantOut(Schema):
    id: int
    source: str
    external_id: str
    name: str


class CustomerOut(Schema):
    """A customer as the API shows it: contact data masked, never in clear text."""

    id: int
    external_id: str
    tier: str
    language: str
    city: str
    masked_name: str
    masked_phone: str
    masked_email: str
    masked_address: str


class OrderOut(Schema):
    id: int
    source: str
    order_number: str = Field(..., alias="external_id")
    status: OrderStatus
    merchant: MerchantOut | None
    customer: CustomerOut | None
    total_amount: Decimal
    currency: str
    has_freight_insurance: bool
    placed_at: datetime
    paid_at: datetime | None
    approved_at: datetime | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    completed_at: datetime | None
    cancelled_at: datetime | None
    promised_delivery_at: datetime | None
    updated_at: datetime


class OrderPageOut(Schema):
    items: list[OrderOut]
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` to get the next page; null on the last page."
    )


class OrderItemOut(Schema):
    line_no: int
    sku: str
    product_id: int
    product_name: str = Field(..., alias="product.name")
    category: str = Field(..., alias="product.category")
    quantity: int
    unit_price: Decimal
    freight: Decimal


class LogisticsEventOut(Schema):
    event_id: str
    type: LogisticsEventType
    occurred_at: datetime
    location: str
    description: str


class ShipmentOut(Schema):
    id: int
    carrier: Carrier
    tracking_number: str
    shipped_at: datetime | None
    delivered_at: datetime | None
    events: list[LogisticsEventOut]


class TimelineEntryOut(Schema):
    at: datetime
    kind: str
    label: str
    detail: str


class OrderDetailOut(OrderOut):
    items: list[OrderItemOut]
    shipments: list[ShipmentOut]
    timeline: list[TimelineEntryOut] = Field(
        default_factory=list, description="Milestones and logistics events, oldest first."
    )

    @classmethod
    def from_order(cls, order: Order, *, timeline: Sequence[TimelineEntry]) -> "OrderDetailOut":
        detail = cls.model_validate(order)
        detail.timeline = [TimelineEntryOut.model_validate(entry) for entry in timeline]
        return detail


class OrderListQuery(Schema):
    """Every condition is optional; all given conditions must hold."""

    status: list[OrderStatus] = Field(default_factory=list, description="Repeatable.")
    merchant: int | None = Field(None, description="Merchant id.")
    customer_phone: Text = Field("", description="Exact phone number (matched by keyed hash).")
    customer_name: Text = Field("", description="Exact full name (matched by keyed hash).")
    order_number: Text = ""
    sku: Text = ""
    product: int | None = Field(None, description="Product id.")
    category: Text = ""
    tracking_number: Text = ""
    placed_from: date | None = Field(None, description="YYYY-MM-DD, inclusive.")
    placed_to: date | None = Field(None, description="YYYY-MM-DD, inclusive.")
    delivered_from: date | None = None
    delivered_to: date | None = None
    late: bool | None = Field(None, description="Delivered after the promise, or overdue.")
    amount_min: Decimal | None = Field(None, ge=0)
    amount_max: Decimal | None = Field(None, ge=0)
    sort: str = Field(DEFAULT_SORT, description="One of the sort keys listed in the API guide.")
    cursor: str | None = Field(None, description="`next_cursor` of the previous page.")
    limit: int = Field(50, ge=1, le=200)

    def to_filter(self) -> OrderFilter:
        return OrderFilter(
            statuses=tuple(self.status),
            merchant_id=self.merchant,
            customer_phone=self.customer_phone,
            customer_name=self.customer_name,
            order_number=self.order_number,
            sku=self.sku,
            product_id=self.product,
            category=self.category,
            tracking_number=self.tracking_number,
            placed_from=self.placed_from,
            placed_to=self.placed_to,
            delivered_from=self.delivered_from,
            delivered_to=self.delivered_to,
            is_late=self.late,
            amount_min=self.amount_min,
            amount_max=self.amount_max,
        )


class MerchantIn(Schema):
    external_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    name: Text = ""


class CustomerIn(Schema):
    external_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    name: Text = ""
    phone: Text = ""
    email: Text = ""
    address: Text = ""
    tier: Customer.Tier = Customer.Tier.REGULAR
    language: str = Field("zh-hans", max_length=10)
    city: Text = ""
    region: Text = ""

    def to_data(self) -> CustomerData:
        contact = CustomerContact(
            name=self.name, phone=self.phone, email=self.email, address=self.address
        )
        return CustomerData(
            external_id=self.external_id,
            contact=contact,
            tier=self.tier,
            language=self.language,
            city=self.city,
            region=self.region,
        )


class OrderItemIn(Schema):
    sku: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    name: Text = ""
    category: Text = ""
    quantity: int = Field(1, ge=1)
    unit_price: Money
    freight: Money = Decimal("0")

    def to_data(self) -> ItemData:
        return ItemData(
            sku=self.sku,
            unit_price=self.unit_price,
            quantity=self.quantity,
            freight=self.freight,
            product_name=self.name,
            category=self.category,
        )


class ShipmentIn(Schema):
    carrier: Carrier
    tracking_number: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)
    ]
    shipped_at: Timestamp | None = None


class OrderUpsertIn(Schema):
    status: OrderStatus
    placed_at: Timestamp
    paid_at: Timestamp | None = None
    approved_at: Timestamp | None = None
    shipped_at: Timestamp | None = None
    delivered_at: Timestamp | None = None
    completed_at: Timestamp | None = None
    cancelled_at: Timestamp | None = None
    promised_delivery_at: Timestamp | None = None
    currency: str = Field("CNY", min_length=3, max_length=3)
    has_freight_insurance: bool = False
    merchant: MerchantIn | None = None
    customer: CustomerIn | None = None
    items: list[OrderItemIn] = Field(default_factory=list)
    shipments: list[ShipmentIn] = Field(default_factory=list)

    def to_data(self) -> OrderData:
        return OrderData(
            status=self.status,
            placed_at=self.placed_at,
            merchant_external_id=self.merchant.external_id if self.merchant else "",
            merchant_name=self.merchant.name if self.merchant else "",
            customer=self.customer.to_data() if self.customer else None,
            items=tuple(item.to_data() for item in self.items),
            shipments=tuple(
                ShipmentData(s.carrier, s.tracking_number, s.shipped_at) for s in self.shipments
            ),
            currency=self.currency,
            has_freight_insurance=self.has_freight_insurance,
            paid_at=self.paid_at,
            approved_at=self.approved_at,
            shipped_at=self.shipped_at,
            delivered_at=self.delivered_at,
            completed_at=self.completed_at,
            cancelled_at=self.cancelled_at,
            promised_delivery_at=self.promised_delivery_at,
        )


class LogisticsEventIn(Schema):
    event_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    type: LogisticsEventType
    occurred_at: Timestamp
    location: str = Field("", max_length=200)
    description: str = Field("", max_length=500)

    def to_data(self) -> LogisticsEventData:
        return LogisticsEventData(
            event_id=self.event_id,
            type=self.type,
            occurred_at=self.occurred_at,
            location=self.location,
            description=self.description,
        )


class LogisticsEventsIn(Schema):
    events: list[LogisticsEventIn] = Field(..., min_length=1, max_length=500)


class LogisticsEventsOut(Schema):
    created: list[str] = Field(..., description="Event ids appended by this request.")
    existing: list[str] = Field(..., description="Event ids that were already recorded.")
