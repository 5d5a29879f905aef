"""Decoding mail bytes: the declared charset first, its superset next, then an honest guess.

Mail from Chinese and Japanese clients is routinely labelled with a narrower charset than it
uses (GB2312 holding GBK characters, Big5 holding HKSCS ones), labelled with the wrong one
(ISO-8859-1 or UTF-8 over GBK bytes) or not labelled at all. Nothing here raises: the worst
case is a decode with replacement characters and a note saying so.
"""

import base64
import binascii
import codecs
import re
from collections.abc import Iterator
from typing import Final

# Declared name -> (the codec the label names, the superset that real mail under it needs).
_ALIASES: Final[dict[str, tuple[str, str]]] = {
    "gb2312": ("gb2312", "gb18030"),
    "gb_2312-80": ("gb2312", "gb18030"),
    "csgb2312": ("gb2312", "gb18030"),
    "x-gb2312": ("gb2312", "gb18030"),
    "euc-cn": ("gb2312", "gb18030"),
    "x-euc-cn": ("gb2312", "gb18030"),
    "chinese": ("gb2312", "gb18030"),
    "gbk": ("gbk", "gb18030"),
    "x-gbk": ("gbk", "gb18030"),
    "cp936": ("gbk", "gb18030"),
    "windows-936": ("gbk", "gb18030"),
    "ms936": ("gbk", "gb18030"),
    "gb18030": ("gb18030", "gb18030"),
    "big5": ("big5", "big5hkscs"),
    "x-big5": ("big5", "big5hkscs"),
    "cn-big5": ("big5", "big5hkscs"),
    "csbig5": ("big5", "big5hkscs"),
    "big5-hkscs": ("big5hkscs", "big5hkscs"),
    "cp950": ("cp950", "big5hkscs"),
    "iso-2022-jp": ("iso2022_jp", "iso2022_jp_ext"),
    "csiso2022jp": ("iso2022_jp", "iso2022_jp_ext"),
    "iso-2022-jp-2": ("iso2022_jp_2", "iso2022_jp_2"),
    "shift_jis": ("shift_jis", "cp932"),
    "shift-jis": ("shift_jis", "cp932"),
    "sjis": ("shift_jis", "cp932"),
    "x-sjis": ("shift_jis", "cp932"),
    "ms_kanji": ("shift_jis", "cp932"),
    "csshiftjis": ("shift_jis", "cp932"),
    "windows-31j": ("cp932", "cp932"),
    "cp932": ("cp932", "cp932"),
    "euc-jp": ("euc_jp", "euc_jp"),
    "x-euc-jp": ("euc_jp", "euc_jp"),
    "ks_c_5601-1987": ("cp949", "cp949"),
    "ks_c_5601": ("cp949", "cp949"),
    "euc-kr": ("euc_kr", "cp949"),
    "utf8": ("utf-8", "utf-8"),
    "utf-8": ("utf-8", "utf-8"),
}

