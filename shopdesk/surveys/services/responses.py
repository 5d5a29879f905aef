"""Answers in, responses out: validation against the questionnaire version, partial saves that
keep every valid answer, and the numbers the reports aggregate (overall, NPS, CSAT, effort,
dimension means), computed once when a response is saved.

`answers_clean` is pure (no queries) so the answering page, the importers and the API share one
set of rules; `response_save` is the one writer of a Response's answers.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, NoReturn

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from shopdesk.accounts.models import Customer
from shopdesk.core.errors import ConcurrentUpdate, DomainError
from shopdesk.orders.models import Order
from shopdesk.surveys.errors import SurveysErrorCode
from shopdesk.surveys.models import Invitation, Question, QuestionnaireVersion, Response, Survey
from shopdesk.surveys.states import (
    CHOICE_KINDS,
    NUMERIC_KINDS,
    SCALES,
    TEXT_KINDS,
    QuestionKind,
    ResponseStatus,
)
from shopdesk.surveys.tallies import tallies_for_responses
from shopdesk.tickets.models import Ticket

MAX_TEXT: Final = 2000
_YES: Final = frozenset({"1", "true", "yes", "y", "是", "对", "已解决"})
_NO: Final = frozenset({"0", "false", "no", "n", "否", "不是", "没有", "未解决"})
_OPS: Final = {
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


@dataclass(frozen=True)
class AnswerError:
    code: str  # the question's code ("" for the response as a whole)
    message: str


@dataclass
class CleanAnswers:
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[AnswerError] = field(default_factory=list)


def question_text(question: Question, language: str) -> str:
    if language.startswith("en") and question.text_en:
        return question.text_en
    return question.text_zh


def is_shown(question: Question, answers: Mapping[str, Any]) -> bool:
    """Whether a question's condition holds for the answers given so far."""
    rule = question.show_if or {}
    if not rule:
        return True
    given = answers.get(str(rule.get("question", "")))
    op = _OPS.get(str(rule.get("op", "")))
    if given is None or op is None or isinstance(given, list | str):
        return False
    try:
        return bool(op(float(given), float(rule.get("value", 0))))
    except (TypeError, ValueError):
        return False


def _number(question: Question, value: object, language: str) -> tuple[int | None, str]:
    low, high = SCALES[question.kind]
    text = str(value).strip().lower()
    if question.kind == QuestionKind.YES_NO:
        if text in _YES:
            return 1, ""
        if text in _NO:
            return 0, ""
        return None, gettext("“%(q)s”: answer yes or no.") % {
            "q": question_text(question, language)
        }
    try:
        number = float(text)
    except ValueError:
        number = None
    if number is None or not number.is_integer() or not low <= number <= high:
        return None, gettext(
            "“%(q)s”: %(v)s is not allowed; answer a whole number from %(lo)d to %(hi)d."
        ) % {
            "q": question_text(question, language),
            "v": str(value)[:20] or "—",
            "lo": low,
            "hi": high,
        }
    return int(number), ""


def _choices(question: Question, value: object, language: str) -> tuple[Any, str]:
    allowed = [str(o.get("value")) for o in question.options if isinstance(o, dict)]
    chosen = [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]
    chosen = [c for c in chosen if c != ""]
    unknown = [c for c in chosen if c not in allowed]
    if unknown:
        return None, gettext("“%(q)s”: %(v)s is not one of the options (%(allowed)s).") % {
            "q": question_text(question, language),
            "v": ", ".join(unknown)[:60],
            "allowed": ", ".join(allowed),
        }
    if question.kind == QuestionKind.SINGLE:
        if len(chosen) > 1:
            return None, gettext("“%(q)s”: choose one option.") % {
                "q": question_text(question, language)
            }
        return (chosen[0] if chosen else None), ""
    return (sorted(set(chosen), key=allowed.index) or None), ""


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, str | list | tuple) and len(value) == 0)


