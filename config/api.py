"""The one NinjaAPI: /api/v1/, OpenAPI schema at /api/v1/openapi.json, docs at /api/v1/docs."""

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from shopdesk.core.api_auth import api_auth
from shopdesk.core.errors import DomainError
from shopdesk.orders.api import router as orders_router
from shopdesk.surveys.api import router as surveys_router
from shopdesk.tickets.api import router as tickets_router

api = NinjaAPI(
    title="Shopdesk API",
    version="1",
    urls_namespace="api",
    auth=api_auth,
    docs_url="/docs",
)


@api.exception_handler(DomainError)
def domain_error_handler(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(
        request, {"detail": exc.message, "code": exc.code}, status=exc.status
    )


@api.exception_handler(AuthenticationError)
def auth_error_handler(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {
            "detail": "Authentication required: log in or send 'Authorization: Bearer <token>'.",
            "code": "not_authenticated",
        },
        status=401,
    )


api.add_router("/orders/", orders_router)
api.add_router("/tickets/", tickets_router)
api.add_router("/surveys/", surveys_router)
