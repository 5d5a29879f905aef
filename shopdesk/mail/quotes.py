"""The new part of a reply: the text above the quoted history and the signature.

Recognises the forms the common clients write in English, Chinese and Japanese: "> " quoting,
"On ... wrote:" attributions, Outlook/QQ Mail/Foxmail "original message" separators and header
blocks, "-- " signatures and "Sent from my ..." lines. When the new text sits below the quote
(bottom posting) it is found there; the result is empty only if the input had no text at all.
"""

import re
from typing import Final

_ATTRIBUTION: Final = re.compile(
    r"""^\s*(?:
        On\s.+\bwrote:\s*$                              # On Mon, 20 Nov 2026, Ann <a@b> wrote:
      | 在\s?.+写道\s*[:：]\s*$                            # 在 2026年11月20日 ... 写道：
      | .+於\s?.+寫道\s*[:：]\s*$                          # 王小明 於 2026年11月20日 寫道：
      | .+のメッセージ\s*[:：]\s*$                          # ... 山田太郎 <t@ex.jp> のメッセージ:
      | .+さんは書きました\s*[:：]\s*$                      # 山田太郎さんは書きました:
      | .+(?:wrote|написал|a\sécrit|schrieb)\s*[:：]\s*$
      | \d{4}年\d{1,2}月\d{1,2}日.*<[^<>\s]+@[^<>\s]+>\s*[:：]\s*$  # 2026年11月20日(金) Ann <a@b>:
    )""",
    re.VERBOSE | re.IGNORECASE,
)
# Gmail wraps a long attribution: "On Mon, ... Ann <" / "ann@example.com> wrote:".
_ATTRIBUTION_START: Final = re.compile(r"^\s*(?:On\s|在\s?\d)", re.IGNORECASE)
_ATTRIBUTION_END: Final = re.compile(r"(?:wrote|写道|寫道)\s*[:：]\s*$", re.IGNORECASE)

_SEPARATOR: Final = re.compile(
    r"""^\s*(?:
        -{2,}\s*(?:Original\sMessage|原始邮件|原始郵件|原始信件|Ursprüngliche\sNachricht|
                  Message\sd'origine|元のメッセージ|Reply\sMessage)\s*-{2,}
      | _{10,}
    )\s*$""",
    re.VERBOSE | re.IGNORECASE,
)
_HEADER_FROM: Final = re.compile(
    r"^\s*\*?(?:From|发件人|發件人|寄件者|差出人|Von|De)\s*\*?\s*[:：]"
)
_HEADER_OTHER: Final = re.compile(
    r"^\s*\*?(?:Sent|Date|To|Subject|Cc|发送时间|日期|时间|收件人|主题|抄送|寄件日期|傳送時間|"
    r"收件者|主旨|送信日時|日付|宛先|件名)\s*\*?\s*[:：]",
    re.IGNORECASE,
)
_SIGNATURE: Final = re.compile(
    r"""^\s*(?:
        --\s*$
      | Sent\sfrom\smy\s.{1,40}$
      | Sent\sfrom\s(?:Mail|Outlook|Yahoo\sMail)\b.*
      | Get\sOutlook\sfor\s.+
      | [发發]自我的\s?.{1,20}$
      | 来自我的.{0,12}(?:手机|iPhone|iPad|客户端|设备)\s*$
      | 从我的.{1,20}发送\s*$ | 從我的.{1,20}傳送\s*$
      | (?:iPhone|iPad|Android)\s?から送信\s*$
    )""",
    re.VERBOSE | re.IGNORECASE,
)


def visible_part(text: str) -> str:
    """Trim quoted history and signatures; keep what the sender wrote this time."""
    lines = text.replace("\r\n", "\n").split("\n")
    history = _history_start(lines)
    above = _new_lines(lines[:history])
    if _has_text(above):
        return _join(above)
    below = _new_lines(_skip_header_block(lines, history))
    if _has_text(below):
        return _join(below)
    return text.strip()


def _history_start(lines: list[str]) -> int:
    """Index of the first line of the quoted history, len(lines) if there is none."""
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        if _SEPARATOR.match(line) or _ATTRIBUTION.match(line):
            return index
        wrapped = index + 1 < len(lines) and _ATTRIBUTION_END.search(lines[index + 1])
        if wrapped and _ATTRIBUTION_START.match(line):
            return index
        if _HEADER_FROM.match(line) and _header_block_follows(lines, index):
            return index
    return len(lines)


def _header_block_follows(lines: list[str], index: int) -> bool:
    following = [line for line in lines[index + 1 : index + 5] if line.strip()][:3]
    return sum(bool(_HEADER_OTHER.match(line)) for line in following) >= 1


def _skip_header_block(lines: list[str], history: int) -> list[str]:
    """Lines after the history marker, without the marker and header/attribution lines."""
    rest = lines[history:]
    index = 0
    while index < len(rest) and (
        not rest[index].strip()
        or _SEPARATOR.match(rest[index])
        or _ATTRIBUTION.match(rest[index])
        or _ATTRIBUTION_END.search(rest[index])
        or _HEADER_FROM.match(rest[index])
        or _HEADER_OTHER.match(rest[index])
        or (index == 0 and _ATTRIBUTION_START.match(rest[index]))
    ):
        index += 1
    return rest[index:]


def _new_lines(lines: list[str]) -> list[str]:
    """Drop "> " quoted lines and everything from the signature on."""
    kept: list[str] = []
    for line in lines:
        if _SIGNATURE.match(line) and _has_text(kept):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    return kept


def _has_text(lines: list[str]) -> bool:
    return any(line.strip() for line in lines)


def _join(lines: list[str]) -> str:
    text = "\n".join(line.rstrip() for line in lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
