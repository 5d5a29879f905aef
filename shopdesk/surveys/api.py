"""Questionnaire authoring API under /api/v1/surveys/: questionnaires, versions, their dimensions
and questions, publishing and template copies.

Each handler checks the role's permission, loads through one access-checked selector (404 for
what the user may not see), calls one service and returns the version as it now is. An edit that
carries the `version` counter the client last read is refused with 409 when someone changed the
draft in between; any edit of a published version is refused with 409 `published_is_frozen`; a
draft that fails the publish checks is refused with 400 listing every problem.
"""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Router, Status

from shopdesk.accounts.models import User
from shopdesk.accounts.permissions import Perm
from shopdesk.core.errors import ConcurrentUpdate, PermissionDenied
from shopdesk.surveys.models import Dimension, Questionnaire, QuestionnaireVersion
from shopdesk.surveys.schemas import (
    DimensionAddIn,
    DimensionUpdateIn,
    DraftCreateIn,
    ErrorOut,
    QuestionAddIn,
    QuestionMoveIn,
    QuestionnaireCreateIn,
    QuestionnaireOut,
    QuestionUpdateIn,
    TemplateCopyIn,
    VersionOut,
    VersionUpdateIn,
    VersionWriteIn,
)
from shopdesk.surveys.selectors import (
    AnyUser,
    dimension_get_for_user,
    question_get_for_user,
    questionnaire_get_for_user,
    questionnaire_list_for_user,
    version_get_for_user,
)
from shopdesk.surveys.services import (
    dimension_add,
    dimension_remove,
    dimension_update,
    question_add,
    question_move,
    question_remove,
    question_update,
    questionnaire_copy_template,
    questionnaire_create,
    version_draft_create,
    version_publish,
    version_update,
)

router = Router(tags=["surveys"])
ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
WRITE: dict[int, Any] = {200: VersionOut, **ERRORS}


def _user_with_perm(user: AnyUser, perm: Perm) -> User:
    if not isinstance(user, User) or not user.has_perm(perm) or user.merchant_id is not None:
        raise PermissionDenied(gettext("You need the permission '%(perm)s'.") % {"perm": perm})
    return user


def _draft(user: AnyUser, version_id: int, expected: int | None) -> QuestionnaireVersion:
    version = version_get_for_user(user=user, version_id=version_id)
    _check_version(version, expected)
    return version


def _check_version(version: QuestionnaireVersion, expected: int | None) -> None:
    if expected is not None and expected != version.version:
        raise ConcurrentUpdate(
            gettext(
                "Version %(number)d changed since you read it (counter %(yours)d, now %(now)d); "
                "reload it and make your change again."
            )
            % {"number": version.number, "yours": expected, "now": version.version}
        )


def _dimension(user: AnyUser, dimension_id: int | None) -> Dimension | None:
    """The dimension named by id (None = no dimension); the service checks it is the version's."""
    if dimension_id is None:
        return None
    return dimension_get_for_user(user=user, dimension_id=dimension_id)


def _fresh(user: AnyUser, version_id: int) -> QuestionnaireVersion:
    return version_get_for_user(user=user, version_id=version_id)


# --- reads ---------------------------------------------------------------------------------------


@router.get(
    "/questionnaires",
    response={200: list[QuestionnaireOut], **ERRORS},
    url_name="questionnaire_list",
    summary="List questionnaires",
)
def questionnaire_list_api(request: HttpRequest) -> list[Questionnaire]:
    """Every questionnaire, built-in templates first, each with its versions."""
    _user_with_perm(request.user, Perm.VIEW_QUESTIONNAIRE)
    return list(questionnaire_list_for_user(user=request.user))


@router.get(
    "/versions/{int:version_id}",
    response={200: VersionOut, **ERRORS},
    url_name="version_detail",
    summary="One questionnaire version",
)
def version_detail_api(request: HttpRequest, version_id: int) -> QuestionnaireVersion:
    """A version with its dimensions and questions in page order."""
    _user_with_perm(request.user, Perm.VIEW_QUESTIONNAIRE)
    return version_get_for_user(user=request.user, version_id=version_id)


# --- questionnaires and drafts -------------------------------------------------------------------


