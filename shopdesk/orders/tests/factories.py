from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from shopdesk.accounts.tests.factories import CustomerFactory, MerchantFactory
from shopdesk.orders.models import LogisticsEvent, Order, OrderItem, Product, Shipment
from shopdesk.orders.states import Carrier, LogisticsEventType, OrderStatus


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    source = "test"
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    category = "electronics"
    merchant = factory.SubFactory(MerchantFactory)


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    source = "test"
    external_id = factory.Sequence(lambda n: f"ORD{n:08d}")
    status = OrderStatus.DELIVERED
    merchant = factory.SubFactory(MerchantFactory)
    customer = factory.SubFactory(CustomerFactory)
    total_amount = Decimal("199.00")
    placed_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=5))
    approved_at = factory.LazyAttribute(lambda o: o.placed_at + timedelta(hours=1))
    shipped_at = factory.LazyAttribute(lambda o: o.placed_at + timedelta(hours=20))
    delivered_at = factory.LazyAttribute(lambda o: o.placed_at + timedelta(days=3))
    promised_delivery_at = factory.LazyAttribute(lambda o: o.placed_at + timedelta(days=4))


class OrderItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderItem

    order = factory.SubFactory(OrderFactory)
    line_no = factory.Sequence(lambda n: n + 1)
    product = factory.SubFactory(ProductFactory)
    merchant = factory.SelfAttribute("order.merchant")
    sku = factory.SelfAttribute("product.sku")
    quantity = 1
    unit_price = Decimal("199.00")


class ShipmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shipment

    order = factory.SubFactory(OrderFactory)
    carrier = Carrier.SF
    tracking_number = factory.Sequence(lambda n: f"SF{n:010d}")


class LogisticsEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LogisticsEvent

    shipment = factory.SubFactory(ShipmentFactory)
    event_id = factory.Sequence(lambda n: f"ev-{n}")
    type = LogisticsEventType.IN_TRANSIT
    occurred_at = factory.LazyFunction(timezone.now)
    location = "杭州转运中心"
