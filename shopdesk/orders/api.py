"""Orders API under /api/v1/orders/: search, detail, upsert from shop systems, logistics events.

Each handler parses, loads through one access-checked selector, calls one service and returns.
Visibility is decided by the selectors (404 for what the user may not see); the permission to
write is checked here.
"""

from typing import Annotated

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Path, Query, Router, Status

from shopdesk.accounts.models import User
from shopdesk.accounts.permissions import Perm
from shopdesk.core.errors import PermissionDenied
from shopdesk.core.pagination import Page
from shopdesk.orders.models import Order
from shopdesk.orders.schemas import (
    LogisticsEventsIn,
    LogisticsEventsOut,
    OrderDetailOut,
    OrderListQuery,
    OrderOut,
    OrderPageOut,
    OrderUpsertIn,
)
from shopdesk.orders.selectors import (
    AnyUser,
    can_upsert_order,
    order_get_for_user,
    order_page_for_user,
    order_timeline,
    shipment_get_for_user,
)
from shopdesk.orders.services import logistics_events_append, order_upsert
from shopdesk.orders.states import Carrier

router = Router(tags=["orders"])


def _user_with_perm(user: AnyUser, perm: Perm) -> User:
    if not isinstance(user, User) or not user.has_perm(perm):
        raise PermissionDenied(gettext("You need the permission '%(perm)s'.") % {"perm": perm})
    return user


@router.get("/", response=OrderPageOut, url_name="order_list")
def order_list_api(request: HttpRequest, query: Query[OrderListQuery]) -> Page[Order]:
    """Orders matching every given condition, one keyset page at a time."""
    return order_page_for_user(
        user=request.user,
        filters=query.to_filter(),
        sort=query.sort,
        cursor=query.cursor,
        limit=query.limit,
    )


@router.get("/{int:order_id}", response=OrderDetailOut, url_name="order_detail")
def order_detail_api(request: HttpRequest, order_id: int) -> OrderDetailOut:
    """One order with items, shipments, logistics events and its timeline."""
    order = order_get_for_user(user=request.user, order_id=order_id)
    return OrderDetailOut.from_order(order, timeline=order_timeline(order=order))


@router.put(
    "/{source}/{external_id}", response={200: OrderOut, 201: OrderOut}, url_name="order_upsert"
)
def order_upsert_api(
    request: HttpRequest,
    source: Annotated[str, Path(max_length=32)],
    external_id: Annotated[str, Path(max_length=64)],
    payload: OrderUpsertIn,
) -> Status[Order]:
    """Create (201) or replace (200) the order `external_id` sent by shop system `source`."""
    user = _user_with_perm(request.user, Perm.ADD_ORDER)
    merchant_external_id = payload.merchant.external_id if payload.merchant else ""
    if not can_upsert_order(
        user=user, source=source, external_id=external_id, merchant_external_id=merchant_external_id
    ):
        raise PermissionDenied(gettext("Merchant staff may only send their own merchant's orders."))
    order, created = order_upsert(source=source, external_id=external_id, data=payload.to_data())
    return Status(201 if created else 200, order)


@router.post(
    "/shipments/{carrier}/{tracking_number}/events",
    response=LogisticsEventsOut,
    url_name="logistics_events_append",
)
def logistics_events_append_api(
    request: HttpRequest,
    carrier: Path[Carrier],
    tracking_number: Path[str],
    payload: LogisticsEventsIn,
) -> LogisticsEventsOut:
    """Append carrier scans to a parcel; an event id already recorded is reported, not repeated."""
    _user_with_perm(request.user, Perm.ADD_LOGISTICS_EVENT)
    shipment = shipment_get_for_user(
        user=request.user, carrier=carrier, tracking_number=tracking_number
    )
    result = logistics_events_append(
        shipment=shipment, events=[e.to_data() for e in payload.events]
    )
    return LogisticsEventsOut(
        created=[e.event_id for e in result.created],
        existing=[e.event_id for e in result.existing],
    )
