"""Questionnaire authoring: drafts, their dimensions and questions, template copies
(publishing: services/publishing.py; the frozen rule and counter: services/versions_base.py).

A published (or retired) version never changes, because responses were given against its exact
wording: every edit below refuses it and says to make a new draft. Each edit compare-and-sets the
version's `version` counter, so two people editing one draft cannot silently overwrite each other.
Publishing checks the whole draft and lists every problem at once.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext

from shopdesk.audit.models import AuditEvent
from shopdesk.core.errors import DomainError
from shopdesk.surveys.errors import SurveysErrorCode
from shopdesk.surveys.models import Dimension, Question, Questionnaire, QuestionnaireVersion
from shopdesk.surveys.services.versions_base import (
    _UNSET,
    Actor,
    version_audit,
    version_bump,
)
from shopdesk.surveys.states import (
    QuestionKind,
    QuestionnaireKind,
    VersionStatus,
)

# --- questionnaires and versions ------------------------------------------------------------------


def _refuse_taken_code(code: str) -> None:
    if Questionnaire.objects.filter(code=code).exists():
        raise DomainError(
            gettext("A questionnaire with the code “%(code)s” exists; choose another code.")
            % {"code": code},
            code=SurveysErrorCode.DUPLICATE_CODE,
        )


@transaction.atomic
def questionnaire_create(
    *,
    code: str,
    name_zh: str,
    name_en: str = "",
    kind: QuestionnaireKind = QuestionnaireKind.CUSTOM,
    actor: Actor = None,
) -> Questionnaire:
    """A new questionnaire with an empty draft version 1 titled like it.

    Raises:
        DomainError(duplicate_code | missing_text)
    """
    _refuse_taken_code(code)
    if not name_zh.strip():
        raise DomainError(
            gettext("Give the questionnaire a Chinese name."), code=SurveysErrorCode.MISSING_TEXT
        )
    questionnaire = Questionnaire.objects.create(
        code=code, kind=kind, name_zh=name_zh.strip(), name_en=name_en.strip()
    )
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire,
        number=1,
        title_zh=questionnaire.name_zh,
        title_en=questionnaire.name_en,
    )
    version_audit(actor, AuditEvent.Action.CREATED, version, code=code)
    return questionnaire


def _copy_into(source: QuestionnaireVersion, target: QuestionnaireVersion) -> None:
    dimensions: dict[int, Dimension] = {}
    for dimension in source.dimensions.all():
        old_pk = dimension.pk
        dimension.pk = None
        dimension.version = target
        dimension.save(force_insert=True)
        dimensions[old_pk] = dimension
    questions = list(source.questions.all())
    for question in questions:
        question.pk = None
        question.version = target
        question.dimension = dimensions[question.dimension_id] if question.dimension_id else None
    Question.objects.bulk_create(questions)


@transaction.atomic
def version_draft_create(
    *,
    questionnaire: Questionnaire,
    from_version: QuestionnaireVersion | None = None,
    actor: Actor = None,
) -> QuestionnaireVersion:
    """A new draft: a copy of `from_version` (default: the highest-numbered version), texts,
    dimensions and questions included, numbered one above the highest.

    Raises:
        DomainError(wrong_version): `from_version` belongs to another questionnaire.
    """
    # Serialises numbering: two drafts made at once get different numbers.
    Questionnaire.objects.select_for_update().filter(pk=questionnaire.pk).first()
    source = from_version or questionnaire.versions.order_by("-number").first()
    if source is not None and source.questionnaire_id != questionnaire.pk:
        raise DomainError(
            gettext("Version %(number)d belongs to another questionnaire.")
            % {"number": source.number},
            code=SurveysErrorCode.WRONG_VERSION,
        )
    highest = questionnaire.versions.aggregate(n=Max("number"))["n"] or 0
    draft = QuestionnaireVersion(
        questionnaire=questionnaire, number=highest + 1, status=VersionStatus.DRAFT
    )
    if source is None:
        draft.title_zh, draft.title_en = questionnaire.name_zh, questionnaire.name_en
    else:
        for name in ("title_zh", "title_en", "intro_zh", "intro_en", "thanks_zh", "thanks_en"):
            setattr(draft, name, getattr(source, name))
        draft.overall_code = source.overall_code
    draft.save()
    if source is not None:
        _copy_into(source, draft)
    version_audit(
        actor,
        AuditEvent.Action.CREATED,
        draft,
        number=draft.number,
        copied_from=source.number if source else None,
    )
    return draft


@transaction.atomic
def version_update(
    *,
    version: QuestionnaireVersion,
    title_zh: str | None = None,
    title_en: str | None = None,
    intro_zh: str | None = None,
    intro_en: str | None = None,
    thanks_zh: str | None = None,
    thanks_en: str | None = None,
    overall_code: str | None = None,
    actor: Actor = None,
) -> QuestionnaireVersion:
    """Change a draft's texts or overall question (None = unchanged); checked when published.

    Raises:
        DomainError(published_is_frozen), ConcurrentUpdate
    """
    given = {
        "title_zh": title_zh,
        "title_en": title_en,
        "intro_zh": intro_zh,
        "intro_en": intro_en,
        "thanks_zh": thanks_zh,
        "thanks_en": thanks_en,
        "overall_code": overall_code,
    }
    values = {name: value.strip() for name, value in given.items() if value is not None}
    version_bump(version, **values)
    version_audit(actor, AuditEvent.Action.UPDATED, version, fields=sorted(values))
    return version


@transaction.atomic
def questionnaire_copy_template(
    *,
    template: Questionnaire,
    code: str,
    name_zh: str,
    name_en: str = "",
    actor: Actor = None,
) -> Questionnaire:
    """An editable copy of a built-in template: a new questionnaire whose draft version 1 holds
    the template's published texts, dimensions and questions.

    Raises:
        DomainError(not_a_template | not_published | duplicate_code | missing_text)
    """
    if not template.is_template:
        raise DomainError(
            gettext("“%(name)s” is not a built-in template; make a new version of it instead.")
            % {"name": template},
            code=SurveysErrorCode.NOT_A_TEMPLATE,
        )
    source = template.versions.filter(status=VersionStatus.PUBLISHED).first()
    if source is None:
        raise DomainError(
            gettext("Template “%(name)s” has no published version to copy.") % {"name": template},
            code=SurveysErrorCode.NOT_PUBLISHED,
        )
    copy = questionnaire_create(
        code=code,
        name_zh=name_zh,
        name_en=name_en,
        kind=QuestionnaireKind(template.kind),
        actor=actor,
    )
    draft = copy.versions.get()
    for name in ("intro_zh", "intro_en", "thanks_zh", "thanks_en", "overall_code"):
        setattr(draft, name, getattr(source, name))
    draft.save(update_fields=["intro_zh", "intro_en", "thanks_zh", "thanks_en", "overall_code"])
    _copy_into(source, draft)
    return copy


# --- dimensions -----------------------------------------------------------------------------------


def _refuse_taken(
    model: type[Dimension] | type[Question],
    version: QuestionnaireVersion,
    code: str,
    pk: int | None = None,
) -> None:
    rows = model.objects.filter(version=version, code=code)
    if pk is not None:
        rows = rows.exclude(pk=pk)
    if rows.exists():
        raise DomainError(
            gettext("Version %(number)d already has “%(code)s”; choose another code.")
            % {"number": version.number, "code": code},
            code=SurveysErrorCode.DUPLICATE_CODE,
        )


def _refuse_foreign(version: QuestionnaireVersion, dimension: Dimension | None) -> None:
    if dimension is not None and dimension.version_id != version.pk:
        raise DomainError(
            gettext("Dimension “%(code)s” belongs to another version.") % {"code": dimension.code},
            code=SurveysErrorCode.WRONG_VERSION,
        )


@transaction.atomic
def dimension_add(
    *,
    version: QuestionnaireVersion,
    code: str,
    name_zh: str,
    name_en: str = "",
    weight: float = 1.0,
    actor: Actor = None,
) -> Dimension:
    """Append a dimension to a draft.

    Raises:
        DomainError(published_is_frozen | duplicate_code), ConcurrentUpdate
    """
    version_bump(version)
    _refuse_taken(Dimension, version, code)
    highest = version.dimensions.aggregate(n=Max("position"))["n"]
    dimension = Dimension.objects.create(
        version=version,
        code=code,
        name_zh=name_zh.strip(),
        name_en=name_en.strip(),
        weight=weight,
        position=0 if highest is None else highest + 1,
    )
    version_audit(actor, AuditEvent.Action.UPDATED, version, dimension_added=code)
    return dimension


@transaction.atomic
def dimension_update(
    *,
    dimension: Dimension,
    code: str | None = None,
    name_zh: str | None = None,
    name_en: str | None = None,
    weight: float | None = None,
    position: int | None = None,
    actor: Actor = None,
) -> Dimension:
    """Change a draft's dimension (None = unchanged); weights are checked when published.

    Raises:
        DomainError(published_is_frozen | duplicate_code), ConcurrentUpdate
    """
    version = dimension.version
    version_bump(version)
    if code is not None:
        _refuse_taken(Dimension, version, code, dimension.pk)
        dimension.code = code
    if name_zh is not None:
        dimension.name_zh = name_zh.strip()
    if name_en is not None:
        dimension.name_en = name_en.strip()
    if weight is not None:
        dimension.weight = weight
    if position is not None:
        dimension.position = position
    dimension.save()
    version_audit(actor, AuditEvent.Action.UPDATED, version, dimension_changed=dimension.code)
    return dimension


@transaction.atomic
def dimension_remove(*, dimension: Dimension, actor: Actor = None) -> None:
    """Remove a draft's dimension together with its questions.

    Raises:
        DomainError(published_is_frozen), ConcurrentUpdate
    """
    version = dimension.version
    version_bump(version)
    code = dimension.code
    dimension.delete()
    version_audit(actor, AuditEvent.Action.UPDATED, version, dimension_removed=code)


# --- questions ------------------------------------------------------------------------------------


def _refuse_unknown_kind(kind: str) -> None:
    if kind not in QuestionKind.values:
        raise DomainError(
            gettext("“%(kind)s” is not a question kind; use one of %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(QuestionKind.values)},
            code=SurveysErrorCode.UNKNOWN_KIND,
        )


def _renumber(version: QuestionnaireVersion, question: Question, position: int | None) -> None:
    """Put `question` at index `position` (None = last) of the version's page order."""
    others = [q for q in version.questions.order_by("position", "id") if q.pk != question.pk]
    index = len(others) if position is None else max(0, min(position, len(others)))
    others.insert(index, question)
    for number, row in enumerate(others):
        row.position = number
    Question.objects.bulk_update([q for q in others if q.pk], ["position"])


