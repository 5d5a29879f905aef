import email.message
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from shopdesk.mail.parse import MailAttachment, MailParseError, _message_bytes, mail_parse

EML = Path(__file__).parent / "eml"
SIMP = "我的订单还没有发货，请尽快处理。"
TRAD = "我的訂單還沒有出貨，請盡快處理。"
JA = "注文した商品がまだ届きません。"
CST = timezone(timedelta(hours=8))


def parse(name):
    return mail_parse((EML / name).read_bytes())


@pytest.mark.parametrize(
    ("name", "subject", "text"),
    [
        (
            "gb2312_plain_base64.eml",
            "订单还没发货",
            f"您好：\n{SIMP}\n收件人：朱镕基、张喆\n订单号：20261120001",
        ),
        ("gbk_alternative_qp.eml", "催发货", f"{SIMP}\n\n谢谢！"),
        ("gb18030_plain_qp.eml", "𠮷野家的订单", f"{SIMP}\n\n店名：𠮷野家"),
        ("big5_alternative_base64.eml", "訂單查詢", f"{TRAD}\n係咪寄咗㗎？"),
        ("iso2022jp_plain.eml", "ご注文の商品について", f"{JA}\n確認をお願いします。ｶﾀｶﾅ"),
        ("shift_jis_alternative_qp.eml", "商品未着", f"{JA}\n\n①髙橋様宛～"),
        ("ks_c_5601_plain.eml", "주문 문의", "주문한 상품이 아직 도착하지 않았습니다."),
        ("mislabelled_utf8_is_gbk.eml", "退款进度", f"{SIMP}\n退款什么时候到账？"),
        ("mislabelled_latin1_is_gb18030.eml", "换货申请", f"{SIMP}\n\n我想换一个尺码。"),
        ("mislabelled_latin1_is_utf8.eml", "Order question", f"{SIMP}\nCafé order"),
        ("no_charset_raw_gbk.eml", "没有声明字符集", SIMP),
        ("unknown_charset_utf8.eml", "未知字符集", SIMP),
    ],
)
def test_subject_and_body_decode_exactly_in_every_charset(name, subject, text):
    # when
    mail = parse(name)
    # then
    assert mail.subject == subject
    assert mail.text == text
    assert "\r" not in mail.text


def test_gb2312_label_with_gbk_characters_decodes_as_gb18030_and_says_so():
    mail = parse("gb2312_plain_base64.eml")
    assert "朱镕基、张喆" in mail.text
    assert mail.charset_notes == ("body: declared gb2312, decoded as gb18030",)
    assert mail.from_name == "张三"
    assert mail.from_address == "zhang.san@example.cn"
    assert mail.to_addresses == ("support@shop.example",)


def test_mislabelled_charsets_are_recorded_in_the_notes():
    assert parse("mislabelled_utf8_is_gbk.eml").charset_notes == (
        "subject: declared utf-8 but invalid; decoded as gb18030",
        "body: declared utf-8 but invalid; decoded as gb18030",
    )
    assert parse("mislabelled_latin1_is_utf8.eml").charset_notes == (
        "body: declared iso-8859-1 but the bytes are utf-8; decoded as utf-8",
    )
    assert parse("no_charset_raw_gbk.eml").from_name == "周七"


def test_clean_labels_leave_no_notes():
    assert parse("gbk_alternative_qp.eml").charset_notes == ()
    assert parse("ks_c_5601_plain.eml").charset_notes == ()


def test_header_fields_ids_recipients_and_date():
    # when
    mail = parse("reply_qq_original.eml")
    # then
    assert mail.message_id == "tencent_ABC123@qq.com"
    assert mail.in_reply_to == ("reply-1@shop.example",)
    assert mail.references == ("gb2312-001@mail.example.cn", "reply-1@shop.example")
    assert mail.to_addresses == ("support+t42-abc@shop.example",)
    assert mail.date == datetime(2026, 11, 21, 8, 0, tzinfo=CST)
    assert mail.headers["message-id"] == "<tencent_ABC123@qq.com>"
    assert mail.headers["subject"].startswith("=?utf-8?B?")


def test_cc_and_delivered_to_join_the_recipients_lower_cased():
    assert parse("gbk_alternative_qp.eml").to_addresses == (
        "support@shop.example",
        "manager@shop.example",
    )


def test_visible_text_drops_quoted_history_and_signature():
    assert parse("reply_qq_original.eml").visible_text == "好的，我再等两天。"
    assert parse("reply_gmail_en.eml").visible_text == "Thanks, that works."
    assert "> Your order ships tomorrow." in parse("reply_gmail_en.eml").text


def test_html_only_mail_becomes_safe_text():
    mail = parse("utf8_html_only.eml")
    assert mail.subject == "HTML 邮件"
    assert mail.text == (
        f"您好 客服，\n\n{SIMP}\n金额 <100&元>\n\n- 运动鞋 x1\n- 袜子 x2\n\n"
        "商品 | 数量\n运动鞋 | 1\n\n查看订单 (https://shop.example/orders/123)"
    )
    assert "alert" not in mail.text
    assert "color" not in mail.text


def test_empty_plain_part_falls_back_to_the_html_part():
    mail = parse("empty_plain_html_content.eml")
    assert mail.text == "Ma commande est déjà payée € 42."
    assert mail.subject == "Commande déjà payée"
    assert mail.from_name == "Renée"


