from enum import StrEnum


class PortalErrorCode(StrEnum):
    CONTACT_INVALID = "contact_invalid"
    TOO_MANY_CODES = "too_many_codes"
    CODE_INVALID = "code_invalid"
    CODE_EXPIRED = "code_expired"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    LINK_INVALID = "link_invalid"
    LINK_EXPIRED = "link_expired"
