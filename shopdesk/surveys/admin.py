"""Admin for questionnaires: drafts are edited here, through the authoring services.

A published or retired version shows read-only, inlines included; the actions "Make a new draft
version" and "Publish" call the services and show their refusals as messages. Surveys,
invitations (token hash hidden) and responses are read-only: they change through the
distribution and answering services only.
"""

from typing import Any, TypeVar

from django import forms
from django.contrib import admin, messages
from django.db import models, transaction
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelChoiceField
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shopdesk.core.errors import DomainError
from shopdesk.surveys.models import (
    Dimension,
    Invitation,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    Survey,
)
from shopdesk.surveys.services import (
    dimension_add,
    dimension_remove,
    dimension_update,
    question_add,
    question_move,
    question_remove,
    question_update,
    questionnaire_create,
    version_draft_create,
    version_publish,
    version_update,
)
from shopdesk.surveys.services.setup import survey_problems, survey_save
from shopdesk.surveys.states import Channel, QuestionnaireKind, VersionStatus

_M = TypeVar("_M", Survey, Invitation, Response, QuestionnaireVersion)


def _is_draft(obj: object) -> bool:
    return isinstance(obj, QuestionnaireVersion) and obj.status == VersionStatus.DRAFT


def _refused(request: HttpRequest, exc: DomainError) -> None:
    """Show the service's refusal and undo everything this admin request wrote."""
    messages.error(request, exc.message)
    transaction.set_rollback(True)


