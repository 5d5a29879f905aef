"""Order pages (search, detail). Being built: see the pages work."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse


@login_required
def order_search_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("orders")


@login_required
def order_detail_view(request: HttpRequest, order_id: int) -> HttpResponse:
    return HttpResponse("order")


@login_required
def customer_pii_reveal_view(request: HttpRequest, order_id: int) -> HttpResponse:
    return HttpResponse("reveal")
