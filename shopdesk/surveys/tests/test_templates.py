"""The built-in templates: installed by migration 0002 as published templates in both languages,
shaped as issue 5 lists them, and the shared factories build what their docstring promises."""

import importlib

import pytest
from django.apps import apps as global_apps

from shopdesk.surveys.models import Question, Questionnaire, QuestionnaireVersion, Response
from shopdesk.surveys.states import NUMERIC_KINDS, QuestionKind, VersionStatus
from shopdesk.surveys.templates_builtin import BUILTIN_TEMPLATES
from shopdesk.surveys.tests.factories import (
    QuestionFactory,
    ResponseFactory,
    VersionFactory,
)

pytestmark = pytest.mark.django_db

CODES = ["ecommerce-service", "after-service-csat", "relationship-nps", "order-review"]


def _version(code: str) -> QuestionnaireVersion:
    return QuestionnaireVersion.objects.get(questionnaire__code=code, number=1)


def test_the_four_templates_are_installed_as_published_version_1() -> None:
    # when
    templates = Questionnaire.objects.filter(is_template=True).order_by("code")
    # then
    assert sorted(t.code for t in templates) == sorted(CODES)
    for template in templates:
        (version,) = template.versions.all()
        assert version.number == 1
        assert version.status == VersionStatus.PUBLISHED
        assert version.published_at is not None


@pytest.mark.parametrize("code", CODES)
def test_every_text_is_in_chinese_and_english(code: str) -> None:
    version = _version(code)
    texts = [
        (version.questionnaire.name_zh, version.questionnaire.name_en),
        (version.title_zh, version.title_en),
        (version.intro_zh, version.intro_en),
        *((d.name_zh, d.name_en) for d in version.dimensions.all()),
        *((q.text_zh, q.text_en) for q in version.questions.all()),
    ]
    assert all(zh and en for zh, en in texts)
    # the Chinese side really is Chinese
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in zh) for zh, _ in texts)


@pytest.mark.parametrize("code", CODES)
def test_overall_names_a_numeric_question(code: str) -> None:
    version = _version(code)
    overall = version.questions.get(code=version.overall_code)
    assert overall.kind in NUMERIC_KINDS


def test_ecommerce_template_has_the_eight_dimensions_and_outcome_questions() -> None:
    version = _version("ecommerce-service")
    sizes = {d.code: d.questions.count() for d in version.dimensions.all()}
    assert sizes == {
        "speed": 4,
        "info": 5,
        "logistics": 3,
        "service": 5,
        "returns": 5,
        "payment": 4,
        "website": 4,
        "care": 3,
    }
    loose = {q.code: q for q in version.questions.filter(dimension=None)}
    assert loose["overall"].kind == QuestionKind.LIKERT5
    assert loose["repurchase"].kind == QuestionKind.LIKERT5
    assert loose["recommend"].kind == QuestionKind.NPS10
    assert loose["improve"].kind == QuestionKind.TEXT
    assert loose["improve"].required is False
    items = version.questions.exclude(dimension=None)
    assert set(items.values_list("kind", flat=True)) == {QuestionKind.LIKERT5}


def test_dimension_questions_come_first_in_page_order() -> None:
    version = _version("ecommerce-service")
    codes = list(version.questions.order_by("position").values_list("code", flat=True))
    assert codes[:4] == ["speed_submit", "speed_review", "speed_outbound", "speed_query"]
    assert codes[-4:] == ["overall", "repurchase", "recommend", "improve"]


def test_csat_template_asks_what_went_wrong_only_after_a_low_rating() -> None:
    version = _version("after-service-csat")
    kinds = dict(version.questions.values_list("code", "kind"))
    assert kinds == {
        "rating": QuestionKind.RATING5,
        "solved": QuestionKind.YES_NO,
        "effort": QuestionKind.EFFORT7,
        "what_went_wrong": QuestionKind.TEXT,
        "comment": QuestionKind.TEXT,
    }
    conditional = version.questions.get(code="what_went_wrong")
    assert conditional.show_if == {"question": "rating", "op": "<=", "value": 3}
    assert version.overall_code == "rating"


def test_nps_and_order_review_templates() -> None:
    nps = _version("relationship-nps")
    review = _version("order-review")
    assert dict(nps.questions.values_list("code", "kind")) == {
        "recommend": QuestionKind.NPS10,
        "why": QuestionKind.TEXT,
    }
    assert nps.overall_code == "recommend"
    assert dict(review.questions.values_list("code", "kind")) == {
        "score": QuestionKind.RATING5,
        "title": QuestionKind.SHORT_TEXT,
        "comment": QuestionKind.TEXT,
    }
    assert list(review.questions.filter(required=False).values_list("code", flat=True)) == [
        "title",
        "comment",
    ]


def test_installing_again_changes_nothing() -> None:
    # given
    migration = importlib.import_module("shopdesk.surveys.migrations.0002_builtin_templates")
    before = (Questionnaire.objects.count(), Question.objects.count())
    # when
    migration.forwards(global_apps, None)
    # then
    assert (Questionnaire.objects.count(), Question.objects.count()) == before


def test_the_data_module_and_the_database_agree() -> None:
    for spec in BUILTIN_TEMPLATES:
        version = _version(spec.code)
        in_db = list(version.questions.order_by("position").values_list("code", flat=True))
        assert in_db == [q.code for _, q in spec.all_questions()]


def test_version_factory_with_questions() -> None:
    # when
    version = VersionFactory(with_questions=True)
    plain = VersionFactory()
    # then
    assert version.status == VersionStatus.PUBLISHED
    assert list(version.questions.values_list("code", "dimension__code")) == [
        ("reply_speed", "service"),
        ("solving", "service"),
        ("overall", None),
    ]
    assert version.overall_code == "overall"
    assert plain.questions.count() == 0
    second = VersionFactory(questionnaire=version.questionnaire)
    assert second.number == 2


def test_question_and_response_factories() -> None:
    question = QuestionFactory()
    response = ResponseFactory(answered=True)
    assert question.version_id == question.dimension.version_id
    assert question.version.status == VersionStatus.DRAFT
    assert response.questionnaire_version_id == response.survey.version_id
    assert response.answers == {"reply_speed": 4, "solving": 5, "overall": 4}
    assert Response.objects.get(pk=response.pk).submitted_at is not None
