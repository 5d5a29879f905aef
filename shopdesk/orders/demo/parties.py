"""Demo merchants, their product catalogue and customers, written with bulk_create in batches."""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction

from shopdesk.accounts.models import Customer, Merchant
from shopdesk.accounts.services import CustomerContact, customer_contact_columns
from shopdesk.core.progress import Progress
from shopdesk.orders.demo.catalogue import (
    CATEGORIES,
    CHINESE_GIVEN,
    CHINESE_SURNAMES,
    ENGLISH_FIRST,
    ENGLISH_LAST,
    PLACES,
    SHOP_KINDS,
    SHOP_WORDS,
    STREETS,
)
from shopdesk.orders.models import Product

DEMO_SOURCE = "demo"
_PHONE_PREFIXES = ("138", "139", "150", "186", "177", "199")
_TIERS = (
    (Customer.Tier.REGULAR, 0.65),
    (Customer.Tier.SILVER, 0.85),
    (Customer.Tier.GOLD, 0.95),
    (Customer.Tier.VIP, 1.0),
)


@dataclass(frozen=True)
class CatalogueEntry:
    product_id: int
    sku: str
    price: Decimal


@dataclass(frozen=True)
class Shop:
    merchant_id: int
    products: tuple[CatalogueEntry, ...]


def merchant_count(orders: int) -> int:
    return max(6, min(60, orders // 500))


def customer_count(orders: int) -> int:
    return max(40, orders // 4)


def shops_create(*, rng: random.Random, count: int) -> list[Shop]:
    """`count` merchants, each selling two or three categories of the catalogue."""
    categories = sorted(CATEGORIES)
    merchants = []
    for i in range(count):
        word = SHOP_WORDS[i % len(SHOP_WORDS)]
        kind = SHOP_KINDS[rng.randrange(len(SHOP_KINDS))]
        generation = f"{i // len(SHOP_WORDS) + 1}号" if i >= len(SHOP_WORDS) else ""
        main = categories[i % len(categories)]
        region, city, _ = PLACES[rng.randrange(len(PLACES))]
        merchants.append(
            Merchant(
                source=DEMO_SOURCE,
                external_id=f"DM{i + 1:04d}",
                name=f"{word}{main}{generation}{kind}",
                city=city,
                region=region,
            )
        )
    with transaction.atomic():
        Merchant.objects.bulk_create(merchants)
        return [
            _catalogue_create(rng, m, _shop_categories(rng, i, categories))
            for i, m in enumerate(merchants)
        ]


def _shop_categories(rng: random.Random, i: int, categories: list[str]) -> list[str]:
    # The main category, one from the other half of the list (so six shops already cover
    # every category) and one at random.
    n = len(categories)
    return [categories[i % n], categories[(i + n // 2) % n], rng.choice(categories)]


def _catalogue_create(rng: random.Random, merchant: Merchant, categories: list[str]) -> Shop:
    products = []
    for category in dict.fromkeys(categories):  # keeps order, drops a repeated category
        for n, template in enumerate(CATEGORIES[category]):
            price = Decimal(template.price) * Decimal(rng.choice(("0.9", "1.0", "1.0", "1.2")))
            products.append(
                (
                    Product(
                        source=DEMO_SOURCE,
                        sku=f"{merchant.external_id}-{category_code(category)}-{n + 1:03d}",
                        name=template.name,
                        category=category,
                        merchant=merchant,
                        is_returnable=template.is_returnable,
                    ),
                    price.quantize(Decimal("0.01")),
                )
            )
    Product.objects.bulk_create([p for p, _ in products])
    return Shop(
        merchant_id=merchant.pk,
        products=tuple(CatalogueEntry(p.pk, p.sku, price) for p, price in products),
    )


def category_code(category: str) -> str:
    return f"C{sorted(CATEGORIES).index(category) + 1:02d}"


def _customer(rng: random.Random, i: int) -> Customer:
    region, city, districts = PLACES[rng.randrange(len(PLACES))]
    english = rng.random() < 0.12
    if english:
        first, last = rng.choice(ENGLISH_FIRST), rng.choice(ENGLISH_LAST)
        name, email = f"{first} {last}", f"{first}.{last}{i}@example.com".lower()
    else:
        name = rng.choice(CHINESE_SURNAMES) + rng.choice(CHINESE_GIVEN)
        email = f"buyer{i}@example.cn"
    phone = _PHONE_PREFIXES[i % len(_PHONE_PREFIXES)] + f"{(i * 7919 + 1234) % 10**8:08d}"
    city_part = "" if region.startswith(city) else f"{city}市"
    address = (
        f"{region}{city_part}{rng.choice(districts)}{rng.choice(STREETS)}"
        f"{rng.randrange(1, 999)}号{rng.randrange(1, 30)}栋{rng.randrange(101, 2801)}室"
    )
    draw = rng.random()
    tier = next(t for t, upper in _TIERS if draw < upper)
    contact = CustomerContact(name=name, phone=phone, email=email, address=address)
    return Customer(
        source=DEMO_SOURCE,
        external_id=f"DC{i + 1:07d}",
        tier=tier,
        language="en" if english else "zh-hans",
        city=city,
        region=region,
        **customer_contact_columns(contact),
    )


def customers_create(
    *, rng: random.Random, count: int, batch_size: int, progress: Progress
) -> Iterator[tuple[int, str]]:
    """Create `count` customers in batches; yields (pk, city) of each, in order."""
    for start in range(0, count, batch_size):
        batch = [_customer(rng, i) for i in range(start, min(start + batch_size, count))]
        with transaction.atomic():
            Customer.objects.bulk_create(batch)
        connection.queries_log.clear()  # DEBUG keeps every SQL string otherwise
        progress.advance(len(batch))
        yield from ((c.pk, c.city) for c in batch)
