import pytest

from shopdesk.mail.quotes import visible_part


def test_text_without_history_is_unchanged_apart_from_outer_blank_lines():
    assert visible_part("\n你好，\n\n订单号 123。\n\n") == "你好，\n\n订单号 123。"


def test_quoted_lines_are_dropped():
    assert visible_part("Thanks!\n> old text\n>> older\n") == "Thanks!"


def test_interleaved_answers_are_kept_without_the_quotes():
    text = "> Which size?\nXL please.\n> Which colour?\nBlue.\n"
    assert visible_part(text) == "XL please.\nBlue."


@pytest.mark.parametrize(
    "header",
    [
        "On Fri, Nov 20, 2026 at 10:00 AM Support <support@shop.example> wrote:",
        "On 2026-11-20, Support wrote:",
        "在 2026年11月20日 星期五 10:00，客服 <support@shop.example> 写道：",
        '在 2026年11月20日 10:00，"客服"<support@shop.example> 写道:',
        "客服 <support@shop.example> 於 2026年11月20日 週五 上午10:00 寫道：",
        "2026年11月20日(金) 10:00 サポート <support@shop.example>:",
        "サポート <support@shop.example> のメッセージ:",
        "山田太郎さんは書きました:",
        "-----Original Message-----",
        "-----原始邮件-----",
        "----- 原始邮件 -----",
        "------------------ 原始邮件 ------------------",
        "________________________________",
    ],
)
def test_history_after_an_attribution_or_separator_is_dropped(header):
    text = f"新的回复内容。\n\n{header}\n旧的内容\n> 更旧的内容\n"
    assert visible_part(text) == "新的回复内容。"


def test_gmail_attribution_wrapped_over_two_lines():
    text = (
        "Fine.\n\nOn Fri, Nov 20, 2026 at 10:00 AM Support Team <\n"
        "support@shop.example> wrote:\nold\n"
    )
    assert visible_part(text) == "Fine."


@pytest.mark.parametrize(
    "block",
    [
        "From: Support <support@shop.example>\nSent: Friday, November 20, 2026 10:00\nTo: Ann",
        "发件人: 客服 <support@shop.example>\n发送时间: 2026年11月20日 10:00\n收件人: 张三",
        "发件人：客服\n时间：2026年11月20日\n主题：订单",
        "寄件者: 客服\n寄件日期: 2026年11月20日\n收件者: 陳大文",
        "差出人: サポート\n送信日時: 2026年11月20日 10:00\n宛先: 山田",
        "*From:* Support\n*Sent:* Friday",
    ],
)
def test_outlook_style_header_blocks_start_the_history(block):
    text = f"收到，谢谢。\n\n{block}\n\n您好，订单已发出。\n"
    assert visible_part(text) == "收到，谢谢。"


def test_a_from_line_alone_is_the_customers_text():
    text = "From: my phone I cannot see the order.\nPlease help."
    assert visible_part(text) == text


@pytest.mark.parametrize(
    "signature",
    [
        "-- \nAnn Smith\nBuyer",
        "--\nAnn",
        "发自我的iPhone",
        "发自我的华为手机",
        "Sent from my iPhone",
        "Sent from my Huawei",
        "Get Outlook for Android",
        "iPhoneから送信",
    ],
)
def test_signatures_are_dropped(signature):
    assert visible_part(f"我的订单还没有发货。\n\n{signature}\n") == "我的订单还没有发货。"


def test_qq_mail_reply_with_signature_and_original():
    text = (
        "好的，我再等两天。\n\n发自我的iPhone\n\n\n"
        "------------------ 原始邮件 ------------------\n"
        '发件人: "客服" <support@shop.example>;\n'
        "发送时间: 2026年11月20日(星期五) 中午12:00\n"
        "主题: 回复：订单还没发货\n\n您好，您的订单将在明天发出。\n"
    )
    assert visible_part(text) == "好的，我再等两天。"


def test_bottom_posted_reply_is_found_below_the_quote():
    text = "On Fri, Nov 20, 2026 Support <s@shop.example> wrote:\n> Shipped?\n\nNot yet.\n"
    assert visible_part(text) == "Not yet."


def test_only_quoted_text_returns_the_whole_text_rather_than_nothing():
    text = "> just a quote\n> nothing new"
    assert visible_part(text) == text


def test_empty_input_gives_empty_output():
    assert visible_part("") == ""
    assert visible_part("\n \n") == ""


def test_crlf_is_normalised():
    assert visible_part("Hi\r\n> old\r\n") == "Hi"
