"""A small Olist-layout folder written by the tests (the data set's column names, made-up
rows): orders delivered early, on time and late, and their reviews, plus bad review rows."""

import csv
from datetime import datetime, timedelta
from pathlib import Path

BASE = datetime(2018, 3, 1, 10, 0, 0)  # noqa: DTZ001 - Olist files hold local naive times
# (order number, days late (negative = early), review score)
ORDERS = [
    (1, -3, 5),
    (2, -1, 5),
    (3, 0, 4),
    (4, 2, 3),
    (5, 3, 3),
    (6, 6, 2),
    (7, 10, 1),
    (8, 15, 1),
]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def olist_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    orders, items, customers, reviews = [], [], [], []
    for number, late, score in ORDERS:
        order_id = f"{number:032x}"
        customer_id = f"c{number:031x}"
        placed = BASE + timedelta(days=number)
        promised = placed + timedelta(days=10)
        delivered = promised + timedelta(days=late)
        orders.append(
            [
                order_id,
                customer_id,
                "delivered",
                _stamp(placed),
                _stamp(placed + timedelta(hours=1)),
                _stamp(placed + timedelta(days=2)),
                _stamp(delivered),
                _stamp(promised),
            ]
        )
        items.append(
            [
                order_id,
                "1",
                "p" + "0" * 31,
                "s" + "0" * 31,
                _stamp(placed + timedelta(days=3)),
                "50.00",
                "10.00",
            ]
        )
        customers.append([customer_id, f"u{number:031x}", "01000", "sao paulo", "SP"])
        reviews.append(
            [
                f"r{number:031x}",
                order_id,
                str(score),
                "",
                f"comment {number}",
                _stamp(delivered + timedelta(days=1)),
                _stamp(delivered + timedelta(days=2)),
            ]
        )
    reviews.append(
        ["r" + "f" * 31, "0" * 32, "5", "", "", _stamp(BASE), _stamp(BASE)]
    )  # unknown order
    reviews.append(
        ["r" + "e" * 31, orders[0][0], "9", "", "", _stamp(BASE), _stamp(BASE)]
    )  # score 9
    _write(
        folder / "olist_orders_dataset.csv",
        [
            "order_id",
            "customer_id",
            "order_status",
            "order_purchase_timestamp",
            "order_approved_at",
            "order_delivered_carrier_date",
            "order_delivered_customer_date",
            "order_estimated_delivery_date",
        ],
        orders,
    )
    _write(
        folder / "olist_order_items_dataset.csv",
        [
            "order_id",
            "order_item_id",
            "product_id",
            "seller_id",
            "shipping_limit_date",
            "price",
            "freight_value",
        ],
        items,
    )
    _write(
        folder / "olist_customers_dataset.csv",
        [
            "customer_id",
            "customer_unique_id",
            "customer_zip_code_prefix",
            "customer_city",
            "customer_state",
        ],
        customers,
    )
    _write(
        folder / "olist_products_dataset.csv",
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
        ],
        [["p" + "0" * 31, "utilidades_domesticas", "40", "300", "2", "500", "20", "10", "15"]],
    )
    _write(
        folder / "olist_sellers_dataset.csv",
        ["seller_id", "seller_zip_code_prefix", "seller_city", "seller_state"],
        [["s" + "0" * 31, "13023", "campinas", "SP"]],
    )
    _write(
        folder / "olist_order_reviews_dataset.csv",
        [
            "review_id",
            "order_id",
            "review_score",
            "review_comment_title",
            "review_comment_message",
            "review_creation_date",
            "review_answer_timestamp",
        ],
        reviews,
    )
    return folder