# Labels whose text would look like "Ã¦Ë†‘" if the bytes were really a CJK encoding.
_LATIN_LABELS: Final[frozenset[str]] = frozenset(
    {"us-ascii", "ascii", "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "iso-8859-15"}
    | {"windows-1252", "cp1252", "x-user-defined", "unknown-8bit", "8bit", "x-unknown"}
)

# Tried in this order; on equal scores the earlier one wins.
_GUESSES: Final[tuple[str, ...]] = ("utf-8", "gb18030", "big5hkscs", "cp932", "euc_jp")
_SAMPLE_CHARS: Final = 4000


def decode_text(data: bytes, declared: str | None) -> tuple[str, str]:
    """Return (text, note). note is "" when the declared charset decoded cleanly."""
    label = _normalise_label(declared)
    if b"\x1b$" in data and not label.startswith("iso-2022") and data.isascii():
        text_or_none = _strict(data, "iso2022_jp_ext")
        if text_or_none is not None:
            return text_or_none, f"declared {label or 'nothing'}; the bytes are iso-2022-jp"
    if not label:
        if data.isascii():
            return data.decode("ascii"), ""
        text, codec = _guess_unlabelled(data)
        return text, f"no charset declared; decoded as {codec}"
    exact, superset = _ALIASES.get(label, (label, label))
    if not _known(exact):
        text, codec = _guess_unlabelled(data)
        return text, f"unknown charset {label!r}; decoded as {codec}"
    if label in _LATIN_LABELS or _is_single_byte_latin(exact):
        return _decode_latin_labelled(data, label, exact)
    text_or_none = _strict(data, exact)
    if text_or_none is not None:
        return text_or_none, ""
    if superset != exact:
        text_or_none = _strict(data, superset)
        if text_or_none is not None:
            return text_or_none, f"declared {label}, decoded as {superset}"
    text, codec = _guess(data, exclude=frozenset({exact, superset}))
    return text, f"declared {label} but invalid; decoded as {codec}"


def decode_header_value(value: str) -> tuple[str, tuple[str, ...]]:
    """Decode a raw header value (RFC 2047 encoded words, raw 8-bit bytes); return (text, notes).

    Adjacent encoded words in one charset are joined as bytes before decoding, since clients
    split multi-byte characters (and ISO-2022-JP escape sequences) across words.
    """
    notes: list[str] = []
    if _has_surrogates(value):
        value, note = decode_text(value.encode("ascii", "surrogateescape"), None)
        notes.append(f"raw 8-bit header: {note}")
    value = re.sub(r"\r?\n(?=[ \t])", "", value)
    if "=?" not in value:
        return value, tuple(notes)
    out: list[str] = []
    pending: list[bytes] = []
    pending_charset = ""
    for literal, charset, chunk in _tokens(value):
        if chunk is not None and (not pending or charset == pending_charset):
            pending.append(chunk)
            pending_charset = charset
            continue
        if pending:
            text, note = decode_text(b"".join(pending), pending_charset)
            out.append(text)
            if note:
                notes.append(note)
            pending = []
        if chunk is not None:
            pending, pending_charset = [chunk], charset
        else:
            out.append(literal)
    if pending:
        text, note = decode_text(b"".join(pending), pending_charset)
        out.append(text)
        if note:
            notes.append(note)
    return "".join(out), tuple(notes)


# Printable ASCII except "?" (RFC 2047 section 2): a decoded raw 8-bit header must not match.
_ENCODED_WORD = re.compile(r"=\?([!->@-~]+)\?([bBqQ])\?([!->@-~]*)\?=")


def _tokens(value: str) -> Iterator[tuple[str, str, bytes | None]]:
    """Yield (literal, "", None) and ("", charset, bytes) pieces, minus blanks between words."""
    position = 0
    previous_was_word = False
    for match in _ENCODED_WORD.finditer(value):
        between = value[position : match.start()]
        if between and not (previous_was_word and between.isspace()):
            yield between, "", None
        charset = match.group(1).split("*", 1)[0].lower()
        chunk = _word_bytes(match.group(2).lower(), match.group(3))
        if chunk is None:
            yield match.group(0), "", None
            previous_was_word = False
        else:
            yield "", charset, chunk
            previous_was_word = True
        position = match.end()
    if position < len(value):
        yield value[position:], "", None


def _word_bytes(encoding: str, payload: str) -> bytes | None:
    if encoding == "q":
        raw = payload.replace("_", " ").encode("ascii", "surrogateescape")
        return re.sub(rb"=([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)
    try:
        return base64.b64decode(payload + "=" * (-len(payload) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None


def _normalise_label(declared: str | None) -> str:
    if not declared:
        return ""
    return declared.strip().strip("\"'").strip().lower()


def _known(codec: str) -> bool:
    """A text codec Python has; "base64" or "rot13" in a charset parameter are not charsets."""
    try:
        info = codecs.lookup(codec)
    except (LookupError, ValueError):
        return False
    return getattr(info, "_is_text_encoding", True) is not False


def _is_single_byte_latin(codec: str) -> bool:
    return codecs.lookup(codec).name in {"latin-1", "iso8859-1", "cp1252", "iso8859-15", "ascii"}


def _strict(data: bytes, codec: str) -> str | None:
    try:
        text = data.decode(codec)
    except (UnicodeError, LookupError, ValueError):
        return None
    return text[1:] if text.startswith("\ufeff") else text


def _has_surrogates(value: str) -> bool:
    return not value.isascii() and any("\udc80" <= char <= "\udcff" for char in value)


def _decode_latin_labelled(data: bytes, label: str, codec: str) -> tuple[str, str]:
    """Latin-1 labels over CJK bytes are the classic mislabel; only believe the label if the
    bytes look like Latin text (accented letters between ASCII, not long runs of high bytes)."""
    if data.isascii():
        return data.decode("ascii"), ""
    utf8 = _strict(data, "utf-8")
    if utf8 is not None:
        return utf8, f"declared {label} but the bytes are utf-8; decoded as utf-8"
    if _looks_multibyte(data):
        text, guessed = _guess(data, exclude=frozenset({"utf-8"}), minimum=0.7)
        if guessed:
            return text, f"declared {label} but the bytes look like {guessed}; decoded as {guessed}"
    text_or_none = _strict(data, codec)
    if text_or_none is not None:
        return text_or_none, ""
    text, guessed = _guess(data)
    return text, f"declared {label} but invalid; decoded as {guessed}"


def _guess_unlabelled(data: bytes) -> tuple[str, str]:
    """Without a usable label: UTF-8 if valid, Latin text if high bytes stand alone, else CJK."""
    utf8 = _strict(data, "utf-8")
    if utf8 is not None:
        return utf8, "utf-8"
    if not _looks_multibyte(data):
        cp1252 = _strict(data, "cp1252")
        return (
            (cp1252, "windows-1252") if cp1252 is not None else (data.decode("latin-1"), "latin-1")
        )
    return _guess(data)


def _looks_multibyte(data: bytes) -> bool:
    """True when most high bytes come in runs of two or more, as CJK double-byte text does."""
    runs = [len(run) for run in re.findall(rb"[\x80-\xff]+", data)]
    high = sum(runs)
    in_long_runs = sum(length for length in runs if length >= 2)
    return high >= 2 and in_long_runs / high >= 0.8


def _guess(
    data: bytes, *, exclude: frozenset[str] = frozenset(), minimum: float = 0.0
) -> tuple[str, str]:
    """Decode with the best-scoring candidate; ("", "") when none reaches `minimum`.

    With minimum == 0 it never fails: the last resort is utf-8 with replacement characters.
    """
    best: tuple[float, str, str] | None = None
    for codec in _GUESSES:
        if codec in exclude:
            continue
        text = _strict(data, codec)
        if text is None:
            continue
        score = _score(text, codec)
        if best is None or score > best[0]:
            best = (score, text, codec)
    if best is not None and best[0] >= minimum:
        return best[1], best[2]
    if minimum > 0:
        return "", ""
    replaced = [(_score(data.decode(c, "replace"), c), c) for c in _GUESSES]
    score, codec = max(replaced, key=lambda pair: pair[0])
    return data.decode(codec, "replace"), f"{codec} with replacement characters"


def _score(text: str, codec: str) -> float:
    """Mean plausibility of the non-ASCII characters: 1 for common CJK/kana/punctuation,
    less for rare or private-use ones. Kana count fully only under Japanese codecs."""
    japanese = codec in {"cp932", "euc_jp", "utf-8"}
    total = 0.0
    count = 0
    for char in text[:_SAMPLE_CHARS]:
        if char.isascii():
            continue
        count += 1
        total += _weight(char, japanese=japanese)
    return 1.0 if count == 0 else total / count


def _weight(char: str, *, japanese: bool) -> float:
    point = ord(char)
    if 0x3040 <= point <= 0x30FF:
        return 1.0 if japanese else 0.3
    if 0x4E00 <= point <= 0x9FFF:
        return _hanzi_weight(char)
    if 0x3000 <= point <= 0x303F or 0xFF01 <= point <= 0xFF5E or 0x2010 <= point <= 0x2027:
        return 1.0
    if 0xFF61 <= point <= 0xFF9F:
        return 0.3  # half-width katakana: real, but what GB bytes become under cp932
    if 0x00C0 <= point <= 0x00FF:
        return 0.5
    if point == 0xFFFD or 0xE000 <= point <= 0xF8FF or point < 0xA0:
        return 0.0
    return 0.1


def _hanzi_weight(char: str) -> float:
    """Common = in GB2312 level 1, Big5 level 1 or JIS X 0208 level 1 (the frequent sets)."""
    try:
        if 0xB0 <= char.encode("gb2312")[0] <= 0xD7:
            return 1.0
    except UnicodeEncodeError:
        pass
    try:
        if 0xA440 <= int.from_bytes(char.encode("big5"), "big") <= 0xC67E:
            return 1.0
    except UnicodeEncodeError:
        pass
    try:
        if 0x889F <= int.from_bytes(char.encode("shift_jis"), "big") <= 0x9872:
            return 1.0
    except UnicodeEncodeError:
        pass
    return 0.4
