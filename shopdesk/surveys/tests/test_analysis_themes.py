"""Open-text themes: jieba keywords, shares and lexicon sentiment."""

import subprocess
import sys

import pytest

from shopdesk.surveys.analysis.themes import keywords_of, polarity, themes, tokenize

ZH = [
    "物流太慢了，很失望",
    "物流差，包装破损，要退货",
    "客服态度不错，推荐",
    "不满意，物流不快",
    "质量好，很满意",
]


def test_a_chinese_keyword_share_and_negative_sentiment():
    # when
    result = themes(ZH, scores=[2, 1, 5, 2, 5])

    # then: 物流 is in 3 of the 5 responses, all of them negative
    assert result.responses == 5
    logistics = next(t for t in result.themes if t.keyword == "物流")
    assert logistics.count == 3
    assert logistics.share == pytest.approx(0.6)
    assert logistics.sentiment < 0
    assert logistics.sentiment == pytest.approx(-1.0)
    assert logistics.mean_score == pytest.approx(5 / 3)
    assert result.themes[0].keyword == "物流"


def test_stop_words_punctuation_numbers_are_not_keywords():
    # when
    words = keywords_of(tokenize("我们的订单123号，物流很快！"))

    # then
    assert "物流" in words
    assert not words & {"我们", "的", "123", "，", "！"}


def test_negation_flips_the_polarity():
    assert polarity(tokenize("包装没有破损")) == pytest.approx(1.0)
    assert polarity(tokenize("不满意")) == pytest.approx(-1.0)
    assert polarity(tokenize("物流不快")) == pytest.approx(-1.0)
    assert polarity(tokenize("The delivery was not good")) == pytest.approx(-1.0)
    assert polarity(tokenize("Fast delivery, never late")) == pytest.approx(1.0)
    assert polarity(tokenize("物流很快，但是包装破损")) == pytest.approx(0.0)
    assert polarity(tokenize("一般")) == pytest.approx(0.0)


def test_english_text_uses_the_regex_tokeniser():
    # when
    result = themes(
        ["Delivery was slow", "slow delivery and rude courier", "Great price", "", None],
        min_count=2,
    )

    # then
    assert result.responses == 3
    assert [(t.keyword, t.count) for t in result.themes] == [("delivery", 2), ("slow", 2)]
    assert result.themes[0].sentiment == pytest.approx(-1.0)
    assert result.themes[0].mean_score is None


def test_jieba_loads_quietly_in_a_fresh_process():
    # when: the first load, in a process of its own
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from shopdesk.surveys.analysis.themes import tokenize; print(tokenize('结巴分词'))",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )

    # then
    assert "结巴" in done.stdout
    assert done.stderr == ""
