"""Answers against the questionnaire: ranges, required, conditions, partial saves that keep
every valid answer, and the numbers a response carries for the reports."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shopdesk.accounts.tests.factories import CustomerFactory
from shopdesk.core.errors import ConcurrentUpdate, DomainError
from shopdesk.surveys.models import (
    Dimension,
    Invitation,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    Survey,
)
from shopdesk.surveys.services.responses import (
    ResponseRecord,
    answers_clean,
    response_record,
    response_save,
    response_start,
)
from shopdesk.surveys.states import QuestionKind, ResponseStatus

pytestmark = pytest.mark.django_db


def build_version() -> QuestionnaireVersion:
    questionnaire = Questionnaire.objects.create(code="t", name_zh="测试")
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire,
        number=1,
        status="published",
        title_zh="测试问卷",
        overall_code="overall",
    )
    speed = Dimension.objects.create(version=version, code="speed", name_zh="速度")
    rows = [
        ("ship", speed, QuestionKind.LIKERT5, True, {}),
        ("reply", speed, QuestionKind.LIKERT5, True, {}),
        ("overall", None, QuestionKind.LIKERT5, True, {}),
        ("why", None, QuestionKind.TEXT, True, {"question": "overall", "op": "<=", "value": 2}),
        ("nps", None, QuestionKind.NPS10, False, {}),
        ("solved", None, QuestionKind.YES_NO, False, {}),
        ("effort", None, QuestionKind.EFFORT7, False, {}),
    ]
    for position, (code, dimension, kind, required, show_if) in enumerate(rows):
        Question.objects.create(
            version=version,
            dimension=dimension,
            code=code,
            position=position,
            kind=kind,
            text_zh=code,
            text_en=code,
            required=required,
            show_if=show_if,
        )
    Question.objects.create(
        version=version,
        code="pay",
        position=20,
        kind=QuestionKind.SINGLE,
        text_zh="支付方式",
        text_en="Payment",
        required=False,
        options=[{"value": "alipay", "zh": "支付宝"}, {"value": "wechat", "zh": "微信"}],
    )
    return version


def questions(version):
    return list(version.questions.select_related("dimension").order_by("position"))


def test_out_of_range_answers_are_refused_with_the_allowed_range():
    version = build_version()
    result = answers_clean(
        questions=questions(version),
        raw={"ship": 6, "reply": "4", "overall": 4, "nps": 11, "pay": "cash"},
        final=False,
        language="en",
    )
    messages = {e.code: e.message for e in result.errors}
    assert "from 1 to 5" in messages["ship"]
    assert "from 0 to 10" in messages["nps"]
    assert "alipay, wechat" in messages["pay"]
    assert result.values == {"reply": 4, "overall": 4}  # the valid ones are kept


def test_required_and_conditional_questions():
    version = build_version()
    low = answers_clean(
        questions=questions(version), raw={"ship": 1, "reply": 1, "overall": 2}, final=True
    )
    high = answers_clean(
        questions=questions(version),
        raw={"ship": 5, "reply": 5, "overall": 5, "why": "ignored"},
        final=True,
    )
    assert [e.code for e in low.errors] == ["why"]  # shown because overall <= 2, required
    assert high.errors == []
    assert "why" not in high.values  # hidden: its answer is dropped


def test_yes_no_accepts_chinese_and_english_words():
    version = build_version()
    yes = answers_clean(questions=questions(version), raw={"solved": "是"}, final=False)
    no = answers_clean(questions=questions(version), raw={"solved": "no"}, final=False)
    assert yes.values["solved"] == 1
    assert no.values["solved"] == 0


def test_partial_save_keeps_answers_and_submit_computes_the_numbers():
    # given
    version = build_version()
    survey = Survey.objects.create(name="s", version=version)
    customer = CustomerFactory(tier="vip")
    response = response_start(survey=survey, customer=customer)
    # when: a first page, then the rest with one bad answer, then the fix
    first = response_save(response=response, raw={"ship": 4}, final=False)
    second = response_save(response=response, raw={"reply": 2, "overall": 9, "nps": 9}, final=True)
    third = response_save(
        response=response, raw={"overall": 4, "effort": 2, "solved": "yes"}, final=True
    )
    # then
    assert first.errors == []
    assert [e.code for e in second.errors] == ["overall"]
    stored = Response.objects.get(pk=response.pk)
    assert third.errors == []
    assert stored.status == ResponseStatus.COMPLETE
    assert stored.answers == {
        "ship": 4,
        "reply": 2,
        "overall": 4,
        "nps": 9,
        "solved": 1,
        "effort": 2,
    }
    assert (stored.overall, stored.nps, stored.csat, stored.effort) == (4.0, 9, 4, 2)
    assert stored.scores == {"speed": 3.0}
    assert stored.customer == customer


def test_a_submitted_response_cannot_change_and_a_stale_tab_is_told():
    version = build_version()
    survey = Survey.objects.create(name="s", version=version)
    response = response_start(survey=survey)
    stale = Response.objects.get(pk=response.pk)
    response_save(response=response, raw={"ship": 5, "reply": 5, "overall": 5}, final=True)
    with pytest.raises(ConcurrentUpdate):
        response_save(response=stale, raw={"ship": 1}, final=False)
    with pytest.raises(DomainError):
        response_save(response=response, raw={"ship": 1}, final=False)


def test_anonymous_survey_keeps_segments_but_not_the_customer():
    version = build_version()
    survey = Survey.objects.create(name="anon", version=version, anonymous=True)
    customer = CustomerFactory()
    invitation = Invitation.objects.create(
        survey=survey,
        customer=customer,
        channel="email",
        token_hash="x" * 64,
        expires_at=timezone.now() + timedelta(days=7),
        segment={"channel": "chat", "customer_tier": "vip", "region": "上海"},
    )
    response = response_start(survey=survey, invitation=invitation)
    assert response.customer is None
    assert (response.channel, response.customer_tier, response.region) == ("chat", "vip", "上海")
    response_save(response=response, raw={"ship": 5, "reply": 4, "overall": 5}, final=True)
    invitation.refresh_from_db()
    assert invitation.status == "answered"


def test_a_whole_response_from_elsewhere_is_one_insert_or_a_clear_refusal():
    version = build_version()
    survey = Survey.objects.create(name="import", version=version)
    ok = response_record(
        survey=survey,
        record=ResponseRecord(
            answers={"ship": "5", "reply": "4", "overall": "4"},
            submitted_at=timezone.now(),
            external_id="r-1",
        ),
        source="import",
        questions=questions(version),
    )
    assert ok.status == ResponseStatus.COMPLETE
    assert ok.overall == 4.0
    with pytest.raises(DomainError) as refused:
        response_record(
            survey=survey,
            record=ResponseRecord(answers={"ship": 0, "overall": 3}, submitted_at=timezone.now()),
            source="import",
            questions=questions(version),
        )
    assert "from 1 to 5" in refused.value.message
