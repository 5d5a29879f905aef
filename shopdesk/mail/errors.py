from enum import StrEnum


class MailErrorCode(StrEnum):
    NOT_QUARANTINED = "not_quarantined"
    INBOUND_DISABLED = "inbound_disabled"
    BAD_SECRET = "bad_secret"
    EMPTY_MESSAGE = "empty_message"
    IMAP_ERROR = "imap_error"
