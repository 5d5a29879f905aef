from enum import StrEnum


class NotificationsErrorCode(StrEnum):
    NO_RECIPIENT = "no_recipient"
    UNKNOWN_CHANNEL = "unknown_channel"