@transaction.atomic
def question_add(
    *,
    version: QuestionnaireVersion,
    code: str,
    kind: str,
    text_zh: str,
    text_en: str = "",
    dimension: Dimension | None = None,
    required: bool = True,
    options: Sequence[Mapping[str, Any]] = (),
    show_if: Mapping[str, Any] | None = None,
    position: int | None = None,
    actor: Actor = None,
) -> Question:
    """Add a question to a draft, last unless `position` (0-based page order) says otherwise.
    Options and conditions are checked when the version is published.

    Raises:
        DomainError(published_is_frozen | duplicate_code | unknown_kind | wrong_version),
        ConcurrentUpdate
    """
    version_bump(version)
    _refuse_taken(Question, version, code)
    _refuse_unknown_kind(kind)
    _refuse_foreign(version, dimension)
    question = Question.objects.create(
        version=version,
        dimension=dimension,
        code=code,
        kind=kind,
        text_zh=text_zh.strip(),
        text_en=text_en.strip(),
        required=required,
        options=[dict(o) for o in options],
        show_if=dict(show_if or {}),
        position=Question.objects.filter(version=version).count(),
    )
    if position is not None:
        _renumber(version, question, position)
    version_audit(actor, AuditEvent.Action.UPDATED, version, question_added=code)
    return question


