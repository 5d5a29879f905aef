"""The questionnaire authoring API: who may do what on every endpoint (a refusal leaks nothing
and writes nothing), the answers of the endpoints, and refusals as {"detail", "code"}.

Roles: anonymous, a customer login, an agent, a supervisor (reads only), a quality manager and
an admin (everything), merchant staff (nothing for now), and a quality manager's bearer token.
"""

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from shopdesk.accounts.models import User
from shopdesk.accounts.roles import Role
from shopdesk.accounts.tests.factories import UserFactory
from shopdesk.accounts.tokens import api_token_issue
from shopdesk.surveys.models import Dimension, Question, Questionnaire, QuestionnaireVersion
from shopdesk.surveys.selectors import questionnaire_list_for_user, version_get_for_user
from shopdesk.surveys.services import version_draft_create
from shopdesk.surveys.states import VersionStatus
from shopdesk.surveys.tests.factories import VersionFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/surveys"
ROLES = [
    "anonymous",
    "customer",
    "agent",
    "supervisor",
    "quality_manager",
    "admin",
    "merchant",
    "bearer",
]
READERS = {"supervisor", "quality_manager", "admin", "bearer"}
WRITERS = {"quality_manager", "admin", "bearer"}


@dataclass
class World:
    users: dict[str, User | None]
    token: str
    questionnaire: Questionnaire
    published: QuestionnaireVersion
    draft: QuestionnaireVersion
    template: Questionnaire


@pytest.fixture
def world(
    customer_user: User, agent: User, supervisor: User, admin_user: User, merchant_staff: User
) -> World:
    quality_manager = UserFactory(role=Role.QUALITY_MANAGER)
    _, token = api_token_issue(user=quality_manager, name="survey tool")
    published = VersionFactory(with_questions=True, questionnaire__code="secret-q")
    draft = version_draft_create(questionnaire=published.questionnaire)
    users: dict[str, User | None] = {
        "anonymous": None,
        "customer": customer_user,
        "agent": agent,
        "supervisor": supervisor,
        "quality_manager": quality_manager,
        "admin": admin_user,
        "merchant": merchant_staff,
        "bearer": None,
    }
    return World(
        users=users,
        token=token,
        questionnaire=published.questionnaire,
        published=published,
        draft=draft,
        template=Questionnaire.objects.get(code="order-review"),
    )


def client_for(world: World, role: str) -> Client:
    if role == "bearer":
        return Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {world.token}")
    client = Client()
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    return client


def call(client: Client, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body) if body is not None else None
    return getattr(client, method)(path, data=data, content_type="application/json")


def snapshot() -> list[Any]:
    return [
        list(Questionnaire.objects.order_by("id").values_list("id", "code")),
        list(QuestionnaireVersion.objects.order_by("id").values_list("id", "status", "version")),
        list(Dimension.objects.order_by("id").values_list("id", "code", "name_zh", "weight")),
        list(Question.objects.order_by("id").values_list("id", "code", "text_zh", "position")),
    ]


def endpoints(w: World) -> dict[str, tuple[str, str, dict[str, Any] | None, int]]:
    """name → (method, path, body, status when allowed)."""
    dimension = w.draft.dimensions.get()
    question = w.draft.questions.get(code="solving")
    return {
        "list": ("get", f"{BASE}/questionnaires", None, 200),
        "detail": ("get", f"{BASE}/versions/{w.draft.pk}", None, 200),
        "create": ("post", f"{BASE}/questionnaires", {"code": "new-q", "name_zh": "新问卷"}, 201),
        "copy": (
            "post",
            f"{BASE}/questionnaires/{w.template.pk}/copy",
            {"code": "my-review", "name_zh": "我的评价"},
            201,
        ),
        "draft": ("post", f"{BASE}/questionnaires/{w.questionnaire.pk}/versions", {}, 201),
        "update": ("patch", f"{BASE}/versions/{w.draft.pk}", {"title_zh": "改过"}, 200),
        "publish": ("post", f"{BASE}/versions/{w.draft.pk}/publish", {}, 200),
        "dimension_add": (
            "post",
            f"{BASE}/versions/{w.draft.pk}/dimensions",
            {"code": "logistics", "name_zh": "物流"},
            200,
        ),
        "dimension_update": ("patch", f"{BASE}/dimensions/{dimension.pk}", {"weight": 2}, 200),
        "dimension_remove": ("delete", f"{BASE}/dimensions/{dimension.pk}", None, 200),
        "question_add": (
            "post",
            f"{BASE}/versions/{w.draft.pk}/questions",
            {"code": "why", "kind": "text", "text_zh": "为什么", "required": False},
            200,
        ),
        "question_update": ("patch", f"{BASE}/questions/{question.pk}", {"text_zh": "改"}, 200),
        "question_remove": ("delete", f"{BASE}/questions/{question.pk}", None, 200),
        "question_move": ("post", f"{BASE}/questions/{question.pk}/move", {"position": 0}, 200),
    }


