"""Authoring rules: drafts copy their source, published versions are frozen, edits
compare-and-set, publishing validates everything at once and retires the previous version."""

from typing import Any

import pytest

from shopdesk.audit.models import AuditEvent
from shopdesk.core.errors import ConcurrentUpdate, DomainError
from shopdesk.surveys.models import Dimension, Question, Questionnaire, QuestionnaireVersion
from shopdesk.surveys.services import (
    PublishRefused,
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
from shopdesk.surveys.states import QuestionKind, QuestionnaireKind, VersionStatus
from shopdesk.surveys.tests.factories import (
    DimensionFactory,
    QuestionFactory,
    VersionFactory,
)

pytestmark = pytest.mark.django_db


def draft_with_questions() -> QuestionnaireVersion:
    published = VersionFactory(with_questions=True)
    return version_draft_create(questionnaire=published.questionnaire)


def codes(version: QuestionnaireVersion) -> list[str]:
    return list(version.questions.order_by("position").values_list("code", flat=True))


# --- creating and drafting ------------------------------------------------------------------------


def test_questionnaire_create_makes_an_empty_draft_version_1() -> None:
    # when
    questionnaire = questionnaire_create(code="mine", name_zh="我的问卷", name_en="Mine")
    # then
    (version,) = questionnaire.versions.all()
    assert (version.number, version.status) == (1, VersionStatus.DRAFT)
    assert (version.title_zh, version.title_en) == ("我的问卷", "Mine")
    assert AuditEvent.objects.filter(object_type="surveys.questionnaireversion").exists()


def test_questionnaire_create_refuses_a_taken_code() -> None:
    questionnaire_create(code="mine", name_zh="我的问卷")
    with pytest.raises(DomainError) as caught:
        questionnaire_create(code="mine", name_zh="另一个")
    assert caught.value.code == "duplicate_code"
    assert "mine" in caught.value.message
    assert Questionnaire.objects.filter(code="mine").count() == 1


def test_draft_copies_the_latest_version_with_dimensions_and_questions() -> None:
    # given
    published = VersionFactory(with_questions=True, intro_zh="你好")
    # when
    draft = version_draft_create(questionnaire=published.questionnaire)
    # then
    assert (draft.number, draft.status) == (2, VersionStatus.DRAFT)
    assert draft.intro_zh == "你好"
    assert draft.overall_code == "overall"
    assert codes(draft) == codes(published)
    copied = draft.questions.get(code="reply_speed")
    assert copied.dimension is not None
    assert copied.dimension.version_id == draft.pk
    # the source is untouched
    assert published.questions.count() == 3
    assert published.dimensions.get().questions.count() == 2


def test_draft_from_a_given_older_version() -> None:
    v1 = VersionFactory(with_questions=True, status=VersionStatus.RETIRED)
    VersionFactory(questionnaire=v1.questionnaire)  # v2 without questions
    draft = version_draft_create(questionnaire=v1.questionnaire, from_version=v1)
    assert draft.number == 3
    assert codes(draft) == ["reply_speed", "solving", "overall"]


def test_draft_refuses_a_version_of_another_questionnaire() -> None:
    mine, other = VersionFactory(), VersionFactory()
    with pytest.raises(DomainError) as caught:
        version_draft_create(questionnaire=mine.questionnaire, from_version=other)
    assert caught.value.code == "wrong_version"
    assert mine.questionnaire.versions.count() == 1


# --- the frozen rule ------------------------------------------------------------------------------


FROZEN_EDITS: list[tuple[str, Any]] = [
    ("version_update", lambda v, d, q: version_update(version=v, title_zh="新")),
    ("dimension_add", lambda v, d, q: dimension_add(version=v, code="new", name_zh="新")),
    ("dimension_update", lambda v, d, q: dimension_update(dimension=d, name_zh="新")),
    ("dimension_remove", lambda v, d, q: dimension_remove(dimension=d)),
    (
        "question_add",
        lambda v, d, q: question_add(version=v, code="new", kind="likert5", text_zh="新"),
    ),
    ("question_update", lambda v, d, q: question_update(question=q, text_zh="新")),
    ("question_remove", lambda v, d, q: question_remove(question=q)),
    ("question_move", lambda v, d, q: question_move(question=q, position=0)),
    ("version_publish", lambda v, d, q: version_publish(version=v)),
]


@pytest.mark.parametrize("status", [VersionStatus.PUBLISHED, VersionStatus.RETIRED])
@pytest.mark.parametrize(("name", "edit"), FROZEN_EDITS)
def test_published_and_retired_versions_are_frozen(status: str, name: str, edit: Any) -> None:
    # given
    version = VersionFactory(with_questions=True, status=status)
    dimension = version.dimensions.get()
    question = version.questions.get(code="solving")
    before = (version.version, codes(version), Dimension.objects.count())
    # when
    with pytest.raises(DomainError) as caught:
        edit(version, dimension, question)
    # then
    assert caught.value.code == "published_is_frozen"
    assert "make a new version" in caught.value.message
    assert f"Version {version.number}" in caught.value.message
    version.refresh_from_db()
    question.refresh_from_db()
    assert (version.version, codes(version), Dimension.objects.count()) == before
    assert question.text_zh == "问题解决"


def test_edit_of_a_version_published_meanwhile_is_refused_as_frozen() -> None:
    # given: two copies of one draft; one of them publishes
    draft = draft_with_questions()
    stale = QuestionnaireVersion.objects.get(pk=draft.pk)
    version_publish(version=draft)
    # when / then
    with pytest.raises(DomainError) as caught:
        version_update(version=stale, title_zh="晚了")
    assert caught.value.code == "published_is_frozen"


def test_concurrent_edits_of_one_draft_lose_with_concurrent_update() -> None:
    # given
    draft = draft_with_questions()
    other = QuestionnaireVersion.objects.get(pk=draft.pk)
    version_update(version=draft, title_zh="第一个")
    # when / then
    with pytest.raises(ConcurrentUpdate):
        dimension_add(version=other, code="late", name_zh="晚到")
    assert not Dimension.objects.filter(code="late").exists()
    draft.refresh_from_db()
    assert draft.title_zh == "第一个"


# --- editing a draft ------------------------------------------------------------------------------


def test_dimension_and_question_edits_on_a_draft() -> None:
    # given
    draft = draft_with_questions()
    start = draft.version
    # when
    logistics = dimension_add(version=draft, code="logistics", name_zh="物流", weight=2)
    question_add(
        version=draft,
        code="on_time",
        kind=QuestionKind.LIKERT5,
        text_zh="准时送达",
        dimension=logistics,
        position=1,
    )
    dimension_update(dimension=logistics, name_en="Logistics")
    question_update(question=draft.questions.get(code="solving"), text_en="Solved well")
    # then
    assert codes(draft) == ["reply_speed", "on_time", "solving", "overall"]
    logistics.refresh_from_db()
    assert (logistics.name_en, logistics.weight, logistics.position) == ("Logistics", 2, 1)
    assert draft.questions.get(code="solving").text_en == "Solved well"
    assert QuestionnaireVersion.objects.get(pk=draft.pk).version == start + 4


def test_question_move_and_remove_keep_a_gapless_order() -> None:
    draft = draft_with_questions()
    overall = draft.questions.get(code="overall")
    question_move(question=overall, position=0, dimension=None)
    assert codes(draft) == ["overall", "reply_speed", "solving"]
    question_remove(question=draft.questions.get(code="reply_speed"))
    assert list(draft.questions.order_by("position").values_list("position", "code")) == [
        (0, "overall"),
        (1, "solving"),
    ]


def test_question_move_into_another_dimension() -> None:
    draft = draft_with_questions()
    other = dimension_add(version=draft, code="other", name_zh="其他")
    moved = question_move(question=draft.questions.get(code="overall"), position=9, dimension=other)
    assert moved.dimension_id == other.pk
    assert codes(draft)[-1] == "overall"


def test_dimension_remove_takes_its_questions() -> None:
    draft = draft_with_questions()
    dimension_remove(dimension=draft.dimensions.get(code="service"))
    assert codes(draft) == ["overall"]


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"code": "overall"}, "duplicate_code"),
        ({"kind": "stars"}, "unknown_kind"),
    ],
)
def test_question_add_refusals(kwargs: dict[str, Any], code: str) -> None:
    draft = draft_with_questions()
    values = {"code": "new", "kind": "likert5", "text_zh": "新问题"} | kwargs
    with pytest.raises(DomainError) as caught:
        question_add(version=draft, **values)
    assert caught.value.code == code
    assert not draft.questions.filter(code="new").exists()


