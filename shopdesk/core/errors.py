"""The base of every business-rule error. Each app lists its codes in its own errors.py."""

from enum import StrEnum


class DomainError(Exception):
    """A business rule refused the operation; `code` is stable, `message` is for people."""

    code: str = "domain_error"
    status: int = 400

    def __init__(self, message: str, *, code: str | StrEnum | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = str(code)


class NotFound(DomainError):
    code = "not_found"
    status = 404


class ConcurrentUpdate(DomainError):
    code = "concurrent_update"
    status = 409


class PermissionDenied(DomainError):
    code = "permission_denied"
    status = 403
