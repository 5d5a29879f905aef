from enum import StrEnum


class SurveysErrorCode(StrEnum):
    OUT_OF_RANGE = "out_of_range"
    REQUIRED = "required"
    UNKNOWN_QUESTION = "unknown_question"
    UNKNOWN_OPTION = "unknown_option"
    NOT_PUBLISHED = "not_published"
    PUBLISHED_IS_FROZEN = "published_is_frozen"
    EMPTY_DIMENSION = "empty_dimension"
    MISSING_TEXT = "missing_text"
    ALREADY_SUBMITTED = "already_submitted"
    LINK_INVALID = "link_invalid"
    LINK_EXPIRED = "link_expired"
    TOO_FEW_RESPONSES = "too_few_responses"
    BAD_MAPPING = "bad_mapping"