def test_question_add_refuses_a_dimension_of_another_version() -> None:
    draft = draft_with_questions()
    foreign = DimensionFactory()
    with pytest.raises(DomainError) as caught:
        question_add(version=draft, code="new", kind="likert5", text_zh="新", dimension=foreign)
    assert caught.value.code == "wrong_version"


# --- publishing -----------------------------------------------------------------------------------


def test_publish_retires_the_previous_published_version() -> None:
    # given
    draft = draft_with_questions()
    previous = draft.questionnaire.versions.get(number=1)
    # when
    version_publish(version=draft)
    # then
    draft.refresh_from_db()
    previous.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
    assert draft.published_at is not None
    assert previous.status == VersionStatus.RETIRED


def _refusal(draft: QuestionnaireVersion) -> PublishRefused:
    with pytest.raises(PublishRefused) as caught:
        version_publish(version=draft)
    assert QuestionnaireVersion.objects.get(pk=draft.pk).status == VersionStatus.DRAFT
    return caught.value


def test_publish_refuses_an_empty_dimension_and_says_which() -> None:
    draft = draft_with_questions()
    dimension_add(version=draft, code="empty", name_zh="空维度")
    refusal = _refusal(draft)
    assert refusal.code == "empty_dimension"
    assert "空维度" in refusal.message
    assert "has no question" in refusal.message