@router.post(
    "/questionnaires",
    response={201: QuestionnaireOut, **ERRORS},
    url_name="questionnaire_create",
    summary="Create a questionnaire",
)
def questionnaire_create_api(
    request: HttpRequest, payload: QuestionnaireCreateIn
) -> Status[Questionnaire]:
    """A new questionnaire with an empty draft version 1."""
    user = _user_with_perm(request.user, Perm.ADD_QUESTIONNAIRE)
    created = questionnaire_create(
        code=payload.code,
        name_zh=payload.name_zh,
        name_en=payload.name_en,
        kind=payload.kind,
        actor=user,
    )
    return Status(201, questionnaire_get_for_user(user=user, questionnaire_id=created.pk))


@router.post(
    "/questionnaires/{int:questionnaire_id}/copy",
    response={201: QuestionnaireOut, **ERRORS},
    url_name="questionnaire_copy_template",
    summary="Copy a built-in template",
)
def questionnaire_copy_template_api(
    request: HttpRequest, questionnaire_id: int, payload: TemplateCopyIn
) -> Status[Questionnaire]:
    """An editable copy of a built-in template: a new questionnaire with a draft version 1."""
    user = _user_with_perm(request.user, Perm.ADD_QUESTIONNAIRE)
    template = questionnaire_get_for_user(user=user, questionnaire_id=questionnaire_id)
    copy = questionnaire_copy_template(
        template=template,
        code=payload.code,
        name_zh=payload.name_zh,
        name_en=payload.name_en,
        actor=user,
    )
    return Status(201, questionnaire_get_for_user(user=user, questionnaire_id=copy.pk))


@router.post(
    "/questionnaires/{int:questionnaire_id}/versions",
    response={201: VersionOut, **ERRORS},
    url_name="version_draft_create",
    summary="Make a new draft version",
)
def version_draft_create_api(
    request: HttpRequest, questionnaire_id: int, payload: DraftCreateIn
) -> Status[QuestionnaireVersion]:
    """A draft copied from the given (default: the latest) version, numbered one above."""
    user = _user_with_perm(request.user, Perm.CHANGE_QUESTIONNAIRE)
    questionnaire = questionnaire_get_for_user(user=user, questionnaire_id=questionnaire_id)
    source = None
    if payload.from_version_id is not None:
        source = version_get_for_user(user=user, version_id=payload.from_version_id)
    draft = version_draft_create(questionnaire=questionnaire, from_version=source, actor=user)
    return Status(201, _fresh(user, draft.pk))


@router.patch(
    "/versions/{int:version_id}",
    response=WRITE,
    url_name="version_update",
    summary="Change a draft's texts",
)
def version_update_api(
    request: HttpRequest, version_id: int, payload: VersionUpdateIn
) -> QuestionnaireVersion:
    """Titles, introductions, thank-you texts and the overall question of a draft."""
    user = _user_with_perm(request.user, Perm.CHANGE_QUESTIONNAIRE)
    version = _draft(user, version_id, payload.version)
    version_update(version=version, **payload.dict(exclude={"version"}), actor=user)
    return _fresh(user, version_id)


@router.post(
    "/versions/{int:version_id}/publish",
    response=WRITE,
    url_name="version_publish",
    summary="Publish a draft",
)
def version_publish_api(
    request: HttpRequest, version_id: int, payload: VersionWriteIn
) -> QuestionnaireVersion:
    """Publish a draft that passes every check; the previous published version is retired."""
    user = _user_with_perm(request.user, Perm.CHANGE_QUESTIONNAIRE)
    version = _draft(user, version_id, payload.version)
    version_publish(version=version, actor=user)
    return _fresh(user, version_id)


# --- dimensions ----------------------------------------------------------------------------------


@router.post(
    "/versions/{int:version_id}/dimensions",
    response=WRITE,
    url_name="dimension_add",
    summary="Add a dimension to a draft",
)
def dimension_add_api(
    request: HttpRequest, version_id: int, payload: DimensionAddIn
) -> QuestionnaireVersion:
    user = _user_with_perm(request.user, Perm.CHANGE_QUESTIONNAIRE)
    version = _draft(user, version_id, payload.version)
    dimension_add(version=version, **payload.dict(exclude={"version"}), actor=user)
    return _fresh(user, version_id)


