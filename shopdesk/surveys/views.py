"""The answering page (by link token or from the portal), thank-you, and "My surveys".

The link token is the authority on /surveys/a/<token>/: no login is asked, and whoever holds
the link answers that invitation, signed in as anyone or not at all. The portal route
/surveys/mine/<id>/ is the same page for a signed-in customer's own invitations.
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from shopdesk.accounts.models import Customer, User
from shopdesk.core.errors import ConcurrentUpdate, DomainError
from shopdesk.notifications.selectors import notification_list_for_user
from shopdesk.portal.selectors import portal_customer_for_user
from shopdesk.surveys.models import Invitation, Question, Response
from shopdesk.surveys.services.links import (
    invitation_get_by_token,
    invitation_get_for_customer,
    invitation_is_expired,
    invitation_list_for_customer,
    invitation_open,
)
from shopdesk.surveys.services.responses import (
    is_shown,
    question_text,
    response_save,
    version_questions,
)
from shopdesk.surveys.states import (
    SCALES,
    InvitationStatus,
    QuestionKind,
    ResponseSource,
    ResponseStatus,
)

LIKERT_LABELS: Final = (
    gettext_lazy("Very dissatisfied"),
    gettext_lazy("Dissatisfied"),
    gettext_lazy("Neutral"),
    gettext_lazy("Satisfied"),
    gettext_lazy("Very satisfied"),
)
END_LABELS: Final = {
    QuestionKind.NPS10: (gettext_lazy("Not at all likely"), gettext_lazy("Extremely likely")),
    QuestionKind.EFFORT7: (gettext_lazy("Very difficult"), gettext_lazy("Very easy")),
    QuestionKind.RATING5: (gettext_lazy("Poor"), gettext_lazy("Excellent")),
}


class AuthedRequest(HttpRequest):
    user: User


@dataclass
class Choice:
    value: str
    label: str
    checked: bool


@dataclass
class QuestionView:
    code: str
    kind: str
    text: str
    required: bool
    shown: bool
    condition: str  # JSON of show_if for the page script; "" when always shown
    error: str = ""
    value: str = ""
    choices: list[Choice] = field(default_factory=list)
    low: str = ""
    high: str = ""


@dataclass
class Section:
    title: str
    questions: list[QuestionView]


def _page_language(request: HttpRequest, invitation: Invitation) -> str:
    asked = request.GET.get("lang", "")
    if asked.startswith("en"):
        return "en"
    if asked.startswith("zh"):
        return "zh-hans"
    customer = invitation.customer
    return "en" if customer is not None and customer.language.startswith("en") else "zh-hans"


def _label(option: Mapping[str, Any], language: str) -> str:
    text = option.get("en") if language == "en" else option.get("zh")
    return str(text or option.get("zh") or option.get("en") or option.get("value"))


def _choices(question: Question, answer: Any, language: str) -> list[Choice]:
    picked = {str(a) for a in answer} if isinstance(answer, list) else {str(answer)}
    if question.kind == QuestionKind.YES_NO:
        pairs = [("1", gettext("Yes")), ("0", gettext("No"))]
    elif question.kind in SCALES:
        low, high = SCALES[question.kind]
        pairs = [(str(n), str(n)) for n in range(low, high + 1)]
        if question.kind == QuestionKind.LIKERT5:
            pairs = [(str(n), f"{n} {LIKERT_LABELS[n - 1]}") for n in range(1, 6)]
    else:
        options = [o for o in question.options if isinstance(o, dict)]
        pairs = [(str(o.get("value")), _label(o, language)) for o in options]
    return [Choice(value, label, value in picked) for value, label in pairs]


def _question_view(
    question: Question, answers: Mapping[str, Any], errors: Mapping[str, str], language: str
) -> QuestionView:
    answer = answers.get(question.code)
    low, high = END_LABELS.get(question.kind, ("", ""))  # type: ignore[call-overload]
    return QuestionView(
        code=question.code,
        kind=question.kind,
        text=question_text(question, language),
        required=question.required,
        shown=is_shown(question, answers),
        condition=json.dumps(question.show_if) if question.show_if else "",
        error=errors.get(question.code, ""),
        value=str(answer) if isinstance(answer, str | int | float) else "",
        choices=_choices(question, answer, language),
        low=str(low),
        high=str(high),
    )


def _sections(
    questions: Sequence[Question],
    answers: Mapping[str, Any],
    errors: Mapping[str, str],
    language: str,
) -> list[Section]:
    """Consecutive questions of one dimension form a section; others a section without title."""
    sections: list[Section] = []
    current: object = object()
    for question in questions:
        if question.dimension_id != current:
            current = question.dimension_id
            dimension = question.dimension
            title = ""
            if dimension is not None:
                title = dimension.name_en if language == "en" and dimension.name_en else ""
                title = title or dimension.name_zh
            sections.append(Section(title, []))
        sections[-1].questions.append(_question_view(question, answers, errors, language))
    return sections


def _raw(post: QueryDict, questions: Sequence[Question]) -> dict[str, Any]:
    """The answers a form post carries; a question absent from it keeps its saved answer."""
    raw: dict[str, Any] = {}
    for question in questions:
        if question.code not in post:
            continue
        if question.kind == QuestionKind.MULTIPLE:
            raw[question.code] = post.getlist(question.code)
        else:
            raw[question.code] = post.get(question.code, "")
    return raw


def _problem(request: HttpRequest, reason: str, status: int, language: str) -> HttpResponse:
    with translation.override(language):
        return render(request, "surveys/link_problem.html", {"reason": reason}, status=status)


def _with_lang(url: str, request: HttpRequest) -> str:
    asked = request.GET.get("lang", "")
    return f"{url}?lang={asked}" if asked in ("en", "zh") else url


def _answer(
    request: HttpRequest, invitation: Invitation | None, *, source: str, thanks_url: str
) -> HttpResponse:
    if invitation is None or invitation.status == InvitationStatus.SKIPPED:
        return _problem(request, "unknown", 404, translation.get_language() or "zh-hans")
    language = _page_language(request, invitation)
    if invitation.status == InvitationStatus.ANSWERED:
        return _problem(request, "used", 200, language)
    if invitation_is_expired(invitation):
        return _problem(request, "expired", 410, language)
    response = invitation_open(invitation=invitation, language=language, source=source)
    if response.status == ResponseStatus.COMPLETE:
        return _problem(request, "used", 200, language)
    with translation.override(language):
        return _answer_page(request, invitation, response, language, thanks_url)


def _answer_page(
    request: HttpRequest,
    invitation: Invitation,
    response: Response,
    language: str,
    thanks_url: str,
) -> HttpResponse:
    questions = version_questions(response.questionnaire_version)
    errors: dict[str, str] = {}
    notice, problem = "", ""
    if request.method == "POST":
        final = request.POST.get("action") == "submit"
        try:
            result = response_save(
                response=response,
                raw=_raw(request.POST, questions),
                final=final,
                questions=questions,
            )
        except ConcurrentUpdate as exc:
            problem = exc.message
            response.refresh_from_db()
        except DomainError:  # submitted meanwhile from another tab
            return _problem(request, "used", 200, language)
        else:
            if final and not result.errors:
                return redirect(_with_lang(thanks_url, request))
            errors = {e.code: e.message for e in result.errors}
            if errors:
                problem = gettext("Some answers need a look: see the notes below.")
            else:
                notice = gettext(
                    "Your answers are saved. Come back with the same link until %(date)s."
                ) % {"date": timezone.localtime(invitation.expires_at).date().isoformat()}
    version = response.questionnaire_version
    english = language == "en"
    sections = _sections(questions, response.answers, errors, language)
    shown = [q for section in sections for q in section.questions if q.shown]
    context = {
        "invitation": invitation,
        "survey": invitation.survey,
        "title": (version.title_en if english else "") or version.title_zh,
        "intro": (version.intro_en if english else "") or version.intro_zh,
        "sections": sections,
        "errors": errors,
        "notice": notice,
        "problem": problem,
        "language": language,
        "shown_total": len(shown),
        "answered": sum(1 for q in shown if q.code in response.answers),
    }
    return render(request, "surveys/answer.html", context)


@require_http_methods(["GET", "POST"])
def survey_answer_view(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitation_get_by_token(token=token)
    thanks = reverse("surveys:answer_thanks", args=[token])
    return _answer(request, invitation, source=ResponseSource.LINK, thanks_url=thanks)


def _thanks(request: HttpRequest, invitation: Invitation | None, answer_url: str) -> HttpResponse:
    if invitation is None:
        return _problem(request, "unknown", 404, translation.get_language() or "zh-hans")
    if invitation.status != InvitationStatus.ANSWERED:
        return redirect(_with_lang(answer_url, request))
    language = _page_language(request, invitation)
    version = invitation.survey.version
    english = language == "en"
    thanks = (version.thanks_en if english else "") or version.thanks_zh
    with translation.override(language):
        return render(
            request, "surveys/thanks.html", {"thanks": thanks, "survey": invitation.survey}
        )


@require_GET
def survey_answer_thanks_view(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitation_get_by_token(token=token)
    return _thanks(request, invitation, reverse("surveys:answer", args=[token]))


def _customer(request: HttpRequest) -> Customer | HttpResponse:
    if not request.user.is_authenticated:
        return redirect("portal:login")
    customer = portal_customer_for_user(user=request.user)
    if customer is None:
        return render(request, "portal/not_customer.html", status=403)
    return customer


@require_GET
def survey_mine_view(request: AuthedRequest) -> HttpResponse:
    customer = _customer(request)
    if isinstance(customer, HttpResponse):
        return customer
    english = (translation.get_language() or "").startswith("en")
    rows = [
        {
            "invitation": invitation,
            "title": (invitation.survey.version.title_en if english else "")
            or invitation.survey.version.title_zh,
            "url": reverse("surveys:portal_answer", args=[invitation.pk]),
        }
        for invitation in invitation_list_for_customer(customer=customer)
    ]
    context = {
        "customer": customer,
        "rows": rows,
        "unread_count": notification_list_for_user(user=request.user, unread_only=True).count(),
    }
    return render(request, "surveys/mine.html", context)


@require_http_methods(["GET", "POST"])
def survey_portal_answer_view(request: AuthedRequest, invitation_id: int) -> HttpResponse:
    customer = _customer(request)
    if isinstance(customer, HttpResponse):
        return customer
    invitation = invitation_get_for_customer(customer=customer, invitation_id=invitation_id)
    thanks = reverse("surveys:portal_thanks", args=[invitation_id])
    return _answer(request, invitation, source=ResponseSource.PORTAL, thanks_url=thanks)


@require_GET
def survey_portal_thanks_view(request: AuthedRequest, invitation_id: int) -> HttpResponse:
    customer = _customer(request)
    if isinstance(customer, HttpResponse):
        return customer
    invitation = invitation_get_for_customer(customer=customer, invitation_id=invitation_id)
    return _thanks(request, invitation, reverse("surveys:portal_answer", args=[invitation_id]))
