"""The surveys admin: every list opens, drafts are edited through the services, published versions
are read-only, and the two actions call the services and show their refusals."""

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from shopdesk.accounts.models import User
from shopdesk.surveys.models import Questionnaire, QuestionnaireVersion, Survey
from shopdesk.surveys.services import dimension_add, version_draft_create
from shopdesk.surveys.states import VersionStatus
from shopdesk.surveys.tests.factories import ResponseFactory, VersionFactory

pytestmark = pytest.mark.django_db

MODELS = [
    "surveys_questionnaire",
    "surveys_questionnaireversion",
    "surveys_survey",
    "surveys_invitation",
    "surveys_response",
]


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("root", "r@example.com", "pw-test-123"))
    return client


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("model", MODELS)
def test_every_list_opens(admin_client: Client, model: str) -> None:
    ResponseFactory(answered=True)
    response = admin_client.get(reverse(f"admin:{model}_changelist"))
    assert response.status_code == 200


def test_a_published_version_shows_read_only(admin_client: Client) -> None:
    version = QuestionnaireVersion.objects.get(questionnaire__code="order-review")
    response = admin_client.get(
        reverse("admin:surveys_questionnaireversion_change", args=[version.pk])
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="title_zh"' not in body
    assert 'name="questions-0-text_zh"' not in body
    assert "您给这笔订单打几分？" in body


def test_a_draft_shows_editable_inlines(admin_client: Client) -> None:
    draft = version_draft_create(questionnaire=VersionFactory(with_questions=True).questionnaire)
    response = admin_client.get(
        reverse("admin:surveys_questionnaireversion_change", args=[draft.pk])
    )
    body = response.content.decode()
    assert 'name="title_zh"' in body
    assert 'name="questions-0-text_zh"' in body
    assert 'name="dimensions-0-weight"' in body


def _draft_post(draft: QuestionnaireVersion, **changes: Any) -> dict[str, Any]:
    dimensions = list(draft.dimensions.all())
    questions = list(draft.questions.order_by("position"))
    data: dict[str, Any] = {
        "title_zh": draft.title_zh,
        "title_en": draft.title_en,
        "intro_zh": "",
        "intro_en": "",
        "thanks_zh": "",
        "thanks_en": "",
        "overall_code": draft.overall_code,
        "dimensions-TOTAL_FORMS": len(dimensions),
        "dimensions-INITIAL_FORMS": len(dimensions),
        "questions-TOTAL_FORMS": len(questions),
        "questions-INITIAL_FORMS": len(questions),
    }
    for i, d in enumerate(dimensions):
        data |= {
            f"dimensions-{i}-id": d.pk,
            f"dimensions-{i}-version": draft.pk,
            f"dimensions-{i}-position": d.position,
            f"dimensions-{i}-code": d.code,
            f"dimensions-{i}-name_zh": d.name_zh,
            f"dimensions-{i}-name_en": d.name_en,
            f"dimensions-{i}-weight": d.weight,
        }
    for i, q in enumerate(questions):
        data |= {
            f"questions-{i}-id": q.pk,
            f"questions-{i}-version": draft.pk,
            f"questions-{i}-position": q.position,
            f"questions-{i}-code": q.code,
            f"questions-{i}-kind": q.kind,
            f"questions-{i}-required": "on",
            f"questions-{i}-dimension": q.dimension_id or "",
            f"questions-{i}-text_zh": q.text_zh,
            f"questions-{i}-text_en": q.text_en,
            f"questions-{i}-options": "[]",
            f"questions-{i}-show_if": "{}",
            # the browser sends these back: fields with callable defaults keep their initial
            f"initial-questions-{i}-options": "[]",
            f"initial-questions-{i}-show_if": "{}",
        }
    return data | changes


def test_editing_a_draft_goes_through_the_services(admin_client: Client) -> None:
    # given
    draft = version_draft_create(questionnaire=VersionFactory(with_questions=True).questionnaire)
    counter = draft.version
    data = _draft_post(
        draft,
        title_zh="新标题",
        **{"questions-1-text_zh": "问题解决得好吗", "dimensions-0-weight": 2},
    )
    # when
    response = admin_client.post(
        reverse("admin:surveys_questionnaireversion_change", args=[draft.pk]), data
    )
    # then
    assert response.status_code == 302, response.content.decode()[:3000]
    draft.refresh_from_db()
    assert draft.title_zh == "新标题"
    assert draft.questions.get(code="solving").text_zh == "问题解决得好吗"
    assert draft.dimensions.get().weight == 2
    assert draft.version == counter + 3  # one compare-and-set per changed row


def test_new_draft_action(admin_client: Client) -> None:
    published = VersionFactory(with_questions=True)
    response = admin_client.post(
        reverse("admin:surveys_questionnaireversion_changelist"),
        {"action": "make_draft_action", "_selected_action": [published.pk]},
        follow=True,
    )
    draft = published.questionnaire.versions.get(number=2)
    assert draft.status == VersionStatus.DRAFT
    assert draft.questions.count() == 3
    assert any("Draft version 2" in m for m in messages_of(response))


def test_publish_action_shows_the_refusal(admin_client: Client) -> None:
    # given
    draft = version_draft_create(questionnaire=VersionFactory(with_questions=True).questionnaire)
    dimension_add(version=draft, code="empty", name_zh="空维度")
    # when
    response = admin_client.post(
        reverse("admin:surveys_questionnaireversion_changelist"),
        {"action": "publish_action", "_selected_action": [draft.pk]},
        follow=True,
    )
    # then
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT
    assert any("“空维度” has no question" in m for m in messages_of(response))


def test_publish_action_publishes(admin_client: Client) -> None:
    draft = version_draft_create(questionnaire=VersionFactory(with_questions=True).questionnaire)
    admin_client.post(
        reverse("admin:surveys_questionnaireversion_changelist"),
        {"action": "publish_action", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED


def test_creating_a_questionnaire_makes_its_draft(admin_client: Client) -> None:
    response = admin_client.post(
        reverse("admin:surveys_questionnaire_add"),
        {
            "code": "from-admin",
            "kind": "custom",
            "name_zh": "后台问卷",
            "name_en": "",
            "versions-TOTAL_FORMS": 0,
            "versions-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302
    questionnaire = Questionnaire.objects.get(code="from-admin")
    assert questionnaire.versions.get().status == VersionStatus.DRAFT


def test_invitation_admin_hides_the_token_hash(admin_client: Client) -> None:
    response = admin_client.get(reverse("admin:surveys_invitation_changelist"))
    assert "token_hash" not in response.content.decode()


def test_surveys_are_set_up_in_the_admin_with_their_settings_checked():
    client = Client()
    client.force_login(User.objects.create_superuser("boss", "b@example.com", "pw-test-9"))
    version = QuestionnaireVersion.objects.get(questionnaire__code="after-service-csat")
    url = "/admin/surveys/survey/add/"
    base = {
        "name": "售后 CSAT",
        "version": version.pk,
        "trigger": "ticket_resolved",
        "delay_days": 0,
        "period_days": 90,
        "sample_size": 500,
        "per_customer_days": 30,
        "link_days": 14,
        "reminder_days": 3,
        "channels": ["email", "portal"],
        "is_active": "on",
    }
    refused = client.post(url, {**base, "sample_rate": "1.5"})
    accepted = client.post(url, {**base, "sample_rate": "0.5"})
    assert refused.status_code == 200
    assert "between 0 and 1" in refused.content.decode()
    assert accepted.status_code == 302
    survey = Survey.objects.get(name="售后 CSAT")
    assert survey.channels == ["email", "portal"]
    assert survey.sample_rate == 0.5
