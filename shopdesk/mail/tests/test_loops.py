import email
import email.policy
from pathlib import Path

import pytest

from shopdesk.mail.loops import auto_reason

EML = Path(__file__).parent / "eml"


def message(headers="", body="hello", content_type="text/plain; charset=utf-8"):
    raw = (
        "From: buyer@example.cn\r\nTo: support@shop.example\r\n"
        f"Content-Type: {content_type}\r\n{headers}\r\n{body}\r\n"
    )
    return email.message_from_bytes(raw.encode(), policy=email.policy.compat32)


def test_ordinary_mail_is_not_automatic():
    assert auto_reason(message("Subject: 订单还没发货\r\n")) == ""


@pytest.mark.parametrize(
    "headers",
    [
        "Auto-Submitted: auto-replied\r\n",
        "Auto-Submitted: auto-generated\r\n",
        "auto-submitted: auto-notified; owner-email=a@b.cn\r\n",
    ],
)
def test_auto_submitted_other_than_no(headers):
    assert auto_reason(message(headers)) == "auto-submitted"


def test_auto_submitted_no_is_a_person():
    assert auto_reason(message("Auto-Submitted: no\r\nSubject: hi\r\n")) == ""


@pytest.mark.parametrize(
    "headers",
    [
        "X-Autoreply: yes\r\n",
        "X-Autorespond: Out of office\r\n",
        "Precedence: auto_reply\r\n",
        "X-Auto-Response-Suppress: All\r\nSubject: RE: Automatic reply: order\r\n",
    ],
)
def test_auto_reply_headers(headers):
    assert auto_reason(message(headers)) == "auto-reply"


@pytest.mark.parametrize(
    "subject",
    [
        "Auto: order 123",
        "Automatic reply: order 123",
        "Auto-Reply: order",
        "Out of Office: order 123",
        "Out of the office until Monday",
        "自动回复: 订单还没发货",
        "自動回覆：訂單查詢",
        "自動返信: ご注文",
        "不在办公室: 订单",
        "=?UTF-8?B?6Ieq5Yqo5Zue5aSNOiDorqLljZU=?=",
    ],
)
def test_auto_reply_subjects(subject):
    assert auto_reason(message(f"Subject: {subject}\r\n")) == "auto-reply"


def test_subject_merely_mentioning_auto_is_a_person():
    assert auto_reason(message("Subject: Re: automatic refund?\r\n")) == ""


@pytest.mark.parametrize(
    "headers",
    [
        "Precedence: bulk\r\n",
        "Precedence: junk\r\n",
        "Precedence: list\r\n",
        "List-Id: <news.shop.example>\r\n",
        "List-Unsubscribe: <mailto:unsub@news.example>\r\n",
    ],
)
def test_bulk_mail(headers):
    assert auto_reason(message(headers)) == "bulk"


@pytest.mark.parametrize(
    "sender",
    ["MAILER-DAEMON@mx.example.cn", "Mail System <postmaster@example.cn>"],
)
def test_bounce_senders(sender):
    raw = f"From: {sender}\r\nSubject: failure\r\n\r\nbounced\r\n".encode()
    assert auto_reason(email.message_from_bytes(raw)) == "bounce"


def test_delivery_status_report_is_a_bounce():
    msg = message(
        body="--r\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--r--\r\n",
        content_type='multipart/report; report-type=delivery-status; boundary="r"',
    )
    assert auto_reason(msg) == "bounce"


def test_empty_return_path_with_delivery_status_part_is_a_bounce():
    msg = message(
        "Return-Path: <>\r\n",
        body=(
            "--m\r\nContent-Type: text/plain\r\n\r\nfailed\r\n"
            "--m\r\nContent-Type: message/delivery-status\r\n\r\n"
            "Final-Recipient: rfc822; x@example.cn\r\nAction: failed\r\n\r\n--m--\r\n"
        ),
        content_type='multipart/mixed; boundary="m"',
    )
    assert auto_reason(msg) == "bounce"


def test_empty_return_path_alone_is_not_a_bounce():
    assert auto_reason(message("Return-Path: <>\r\nSubject: hi\r\n")) == ""


def test_bounce_wins_over_other_signals():
    raw = (EML / "bounce_dsn.eml").read_bytes()
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    msg["Auto-Submitted"] = "auto-replied"
    assert auto_reason(msg) == "bounce"
