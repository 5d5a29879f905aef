"""Choosing the text encoding of an export: UTF-8 (with or without BOM) or GB18030 (GBK)."""

import codecs
from pathlib import Path

from django.utils.translation import gettext as _

_CHUNK = 1 << 20
_UTF8_BOM = codecs.BOM_UTF8


class EncodingError(ValueError):
    """The requested encoding is unknown or the file is not in it."""


def _is_utf8(path: Path) -> bool:
    """Decode the whole file in 1 MiB chunks: memory stays flat, and a GBK byte late in a
    file is not mistaken for UTF-8 because the first rows happened to be ASCII."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                return False
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def resolve_encoding(path: Path, requested: str) -> str:
    """The Python codec to read `path` with.

    `auto` picks utf-8-sig (which also reads plain UTF-8) when the file decodes as UTF-8, else
    gb18030, the superset of GBK and GB2312 that Chinese shop systems export. An explicit
    `utf-8` reads a BOM too; `gbk` reads as gb18030 so rare characters outside GBK do not fail.
    """
    name = requested.strip().lower()
    if name == "auto":
        return "utf-8-sig" if _is_utf8(path) else "gb18030"
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        raise EncodingError(
            _("Unknown encoding %(name)r: use auto, utf-8 or gbk.") % {"name": requested}
        ) from None
    if codec == "utf-8":
        return "utf-8-sig"
    if codec in {"gbk", "gb2312"}:
        return "gb18030"
    return codec
