"""Publishing a questionnaire version: the whole draft is checked and every problem listed at
once; publishing retires the version published before."""

from collections.abc import Mapping, Sequence

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from shopdesk.audit.models import AuditEvent
from shopdesk.surveys.errors import SurveysErrorCode
from shopdesk.surveys.models import Dimension, Question, Questionnaire, QuestionnaireVersion
from shopdesk.surveys.services.versions_base import (
    CONDITION_OPS,
    Actor,
    Problem,
    PublishRefused,
    version_audit,
    version_bump,
    version_refuse_if_frozen,
)
from shopdesk.surveys.states import (
    CHOICE_KINDS,
    SCALES,
    QuestionKind,
    VersionStatus,
)

# --- publishing -----------------------------------------------------------------------------------


@transaction.atomic
def version_publish(*, version: QuestionnaireVersion, actor: Actor = None) -> QuestionnaireVersion:
    """Publish a draft that passes every check; the questionnaire's previously published version
    is retired (surveys already running on it keep it).

    Raises:
        PublishRefused: lists every problem (empty dimension, missing Chinese text, bad options,
            bad condition, bad overall question, negative weight).
        DomainError(published_is_frozen), ConcurrentUpdate
    """
    version_refuse_if_frozen(version)
    Questionnaire.objects.select_for_update().filter(pk=version.questionnaire_id).first()
    dimensions = list(version.dimensions.all())
    questions = list(version.questions.all())
    problems = version_problems(version=version, dimensions=dimensions, questions=questions)
    if problems:
        raise PublishRefused(problems)
    now = timezone.now()
    retired = QuestionnaireVersion.objects.filter(
        questionnaire_id=version.questionnaire_id, status=VersionStatus.PUBLISHED
    ).update(status=VersionStatus.RETIRED, version=F("version") + 1, updated_at=now)
    # The frozen check above ran on the caller's copy; the compare-and-set settles races.
    version_bump(version, status=VersionStatus.PUBLISHED, published_at=now)
    version_audit(
        actor,
        AuditEvent.Action.STATUS_CHANGED,
        version,
        to=VersionStatus.PUBLISHED.value,
        retired_others=retired,
    )
    return version


def version_problems(
    *,
    version: QuestionnaireVersion,
    dimensions: Sequence[Dimension],
    questions: Sequence[Question],
) -> list[Problem]:
    """Everything that keeps a version from being published (pure: no queries)."""
    ordered = sorted(questions, key=lambda q: (q.position, q.pk or 0))
    problems: list[Problem] = []
    if not version.title_zh.strip():
        problems.append(
            Problem(SurveysErrorCode.MISSING_TEXT, gettext("the version has no Chinese title"))
        )
    if not ordered:
        problems.append(
            Problem(SurveysErrorCode.EMPTY_VERSION, gettext("the version has no question"))
        )
    problems.extend(_dimension_problems(dimensions, ordered))
    earlier: dict[str, Question] = {}
    for question in ordered:
        problems.extend(_question_problems(question, earlier, ordered))
        earlier[question.code] = question
    problems.extend(_overall_problems(version.overall_code, ordered))
    return problems


def _dimension_problems(
    dimensions: Sequence[Dimension], questions: Sequence[Question]
) -> list[Problem]:
    problems: list[Problem] = []
    used = {q.dimension_id for q in questions}
    for dimension in dimensions:
        if not dimension.name_zh.strip():
            problems.append(
                Problem(
                    SurveysErrorCode.MISSING_TEXT,
                    gettext("dimension “%(code)s” has no Chinese name") % {"code": dimension.code},
                )
            )
        if dimension.pk not in used:
            problems.append(
                Problem(
                    SurveysErrorCode.EMPTY_DIMENSION,
                    gettext("dimension “%(name)s” has no question; add one or remove it")
                    % {"name": dimension.name_zh or dimension.code},
                )
            )
        if dimension.weight < 0:
            problems.append(
                Problem(
                    SurveysErrorCode.BAD_WEIGHT,
                    gettext("dimension “%(name)s” weighs %(weight)s; weights must be 0 or more")
                    % {"name": dimension.name_zh or dimension.code, "weight": dimension.weight},
                )
            )
    if dimensions and all(d.weight <= 0 for d in dimensions):
        problems.append(
            Problem(
                SurveysErrorCode.BAD_WEIGHT,
                gettext("at least one dimension must weigh more than 0 in the satisfaction index"),
            )
        )
    return problems