READS = {"list", "detail"}
NAMES = [
    "list",
    "detail",
    "create",
    "copy",
    "draft",
    "update",
    "publish",
    "dimension_add",
    "dimension_update",
    "dimension_remove",
    "question_add",
    "question_update",
    "question_remove",
    "question_move",
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", NAMES)
def test_role_matrix(world: World, role: str, name: str) -> None:
    # given
    method, path, body, allowed_status = endpoints(world)[name]
    allowed = role in (READERS if name in READS else WRITERS)
    before = snapshot()
    # when
    response = call(client_for(world, role), method, path, body)
    # then
    if allowed:
        assert response.status_code == allowed_status, response.content
        assert (snapshot() == before) is (name in READS)
        return
    assert response.status_code == (401 if role == "anonymous" else 403)
    payload = response.json()
    assert set(payload) == {"detail", "code"}
    assert "secret-q" not in response.content.decode()
    assert snapshot() == before


def test_list_shows_templates_first_with_versions(world: World) -> None:
    client = client_for(world, "quality_manager")
    response = client.get(f"{BASE}/questionnaires")
    rows = response.json()
    assert [r["is_template"] for r in rows[:4]] == [True] * 4
    mine = next(r for r in rows if r["code"] == "secret-q")
    assert [(v["number"], v["status"]) for v in mine["versions"]] == [
        (2, "draft"),
        (1, "published"),
    ]


def test_detail_gives_dimensions_and_questions_in_page_order(world: World) -> None:
    response = client_for(world, "supervisor").get(f"{BASE}/versions/{world.draft.pk}")
    body = response.json()
    assert body["questionnaire_code"] == "secret-q"
    assert body["status"] == "draft"
    assert [d["code"] for d in body["dimensions"]] == ["service"]
    assert [q["code"] for q in body["questions"]] == ["reply_speed", "solving", "overall"]
    assert body["questions"][0]["dimension_id"] == body["dimensions"][0]["id"]


def test_unknown_version_is_404(world: World) -> None:
    response = client_for(world, "admin").get(f"{BASE}/versions/999999")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_editing_a_published_version_is_409_frozen(world: World) -> None:
    # given
    client = client_for(world, "quality_manager")
    before = snapshot()
    # when
    response = call(
        client,
        "post",
        f"{BASE}/versions/{world.published.pk}/questions",
        {"code": "x", "kind": "likert5", "text_zh": "新"},
    )
    # then
    assert response.status_code == 409
    assert response.json()["code"] == "published_is_frozen"
    assert "make a new version" in response.json()["detail"]
    assert snapshot() == before


def test_publishing_a_bad_draft_is_400_listing_the_problems(world: World) -> None:
    client = client_for(world, "quality_manager")
    call(
        client,
        "post",
        f"{BASE}/versions/{world.draft.pk}/dimensions",
        {"code": "e", "name_zh": "空"},
    )
    response = call(client, "post", f"{BASE}/versions/{world.draft.pk}/publish", {})
    assert response.status_code == 400
    assert response.json()["code"] == "empty_dimension"
    assert "“空” has no question" in response.json()["detail"]
    world.draft.refresh_from_db()
    assert world.draft.status == VersionStatus.DRAFT


def test_stale_version_counter_is_409(world: World) -> None:
    client = client_for(world, "quality_manager")
    stale = world.draft.version
    call(client, "patch", f"{BASE}/versions/{world.draft.pk}", {"title_zh": "一"})
    response = call(
        client, "patch", f"{BASE}/versions/{world.draft.pk}", {"title_zh": "二", "version": stale}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "concurrent_update"
    world.draft.refresh_from_db()
    assert world.draft.title_zh == "一"


def test_publish_answers_the_published_version_and_retires_the_old(world: World) -> None:
    client = client_for(world, "admin")
    response = call(
        client,
        "post",
        f"{BASE}/versions/{world.draft.pk}/publish",
        {"version": world.draft.version},
    )
    assert response.status_code == 200
    assert response.json()["status"] == "published"
    world.published.refresh_from_db()
    assert world.published.status == VersionStatus.RETIRED


def test_question_add_with_options_condition_and_dimension(world: World) -> None:
    client = client_for(world, "quality_manager")
    dimension = world.draft.dimensions.get()
    response = call(
        client,
        "post",
        f"{BASE}/versions/{world.draft.pk}/questions",
        {
            "code": "channel",
            "kind": "single",
            "text_zh": "您通过什么渠道联系我们？",
            "dimension_id": dimension.pk,
            "options": [{"value": "chat", "zh": "在线"}, {"value": "phone", "zh": "电话"}],
            "show_if": {"question": "reply_speed", "op": "<=", "value": 2},
            "position": 2,
        },
    )
    assert response.status_code == 200
    question = response.json()["questions"][2]
    assert question["code"] == "channel"
    assert question["options"][1] == {"value": "phone", "zh": "电话", "en": ""}
    assert question["show_if"] == {"question": "reply_speed", "op": "<=", "value": 2}
    assert question["dimension_id"] == dimension.pk
    publish = call(client, "post", f"{BASE}/versions/{world.draft.pk}/publish", {})
    assert publish.status_code == 200


def test_question_update_drops_condition_and_dimension(world: World) -> None:
    client = client_for(world, "quality_manager")
    question = world.draft.questions.get(code="solving")
    response = call(
        client,
        "patch",
        f"{BASE}/questions/{question.pk}",
        {"no_dimension": True, "no_condition": True, "required": False},
    )
    assert response.status_code == 200
    question.refresh_from_db()
    assert (question.dimension_id, question.show_if, question.required) == (None, {}, False)


def test_bad_input_is_422_and_writes_nothing(world: World) -> None:
    client = client_for(world, "quality_manager")
    before = snapshot()
    response = call(
        client,
        "post",
        f"{BASE}/versions/{world.draft.pk}/questions",
        {"code": "bad code!", "kind": "stars", "text_zh": "x"},
    )
    assert response.status_code == 422
    assert snapshot() == before


def test_the_endpoints_are_in_the_openapi_schema(world: World) -> None:
    client = client_for(world, "admin")
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/surveys/questionnaires" in paths
    assert "/api/v1/surveys/versions/{version_id}/publish" in paths
    assert set(paths["/api/v1/surveys/questions/{question_id}"]) == {"patch", "delete"}


def test_version_detail_costs_the_same_queries_whatever_its_size(
    world: World, django_assert_num_queries: Any
) -> None:
    # given: the e-commerce template (8 dimensions, 37 questions) and a 3-question draft
    big = QuestionnaireVersion.objects.get(questionnaire__code="ecommerce-service")
    user = world.users["supervisor"]
    assert user is not None
    user.has_perm("surveys.view_questionnaire")  # the permission cache is the user's, not ours
    for version_id in (big.pk, world.draft.pk):
        # when / then: the version with its questionnaire, its dimensions, its questions
        with django_assert_num_queries(3):
            version = version_get_for_user(user=user, version_id=version_id)
            assert len(version.questions.all()) >= 3
            assert version.questionnaire.code


def test_questionnaire_list_costs_two_queries(world: World, django_assert_num_queries: Any) -> None:
    user = world.users["supervisor"]
    assert user is not None
    user.has_perm("surveys.view_questionnaire")  # the permission cache is the user's, not ours
    with django_assert_num_queries(2):
        rows = list(questionnaire_list_for_user(user=user))
        assert sum(len(q.versions.all()) for q in rows) >= 6


def test_merchant_staff_and_customers_see_no_questionnaire(world: World) -> None:
    for role in ("merchant", "customer", "agent"):
        user = world.users[role]
        assert user is not None
        assert not questionnaire_list_for_user(user=user).exists()
