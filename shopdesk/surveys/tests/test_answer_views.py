"""The answering page: link states, who may open it, partial saves, errors with the allowed
range, conditions enforced by the server, submit, and the portal's "My surveys"."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shopdesk.accounts.roles import Role
from shopdesk.accounts.services import customer_login_user_get_or_create
from shopdesk.accounts.tests.factories import CustomerFactory, UserFactory
from shopdesk.surveys.models import Invitation, Question, Response
from shopdesk.surveys.services.distribution import invitation_create
from shopdesk.surveys.states import InvitationStatus, QuestionKind, ResponseStatus
from shopdesk.surveys.tests.factories import SurveyFactory

pytestmark = pytest.mark.django_db


def add_questions(version):
    rows = [
        ("why", QuestionKind.TEXT, True, {"question": "overall", "op": "<=", "value": 2}, []),
        ("nps", QuestionKind.NPS10, False, {}, []),
        ("stars", QuestionKind.RATING5, False, {}, []),
        ("effort", QuestionKind.EFFORT7, False, {}, []),
        ("solved", QuestionKind.YES_NO, False, {}, []),
        (
            "pay",
            QuestionKind.MULTIPLE,
            False,
            {},
            [
                {"value": "alipay", "zh": "支付宝", "en": "Alipay"},
                {"value": "card", "zh": "银行卡"},
            ],
        ),
    ]
    for position, (code, kind, required, show_if, options) in enumerate(rows, start=10):
        Question.objects.create(
            version=version,
            code=code,
            position=position,
            kind=kind,
            text_zh=f"{code} 中文",
            text_en=f"{code} English",
            required=required,
            show_if=show_if,
            options=options,
        )


def invited(*, customer=None, **survey_kwargs):
    survey = SurveyFactory(**survey_kwargs)
    add_questions(survey.version)
    customer = customer or CustomerFactory()
    created = invitation_create(survey=survey, customer=customer)
    Invitation.objects.filter(pk=created.invitation.pk).update(status=InvitationStatus.SENT)
    path = created.url.split("://", 1)[1].split("/", 1)[1]
    return created.invitation, f"/{path}"


def customer_client(customer):
    client = Client()
    client.force_login(customer_login_user_get_or_create(customer=customer))
    return client


# Link states ------------------------------------------------------------------------------


def test_a_forged_link_gets_a_clear_404_page(client):
    invited()
    page = client.get("/surveys/a/not-a-real-token-at-all/")
    assert page.status_code == 404
    assert 'data-state="unknown"' in page.text
    assert Response.objects.count() == 0


def test_an_expired_link_gets_a_410_page(client):
    invitation, url = invited()
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    page = client.get(url)
    assert page.status_code == 410
    assert 'data-state="expired"' in page.text
    assert Response.objects.count() == 0


def test_a_used_link_says_thank_you(client):
    invitation, url = invited()
    client.post(
        url, {"reply_speed": "4", "solving": "5", "overall": "4", "action": "submit"}, follow=True
    )
    page = client.get(url)
    assert page.status_code == 200
    assert 'data-state="used"' in page.text
    assert Response.objects.get().status == ResponseStatus.COMPLETE


# The page ----------------------------------------------------------------------------------


def test_the_page_opens_a_response_and_shows_every_kind(client):
    invitation, url = invited(customer=CustomerFactory(language="en"))
    page = client.get(url)
    text = page.text
    invitation.refresh_from_db()
    assert page.status_code == 200
    assert invitation.status == InvitationStatus.OPENED
    assert Response.objects.get(invitation=invitation).status == ResponseStatus.PARTIAL
    assert "Response speed" in text  # English, the customer's language
    assert "Very dissatisfied" in text
    assert "Very satisfied" in text
    assert 'name="nps" value="0"' in text
    assert 'name="nps" value="10"' in text
    assert 'name="effort" value="7"' in text
    assert "Very easy" in text
    assert 'class="stars"' in text
    assert 'type="checkbox" name="pay" value="alipay"' in text
    assert "Alipay" in text
    assert 'id="q-why"' in text
    assert 'data-show-if="' in text
    assert 'name="csrfmiddlewaretoken"' in text
    assert "anonymous" not in text.lower().split("<main")[1].split("survey-progress")[0]


def test_the_language_switch_and_the_anonymous_note(client):
    invitation, url = invited(anonymous=True)
    chinese = client.get(url).text
    english = client.get(f"{url}?lang=en").text
    assert "客服响应速度" in chinese
    assert "Response speed" in english
    assert "data-anonymous" in english


def test_partial_save_keeps_answers_for_later(client):
    invitation, url = invited()
    saved = client.post(url, {"reply_speed": "4", "why": "", "action": "save"})
    again = client.get(url)
    response = Response.objects.get(invitation=invitation)
    assert saved.status_code == 200
    assert response.answers == {"reply_speed": 4}
    assert response.status == ResponseStatus.PARTIAL
    assert 'name="reply_speed" value="4" checked' in again.text


def test_an_out_of_range_answer_shows_the_range_and_keeps_the_rest(client):
    invitation, url = invited()
    page = client.post(
        f"{url}?lang=en", {"reply_speed": "9", "solving": "5", "nps": "11", "action": "save"}
    )
    response = Response.objects.get(invitation=invitation)
    assert page.status_code == 200
    assert "from 1 to 5" in page.text
    assert "from 0 to 10" in page.text
    assert 'id="e-reply_speed"' in page.text
    assert response.answers == {"solving": 5}


def test_submit_with_a_missing_required_answer_then_fixed(client):
    invitation, url = invited()
    # when: the overall question is missing
    first = client.post(url, {"reply_speed": "2", "solving": "3", "action": "submit"})
    # then: told so, nothing lost
    assert 'id="e-overall"' in first.text
    assert Response.objects.get().status == ResponseStatus.PARTIAL
    # when: fixed, low overall shows the required follow-up; answered too
    second = client.post(
        url, {"overall": "2", "why": "太慢了", "nps": "6", "pay": ["alipay"], "action": "submit"}
    )
    # then
    assert second.status_code == 302
    assert second.url == reverse("surveys:answer_thanks", args=[url.split("/")[3]])
    response = Response.objects.get()
    invitation.refresh_from_db()
    assert response.status == ResponseStatus.COMPLETE
    assert response.answers == {
        "reply_speed": 2,
        "solving": 3,
        "overall": 2,
        "why": "太慢了",
        "nps": 6,
        "pay": ["alipay"],
    }
    assert (response.overall, response.nps, response.scores) == (2.0, 6, {"service": 2.5})
    assert invitation.status == InvitationStatus.ANSWERED
    assert 'data-state="thanks"' in client.get(second.url).text


def test_the_server_enforces_conditions(client):
    invitation, url = invited()
    low = client.post(
        url, {"reply_speed": "1", "solving": "1", "overall": "1", "why": "", "action": "submit"}
    )
    assert 'id="e-why"' in low.text  # shown by the low score, required
    high = client.post(url, {"overall": "5", "why": "ignored", "action": "submit"})
    assert high.status_code == 302
    assert "why" not in Response.objects.get().answers  # hidden again: dropped


def test_the_form_is_csrf_protected():
    invitation, url = invited()
    client = Client(enforce_csrf_checks=True)
    client.get(url)
    refused = client.post(url, {"reply_speed": "4", "action": "save"})
    assert refused.status_code == 403
    assert Response.objects.get().answers == {}


# Who may open it ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "invited customer", "other customer", "agent"])
def test_the_token_is_the_authority_on_the_link_page(who):
    # given: whoever holds the link answers that invitation (a forwarded e-mail included)
    owner = CustomerFactory()
    invitation, url = invited(customer=owner)
    client = Client()
    if who == "invited customer":
        client = customer_client(owner)
    elif who == "other customer":
        client = customer_client(CustomerFactory())
    elif who == "agent":
        client.force_login(UserFactory(role=Role.AGENT))
    # when
    page = client.post(url, {"reply_speed": "3", "action": "save"})
    # then
    assert page.status_code == 200
    response = Response.objects.get(invitation=invitation)
    assert response.answers == {"reply_speed": 3}
    assert response.customer == owner  # never the visitor


def test_portal_route_is_for_the_invited_customer_only(client):
    owner = CustomerFactory()
    invitation, _url = invited(customer=owner)
    path = reverse("surveys:portal_answer", args=[invitation.pk])
    # anonymous: to the sign-in page
    assert client.get(path).url == reverse("portal:login")
    # staff: not a customer
    staff = Client()
    staff.force_login(UserFactory(role=Role.AGENT))
    assert staff.get(path).status_code == 403
    # another customer: no such survey, nothing started
    other = customer_client(CustomerFactory()).get(path)
    assert other.status_code == 404
    assert Response.objects.count() == 0
    # the owner answers from the portal, on the same page
    mine = customer_client(owner)
    page = mine.post(path, {"reply_speed": "5", "solving": "5", "overall": "5", "action": "submit"})
    assert page.status_code == 302
    assert Response.objects.get().source == "portal"


def test_my_surveys_lists_the_customers_open_invitations(django_assert_num_queries):
    # given
    owner = CustomerFactory()
    mine, _ = invited(customer=owner)
    second, _ = invited(customer=owner)
    Invitation.objects.filter(pk=second.pk).update(status=InvitationStatus.ANSWERED)
    theirs, _ = invited()
    client = customer_client(owner)
    # when
    with django_assert_num_queries(5):  # session, user, customer, unread count, invitations
        page = client.get(reverse("surveys:mine"))
    # then
    assert page.status_code == 200
    assert f'data-invitation="{mine.pk}"' in page.text
    assert f'data-invitation="{second.pk}"' not in page.text
    assert f'data-invitation="{theirs.pk}"' not in page.text
    assert reverse("surveys:portal_answer", args=[mine.pk]) in page.text