def test_publish_refuses_a_question_without_chinese_text() -> None:
    draft = draft_with_questions()
    question_update(question=draft.questions.get(code="solving"), text_zh="  ", text_en="Solved")
    refusal = _refusal(draft)
    assert refusal.code == "missing_text"
    assert "“solving” has no Chinese text" in refusal.message


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ([], "has no options"),
        (
            [{"value": "a", "zh": "甲"}, {"value": "a", "zh": "乙"}],
            "repeats the option value(s) a",
        ),
        ([{"value": "", "zh": "甲"}], "needs a value"),
    ],
)
def test_publish_refuses_bad_choice_options(options: list[Any], expected: str) -> None:
    draft = draft_with_questions()
    question_add(
        version=draft, code="pick", kind=QuestionKind.SINGLE, text_zh="选一个", options=options
    )
    refusal = _refusal(draft)
    assert refusal.code == "bad_options"
    assert expected in refusal.message


@pytest.mark.parametrize(
    ("show_if", "expected"),
    [
        ({"question": "nope", "op": "<=", "value": 2}, "unknown question"),
        ({"question": "later", "op": "<=", "value": 2}, "comes after it"),
        ({"question": "overall", "op": "~", "value": 2}, "operator"),
        ({"question": "overall", "op": "<=", "value": 9}, "from 1 to 5"),
        ({"question": "overall", "op": "<=", "value": "low"}, "from 1 to 5"),
        ({"question": "note", "op": "==", "value": 1}, "no number to compare"),
    ],
)
def test_publish_refuses_bad_conditions(show_if: dict[str, Any], expected: str) -> None:
    draft = draft_with_questions()
    question_add(version=draft, code="note", kind=QuestionKind.TEXT, text_zh="备注")
    question_add(version=draft, code="why", kind="text", text_zh="为什么", show_if=show_if)
    question_add(version=draft, code="later", kind="likert5", text_zh="之后")
    refusal = _refusal(draft)
    assert refusal.code == "bad_condition"
    assert expected in refusal.message


