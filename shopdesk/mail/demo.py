"""Demo e-mail conversations, ingested through the real channel as a mail relay would deliver
them: GB2312, GBK, Big5, ISO-2022-JP and UTF-8 mail from demo customers about their orders,
the agent's answer and the customer's threaded reply, plus what must not become tickets (an
out-of-office reply, a bounce) and one malformed message waiting in the quarantine."""

import random
from datetime import datetime, timedelta
from email.header import Header
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr
from typing import Any

from django.db.models import Count

from shopdesk.accounts.models import User
from shopdesk.core import crypto
from shopdesk.mail.models import InboundMail
from shopdesk.mail.services import mail_ingest
from shopdesk.orders.models import Order
from shopdesk.tickets import mail_refs
from shopdesk.tickets.services import ticket_reply
from shopdesk.tickets.services.notify import customer_notifications_suppressed

# (charset, subject, body with {order}); the reply the agent writes; the customer's answer.
CONVERSATIONS = (
    (
        "gb2312",
        "订单 {order} 还没发货",
        "你好，我的订单 {order} 已经付款三天了，还没有发货，请尽快处理。\n谢谢！",
        "您好，已为您联系仓库加急处理，预计今天发出，发货后会短信通知您。",
        "好的，谢谢，收到物流单号后我再确认一下。",
    ),
    (
        "gbk",
        "{order} 收到的商品有破损",
        "收到的杯子碎了一个，外包装也压坏了，附上照片。想申请换货。\n\n发自我的iPhone",
        "非常抱歉给您带来不便。换货申请已为您登记，快递员会在 24 小时内上门取件。",
        "",
    ),
    (
        "big5",
        "訂單 {order} 發票抬頭錯了",
        "您好，訂單 {order} 的發票抬頭開錯了，請幫我重新開立。",
        "您好，已為您重新開立發票，電子發票將在一個工作日內寄到您的信箱。",
        "收到了，謝謝！",
    ),
    (
        "iso-2022-jp",
        "注文 {order} について",
        "注文した商品がまだ届きません。確認をお願いします。",
        "お問い合わせありがとうございます。配送状況を確認し、明日までにご連絡いたします。",
        "",
    ),
    (
        "utf-8",
        "Order {order}: wrong size",
        "Hello, I received size M but ordered L. Can I exchange it?\n\nSent from my iPhone",
        "Sorry about that! An exchange is arranged; the courier will pick it up tomorrow.",
        "Great, thank you.",
    ),
)


def _raw(
    *,
    charset: str,
    sender: str,
    subject: str,
    body: str,
    at: datetime,
    message_id: str,
    to: str = "support@localhost",
    in_reply_to: str = "",
    extra: dict[str, str] | None = None,
) -> bytes:
    message = MIMEText(body, "plain", charset)
    message["Subject"] = Header(subject, charset)  # type: ignore[assignment]
    message["From"] = sender
    message["To"] = to
    message["Date"] = format_datetime(at)
    message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    for key, value in (extra or {}).items():
        message[key] = value
    return message.as_bytes()


def demo_mail(*, rng: random.Random, now: datetime) -> dict[str, Any]:
    """Mail conversations on demo orders whose customers have an e-mail address."""
    agent = User.objects.filter(username="demo-agent").first()
    orders = list(
        Order.objects.select_related("customer")
        .exclude(customer__email_hash="")
        .order_by("-placed_at")[:40]
    )
    rng.shuffle(orders)
    with customer_notifications_suppressed():
        for index, (charset, subject, body, answer, follow_up) in enumerate(CONVERSATIONS):
            if index >= len(orders):
                break
            order = orders[index]
            _conversation(
                order=order,
                charset=charset,
                texts=(subject, body, answer, follow_up),
                agent=agent,
                at=now - timedelta(hours=rng.randint(2, 30)),
            )
        _noise(now=now)
    counts = dict(InboundMail.objects.order_by().values_list("status").annotate(n=Count("id")))
    return {"mails": sum(counts.values()), "by_status": counts}


def _conversation(
    *,
    order: Order,
    charset: str,
    texts: tuple[str, str, str, str],
    agent: User | None,
    at: datetime,
) -> None:
    subject, body, answer, follow_up = (t.format(order=order.external_id) for t in texts)
    customer = order.customer
    if customer is None:
        return
    address = crypto.decrypt_str(customer.email_enc)
    name = crypto.decrypt_str(customer.name_enc)
    sender = formataddr((name, address)) if name else address
    first_id = f"<demo-{order.pk}-1@mail.example>"
    raw = _raw(
        charset=charset, sender=sender, subject=subject, body=body, at=at, message_id=first_id
    )
    ticket = mail_ingest(
        raw=raw, source=InboundMail.Source.HTTP, mailbox="demo", now=at
    ).mail.ticket
    if ticket is None or agent is None or not answer:
        return
    replied = ticket_reply(ticket=ticket, actor=agent, body=answer, now=at + timedelta(minutes=9))
    if not follow_up:
        return
    ours = f"<{mail_refs.message_id_for(ticket.pk, replied.event.pk)}>"
    again = _raw(
        charset=charset,
        sender=sender,
        subject=f"Re: {subject} [{ticket.number}]",
        body=f"{follow_up}\n\n> {answer}",
        at=at + timedelta(minutes=40),
        message_id=f"<demo-{order.pk}-2@mail.example>",
        to=mail_refs.reply_address(ticket.pk),
        in_reply_to=ours,
    )
    mail_ingest(
        raw=again, source=InboundMail.Source.HTTP, mailbox="demo", now=at + timedelta(minutes=40)
    )


def _noise(*, now: datetime) -> None:
    """What a real support mailbox also receives and must not turn into tickets."""
    out_of_office = _raw(
        charset="utf-8",
        sender="buyer.on.leave@example.com",
        subject="自动回复: 我正在休假",
        body="我 11 月 25 日前在休假，回来后回复您。",
        at=now - timedelta(hours=3),
        message_id="<demo-ooo@mail.example>",
        extra={"Auto-Submitted": "auto-replied"},
    )
    bounce = _raw(
        charset="utf-8",
        sender="MAILER-DAEMON@mx.example.com",
        subject="Undelivered Mail Returned to Sender",
        body="This is the mail system. Your message could not be delivered.",
        at=now - timedelta(hours=2),
        message_id="<demo-bounce@mail.example>",
    )
    for raw in (out_of_office, bounce, b"\x00\x01 not an e-mail message \xff\xfe"):
        mail_ingest(raw=raw, source=InboundMail.Source.HTTP, mailbox="demo", now=now)
