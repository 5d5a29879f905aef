from enum import StrEnum

from shopdesk.core.errors import DomainError


class TicketsErrorCode(StrEnum):
    INVALID_TRANSITION = "invalid_transition"
    INVALID_CATEGORY = "invalid_category"
    INVALID_ORDER = "invalid_order"
    EMPTY_MESSAGE = "empty_message"
    MESSAGE_TOO_LONG = "message_too_long"
    HANDOFF_REASON_REQUIRED = "handoff_reason_required"
    HANDOFF_NOT_POSSIBLE = "handoff_not_possible"
    SUPERVISOR_REQUIRED = "supervisor_required"
    NOT_ALLOWED = "not_allowed"
    ALREADY_RATED = "already_rated"
    NOT_RESOLVED = "not_resolved"
    INVALID_RATING = "invalid_rating"
    INVALID_ASSIGNEE = "invalid_assignee"
    OVER_LIMIT = "over_limit"
    INVALID_PRIORITY = "invalid_priority"
    HANDOFF_REQUIRED = "handoff_required"


class InvalidTransition(DomainError):
    code = TicketsErrorCode.INVALID_TRANSITION
    status = 409


class HandOffRequired(DomainError):
    code = TicketsErrorCode.HANDOFF_REQUIRED
    status = 409