def answers_clean(
    *,
    questions: Sequence[Question],
    raw: Mapping[str, Any],
    final: bool,
    language: str = "zh-hans",
) -> CleanAnswers:
    """Validate answers by question code. Every valid answer is kept even when others are
    refused; answers to questions hidden by their condition are dropped; on `final`, a required
    shown question without an answer is an error."""
    result = CleanAnswers()
    by_code = {q.code: q for q in questions}
    for code in raw:
        if code not in by_code:
            result.errors.append(
                AnswerError(code, gettext("Unknown question %(code)r.") % {"code": code})
            )
    for question in questions:  # in order: a condition reads earlier answers only
        value = raw.get(question.code)
        if not is_shown(question, result.values):
            continue
        if _empty(value) or (isinstance(value, str) and not value.strip()):
            if final and question.required:
                result.errors.append(
                    AnswerError(
                        question.code,
                        gettext("“%(q)s” needs an answer.")
                        % {"q": question_text(question, language)},
                    )
                )
            continue
        cleaned: Any
        if question.kind in NUMERIC_KINDS:
            cleaned, error = _number(question, value, language)
        elif question.kind in CHOICE_KINDS:
            cleaned, error = _choices(question, value, language)
        elif question.kind in TEXT_KINDS:
            cleaned, error = str(value).strip()[:MAX_TEXT], ""
        else:
            cleaned, error = None, gettext("Unknown question kind %(k)r.") % {"k": question.kind}
        if error:
            result.errors.append(AnswerError(question.code, error))
        elif cleaned is not None:
            result.values[question.code] = cleaned
    return result


def response_numbers(
    *, version: QuestionnaireVersion, questions: Iterable[Question], answers: Mapping[str, Any]
) -> dict[str, Any]:
    """The figures a report aggregates: overall (on its own scale), NPS 0–10, CSAT 1–5,
    effort 1–7, and the mean answer of each dimension's 1–5 items."""
    numbers: dict[str, Any] = {"overall": None, "nps": None, "csat": None, "effort": None}
    sums: dict[str, list[float]] = {}
    for question in questions:
        value = answers.get(question.code)
        if not isinstance(value, int | float) or isinstance(value, bool):
            continue
        if question.code == version.overall_code:
            numbers["overall"] = float(value)
        if question.kind == QuestionKind.NPS10 and numbers["nps"] is None:
            numbers["nps"] = int(value)
        if question.kind == QuestionKind.EFFORT7 and numbers["effort"] is None:
            numbers["effort"] = int(value)
        if question.kind in (QuestionKind.RATING5, QuestionKind.LIKERT5):
            if numbers["csat"] is None or question.code == version.overall_code:
                numbers["csat"] = int(value)
            if question.dimension_id is not None:
                key = question.dimension.code if question.dimension else str(question.dimension_id)
                sums.setdefault(key, []).append(float(value))
    numbers["scores"] = {k: round(sum(v) / len(v), 4) for k, v in sums.items()}
    return numbers


def _raise_errors(errors: list[AnswerError]) -> NoReturn:
    raise DomainError(" ".join(e.message for e in errors), code=SurveysErrorCode.OUT_OF_RANGE)


def version_questions(version: QuestionnaireVersion) -> list[Question]:
    return list(version.questions.select_related("dimension").order_by("position", "id"))


def response_start(
    *,
    survey: Survey,
    invitation: Invitation | None = None,
    customer: Customer | None = None,
    language: str = "zh-hans",
    source: str = "link",
    now: datetime | None = None,
) -> Response:
    """An empty partial response (the answering page opened); segments from the invitation."""
    now = now or timezone.now()
    segment = dict(invitation.segment) if invitation is not None else {}
    response = Response(
        survey=survey,
        questionnaire_version=survey.version,
        invitation=invitation,
        customer=None if survey.anonymous else (customer or _invited(invitation)),
        ticket=invitation.ticket if invitation else None,
        order=invitation.order if invitation else None,
        source=source,
        language=language,
        started_at=now,
        **segment_columns(segment),
    )
    response.save()
    return response


def _invited(invitation: Invitation | None) -> Customer | None:
    return invitation.customer if invitation is not None else None


def segment_columns(segment: Mapping[str, Any]) -> dict[str, Any]:
    """Response columns from a segment snapshot (see states.SEGMENT_FIELDS)."""
    return {
        "channel": str(segment.get("channel") or "")[:16],
        "merchant_id": segment.get("merchant") or None,
        "product_category": str(segment.get("product_category") or "")[:100],
        "customer_tier": str(segment.get("customer_tier") or "")[:16],
        "region": str(segment.get("region") or "")[:100],
        "agent_id": segment.get("agent") or None,
    }


