"""Factories for questionnaires, surveys and responses; shared by every surveys test module.

Add to them, don't change what a factory builds by default:
- `VersionFactory()` is a published version 1 with no question;
  `VersionFactory(with_questions=True)` adds dimension `service` holding likert5 questions
  `reply_speed` and `solving`, and a likert5 `overall` outside it (the version's overall_code);
- `QuestionFactory(dimension=d)` joins d's version; a question outside any dimension needs
  `QuestionFactory(version=v, dimension=None)`;
- `ResponseFactory()` is a complete response to a survey of a `with_questions` version;
  `ResponseFactory(answered=True)` also carries answers and the numbers computed from them.
"""

from typing import Any

import factory
from django.db.models import Max
from django.utils import timezone

from shopdesk.surveys.models import (
    Dimension,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    Survey,
)
from shopdesk.surveys.states import (
    Channel,
    QuestionKind,
    QuestionnaireKind,
    ResponseSource,
    ResponseStatus,
    VersionStatus,
)

ANSWERS = {"reply_speed": 4, "solving": 5, "overall": 4}


class QuestionnaireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Questionnaire

    code = factory.Sequence(lambda n: f"questionnaire-{n}")
    kind = QuestionnaireKind.CUSTOM
    name_zh = factory.Sequence(lambda n: f"问卷 {n}")
    name_en = factory.Sequence(lambda n: f"Questionnaire {n}")


def _next_number(version: Any) -> int:
    questionnaire = version.questionnaire
    if questionnaire.pk is None:
        return 1
    highest = questionnaire.versions.aggregate(n=Max("number"))["n"]
    return int(highest or 0) + 1


def _add_questions(version: QuestionnaireVersion, create: bool, extracted: Any, **_: Any) -> None:
    if not create:
        return
    service = Dimension.objects.create(
        version=version, code="service", name_zh="客服服务", name_en="Service", position=0
    )
    rows = [
        ("reply_speed", service, "客服响应速度", "Response speed"),
        ("solving", service, "问题解决", "Problem solving"),
        ("overall", None, "总体满意度", "Overall satisfaction"),
    ]
    for position, (code, dimension, zh, en) in enumerate(rows):
        Question.objects.create(
            version=version,
            dimension=dimension,
            code=code,
            position=position,
            kind=QuestionKind.LIKERT5,
            text_zh=zh,
            text_en=en,
        )


class VersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuestionnaireVersion
        skip_postgeneration_save = True

    class Params:
        with_questions = factory.Trait(questions=factory.PostGeneration(_add_questions))

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    number = factory.LazyAttribute(_next_number)
    status = VersionStatus.PUBLISHED
    published_at = factory.LazyAttribute(
        lambda v: timezone.now() if v.status != VersionStatus.DRAFT else None
    )
    title_zh = factory.LazyAttribute(lambda v: v.questionnaire.name_zh)
    title_en = factory.LazyAttribute(lambda v: v.questionnaire.name_en)
    overall_code = "overall"
    questions = None


class DimensionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dimension

    version = factory.SubFactory(VersionFactory, status=VersionStatus.DRAFT)
    code = factory.Sequence(lambda n: f"dimension-{n}")
    name_zh = factory.Sequence(lambda n: f"维度 {n}")
    name_en = factory.Sequence(lambda n: f"Dimension {n}")
    position = factory.Sequence(lambda n: n)


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    dimension = factory.SubFactory(DimensionFactory)
    version = factory.LazyAttribute(lambda q: q.dimension.version)
    code = factory.Sequence(lambda n: f"q{n}")
    position = factory.Sequence(lambda n: n)
    kind = QuestionKind.LIKERT5
    text_zh = factory.Sequence(lambda n: f"问题 {n}")
    text_en = factory.Sequence(lambda n: f"Question {n}")


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    name = factory.Sequence(lambda n: f"Survey {n}")
    version = factory.SubFactory(VersionFactory, with_questions=True)
    channels = factory.LazyFunction(lambda: [Channel.EMAIL.value])


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Response

    class Params:
        answered = factory.Trait(
            answers=factory.LazyFunction(lambda: dict(ANSWERS)),
            overall=4.0,
            scores=factory.LazyFunction(lambda: {"service": 4.5}),
        )

    survey = factory.SubFactory(SurveyFactory)
    questionnaire_version = factory.SelfAttribute("survey.version")
    source = ResponseSource.LINK
    status = ResponseStatus.COMPLETE
    language = "zh-hans"
    started_at = factory.LazyFunction(timezone.now)
    submitted_at = factory.LazyAttribute(
        lambda r: r.started_at if r.status == ResponseStatus.COMPLETE else None
    )
