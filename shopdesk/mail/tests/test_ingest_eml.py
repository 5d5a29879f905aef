"""The real .eml files of tests/eml/ through the whole channel: each charset (and the
mislabelled ones) ends as a ticket whose subject and timeline hold the right Chinese or
Japanese text, and automatic mail opens nothing."""

from pathlib import Path

import pytest

from shopdesk.mail.models import InboundMail
from shopdesk.mail.services import mail_ingest
from shopdesk.tickets.models import TicketEvent
from shopdesk.tickets.states import AuthorKind, Channel, EventType

pytestmark = pytest.mark.django_db
EML = Path(__file__).parent / "eml"

# file, subject, text the customer's message must hold
CASES = [
    ("gb2312_plain_base64.eml", "订单还没发货", "收件人：朱镕基、张喆"),
    ("gbk_alternative_qp.eml", "催发货", "我的订单还没有发货，请尽快处理。"),
    ("gb18030_plain_qp.eml", "𠮷野家的订单", "店名：𠮷野家"),
    ("big5_alternative_base64.eml", "訂單查詢", "我的訂單還沒有出貨，請盡快處理。\n係咪寄咗㗎？"),
    ("iso2022jp_plain.eml", "ご注文の商品について", "注文した商品がまだ届きません。"),
    ("shift_jis_alternative_qp.eml", "商品未着", "①髙橋様宛～"),
    ("mislabelled_utf8_is_gbk.eml", "退款进度", "退款什么时候到账？"),
    ("mislabelled_latin1_is_gb18030.eml", "换货申请", "我想换一个尺码。"),
    ("no_charset_raw_gbk.eml", "没有声明字符集", "我的订单还没有发货，请尽快处理。"),
    ("utf8_html_only.eml", "HTML 邮件", "金额 <100&元>"),
]


def customer_text(mail: InboundMail) -> str:
    event = TicketEvent.objects.get(
        ticket=mail.ticket, type=EventType.MESSAGE, author_kind=AuthorKind.CUSTOMER
    )
    return event.body


@pytest.mark.parametrize(("name", "subject", "text"), CASES)
def test_each_charset_becomes_a_ticket_with_the_right_text(name, subject, text):
    raw = (EML / name).read_bytes()
    mail = mail_ingest(raw=raw, source=InboundMail.Source.FILE).mail
    assert mail.status == InboundMail.Status.NEW_TICKET
    assert mail.ticket.channel == Channel.EMAIL
    assert mail.ticket.subject == subject
    assert text in customer_text(mail)
    assert mail.raw() == raw


def test_mislabelled_charset_is_noted_on_the_record():
    raw = (EML / "mislabelled_latin1_is_gb18030.eml").read_bytes()
    mail = mail_ingest(raw=raw, source=InboundMail.Source.FILE).mail
    assert any("gb18030" in note for note in mail.notes)


def test_html_only_mail_becomes_safe_text():
    raw = (EML / "utf8_html_only.eml").read_bytes()
    text = customer_text(mail_ingest(raw=raw, source=InboundMail.Source.FILE).mail)
    assert "<script" not in text
    assert "alert" not in text


@pytest.mark.parametrize("name", ["auto_reply_zh.eml", "bounce_dsn.eml"])
def test_auto_reply_and_bounce_files_open_nothing(name):
    mail = mail_ingest(raw=(EML / name).read_bytes(), source=InboundMail.Source.FILE).mail
    assert mail.status == InboundMail.Status.IGNORED
    assert mail.ticket is None


def test_qq_reply_joins_the_ticket_of_the_mail_it_answers_without_the_quoted_original():
    first = mail_ingest(
        raw=(EML / "gb2312_plain_base64.eml").read_bytes(), source=InboundMail.Source.FILE
    ).mail
    reply = mail_ingest(
        raw=(EML / "reply_qq_original.eml").read_bytes(), source=InboundMail.Source.FILE
    ).mail
    assert reply.status == InboundMail.Status.REPLY
    assert reply.ticket == first.ticket
    assert reply.event.body == "好的，我再等两天。"
