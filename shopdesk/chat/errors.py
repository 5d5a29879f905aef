"""Codes of the chat's business-rule errors."""

from enum import StrEnum

from shopdesk.core.errors import DomainError


class ChatErrorCode(StrEnum):
    EMPTY_MESSAGE = "chat_empty_message"
    MESSAGE_TOO_LONG = "chat_message_too_long"
    RATE_LIMITED = "chat_rate_limited"
    CLOSED = "chat_closed"
    ALREADY_TAKEN = "chat_already_taken"
    NOT_WAITING = "chat_not_waiting"
    CONTACT_REQUIRED = "chat_contact_required"
    NAME_REQUIRED = "chat_name_required"
    WIDGET_INACTIVE = "chat_widget_inactive"
    ATTACHMENT_REFUSED = "chat_attachment_refused"
    NOT_CONVERTIBLE = "chat_not_convertible"
    NOT_AGENT = "chat_not_agent"


class RateLimited(DomainError):
    """Too many messages in a short time; `retry_after` seconds until the next is accepted."""

    code = ChatErrorCode.RATE_LIMITED
    status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ChatConflict(DomainError):
    """Someone else changed the chat first (another agent took it, it was closed meanwhile)."""

    code = ChatErrorCode.ALREADY_TAKEN
    status = 409
