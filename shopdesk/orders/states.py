"""Order status and the mapping of shop-system statuses onto it. Pure Python, no ORM."""

from typing import Final

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("placed")
    PAID = "paid", _("paid")
    APPROVED = "approved", _("reviewed")
    SHIPPED = "shipped", _("shipped")
    DELIVERED = "delivered", _("delivered")
    COMPLETED = "completed", _("completed")
    CANCELLED = "cancelled", _("cancelled")


# The Olist data set's order_status values.
OLIST_STATUS: Final[dict[str, OrderStatus]] = {
    "created": OrderStatus.PLACED,
    "approved": OrderStatus.APPROVED,
    "invoiced": OrderStatus.APPROVED,
    "processing": OrderStatus.APPROVED,
    "shipped": OrderStatus.SHIPPED,
    "delivered": OrderStatus.DELIVERED,
    "canceled": OrderStatus.CANCELLED,
    "cancelled": OrderStatus.CANCELLED,
    "unavailable": OrderStatus.CANCELLED,
}


class Carrier(models.TextChoices):
    SF = "SF", _("SF Express")
    ZTO = "ZTO", _("ZTO Express")
    YTO = "YTO", _("YTO Express")
    JD = "JD", _("JD Logistics")
    EMS = "EMS", _("EMS")
    OTHER = "OTHER", _("other carrier")


class LogisticsEventType(models.TextChoices):
    PICKED_UP = "picked_up", _("picked up")
    IN_TRANSIT = "in_transit", _("in transit")
    ARRIVED = "arrived", _("arrived at facility")
    OUT_FOR_DELIVERY = "out_for_delivery", _("out for delivery")
    DELIVERED = "delivered", _("delivered")
    EXCEPTION = "exception", _("delivery exception")
    RETURNED = "returned", _("returned to sender")
