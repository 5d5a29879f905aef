"""Demo chats lived through the real services: a shop widget for the demo site, finished chats
answered by an agent, one that became a ticket because nobody answered in time, and a few
waiting or active right now so the console's chat list is alive when the demo opens."""

import random
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count

from shopdesk.accounts.models import Customer, User
from shopdesk.chat.models import ChatSession, ChatWidget
from shopdesk.chat.services import (
    chat_accept,
    chat_close,
    chat_convert_to_ticket,
    chat_post,
    chat_start,
)
from shopdesk.chat.states import AuthorKind, ChatStatus
from shopdesk.tickets.services.notify import customer_notifications_suppressed

# (customer's lines, agent's lines), alternating customer first.
CONVERSATIONS = (
    (
        ("你好，我昨天下的单什么时候能发货？", "好的，谢谢！"),
        ("您好，已为您查询，订单今天下午会从上海仓发出。", "不客气，祝您生活愉快！"),
    ),
    (
        ("请问可以开增值税专用发票吗？", "明白了，我提交一下。"),
        ("可以的，请在订单页面点击“申请发票”，填写公司税号即可。", "好的，有问题随时联系我们。"),
    ),
    (
        ("Hi, can I change the delivery address of my order?", "Great, thanks a lot."),
        (
            "Yes, the parcel has not left yet: I have updated the address for you.",
            "You're welcome!",
        ),
    ),
)
WAITING = ("收到的衣服尺码不对，能换吗？", "快递显示签收了但我没收到", "Where is my refund?")


def demo_chats(*, rng: random.Random, now: datetime) -> dict[str, Any]:
    """Chats for demo customers; returns counts by status."""
    widget, _ = ChatWidget.objects.get_or_create(
        name="Demo shop",
        defaults={
            "allowed_origins": ["http://127.0.0.1:8000", "http://localhost:8000"],
            "greeting_zh": "您好，欢迎光临！请问有什么可以帮您？",
            "greeting_en": "Hello! How can we help you today?",
        },
    )
    agent = User.objects.filter(username="demo-agent").first()
    customers = list(Customer.objects.exclude(email_hash="").order_by("id")[:30])
    rng.shuffle(customers)
    if agent is None or len(customers) < len(CONVERSATIONS) + len(WAITING) + 1:
        return {"chats": 0}
    with customer_notifications_suppressed():
        for index, (said, answers) in enumerate(CONVERSATIONS):
            _finished(customers[index], said, answers, agent, now - timedelta(hours=5 + index))
        _unanswered(customers[len(CONVERSATIONS)], now - timedelta(hours=2))
        for offset, text in enumerate(WAITING):
            customer = customers[len(CONVERSATIONS) + 1 + offset]
            session = chat_start(
                customer=customer,
                widget=widget if offset == 0 else None,
                language="en" if text.isascii() else "zh-hans",
                now=now - timedelta(minutes=2 + offset),
            )
            chat_post(
                session=session,
                author_kind=AuthorKind.CUSTOMER,
                body=text,
                now=now - timedelta(minutes=1 + offset),
            )
    counts = dict(ChatSession.objects.order_by().values_list("status").annotate(n=Count("id")))
    return {"chats": sum(counts.values()), "by_status": counts, "widget_key": widget.key}


def _finished(
    customer: Customer,
    said: tuple[str, str],
    answers: tuple[str, str],
    agent: User,
    at: datetime,
) -> None:
    language = "en" if said[0].isascii() else "zh-hans"
    session = chat_start(customer=customer, language=language, now=at)
    clock = at
    for customer_line, agent_line in zip(said, answers, strict=True):
        clock += timedelta(seconds=40)
        chat_post(session=session, author_kind=AuthorKind.CUSTOMER, body=customer_line, now=clock)
        if session.status == ChatStatus.WAITING:
            session = chat_accept(session=session, agent=agent, now=clock + timedelta(seconds=20))
        clock += timedelta(seconds=50)
        chat_post(
            session=session, author_kind=AuthorKind.AGENT, author=agent, body=agent_line, now=clock
        )
    chat_close(session=session, actor=agent, now=clock + timedelta(minutes=1))


def _unanswered(customer: Customer, at: datetime) -> None:
    """Nobody answered within the first-reply target: the chat became a ticket."""
    session = chat_start(customer=customer, now=at)
    chat_post(
        session=session,
        author_kind=AuthorKind.CUSTOMER,
        body="我要退货，商品有质量问题，包装盒里还有碎片。",
        now=at + timedelta(seconds=30),
    )
    chat_convert_to_ticket(session=session, now=at + timedelta(minutes=16))