def test_publish_accepts_a_valid_condition() -> None:
    draft = draft_with_questions()
    question_add(
        version=draft,
        code="why",
        kind="text",
        text_zh="为什么",
        required=False,
        show_if={"question": "overall", "op": "<=", "value": 2},
    )
    assert version_publish(version=draft).status == VersionStatus.PUBLISHED


@pytest.mark.parametrize("overall", ["missing", "note"])
def test_publish_refuses_an_overall_code_that_is_not_a_numeric_question(overall: str) -> None:
    draft = draft_with_questions()
    question_add(version=draft, code="note", kind=QuestionKind.TEXT, text_zh="备注")
    version_update(version=draft, overall_code=overall)
    refusal = _refusal(draft)
    assert refusal.code == "bad_overall"
    assert overall in refusal.message


def test_publish_refuses_negative_weights_and_lists_every_problem() -> None:
    # given
    draft = draft_with_questions()
    dimension_update(dimension=draft.dimensions.get(), weight=-1)
    dimension_add(version=draft, code="empty", name_zh="空维度")
    # when
    refusal = _refusal(draft)
    # then
    found = {p.code for p in refusal.problems}
    assert {"bad_weight", "empty_dimension"} <= found
    assert "weights must be 0 or more" in refusal.message


def test_publish_refuses_a_version_without_questions() -> None:
    questionnaire = questionnaire_create(code="empty", name_zh="空问卷")
    refusal = _refusal(questionnaire.versions.get())
    assert refusal.code == "empty_version"


# --- template copies ------------------------------------------------------------------------------


def test_copy_template_makes_an_editable_draft_with_every_question() -> None:
    # given
    template = Questionnaire.objects.get(code="ecommerce-service")
    # when
    copy = questionnaire_copy_template(template=template, code="our-service", name_zh="本店调查")
    # then
    draft = copy.versions.get()
    source = template.versions.get()
    assert (copy.is_template, copy.kind) == (False, QuestionnaireKind.ORDER_EXPERIENCE)
    assert (draft.number, draft.status, draft.title_zh) == (1, VersionStatus.DRAFT, "本店调查")
    assert draft.overall_code == "overall"
    assert codes(draft) == codes(source)
    assert draft.dimensions.count() == 8
    assert not Question.objects.filter(version=draft, dimension__version=source).exists()
    # the copy is editable and publishable as it is; the template is not touched
    question_update(question=draft.questions.get(code="overall"), text_en="Overall?")
    version_publish(version=draft)
    assert source.questions.get(code="overall").text_en.startswith("Overall, how")


def test_copy_refuses_a_questionnaire_that_is_not_a_template() -> None:
    plain = VersionFactory().questionnaire
    with pytest.raises(DomainError) as caught:
        questionnaire_copy_template(template=plain, code="x", name_zh="复制")
    assert caught.value.code == "not_a_template"
    assert not Questionnaire.objects.filter(code="x").exists()


@pytest.mark.parametrize(
    "code", ["ecommerce-service", "after-service-csat", "relationship-nps", "order-review"]
)
def test_every_template_passes_the_publish_checks(code: str) -> None:
    template = Questionnaire.objects.get(code=code)
    copy = questionnaire_copy_template(template=template, code=f"{code}-copy", name_zh="副本")
    assert version_publish(version=copy.versions.get()).status == VersionStatus.PUBLISHED


def test_question_factory_draft_is_editable() -> None:
    question = QuestionFactory()
    question_update(question=question, required=False)
    question.refresh_from_db()
    assert question.required is False
