"""Open-text themes: keywords by the share of responses that use them, with their sentiment.

Chinese text is cut with jieba (loaded once, quietly); other text with a word regex. Stop
words, punctuation, numbers and one-character tokens are not keywords (one-character words
still count for sentiment: 好, 差, 慢). A response's polarity is (positive − negative) /
(positive + negative) over the lexicon words it contains, from −1 to 1 (0 without any); a
negation (不, 没, 没有, not, never...) up to three tokens before a word flips it.
"""

import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import jieba
import numpy as np

from shopdesk.surveys.analysis.scores import Values, as_values

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_KEYWORD = re.compile(r"^[^\W\d_]{2,}$")  # letters only, at least two
_BREAK = re.compile(r"^[\s,.;:!?，。；：！？、…~～()（）]+$")
NEGATION_WINDOW = 3


def _words(*lines: str) -> frozenset[str]:
    return frozenset(" ".join(lines).split())


STOP_WORDS = _words(
    "的 了 是 在 我 你 他 她 它 们 我们 你们 他们 也 都 就 和 与 及 或 而 但 很 太 非常",
    "比较 还 还是 又 这 那 这个 那个 这次 一个 一下 有 有点 没什么 吧 吗 呢 啊 呀 哦 嗯",
    "么 把 被 给 让 对 从 到 为 着 过 会 能 要 可以 已经 就是 真的 真是 特别 感觉 觉得",
    "东西 时候 什么 怎么 因为 所以 如果 然后 一直 还有 the a an and or but of to in on at",
    "for with is are was were be been being it its this that these those i me my we our",
    "you your he she they them their very so too really just also have has had do does",
    "did will would can could should there here what when which who as by from up out if",
    "than then about again more most much some any all would get got",
)

POSITIVE = _words(
    "好 很好 不错 满意 非常满意 快 很快 迅速 及时 喜欢 推荐 赞 棒 完美 专业 耐心 热情",
    "贴心 方便 便宜 值 划算 准时 完好 清楚 感谢 谢谢 好评 靠谱 周到 顺利 放心 实惠 好用",
    "漂亮 细心 good great excellent fast quick quickly helpful friendly satisfied happy",
    "love like recommend perfect easy nice polite professional thanks thank clear timely",
    "cheap",
)
NEGATIVE = _words(
    "差 很差 太差 慢 太慢 很慢 破损 损坏 失望 投诉 退货 不满意 不好 糟糕 垃圾 坑 骗 假 贵",
    "晚 延迟 延误 丢失 丢件 错发 漏发 少发 态度差 敷衍 推诿 难用 麻烦 生气 气愤 后悔 问题",
    "不行 烂 脏 坏 坏了 差评 bad poor slow late broken damaged disappointed disappointing",
    "complaint complain refund return rude terrible awful worst wrong missing expensive",
    "useless angry problem issue",
)
NEGATIONS = _words(
    "不 没 没有 无 别 未 不是 并不 从不 not no never don't didn't isn't wasn't",
)


@cache
def _jieba() -> Any:
    """jieba, initialised once and without its start-up chatter on stderr."""
    jieba.setLogLevel(logging.WARNING)
    logging.getLogger("jieba").setLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def tokenize(text: str) -> list[str]:
    """Tokens of a response, lower-cased; jieba when the text holds Chinese."""
    if _CJK.search(text):
        return [t.strip().lower() for t in _jieba().lcut(text) if t.strip()]
    return re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?|[,.;:!?]", text.lower())


def _word_sign(token: str) -> int:
    if token in POSITIVE:
        return 1
    if token in NEGATIVE:
        return -1
    for neg in ("不", "没", "没有"):  # 不快, 没问题: a negated word in one token
        rest = token.removeprefix(neg)
        if rest != token and rest:
            return -_word_sign(rest)
    for size in (2, 1):  # 太慢, 很快: a degree word in front
        if len(token) > size and _CJK.match(token[-size:]):
            tail = token[-size:]
            if tail in POSITIVE:
                return 1
            if tail in NEGATIVE:
                return -1
    return 0


def polarity(tokens: Sequence[str]) -> float:
    """(positive − negative) / (positive + negative) lexicon words, negation flipping; 0 if none."""
    pos = neg = 0
    for i, token in enumerate(tokens):
        sign = _word_sign(token)
        if not sign:
            continue
        for before in reversed(tokens[max(0, i - NEGATION_WINDOW) : i]):
            if _BREAK.match(before):
                break
            if before in NEGATIONS:
                sign = -sign
                break
        if sign > 0:
            pos += 1
        else:
            neg += 1
    return (pos - neg) / (pos + neg) if pos + neg else 0.0


def keywords_of(tokens: Sequence[str]) -> set[str]:
    return {t for t in tokens if t not in STOP_WORDS and t not in NEGATIONS and _KEYWORD.match(t)}


@dataclass(frozen=True)
class Theme:
    keyword: str
    count: int  # responses that contain it
    share: float  # of the responses with text
    sentiment: float  # mean polarity of those responses, −1..1
    mean_score: float | None  # mean overall score of those responses, when given


@dataclass(frozen=True)
class Themes:
    responses: int  # with text
    themes: list[Theme]
    mean_polarity: float | None


def themes(
    texts: Sequence[str | None],
    *,
    scores: Values | None = None,
    top: int = 20,
    min_count: int = 2,
) -> Themes:
    """Keywords by document frequency (each response counts once), with sentiment and score."""
    score_values = as_values(scores) if scores is not None else None
    doc_words: list[set[str]] = []
    doc_polarity: list[float] = []
    doc_scores: list[float] = []
    for i, text in enumerate(texts):
        if not text or not text.strip():
            continue
        tokens = tokenize(text)
        doc_words.append(keywords_of(tokens))
        doc_polarity.append(polarity(tokens))
        doc_scores.append(float(score_values[i]) if score_values is not None else np.nan)
    n = len(doc_words)
    counts = Counter(word for words in doc_words for word in words)
    pol, sco = np.array(doc_polarity), np.array(doc_scores)
    found = []
    for word, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]:
        if count < min_count:
            break
        rows = np.array([word in words for words in doc_words])
        with_score = sco[rows][~np.isnan(sco[rows])]
        found.append(
            Theme(
                keyword=word,
                count=count,
                share=count / n,
                sentiment=float(pol[rows].mean()),
                mean_score=float(with_score.mean()) if with_score.size else None,
            )
        )
    return Themes(responses=n, themes=found, mean_polarity=float(pol.mean()) if n else None)
