"""The multi-condition order query, as plain data. Pages, the API and the CLI all build one."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Final

SORTS: Final[dict[str, tuple[str, bool]]] = {
    "-placed_at": ("placed_at", True),
    "placed_at": ("placed_at", False),
    "-delivered_at": ("delivered_at", True),
    "delivered_at": ("delivered_at", False),
    "-total_amount": ("total_amount", True),
    "total_amount": ("total_amount", False),
}
DEFAULT_SORT: Final = "-placed_at"


@dataclass(frozen=True)
class OrderFilter:
    statuses: tuple[str, ...] = ()
    merchant_id: int | None = None
    customer_phone: str = ""
    customer_name: str = ""
    order_number: str = ""
    sku: str = ""
    product_id: int | None = None
    category: str = ""
    tracking_number: str = ""
    placed_from: date | None = None
    placed_to: date | None = None
    delivered_from: date | None = None
    delivered_to: date | None = None
    is_late: bool | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    extra: dict[str, str] = field(default_factory=dict)
