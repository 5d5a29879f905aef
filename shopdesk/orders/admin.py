from django.contrib import admin
from django.http import HttpRequest

from shopdesk.orders.models import LogisticsEvent, Order, OrderItem, Product, Shipment


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin[Product]):
    list_display = ["sku", "name", "category", "merchant", "is_returnable"]
    list_filter = ["category", "is_returnable"]
    search_fields = ["sku", "name"]
    raw_id_fields = ["merchant"]


class OrderItemInline(admin.TabularInline[OrderItem, Order]):
    model = OrderItem
    extra = 0
    raw_id_fields = ["product", "merchant"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin[Order]):
    list_display = ["external_id", "source", "status", "merchant", "total_amount", "placed_at"]
    list_filter = ["status", "source"]
    search_fields = ["external_id"]
    date_hierarchy = "placed_at"
    raw_id_fields = ["merchant", "customer"]
    inlines = [OrderItemInline]
    list_select_related = ["merchant"]
    show_full_result_count = False


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin[Shipment]):
    list_display = ["tracking_number", "carrier", "order", "shipped_at", "delivered_at"]
    search_fields = ["tracking_number"]
    raw_id_fields = ["order"]


@admin.register(LogisticsEvent)
class LogisticsEventAdmin(admin.ModelAdmin[LogisticsEvent]):
    """Read-only: logistics events are append-only."""

    list_display = ["occurred_at", "shipment", "type", "location"]
    list_filter = ["type"]
    raw_id_fields = ["shipment"]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
