"""Build raw test messages the way mail clients send them (helpers of the mail tests)."""

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.utils import timezone


def raw_mail(
    *,
    sender: str = "买家 <buyer@example.com>",
    to: str = "support@localhost",
    subject: str = "订单还没发货",
    body: str = "我的订单还没有发货，请尽快处理。",
    message_id: str | None = None,
    in_reply_to: str = "",
    references: str = "",
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, str, bytes]] = (),  # type: ignore[assignment]
    charset: str = "utf-8",
) -> bytes:
    message = EmailMessage()
    if sender:
        message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = message_id if message_id is not None else make_msgid("buyer")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    for key, value in (headers or {}).items():
        message[key] = value
    message.set_content(body, charset=charset)
    for name, content_type, data in attachments:
        maintype, subtype = content_type.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()
