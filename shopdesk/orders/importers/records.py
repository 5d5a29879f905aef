"""Canonical rows that every reader produces and the writer stages, and the field parsers.

Rows are NamedTuples so they go straight into COPY / executemany without another copy. Each
carries `line`, the physical line of the source file it came from, for the error report.
"""

from collections.abc import Sequence
from datetime import datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django.utils.translation import gettext as _


class RowRejected(ValueError):
    """A source row cannot be imported; the message says why, for the error report."""


class RowError(NamedTuple):
    file: str
    line: int
    reason: str


class MerchantRow(NamedTuple):
    external_id: str
    name: str
    city: str
    region: str
    line: int


class ProductRow(NamedTuple):
    sku: str
    name: str
    category: str
    line: int


class CustomerRow(NamedTuple):
    """Contact columns arrive encrypted and hashed (accounts.services.customer_contact_columns)."""

    external_id: str
    name_enc: str
    phone_enc: str
    email_enc: str
    address_enc: str
    name_hash: str
    phone_hash: str
    email_hash: str
    city: str
    region: str
    line: int


class OrderRow(NamedTuple):
    external_id: str
    status: str
    customer_ext: str
    # The merchant of the lowest line and the order total are derived from the order's items.
    merchant_ext: str
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
    line: int


class ItemRow(NamedTuple):
    order_ext: str
    line_no: int
    sku: str
    merchant_ext: str
    quantity: int
    unit_price: Decimal
    freight: Decimal
    line: int


class ShipmentRow(NamedTuple):
    order_ext: str
    carrier: str
    tracking_number: str
    shipped_at: datetime | None
    line: int


_MAX_AMOUNT = Decimal("9999999999.99")  # max_digits=12, decimal_places=2
_CENT = Decimal("0.01")


def required(value: str | None, field: str) -> str:
    """The stripped value; a missing or blank one rejects the row."""
    text = (value or "").strip()
    if not text:
        raise RowRejected(_("missing %(field)s") % {"field": field})
    return text


def key(value: str | None, field: str, *, max_length: int = 64) -> str:
    """An identifier (order number, SKU, id): required and no longer than its column."""
    text = required(value, field)
    if len(text) > max_length:
        raise RowRejected(
            _("%(field)s is longer than %(max)d characters") % {"field": field, "max": max_length}
        )
    return text


def parse_amount(value: str | None, field: str, *, default: Decimal | None = None) -> Decimal:
    """A non-negative money amount with at most 2 decimals ("1,299.00" and "¥12" accepted)."""
    text = (value or "").strip().replace(",", "").lstrip("¥￥$R").strip()
    if not text:
        if default is not None:
            return default
        raise RowRejected(_("missing %(field)s") % {"field": field})
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise RowRejected(
            _("%(field)s is not a number: %(value)r") % {"field": field, "value": value}
        ) from None
    if not amount.is_finite():
        raise RowRejected(
            _("%(field)s is not a number: %(value)r") % {"field": field, "value": value}
        )
    if amount < 0:
        raise RowRejected(_("negative %(field)s: %(value)s") % {"field": field, "value": text})
    if amount > _MAX_AMOUNT:
        raise RowRejected(_("%(field)s is too large: %(value)s") % {"field": field, "value": text})
    return amount.quantize(_CENT)


def parse_positive_int(value: str | None, field: str, *, default: int | None = None) -> int:
    text = (value or "").strip()
    if not text and default is not None:
        return default
    try:
        number = int(Decimal(text)) if "." in text else int(text)
    except (ValueError, InvalidOperation):
        raise RowRejected(
            _("%(field)s is not a whole number: %(value)r") % {"field": field, "value": value}
        ) from None
    if number < 1 or number > 2_147_483_647:
        raise RowRejected(
            _("%(field)s must be at least 1: %(value)s") % {"field": field, "value": text}
        )
    return number


def parse_timestamp(
    value: str | None, field: str, *, tz: tzinfo, formats: Sequence[str] = ()
) -> datetime | None:
    """ISO 8601 or one of `formats`; a naive time is wall-clock time in `tz`. Blank -> None."""
    text = (value or "").strip()
    if not text:
        return None
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        for fmt in formats:
            try:
                parsed = datetime.strptime(text, fmt)  # noqa: DTZ007 - made aware below
                break
            except ValueError:
                continue
    if parsed is None:
        raise RowRejected(_("bad date in %(field)s: %(value)r") % {"field": field, "value": text})
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed


def clip(value: str | None, length: int) -> str:
    """Trim and cut a free-text value to its column's length."""
    return (value or "").strip()[:length]