class VersionInline(admin.TabularInline[QuestionnaireVersion, Questionnaire]):
    model = QuestionnaireVersion
    fields = ["number", "status", "title_zh", "published_at"]
    readonly_fields = ["number", "status", "title_zh", "published_at"]
    show_change_link = True
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin[Questionnaire]):
    """Created here (with an empty draft version 1); afterwards edited version by version."""

    list_display = ["code", "name_zh", "name_en", "kind", "is_template"]
    list_filter = ["kind", "is_template"]
    search_fields = ["code", "name_zh", "name_en"]
    fields = ["code", "kind", "name_zh", "name_en", "is_template"]
    inlines = [VersionInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The names and kind are shared by every version: fixed once made.
        return ["code", "kind", "name_zh", "name_en", "is_template"] if obj else ["is_template"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Questionnaire, form: Any, change: bool) -> None:
        if change:
            return
        try:
            created = questionnaire_create(
                code=obj.code,
                name_zh=obj.name_zh,
                name_en=obj.name_en,
                kind=QuestionnaireKind(obj.kind),
                actor=request.user,
            )
        except DomainError as exc:
            _refused(request, exc)
            return
        obj.pk, obj.created_at, obj.updated_at = created.pk, created.created_at, created.updated_at


class _DraftInline:
    """Editable while the version is a draft; read-only once published."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_draft(obj) and super().has_add_permission(request, obj)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_draft(obj) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_draft(obj) and super().has_delete_permission(request, obj)  # type: ignore[misc]


class DimensionInline(_DraftInline, admin.TabularInline[Dimension, QuestionnaireVersion]):
    model = Dimension
    fields = ["position", "code", "name_zh", "name_en", "weight"]
    extra = 0


class QuestionInline(_DraftInline, admin.StackedInline[Question, QuestionnaireVersion]):
    model = Question
    fields = [
        ("position", "code", "kind", "required"),
        "dimension",
        ("text_zh", "text_en"),
        ("options", "show_if"),
    ]
    extra = 0

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        if db_field.name == "dimension":
            # Only the dimensions of the version being edited.
            match = request.resolver_match
            version_id = match.kwargs.get("object_id") if match else None
            kwargs["queryset"] = Dimension.objects.filter(version_id=version_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.action(description=_("Make a new draft version"))
def make_draft_action(
    modeladmin: Any, request: HttpRequest, queryset: QuerySet[QuestionnaireVersion]
) -> None:
    for version in queryset.select_related("questionnaire"):
        draft = version_draft_create(
            questionnaire=version.questionnaire, from_version=version, actor=request.user
        )
        messages.success(
            request,
            gettext("Draft version %(number)d of “%(name)s” made from version %(source)d.")
            % {"number": draft.number, "name": version.questionnaire, "source": version.number},
        )


@admin.action(description=_("Publish"))
def publish_action(
    modeladmin: Any, request: HttpRequest, queryset: QuerySet[QuestionnaireVersion]
) -> None:
    for version in queryset.select_related("questionnaire"):
        try:
            version_publish(version=version, actor=request.user)
        except DomainError as exc:
            messages.error(request, f"{version}: {exc.message}")
        else:
            messages.success(request, gettext("%(version)s is published.") % {"version": version})


@admin.register(QuestionnaireVersion)
class QuestionnaireVersionAdmin(admin.ModelAdmin[QuestionnaireVersion]):
    list_display = ["questionnaire", "number", "status", "published_at", "title_zh"]
    list_filter = ["status", "questionnaire__is_template"]
    search_fields = ["questionnaire__code", "title_zh", "title_en"]
    list_select_related = ["questionnaire"]
    actions = [make_draft_action, publish_action]
    inlines = [DimensionInline, QuestionInline]
    texts = [
        "title_zh",
        "title_en",
        "intro_zh",
        "intro_en",
        "thanks_zh",
        "thanks_en",
        "overall_code",
    ]
    fields = ["questionnaire", "number", "status", "published_at", "version", *texts]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # drafts are made by the action, as copies

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        frozen = ["questionnaire", "number", "status", "published_at", "version"]
        return frozen if _is_draft(obj) else [*frozen, *self.texts]

    def save_model(
        self, request: HttpRequest, obj: QuestionnaireVersion, form: Any, change: bool
    ) -> None:
        if not _is_draft(obj) or not form.changed_data:
            return
        try:
            version_update(
                version=obj,
                **{name: getattr(obj, name) for name in self.texts},
                actor=request.user,
            )
        except DomainError as exc:
            _refused(request, exc)

    def save_formset(
        self,
        request: HttpRequest,
        form: Any,
        formset: BaseInlineFormSet[Any, Any, Any],
        change: bool,
    ) -> None:
        version = form.instance
        # What formset.save() would have recorded; the admin's change message reads it.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        try:
            for row in formset.deleted_forms:
                if row.instance.pk:
                    remove = dimension_remove if formset.model is Dimension else question_remove
                    remove(**{formset.model.__name__.lower(): row.instance}, actor=request.user)
                    formset.deleted_objects.append(row.instance)
            for row in formset.forms:
                if row in formset.deleted_forms or not row.has_changed():
                    continue
                is_new = row.instance.pk is None
                if formset.model is Dimension:
                    saved: Any = _dimension_save(version, row.instance, request)
                else:
                    saved = _question_save(version, row.instance, row.changed_data, request)
                if is_new:
                    formset.new_objects.append(saved)
                else:
                    formset.changed_objects.append((saved, row.changed_data))
        except DomainError as exc:
            _refused(request, exc)


def _dimension_save(version: QuestionnaireVersion, dimension: Dimension, request: Any) -> Dimension:
    values: dict[str, Any] = {
        "code": dimension.code,
        "name_zh": dimension.name_zh,
        "name_en": dimension.name_en,
        "weight": dimension.weight,
    }
    if dimension.pk is None:
        return dimension_add(version=version, **values, actor=request.user)
    dimension.version = version
    return dimension_update(
        dimension=dimension, **values, position=dimension.position, actor=request.user
    )


def _question_save(
    version: QuestionnaireVersion, question: Question, changed: list[str], request: Any
) -> Question:
    values: dict[str, Any] = {
        "code": question.code,
        "kind": question.kind,
        "text_zh": question.text_zh,
        "text_en": question.text_en,
        "dimension": question.dimension,
        "required": question.required,
        "options": question.options or [],
        "show_if": question.show_if or {},
    }
    if question.pk is None:
        return question_add(
            version=version, **values, position=question.position, actor=request.user
        )
    question.version = version
    question_update(question=question, **values, actor=request.user)
    if "position" in changed:
        question_move(question=question, position=question.position, actor=request.user)
    return question


class ReadOnlyAdmin(admin.ModelAdmin[_M]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class SurveyForm(forms.ModelForm[Survey]):
    channels = forms.MultipleChoiceField(
        label=_("channels"), choices=Channel.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Survey
        fields = [
            "name",
            "version",
            "trigger",
            "delay_days",
            "period_days",
            "sample_rate",
            "sample_size",
            "per_customer_days",
            "link_days",
            "reminder_days",
            "channels",
            "anonymous",
            "merchant",
            "is_active",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        versions = QuestionnaireVersion.objects.filter(status=VersionStatus.PUBLISHED)
        self.fields["version"].queryset = versions.select_related("questionnaire")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        candidate = Survey(
            **{k: v for k, v in data.items() if k in {f.name for f in Survey._meta.fields}}
        )
        for problem in survey_problems(candidate) if data.get("version") else []:
            self.add_error(None, problem)
        return data


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin[Survey]):
    """Surveys are set up here: a published version, the trigger, sampling, limits, channels."""

    form = SurveyForm
    list_display = ["name", "version", "trigger", "is_active", "last_run_at"]
    list_filter = ["trigger", "is_active"]
    list_select_related = ["version__questionnaire"]
    readonly_fields = ["last_run_at"]

    def save_model(self, request: HttpRequest, obj: Survey, form: Any, change: bool) -> None:
        survey_save(survey=obj)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # responses hang on it; set it inactive instead


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin[Invitation]):
    list_display = ["survey", "channel", "status", "sent_at", "answered_at", "expires_at"]
    list_filter = ["status", "channel"]
    list_select_related = ["survey"]
    exclude = ["token_hash", "link_enc"]
    show_full_result_count = False


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin[Response]):
    list_display = ["survey", "status", "source", "overall", "nps", "csat", "submitted_at"]
    list_filter = ["status", "source"]
    list_select_related = ["survey"]
    exclude = ["customer"]  # the survey's view of a person is the segment, not the contact
    show_full_result_count = False