def response_save(
    *,
    response: Response,
    raw: Mapping[str, Any],
    final: bool,
    questions: Sequence[Question] | None = None,
    now: datetime | None = None,
) -> CleanAnswers:
    """Merge the given answers into a partial response and keep every valid one; with `final`,
    submit it when nothing is missing or wrong. Returns the errors (empty when all is well).

    Raises:
        DomainError: the response was submitted already.
        ConcurrentUpdate: saved meanwhile from another tab.
    """
    now = now or timezone.now()
    if response.status == ResponseStatus.COMPLETE:
        raise DomainError(
            gettext("This survey has already been answered. Thank you!"),
            code=SurveysErrorCode.ALREADY_SUBMITTED,
        )
    version = response.questionnaire_version
    questions = list(questions) if questions is not None else version_questions(version)
    merged = {**response.answers, **raw}
    cleaned = answers_clean(
        questions=questions, raw=merged, final=final, language=response.language
    )
    response.answers = cleaned.values
    fields = ["answers", "version", "updated_at"]
    if final and not cleaned.errors:
        numbers = response_numbers(version=version, questions=questions, answers=cleaned.values)
        for key, value in numbers.items():
            setattr(response, key, value)
        response.status = ResponseStatus.COMPLETE
        response.submitted_at = now
        fields += ["status", "submitted_at", "overall", "nps", "csat", "effort", "scores"]
    with transaction.atomic():
        saved = Response.objects.filter(pk=response.pk, version=response.version).update(
            **{f: getattr(response, f) for f in fields if f not in ("version", "updated_at")},
            version=response.version + 1,
            updated_at=now,
        )
        if not saved:
            raise ConcurrentUpdate(
                gettext("These answers were saved from another window; reload the page.")
            )
        response.version += 1
        if response.status == ResponseStatus.COMPLETE:
            tallies_for_responses(response.survey, [response], questions)
        if response.status == ResponseStatus.COMPLETE and response.invitation_id is not None:
            Invitation.objects.filter(pk=response.invitation_id).update(
                status="answered", answered_at=now
            )
    return cleaned


@dataclass(frozen=True)
class ResponseRecord:
    """A whole response from elsewhere (CSV import, Olist reviews, API)."""

    answers: Mapping[str, Any]
    submitted_at: datetime
    external_id: str = ""
    customer: Customer | None = None
    order: Order | None = None
    ticket: Ticket | None = None
    segment: Mapping[str, Any] = field(default_factory=dict)
    language: str = "zh-hans"


def response_build(
    *, survey: Survey, record: ResponseRecord, source: str, questions: Sequence[Question]
) -> tuple[Response | None, list[AnswerError]]:
    """An unsaved complete response from a record, or the problems that refuse it (for the
    importers' bulk insert and `response_record`)."""
    cleaned = answers_clean(
        questions=questions, raw=record.answers, final=True, language=record.language
    )
    if cleaned.errors:
        return None, cleaned.errors
    numbers = response_numbers(version=survey.version, questions=questions, answers=cleaned.values)
    response = Response(
        survey=survey,
        questionnaire_version=survey.version,
        customer=None if survey.anonymous else record.customer,
        order=record.order,
        ticket=record.ticket,
        source=source,
        external_id=record.external_id[:100],
        status=ResponseStatus.COMPLETE,
        language=record.language,
        started_at=record.submitted_at,
        submitted_at=record.submitted_at,
        answers=cleaned.values,
        **numbers,
        **segment_columns(record.segment),
    )
    return response, []


def response_record(
    *, survey: Survey, record: ResponseRecord, source: str, questions: Sequence[Question]
) -> Response:
    """Store one complete response in a single insert; refused with every problem listed."""
    response, errors = response_build(
        survey=survey, record=record, source=source, questions=questions
    )
    if response is None:
        _raise_errors(errors)
    with transaction.atomic():
        response.save()
        tallies_for_responses(survey, [response], questions)
    return response