@router.patch(
    "/dimensions/{int:dimension_id}",
    response=WRITE,
    url_name="dimension_update",
    summary="Change a draft's dimension",
)
def dimension_update_api(
    request: HttpRequest, dimension_id: int, payload: DimensionUpdateIn
) -> QuestionnaireVersion:
    user = _user_with_perm(request.user, Perm.CHANGE_QUESTIONNAIRE)
    dimension = dimension_get_for_user(user=user, dimension_id=dimension_id)
    _check_version(dimension.version, payload.version)
    dimension_update(dimension=dimension, **payload.dict(exclude={"version"}), actor=user)
    return _fresh(user, dimension.version_id)


@router.delete(
    "/dimensions/{int:dimension_id}",
    response=WRITE,
    url_name="dimension_remove",
    summary="Remove a draft's dimension and its questions",
)
def dimension_remove_api(
    request: HttpRequest, dimension_id: int, version: int | None = None
) -> QuestionnaireVersion:
    user = _user_with_perm(request.user, Perm.CHANGE_QUESTIONNAIRE)
    dimension = dimension_get_for_user(user=user, dimension_id=dimension_id)
    _check_version(dimension.version, version)
    dimension_remove(dimension=dimension, actor=user)
    return _fresh(user, dimension.version_id)


# --- questions -----------------------------------------------------------------------------------


@router.post(
    "/versions/{int:version_id}/questions",
    response=WRITE,
    url_name="question_add",
    summary="Add a question to a draft",
)
def question_add_api(
    request: HttpRequest, version_id: int, payload: QuestionAddIn
) -> QuestionnaireVersion:
    user = _user_with_perm(request.user, Perm.CHANGE_QUESTIONNAIRE)
    version = _draft(user, version_id, payload.version)
    question_add(
        version=version,
        code=payload.code,
        kind=payload.kind,
        text_zh=payload.text_zh,
        text_en=payload.text_en,
        dimension=_dimension(user, payload.dimension_id),
        required=payload.required,
        options=[o.dict() for o in payload.options],
        show_if=payload.show_if.dict() if payload.show_if else None,
        position=payload.position,
        actor=user,
    )
    return _fresh(user, version_id)


@router.patch(
    "/questions/{int:question_id}",
    response=WRITE,
    url_name="question_update",
    summary="Change a draft's question",
)
def question_update_api(
    request: HttpRequest, question_id: int, payload: QuestionUpdateIn
) -> QuestionnaireVersion:
    user = _user_with_perm(request.user, Perm.CHANGE_QUESTIONNAIRE)
    question = question_get_for_user(user=user, question_id=question_id)
    _check_version(question.version, payload.version)
    changes: dict[str, Any] = payload.dict(
        include={"code", "kind", "text_zh", "text_en", "required"}
    )
    if payload.no_dimension or payload.dimension_id is not None:
        changes["dimension"] = _dimension(user, payload.dimension_id)
    if payload.options is not None:
        changes["options"] = [o.dict() for o in payload.options]
    if payload.no_condition or payload.show_if is not None:
        changes["show_if"] = payload.show_if.dict() if payload.show_if else {}
    question_update(question=question, **changes, actor=user)
    return _fresh(user, question.version_id)


@router.delete(
    "/questions/{int:question_id}",
    response=WRITE,
    url_name="question_remove",
    summary="Remove a draft's question",
)
def question_remove_api(
    request: HttpRequest, question_id: int, version: int | None = None
) -> QuestionnaireVersion:
    user = _user_with_perm(request.user, Perm.CHANGE_QUESTIONNAIRE)
    question = question_get_for_user(user=user, question_id=question_id)
    _check_version(question.version, version)
    question_remove(question=question, actor=user)
    return _fresh(user, question.version_id)


@router.post(
    "/questions/{int:question_id}/move",
    response=WRITE,
    url_name="question_move",
    summary="Move a draft's question",
)
def question_move_api(
    request: HttpRequest, question_id: int, payload: QuestionMoveIn
) -> QuestionnaireVersion:
    user = _user_with_perm(request.user, Perm.CHANGE_QUESTIONNAIRE)
    question = question_get_for_user(user=user, question_id=question_id)
    _check_version(question.version, payload.version)
    changes: dict[str, Any] = {}
    if payload.no_dimension or payload.dimension_id is not None:
        changes["dimension"] = _dimension(user, payload.dimension_id)
    question_move(question=question, position=payload.position, **changes, actor=user)
    return _fresh(user, question.version_id)
