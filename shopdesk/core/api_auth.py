"""API authentication: the page session (with CSRF) or a hashed bearer token."""

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from shopdesk.accounts.tokens import api_token_authenticate


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is None:
            return None
        request.user = user
        return user


class PageSessionAuth(SessionAuth):
    """The logged-in page session, CSRF-checked for unsafe methods.

    Only a request that carries the session cookie and no Authorization header is a session
    request: ninja's SessionAuth checks CSRF first, which would answer a bearer-token client's
    PUT/POST (or an anonymous one) with 403 instead of letting the token decide or saying 401.
    A forged cross-site request cannot set Authorization, so skipping CSRF there is safe.
    """

    def _get_key(self, request: HttpRequest) -> str | None:
        if "Authorization" in request.headers or self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if key is None:
            return None
        return super().authenticate(request, key)


api_auth = [PageSessionAuth(), TokenAuth()]
