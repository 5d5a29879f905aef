"""Django's SMTP backend against a real SMTP server: what a mail client would receive."""

from django.core.mail import EmailMessage

from shopdesk.mail.tests.smtp_server import (
    SmtpServer,
    smtp_server,  # noqa: F401 - fixture
)


def test_a_chinese_message_with_custom_headers_arrives_intact(smtp_server: SmtpServer):  # noqa: F811
    # given
    message = EmailMessage(
        subject="您的工单 T-1001 已解决",
        body="您好，张三：\n\n您的退款已处理，预计 3 个工作日到账。\n\n客服 小李",
        from_email="客服中心 <support@shop.test>",
        to=["buyer@example.com"],
        cc=["merchant@example.com"],
        headers={
            "Reply-To": "support+t1001@shop.test",
            "Auto-Submitted": "auto-replied",
            "X-Shopdesk-Ticket": "T-1001",
        },
    )
    # when
    sent = message.send()
    # then
    assert sent == 1
    [received] = smtp_server.messages
    assert received.mail_from == "support@shop.test"
    assert received.rcpt_tos == ["buyer@example.com", "merchant@example.com"]
    mail = received.message
    assert mail["Subject"] == "您的工单 T-1001 已解决"
    assert mail["From"].addresses[0].display_name == "客服中心"
    assert mail["Reply-To"] == "support+t1001@shop.test"
    assert mail["Auto-Submitted"] == "auto-replied"
    assert mail["X-Shopdesk-Ticket"] == "T-1001"
    assert mail.get_content_type() == "text/plain"
    assert mail.get_content_charset() == "utf-8"
    # SMTP carries CRLF line ends, inside the base64 too
    assert mail.get_content().splitlines() == [
        "您好，张三：",
        "",
        "您的退款已处理，预计 3 个工作日到账。",
        "",
        "客服 小李",
    ]
    # the headers went out in 7-bit (RFC 2047 encoded words), the body as 8-bit UTF-8
    head, _, body = received.raw.partition(b"\r\n\r\n")
    assert head.isascii()
    assert b"=?utf-8?" in head.lower()
    assert mail["Content-Transfer-Encoding"] == "8bit"
    assert "退款".encode() in body
