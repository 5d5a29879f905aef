"""Request and response shapes of the questionnaire authoring API."""

from datetime import datetime
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import StringConstraints

from shopdesk.surveys.states import QuestionKind, QuestionnaireKind, VersionStatus

Code = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60, pattern=r"^[-\w]+$")
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Text = Annotated[str, StringConstraints(max_length=500)]
LongText = Annotated[str, StringConstraints(max_length=5000)]
Version = Annotated[
    int | None,
    Field(
        None,
        description="The version's `version` counter you last read; if the draft changed "
        "since, the answer is 409 `concurrent_update`.",
    ),
]


class ErrorOut(Schema):
    detail: str
    code: str


# --- out -----------------------------------------------------------------------------------------


class VersionSummaryOut(Schema):
    id: int
    number: int
    status: VersionStatus
    published_at: datetime | None


class QuestionnaireOut(Schema):
    id: int
    code: str
    kind: QuestionnaireKind
    name_zh: str
    name_en: str
    is_template: bool
    versions: list[VersionSummaryOut] = Field(..., description="Newest first.")

    @staticmethod
    def resolve_versions(obj: Any) -> list[Any]:
        return sorted(obj.versions.all(), key=lambda v: -v.number)


class DimensionOut(Schema):
    id: int
    code: str
    name_zh: str
    name_en: str
    position: int
    weight: float


class QuestionOut(Schema):
    id: int
    code: str
    dimension_id: int | None
    position: int
    kind: QuestionKind
    text_zh: str
    text_en: str
    required: bool
    options: list[dict[str, Any]]
    show_if: dict[str, Any]


class VersionOut(Schema):
    id: int
    questionnaire_id: int
    questionnaire_code: str = Field(..., alias="questionnaire.code")
    number: int
    status: VersionStatus
    published_at: datetime | None
    title_zh: str
    title_en: str
    intro_zh: str
    intro_en: str
    thanks_zh: str
    thanks_en: str
    overall_code: str
    version: int = Field(..., description="Send it back with an edit (compare-and-set).")
    dimensions: list[DimensionOut]
    questions: list[QuestionOut] = Field(..., description="In page order.")


# --- in ------------------------------------------------------------------------------------------


class QuestionnaireCreateIn(Schema):
    code: Code
    name_zh: Name
    name_en: Name = ""
    kind: QuestionnaireKind = QuestionnaireKind.CUSTOM


class TemplateCopyIn(Schema):
    code: Code
    name_zh: Name
    name_en: Name = ""


class DraftCreateIn(Schema):
    from_version_id: int | None = Field(
        None, description="The version to copy; default the highest-numbered one."
    )


class VersionWriteIn(Schema):
    version: Version = None


class VersionUpdateIn(Schema):
    version: Version = None
    title_zh: Name | None = None
    title_en: Name | None = None
    intro_zh: LongText | None = None
    intro_en: LongText | None = None
    thanks_zh: LongText | None = None
    thanks_en: LongText | None = None
    overall_code: Annotated[str, StringConstraints(max_length=60)] | None = None


class DimensionAddIn(Schema):
    version: Version = None
    code: Code
    name_zh: Name
    name_en: Name = ""
    weight: float = 1.0


class DimensionUpdateIn(Schema):
    version: Version = None
    code: Code | None = None
    name_zh: Name | None = None
    name_en: Name | None = None
    weight: float | None = None
    position: Annotated[int, Field(ge=0)] | None = None


class OptionIn(Schema):
    value: Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)]
    zh: Name
    en: Name = ""


class ConditionIn(Schema):
    question: Code
    op: Annotated[str, Field(description="One of <=, >=, <, >, ==, !=.")]
    value: int


class QuestionAddIn(Schema):
    version: Version = None
    code: Code
    kind: QuestionKind
    text_zh: Text
    text_en: Text = ""
    dimension_id: int | None = None
    required: bool = True
    options: list[OptionIn] = []
    show_if: ConditionIn | None = None
    position: Annotated[int, Field(ge=0)] | None = Field(
        None, description="0-based place in page order; default last."
    )


class QuestionUpdateIn(Schema):
    version: Version = None
    code: Code | None = None
    kind: QuestionKind | None = None
    text_zh: Text | None = None
    text_en: Text | None = None
    dimension_id: int | None = Field(
        None, description="Move into this dimension (see `no_dimension` to take it out)."
    )
    no_dimension: bool = False
    required: bool | None = None
    options: list[OptionIn] | None = None
    show_if: ConditionIn | None = None
    no_condition: bool = Field(False, description="Drop the condition: always shown.")


class QuestionMoveIn(Schema):
    version: Version = None
    position: Annotated[int, Field(ge=0)]
    dimension_id: int | None = None
    no_dimension: bool = False
