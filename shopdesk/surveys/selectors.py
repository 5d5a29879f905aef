"""Questionnaire reads, scoped to the user.

Questionnaires are the platform's: staff holding the view permission see all of them; merchant
staff and customers see none for now (404 rather than 403, so ids do not reveal what exists).
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext

from shopdesk.accounts.models import User
from shopdesk.accounts.permissions import Perm
from shopdesk.core.errors import NotFound
from shopdesk.surveys.models import Dimension, Question, Questionnaire, QuestionnaireVersion

AnyUser = User | AnonymousUser


def _may_view(user: AnyUser) -> bool:
    return (
        user.is_authenticated
        and getattr(user, "merchant_id", None) is None
        and user.has_perm(Perm.VIEW_QUESTIONNAIRE)
    )


def questionnaire_list_for_user(*, user: AnyUser) -> QuerySet[Questionnaire]:
    """Every questionnaire the user may see, templates first, with its versions (newest first)."""
    if not _may_view(user):
        return Questionnaire.objects.none()
    versions = QuestionnaireVersion.objects.order_by("-number")
    return Questionnaire.objects.prefetch_related(Prefetch("versions", queryset=versions)).order_by(
        "-is_template", "code"
    )


def questionnaire_get_for_user(*, user: AnyUser, questionnaire_id: int) -> Questionnaire:
    """One questionnaire with its versions, or NotFound (also when it is not visible)."""
    questionnaire = questionnaire_list_for_user(user=user).filter(pk=questionnaire_id).first()
    if questionnaire is None:
        raise NotFound(
            gettext("Questionnaire %(id)d not found.") % {"id": questionnaire_id},
        )
    return questionnaire


def version_get_for_user(*, user: AnyUser, version_id: int) -> QuestionnaireVersion:
    """One version with its questionnaire, dimensions and questions (three queries whatever its
    size), or NotFound (also when it is not visible)."""
    if not _may_view(user):
        raise NotFound(gettext("Questionnaire version %(id)d not found.") % {"id": version_id})
    version = (
        QuestionnaireVersion.objects.select_related("questionnaire")
        .prefetch_related(
            Prefetch("dimensions", queryset=Dimension.objects.order_by("position", "id")),
            Prefetch("questions", queryset=Question.objects.order_by("position", "id")),
        )
        .filter(pk=version_id)
        .first()
    )
    if version is None:
        raise NotFound(gettext("Questionnaire version %(id)d not found.") % {"id": version_id})
    return version


def dimension_get_for_user(*, user: AnyUser, dimension_id: int) -> Dimension:
    """One dimension with its version, or NotFound (also when it is not visible)."""
    dimension = (
        Dimension.objects.select_related("version__questionnaire").filter(pk=dimension_id).first()
        if _may_view(user)
        else None
    )
    if dimension is None:
        raise NotFound(gettext("Dimension %(id)d not found.") % {"id": dimension_id})
    return dimension


def question_get_for_user(*, user: AnyUser, question_id: int) -> Question:
    """One question with its version, or NotFound (also when it is not visible)."""
    question = (
        Question.objects.select_related("version__questionnaire", "dimension")
        .filter(pk=question_id)
        .first()
        if _may_view(user)
        else None
    )
    if question is None:
        raise NotFound(gettext("Question %(id)d not found.") % {"id": question_id})
    return question
