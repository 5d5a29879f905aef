"""Order-processing speed page. Being built: see the stats work."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse


@login_required
def order_stats_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("stats")
