from enum import StrEnum


class AccountsErrorCode(StrEnum):
    TOKEN_INVALID = "token_invalid"
    UNKNOWN_ROLE = "unknown_role"