@transaction.atomic
def question_update(
    *,
    question: Question,
    code: str | None = None,
    kind: str | None = None,
    text_zh: str | None = None,
    text_en: str | None = None,
    dimension: Dimension | None = _UNSET,
    required: bool | None = None,
    options: Sequence[Mapping[str, Any]] | None = None,
    show_if: Mapping[str, Any] | None = None,
    actor: Actor = None,
) -> Question:
    """Change a draft's question; None leaves a field as it is (pass `dimension=None` to take
    the question out of its dimension, `show_if={}` to drop its condition).

    Raises:
        DomainError(published_is_frozen | duplicate_code | unknown_kind | wrong_version),
        ConcurrentUpdate
    """
    version = question.version
    version_bump(version)
    if code is not None:
        _refuse_taken(Question, version, code, question.pk)
        question.code = code
    if kind is not None:
        _refuse_unknown_kind(kind)
        question.kind = kind
    if dimension is not _UNSET:
        _refuse_foreign(version, dimension)
        question.dimension = dimension
    for name, value in (("text_zh", text_zh), ("text_en", text_en)):
        if value is not None:
            setattr(question, name, value.strip())
    if required is not None:
        question.required = required
    if options is not None:
        question.options = [dict(o) for o in options]
    if show_if is not None:
        question.show_if = dict(show_if)
    question.save()
    version_audit(actor, AuditEvent.Action.UPDATED, version, question_changed=question.code)
    return question


@transaction.atomic
def question_remove(*, question: Question, actor: Actor = None) -> None:
    """Remove a draft's question; the others close the gap.

    Raises:
        DomainError(published_is_frozen), ConcurrentUpdate
    """
    version = question.version
    version_bump(version)
    code = question.code
    question.delete()
    rows = list(version.questions.order_by("position", "id"))
    for number, row in enumerate(rows):
        row.position = number
    Question.objects.bulk_update(rows, ["position"])
    version_audit(actor, AuditEvent.Action.UPDATED, version, question_removed=code)


@transaction.atomic
def question_move(
    *,
    question: Question,
    position: int,
    dimension: Dimension | None = _UNSET,
    actor: Actor = None,
) -> Question:
    """Move a draft's question to `position` (0-based page order), optionally into another
    dimension (None = no dimension).

    Raises:
        DomainError(published_is_frozen | wrong_version), ConcurrentUpdate
    """
    version = question.version
    version_bump(version)
    if dimension is not _UNSET:
        _refuse_foreign(version, dimension)
        question.dimension = dimension
        question.save(update_fields=["dimension", "updated_at"])
    _renumber(version, question, position)
    version_audit(actor, AuditEvent.Action.UPDATED, version, question_moved=question.code)
    return question
