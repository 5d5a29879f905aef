import base64

import pytest

from shopdesk.mail.charsets import decode_header_value, decode_text

SIMP = "我的订单还没有发货，请尽快处理。"
TRAD = "我的訂單還沒有出貨"
JA = "注文した商品がまだ届きません。"


@pytest.mark.parametrize(
    ("text", "codec", "declared"),
    [
        (SIMP, "gb2312", "gb2312"),
        (SIMP, "gbk", "GBK"),
        (SIMP, "gb18030", "gb18030"),
        (TRAD, "big5", "big5"),
        (JA, "iso2022_jp", "ISO-2022-JP"),
        (JA, "shift_jis", "shift_jis"),
        (JA, "euc_jp", "euc-jp"),
        (SIMP, "utf-8", "UTF-8"),
        ("Café", "latin-1", "iso-8859-1"),
    ],
)
def test_declared_charset_that_fits_decodes_without_a_note(text, codec, declared):
    assert decode_text(text.encode(codec), declared) == (text, "")


@pytest.mark.parametrize(
    ("text", "codec", "declared", "used"),
    [
        ("朱镕基和张喆", "gbk", "gb2312", "gb18030"),
        ("朱镕基", "gbk", "euc-cn", "gb18030"),
        ("𠮷野家", "gb18030", "x-gbk", "gb18030"),
        ("𠮷野家", "gb18030", "cp936", "gb18030"),
        ("係咪寄咗㗎", "big5hkscs", "big5", "big5hkscs"),
        ("ｶﾀｶﾅ", "iso2022_jp_ext", "iso-2022-jp", "iso2022_jp_ext"),
        ("①髙橋", "cp932", "sjis", "cp932"),
        ("①髙橋", "cp932", "x-sjis", "cp932"),
    ],
)
def test_narrow_labels_fall_back_to_their_superset(text, codec, declared, used):
    assert decode_text(text.encode(codec), declared) == (
        text,
        f"declared {declared}, decoded as {used}",
    )


def test_korean_label_uses_cp949():
    assert decode_text("주문 문의".encode("cp949"), "ks_c_5601-1987") == ("주문 문의", "")


@pytest.mark.parametrize(
    ("text", "codec", "guessed"),
    [
        (SIMP, "gbk", "gb18030"),
        (TRAD + "，請盡快處理。", "big5", "big5hkscs"),
        (JA, "shift_jis", "cp932"),
        (JA, "euc_jp", "euc_jp"),
    ],
)
def test_declared_utf8_over_other_bytes_is_guessed(text, codec, guessed):
    assert decode_text(text.encode(codec), "utf-8") == (
        text,
        f"declared utf-8 but invalid; decoded as {guessed}",
    )


@pytest.mark.parametrize(
    ("text", "codec", "guessed"),
    [(SIMP, "gb18030", "gb18030"), (TRAD + "。", "big5", "big5hkscs"), (JA, "cp932", "cp932")],
)
def test_latin1_label_over_cjk_bytes_is_not_believed(text, codec, guessed):
    assert decode_text(text.encode(codec), "iso-8859-1") == (
        text,
        f"declared iso-8859-1 but the bytes look like {guessed}; decoded as {guessed}",
    )


def test_latin1_label_over_utf8_bytes_decodes_utf8():
    assert decode_text("Crème 订单".encode(), "windows-1252") == (
        "Crème 订单",
        "declared windows-1252 but the bytes are utf-8; decoded as utf-8",
    )


def test_real_latin1_text_stays_latin1():
    assert decode_text("Grüße, Renée".encode("latin-1"), "ISO-8859-1") == ("Grüße, Renée", "")


def test_no_charset_guesses_and_notes():
    assert decode_text(b"plain ascii", None) == ("plain ascii", "")
    assert decode_text(SIMP.encode("gbk"), None) == (
        SIMP,
        "no charset declared; decoded as gb18030",
    )
    assert decode_text(SIMP.encode(), "") == (SIMP, "no charset declared; decoded as utf-8")
    assert decode_text("Renée".encode("cp1252"), None) == (
        "Renée",
        "no charset declared; decoded as windows-1252",
    )


def test_unlabelled_iso2022jp_escape_sequences_are_recognised():
    assert decode_text(JA.encode("iso2022_jp"), None) == (
        JA,
        "declared nothing; the bytes are iso-2022-jp",
    )


def test_unknown_charset_name_falls_back():
    assert decode_text(SIMP.encode(), "x-made-up") == (
        SIMP,
        "unknown charset 'x-made-up'; decoded as utf-8",
    )


def test_undecodable_bytes_never_raise():
    # given: GBK text cut in the middle of a character, labelled utf-8
    data = SIMP.encode("gbk")[:-1]
    # when
    text, note = decode_text(data, "utf-8")
    # then
    assert text.startswith("我的订单还没有发货")
    assert text.endswith("\ufffd")
    assert note == "declared utf-8 but invalid; decoded as gb18030 with replacement characters"


def test_byte_order_mark_is_dropped():
    assert decode_text(b"\xef\xbb\xbfhello \xe4\xbd\xa0", "utf-8") == ("hello 你", "")


def b_word(charset, data):
    return f"=?{charset}?B?{base64.b64encode(data).decode()}?="


def test_header_encoded_words_b_and_q_in_several_charsets():
    value = (
        b_word("GB2312", "订单".encode("gb2312"))
        + " "
        + b_word("big5", "訂單".encode("big5"))
        + " and =?iso-8859-1?Q?caf=E9_cr=E8me?= plain"
    )
    assert decode_header_value(value) == ("订单訂單 and café crème plain", ())


def test_adjacent_words_split_inside_a_character_are_joined_as_bytes():
    data = "订单还没发货".encode("gb2312")
    value = b_word("gb2312", data[:5]) + "\r\n " + b_word("gb2312", data[5:])
    assert decode_header_value(value) == ("订单还没发货", ())


def test_iso2022jp_words_split_across_escape_sequences():
    data = "ご注文の商品".encode("iso2022_jp")
    value = b_word("ISO-2022-JP", data[:9]) + " " + b_word("ISO-2022-JP", data[9:])
    assert decode_header_value(value)[0] == "ご注文の商品"


def test_mislabelled_encoded_word_falls_back():
    value = b_word("utf-8", "退款进度".encode("gbk"))
    assert decode_header_value(value) == (
        "退款进度",
        ("declared utf-8 but invalid; decoded as gb18030",),
    )


def test_raw_8bit_header_is_decoded():
    raw = "没有编码的主题".encode("gbk").decode("ascii", "surrogateescape")
    assert decode_header_value(raw) == (
        "没有编码的主题",
        ("raw 8-bit header: no charset declared; decoded as gb18030",),
    )


def test_broken_encoded_word_is_kept_literally():
    assert decode_header_value("=?utf-8?B?###?= ok") == ("=?utf-8?B?###?= ok", ())


@pytest.mark.parametrize("declared", ["base64", "rot13", "utf\x008"])
def test_non_text_codec_names_are_treated_as_unknown(declared):
    text, note = decode_text("订单".encode(), declared)
    assert text == "订单"
    assert note.startswith("unknown charset")


def test_raw_8bit_text_inside_an_encoded_word_shape_is_left_alone():
    raw = "=?utf-8?Q?订单?=".encode("gbk").decode("ascii", "surrogateescape")
    assert decode_header_value(raw)[0] == "=?utf-8?Q?订单?="