def test_attachments_names_types_and_nested_message():
    # when
    mail = parse("attachments.eml")
    # then
    assert mail.text == "请看附件的发票和照片。"
    assert [(a.name, a.content_type) for a in mail.attachments] == [
        ("attachment-1.png", "image/png"),
        ("发票.pdf", "application/pdf"),
        ("订单明细.xls", "application/vnd.ms-excel"),
        ("attachment-4.eml", "message/rfc822"),
    ]
    assert mail.attachments[0].data.startswith(b"\x89PNG")
    assert mail.attachments[1].data == b"%PDF-1.4 fake invoice\n"
    nested = mail_parse(mail.attachments[3].data)
    assert nested.subject == "发货通知"
    assert nested.text == "您的包裹已发出。"


def test_attached_message_text_does_not_join_the_body():
    mail = parse("attachments.eml")
    assert "包裹" not in mail.text


def test_truncated_multipart_keeps_what_is_there():
    mail = parse("truncated_multipart.eml")
    assert mail.subject == "截断的邮件"
    assert mail.text == SIMP
    assert [a.name for a in mail.attachments] == ["photo.jpg"]


def test_auto_reason_is_set_for_machines_only():
    assert parse("auto_reply_zh.eml").auto_reason == "auto-submitted"
    assert parse("bounce_dsn.eml").auto_reason == "bounce"
    assert parse("gb2312_plain_base64.eml").auto_reason == ""


def test_bounce_report_parts_are_not_attachments():
    mail = parse("bounce_dsn.eml")
    assert mail.attachments == ()
    assert mail.text.startswith("This is the mail system.")


def test_message_without_from_is_not_an_error():
    mail = mail_parse(b"To: support@shop.example\r\nSubject: hi\r\n\r\nhello\r\n")
    assert mail.from_address == ""
    assert mail.text == "hello"
    assert mail.date is None
    assert mail.message_id == ""


def test_date_without_zone_is_utc_and_garbage_is_none():
    naive = mail_parse(b"From: a@b.cn\r\nDate: Fri, 20 Nov 2026 10:00:00 -0000\r\n\r\nx")
    assert naive.date == datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    bad = mail_parse(b"From: a@b.cn\r\nDate: yesterday-ish\r\n\r\nx")
    assert bad.date is None


def test_attachment_without_a_name_gets_one_and_paths_are_stripped():
    raw = (
        b"From: a@b.cn\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nsee files\r\n"
        b"--b\r\nContent-Type: application/octet-stream\r\n\r\nxyz\r\n"
        b"--b\r\nContent-Type: text/plain\r\n"
        b'Content-Disposition: attachment; filename="../../etc/passwd"\r\n'
        b"\r\nroot\r\n--b--\r\n"
    )
    mail = mail_parse(raw)
    assert mail.attachments == (
        MailAttachment(
            name="attachment-1.bin", content_type="application/octet-stream", data=b"xyz"
        ),
        MailAttachment(name="passwd", content_type="text/plain", data=b"root"),
    )
    assert mail.text == "see files"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty message: no bytes were received"),
        (b"  \r\n ", "empty message: no bytes were received"),
        (b"\x00\x01\x02\xff\xfe binary junk \x00" * 10, "not an e-mail message"),
        (b"just some text without headers\nsecond line\n", "not an e-mail message"),
        (b"Host: example.com\r\nAccept: */*\r\n\r\n", "not an e-mail message"),
        (b"Subject: nothing else\r\n\r\n", "not an e-mail message: no From and no body"),
    ],
)
def test_malformed_input_raises_with_a_reason(raw, reason):
    with pytest.raises(MailParseError) as raised:
        mail_parse(raw)
    assert raised.value.reason.startswith(reason)
    assert isinstance(raised.value, ValueError)


def test_size_limit_reason_gives_both_sizes():
    raw = b"From: a@b.cn\r\n\r\n" + b"x" * (2 * 1024 * 1024)
    with pytest.raises(MailParseError) as raised:
        mail_parse(raw, max_bytes=1024 * 1024)
    assert raised.value.reason == "message is 2.0 MB; the limit is 1 MB"


def test_attached_message_the_generator_refuses_is_written_raw():
    # given: a header value the generator will not fold (it looks like a second header)
    inner = email.message.Message()
    inner["Subject"] = "a\nX-Bad: b"
    inner["From"] = "c@d.cn"
    inner.set_payload("inner body")
    # when
    data = _message_bytes(inner)
    # then
    assert data == b"Subject: a\nX-Bad: b\r\nFrom: c@d.cn\r\n\r\ninner body"


def test_attached_message_is_kept_whole():
    raw = (
        b"From: a@b.cn\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nforwarding\r\n"
        b"--b\r\nContent-Type: message/rfc822\r\n\r\n"
        b"Subject: inner\r\nFrom: c@d.cn\r\n\r\ninner body\r\n--b--\r\n"
    )
    mail = mail_parse(raw)
    assert mail.text == "forwarding"
    assert [(a.name, a.content_type) for a in mail.attachments] == [
        ("attachment-1.eml", "message/rfc822")
    ]
    assert mail_parse(mail.attachments[0].data).text == "inner body"
