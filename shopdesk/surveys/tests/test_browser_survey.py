"""From a resolved ticket to a complete response, in a real headless Chromium: the job sends
the invitation, the outbox delivers the e-mail, the customer opens its link on a phone."""

import re

import pytest
from django.core import mail

from shopdesk.accounts.roles import Role
from shopdesk.accounts.tests.factories import CustomerFactory, UserFactory
from shopdesk.core.tests.browser import screenshot
from shopdesk.notifications.services import notifications_deliver_due
from shopdesk.surveys.models import Question, Response
from shopdesk.surveys.services.distribution import surveys_distribute
from shopdesk.surveys.states import InvitationStatus, QuestionKind, ResponseStatus, Trigger
from shopdesk.surveys.tests.factories import SurveyFactory
from shopdesk.tickets.services import ticket_transition
from shopdesk.tickets.states import TicketStatus
from shopdesk.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.browser

LINK = re.compile(r"https?://\S+/surveys/a/[A-Za-z0-9_-]+/")


def test_a_customer_answers_the_survey_from_the_emailed_link(page, live_server, settings):
    # given: a CSAT survey on resolved tickets, with a follow-up shown for a low overall score
    settings.SHOPDESK_BASE_URL = live_server.url
    survey = SurveyFactory(trigger=Trigger.TICKET_RESOLVED, channels=["email"])
    Question.objects.create(
        version=survey.version,
        code="why",
        position=10,
        kind=QuestionKind.TEXT,
        text_zh="哪里让您不满意？",
        text_en="What went wrong?",
        required=True,
        show_if={"question": "overall", "op": "<=", "value": 2},
    )
    customer = CustomerFactory(email="li.lei@example.com", language="zh-hans")
    ticket = TicketFactory(customer=customer, status=TicketStatus.OPEN)
    ticket_transition(ticket=ticket, to=TicketStatus.RESOLVED, actor=UserFactory(role=Role.AGENT))
    # when: the periodic job runs and the outbox is delivered
    counts = surveys_distribute()
    notifications_deliver_due()
    # then: the e-mail carries the link
    assert counts["invited"] == 1
    invitations = [m for m in mail.outbox if LINK.search(m.body)]
    assert len(invitations) == 1
    assert invitations[0].to == ["li.lei@example.com"]
    link = LINK.search(invitations[0].body).group(0)
    # when: the customer opens it on a phone and forgets the overall question
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(link)
    assert page.locator("h1").inner_text() == survey.version.title_zh
    assert page.locator("#q-why").is_hidden()
    page.check("input[name=reply_speed][value='4']")
    page.check("input[name=solving][value='5']")
    page.click("button[value=submit]")
    # then: told what is missing, the answers given are still checked
    error = page.locator("#e-overall")
    error.wait_for()
    assert "总体满意度" in error.inner_text()
    assert page.is_checked("input[name=reply_speed][value='4']")
    screenshot(page, "survey-answer-missing-zh")
    # when: a low overall score shows the follow-up, answered, then submitted
    page.check("input[name=overall][value='2']")
    page.locator("#q-why").wait_for(state="visible")
    page.fill("textarea[name=why]", "等了三天才有人回复")
    assert page.eval_on_selector("#survey-progress", "p => [p.value, p.max]") == [4, 4]
    page.click("button[value=submit]")
    # then: the thank-you page, and the response is complete with the right numbers
    page.locator("[data-state=thanks]").wait_for()
    screenshot(page, "survey-thanks-zh")
    response = Response.objects.select_related("invitation").get(survey=survey)
    assert response.status == ResponseStatus.COMPLETE
    assert response.answers == {
        "reply_speed": 4,
        "solving": 5,
        "overall": 2,
        "why": "等了三天才有人回复",
    }
    assert (response.overall, response.csat, response.scores) == (2.0, 2, {"service": 4.5})
    assert response.customer == customer
    assert response.ticket == ticket
    assert response.invitation.status == InvitationStatus.ANSWERED
    # when: the link is opened again
    page.goto(link)
    # then
    assert page.locator("[data-state=used]").count() == 1
