"""Deterministic Olist-layout folders of any size, for benchmarks and tests.

Rows are written as they are generated, and every id is a hash of (seed, kind, number), so
memory stays flat for a million orders. Shapes follow the public data set: one customer row
per order with ~3% repeat buyers, ~1.15 items per order, ~97% delivered, quoted order rows,
empty timestamps for undelivered orders and ~2% of products without a category.
"""

import csv
import hashlib
import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from shopdesk.orders.importers.olist_layout import FILES

_STATUSES = (
    ("delivered", 970),
    ("shipped", 11),
    ("canceled", 6),
    ("unavailable", 6),
    ("invoiced", 3),
    ("processing", 3),
    ("approved", 1),
)
_CATEGORIES = (
    "cama_mesa_banho",
    "beleza_saude",
    "esporte_lazer",
    "moveis_decoracao",
    "informatica_acessorios",
    "utilidades_domesticas",
    "relogios_presentes",
    "telefonia",
    "brinquedos",
    "automotivo",
)
_CITIES = (
    ("sao paulo", "SP"),
    ("rio de janeiro", "RJ"),
    ("belo horizonte", "MG"),
    ("curitiba", "PR"),
    ("porto alegre", "RS"),
    ("salvador", "BA"),
)
_START = datetime(2016, 9, 4, 21, 15, 19)  # noqa: DTZ001 - Olist times are naive
_FORMAT = "%Y-%m-%d %H:%M:%S"


def _id(seed: int, kind: str, number: int) -> str:
    return hashlib.blake2b(f"{seed}:{kind}:{number}".encode(), digest_size=16).hexdigest()


def _stamp(value: datetime | None) -> str:
    return value.strftime(_FORMAT) if value else ""


class _Writers:
    def __init__(self, folder: Path) -> None:
        self._handles = {
            name: (folder / file).open("w", newline="", encoding="utf-8")
            for name, file in FILES.items()
        }
        self.orders = csv.writer(self._handles["orders"], quoting=csv.QUOTE_ALL)
        self.items = csv.writer(self._handles["items"])
        self.customers = csv.writer(self._handles["customers"])
        self.products = csv.writer(self._handles["products"])
        self.sellers = csv.writer(self._handles["sellers"])

    def close(self) -> None:
        for handle in self._handles.values():
            handle.close()


def _order_times(rng: random.Random, status: str, number: int, orders: int) -> list[str]:
    placed = _START + timedelta(
        seconds=int(number * 63_000_000 / max(orders, 1)) + rng.randrange(3600)
    )
    approved = placed + timedelta(minutes=rng.randrange(10, 2000)) if status != "created" else None
    shipped = delivered = None
    if status in {"shipped", "delivered"}:
        shipped = (approved or placed) + timedelta(hours=rng.randrange(12, 120))
    if status == "delivered":
        delivered = (shipped or placed) + timedelta(hours=rng.randrange(24, 480))
    promised = placed.replace(hour=0, minute=0, second=0) + timedelta(days=rng.randrange(10, 45))
    return [_stamp(placed), _stamp(approved), _stamp(shipped), _stamp(delivered), _stamp(promised)]


def _orders(
    writers: _Writers, rng: random.Random, seed: int, orders: int, scale: dict[str, int]
) -> None:
    statuses = [name for name, weight in _STATUSES for _n in range(weight)]
    for number in range(orders):
        order_id, customer_id = _id(seed, "order", number), _id(seed, "customer", number)
        # ~3% of orders come from a buyer who ordered before.
        person = rng.randrange(number) if number and rng.random() < 0.03 else number
        city, state = _CITIES[person % len(_CITIES)]
        writers.customers.writerow(
            [customer_id, _id(seed, "person", person), f"{1000 + person % 98000:05d}", city, state]
        )
        status = rng.choice(statuses)
        writers.orders.writerow(
            [order_id, customer_id, status, *_order_times(rng, status, number, orders)]
        )
        if status == "unavailable" and rng.random() < 0.9:
            continue  # Olist lists most unavailable orders without items
        lines = 1 if rng.random() < 0.9 else rng.choice((2, 2, 2, 3, 4))
        seller = rng.randrange(scale["sellers"])
        for line_no in range(1, lines + 1):
            price = (
                rng.choice((9.9, 19.9, 29.99, 49.9, 89.0, 129.9, 199.0)) + rng.randrange(100) / 100
            )
            writers.items.writerow(
                [
                    order_id,
                    line_no,
                    _id(seed, "product", rng.randrange(scale["products"])),
                    _id(seed, "seller", seller),
                    "",  # shipping_limit_date is not imported
                    f"{price:.2f}",
                    f"{rng.randrange(0, 4000) / 100:.2f}",
                ]
            )


def _catalogue(writers: _Writers, rng: random.Random, seed: int, scale: dict[str, int]) -> None:
    for number in range(scale["sellers"]):
        city, state = _CITIES[number % len(_CITIES)]
        writers.sellers.writerow(
            [_id(seed, "seller", number), f"{10000 + number:05d}", city, state]
        )
    for number in range(scale["products"]):
        category = "" if rng.random() < 0.02 else rng.choice(_CATEGORIES)
        weight = rng.randrange(50, 30000)
        writers.products.writerow(
            [
                _id(seed, "product", number),
                category,
                rng.randrange(5, 76),
                rng.randrange(4, 3000),
                rng.randrange(1, 10),
                weight,
                16,
                10,
                11,
            ]
        )


def _headers(writers: _Writers) -> None:
    writers.orders.writerow(
        [
            "order_id",
            "customer_id",
            "order_status",
            "order_purchase_timestamp",
            "order_approved_at",
            "order_delivered_carrier_date",
            "order_delivered_customer_date",
            "order_estimated_delivery_date",
        ]
    )
    writers.items.writerow(
        [
            "order_id",
            "order_item_id",
            "product_id",
            "seller_id",
            "shipping_limit_date",
            "price",
            "freight_value",
        ]
    )
    writers.customers.writerow(
        [
            "customer_id",
            "customer_unique_id",
            "customer_zip_code_prefix",
            "customer_city",
            "customer_state",
        ]
    )
    writers.products.writerow(
        [
            "product_id",
            "product_category_name",
            "product_name_lenght",
            "product_description_lenght",
            "product_photos_qty",
            "product_weight_g",
            "product_length_cm",
            "product_height_cm",
            "product_width_cm",
        ]
    )
    writers.sellers.writerow(["seller_id", "seller_zip_code_prefix", "seller_city", "seller_state"])


def write_olist_folder(path: Path | str, *, orders: int, seed: int = 0) -> dict[str, Any]:
    """Write the five Olist CSV files for `orders` orders into `path` (created if needed).

    The same (orders, seed) always gives the same bytes. Returns the folder and row counts.
    """
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    # Olist's ratios: ~3,100 sellers and ~33,000 products for ~99,000 orders.
    scale = {"sellers": max(1, orders // 32), "products": max(1, orders // 3)}
    rng = random.Random(seed)  # noqa: S311 - test data, not security
    writers = _Writers(folder)
    try:
        _headers(writers)
        _catalogue(writers, rng, seed, scale)
        _orders(writers, rng, seed, orders, scale)
    finally:
        writers.close()
    return {"path": str(folder), "orders": orders, **scale}
