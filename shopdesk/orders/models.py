"""Products, orders with their timeline, shipments and append-only logistics events."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from shopdesk.accounts.models import Customer, Merchant
from shopdesk.core.models import BaseModel
from shopdesk.orders.states import Carrier, LogisticsEventType, OrderStatus


class Product(BaseModel):
    source = models.CharField(_("source"), max_length=32, default="manual")
    sku = models.CharField(_("SKU"), max_length=64)
    name = models.CharField(_("name"), max_length=200, blank=True)
    category = models.CharField(_("category"), max_length=100, blank=True, db_index=True)
    # A marketplace product may be sold by several merchants (Olist); the item names the seller.
    merchant = models.ForeignKey(
        Merchant, null=True, blank=True, on_delete=models.PROTECT, related_name="products"
    )
    is_returnable = models.BooleanField(_("returnable"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.UniqueConstraint(fields=["source", "sku"], name="product_source_sku_uq")
        ]

    def __str__(self) -> str:
        return self.name or self.sku


class Order(BaseModel):
    source = models.CharField(_("source"), max_length=32)
    external_id = models.CharField(_("order number"), max_length=64)
    status = models.CharField(
        _("status"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.PLACED
    )
    # One merchant per order, as Chinese marketplaces split carts by shop. For an imported
    # multi-seller order this is the seller of the first item; each item keeps its own seller.
    # Both foreign keys are the leading column of a composite index below, so they get no
    # index of their own: every index costs time on each imported row.
    merchant = models.ForeignKey(
        Merchant,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
        db_index=False,
    )
    customer = models.ForeignKey(
        Customer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
        db_index=False,
    )
    total_amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, default=Decimal("0.00")
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    has_freight_insurance = models.BooleanField(_("freight insurance"), default=False)
    placed_at = models.DateTimeField(_("placed at"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("outbound at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    promised_delivery_at = models.DateTimeField(_("promised delivery time"), null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        permissions = [("view_order_stats", "Can view order-processing statistics")]
        constraints = [
            # external_id first: it also serves the order-number search across sources.
            models.UniqueConstraint(fields=["external_id", "source"], name="order_source_ext_uq"),
            models.CheckConstraint(
                condition=models.Q(status__in=OrderStatus.values), name="order_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(total_amount__gte=0), name="order_amount_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["placed_at", "id"], name="order_placed_idx"),
            models.Index(fields=["merchant", "placed_at", "id"], name="order_merchant_placed_idx"),
            models.Index(fields=["status", "placed_at", "id"], name="order_status_placed_idx"),
            models.Index(fields=["customer", "placed_at"], name="order_customer_idx"),
            models.Index(fields=["delivered_at"], name="order_delivered_idx"),
            models.Index(fields=["total_amount", "id"], name="order_amount_idx"),
        ]

    def __str__(self) -> str:
        return self.external_id


class OrderItem(models.Model):
    # Indexed through the (order, line_no) unique constraint.
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items", db_index=False)
    line_no = models.PositiveIntegerField(_("line"))
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="order_items")
    merchant = models.ForeignKey(
        Merchant,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="order_items",
        db_index=False,
    )
    sku = models.CharField(_("SKU"), max_length=64, db_index=True)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    freight = models.DecimalField(
        _("freight"), max_digits=12, decimal_places=2, default=Decimal("0.00")
    )

    class Meta:
        verbose_name = _("order item")
        verbose_name_plural = _("order items")
        constraints = [
            models.UniqueConstraint(fields=["order", "line_no"], name="orderitem_order_line_uq"),
            models.CheckConstraint(
                condition=models.Q(unit_price__gte=0) & models.Q(freight__gte=0),
                name="orderitem_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}#{self.line_no} {self.sku}"


class Shipment(BaseModel):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipments")
    carrier = models.CharField(_("carrier"), max_length=8, choices=Carrier.choices)
    # Indexed through the (tracking_number, carrier) unique constraint.
    tracking_number = models.CharField(_("tracking number"), max_length=64)
    shipped_at = models.DateTimeField(_("outbound at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        constraints = [
            models.UniqueConstraint(
                fields=["tracking_number", "carrier"], name="shipment_carrier_tracking_uq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.carrier} {self.tracking_number}"


class LogisticsEvent(models.Model):
    """One carrier scan. Append-only: rows are inserted by `logistics_event_append` and
    never updated or deleted."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    event_id = models.CharField(_("event id"), max_length=100, unique=True)
    type = models.CharField(_("type"), max_length=20, choices=LogisticsEventType.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    description = models.CharField(_("description"), max_length=500, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("logistics event")
        verbose_name_plural = _("logistics events")
        indexes = [models.Index(fields=["shipment", "occurred_at"], name="logevent_shipment_idx")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.type}"
