"""A customer and an agent hold a chat in two real Chromium tabs (own cookies each): messages,
typing and read marks arrive without reloading."""

import pytest
from django.conf import settings as django_settings
from django.test import Client

from shopdesk.accounts.roles import Role
from shopdesk.accounts.tests.factories import CustomerFactory, UserFactory
from shopdesk.chat.models import ChatSession
from shopdesk.core.tests.browser import log_in, screenshot

pytestmark = pytest.mark.browser


def _sign_in_customer(page, live_server) -> None:
    """The portal signs customers in by a one-time code; its own tests cover that, so this one
    starts from a signed-in session cookie."""
    user = UserFactory(username="buyer")
    CustomerFactory(user=user, name="韩梅梅")
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def test_customer_and_agent_chat_live(page, chromium, live_server, settings):
    # given: short streams, so reconnecting is exercised too
    settings.SHOPDESK_CHAT_STREAM_SECONDS = 3
    _sign_in_customer(page, live_server)
    page.goto("/chat/")
    page.click("button.chat-start")
    page.wait_for_selector(".chat-box .chat-form textarea")
    session = ChatSession.objects.get()
    agent_context = chromium.new_context(base_url=live_server.url, locale="zh-CN")
    agent_page = agent_context.new_page()
    agent_page.set_default_timeout(10_000)
    try:
        log_in(agent_page, UserFactory(role=Role.AGENT, username="xiaowang").username)
        agent_page.goto(f"/chat/console/{session.pk}/")
        agent_page.wait_for_selector(".chat-box[data-side=agent]")

        # when: the customer writes
        page.fill(".chat-form textarea", "我的快递三天没动了 <b>急</b>")
        page.press(".chat-form textarea", "Enter")
        # then: the agent sees it without reloading, as text
        agent_msg = agent_page.locator(".chat-msg.customer .body")
        agent_msg.wait_for()
        assert agent_msg.inner_text() == "我的快递三天没动了 <b>急</b>"

        # when: the agent types, the customer sees the typing indicator
        agent_page.fill(".chat-form textarea", "您好")
        page.wait_for_selector(".chat-typing", state="visible")
        # and the agent's page marked the message read: the customer's tick turns
        page.wait_for_selector(".chat-msg.mine .tick.read")

        # when: the agent replies
        agent_page.press(".chat-form textarea", "Enter")
        # then: the customer sees it, and the typing indicator is gone
        reply = page.locator(".chat-msg.agent .body")
        reply.wait_for()
        assert reply.inner_text() == "您好"
        page.wait_for_selector(".chat-typing", state="hidden")
        # the system message "… is now answering you" came too (the reply took the chat)
        assert page.locator(".chat-msg.system").count() >= 1
        session.refresh_from_db()
        assert session.status == "active"
        assert session.first_agent_reply_at is not None
        screenshot(page, "chat-portal-customer")
        screenshot(agent_page, "chat-console-agent")

        # when: a second message after the stream has been renewed still arrives
        agent_page.wait_for_timeout(3500)
        page.fill(".chat-form textarea", "谢谢")
        page.press(".chat-form textarea", "Enter")
        agent_page.locator(".chat-msg.customer .body", has_text="谢谢").wait_for()
        assert agent_page.locator(".chat-msg.customer").count() == 2
    finally:
        agent_context.close()