def _question_problems(
    question: Question, earlier: Mapping[str, Question], questions: Sequence[Question]
) -> list[Problem]:
    label = question.code
    problems: list[Problem] = []
    if not question.text_zh.strip():
        problems.append(
            Problem(
                SurveysErrorCode.MISSING_TEXT,
                gettext("question “%(code)s” has no Chinese text") % {"code": label},
            )
        )
    if question.kind not in QuestionKind.values:
        problems.append(
            Problem(
                SurveysErrorCode.UNKNOWN_KIND,
                gettext("question “%(code)s” has the unknown kind “%(kind)s”")
                % {"code": label, "kind": question.kind},
            )
        )
    if question.kind in CHOICE_KINDS:
        problems.extend(_option_problems(question))
    if question.show_if:
        problems.extend(_condition_problems(question, earlier, questions))
    return problems


def _option_problems(question: Question) -> list[Problem]:
    options = question.options if isinstance(question.options, list) else []
    values = [str(o.get("value", "")).strip() for o in options if isinstance(o, dict)]
    label = {"code": question.code}
    if not values:
        return [
            Problem(
                SurveysErrorCode.BAD_OPTIONS,
                gettext("choice question “%(code)s” has no options") % label,
            )
        ]
    problems: list[Problem] = []
    if len(values) != len(options) or "" in values:
        problems.append(
            Problem(
                SurveysErrorCode.BAD_OPTIONS,
                gettext("every option of “%(code)s” needs a value") % label,
            )
        )
    duplicates = sorted({v for v in values if values.count(v) > 1})
    if duplicates:
        problems.append(
            Problem(
                SurveysErrorCode.BAD_OPTIONS,
                gettext("question “%(code)s” repeats the option value(s) %(values)s")
                % {**label, "values": ", ".join(duplicates)},
            )
        )
    if any(isinstance(o, dict) and not str(o.get("zh", "")).strip() for o in options):
        problems.append(
            Problem(
                SurveysErrorCode.MISSING_TEXT,
                gettext("every option of “%(code)s” needs a Chinese label (zh)") % label,
            )
        )
    return problems


def _condition_problems(
    question: Question, earlier: Mapping[str, Question], questions: Sequence[Question]
) -> list[Problem]:
    rule = question.show_if if isinstance(question.show_if, dict) else {}
    target_code = str(rule.get("question", ""))
    target = earlier.get(target_code)

    def bad(reason: str) -> list[Problem]:
        return [
            Problem(
                SurveysErrorCode.BAD_CONDITION,
                gettext("the condition of “%(code)s” %(reason)s")
                % {"code": question.code, "reason": reason},
            )
        ]

    if target is None:
        if any(q.code == target_code for q in questions):
            return bad(
                gettext("names a question that comes after it (“%(target)s”)")
                % {"target": target_code}
            )
        return bad(gettext("names an unknown question (“%(target)s”)") % {"target": target_code})
    if target.kind not in SCALES:
        return bad(
            gettext("names “%(target)s”, which has no number to compare") % {"target": target_code}
        )
    if rule.get("op") not in CONDITION_OPS:
        return bad(
            gettext("has the operator “%(op)s”; use one of %(ops)s")
            % {"op": rule.get("op"), "ops": " ".join(sorted(CONDITION_OPS))}
        )
    low, high = SCALES[target.kind]
    value = rule.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        return bad(
            gettext("compares with %(value)s; use a number from %(low)d to %(high)d")
            % {"value": value, "low": low, "high": high}
        )
    return []


def _overall_problems(overall_code: str, questions: Sequence[Question]) -> list[Problem]:
    if not overall_code:
        return []
    overall = next((q for q in questions if q.code == overall_code), None)
    if overall is None or overall.kind not in SCALES:
        return [
            Problem(
                SurveysErrorCode.BAD_OVERALL,
                gettext(
                    "the overall question “%(code)s” must be a question of this version "
                    "answered with a number (1–5, 0–10, 1–7 or yes/no)"
                )
                % {"code": overall_code},
            )
        ]
    return []
