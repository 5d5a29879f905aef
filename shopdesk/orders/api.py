"""Orders API (filled in by the orders API work)."""

from ninja import Router

router = Router(tags=["orders"])
