"""HTML mail bodies as readable plain text, with the standard library's tolerant parser.

The output is text only: tags, scripts, styles and comments never reach it; entities are
decoded, so a literal "<" typed by the sender stays a "<" for the template to escape.
"""

import re
from html.parser import HTMLParser
from typing import Final

_SKIPPED: Final = frozenset({"script", "style", "head", "title", "noscript", "template", "svg"})
_BLOCKS: Final = frozenset(
    {"p", "div", "section", "article", "header", "footer", "blockquote", "pre", "table"}
    | {"ul", "ol", "dl", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "form", "center", "address"}
)
_LINES: Final = frozenset({"tr", "dt", "dd", "li", "caption"})
_VOID: Final = frozenset({"br", "img", "hr", "meta", "link", "input", "col", "area", "base", "wbr"})
_SAFE_SCHEMES: Final = ("http://", "https://", "mailto:", "tel:")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0
        self.pre_depth = 0
        self.cells_in_row = 0
        self.link_href = ""
        self.link_start = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.skip_depth = 0  # an unclosed <head> must not swallow the body
            return
        if tag in _SKIPPED:
            self.skip_depth += 1
            return
        if tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCKS:
            self.parts.append("\n\n")
            if tag == "pre":
                self.pre_depth += 1
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in _LINES:
            self.parts.append("\n")
            self.cells_in_row = 0
        elif tag in {"td", "th"}:
            if self.cells_in_row:
                self.parts.append(" | ")
            self.cells_in_row += 1
        elif tag == "a":
            self.link_href = (dict(attrs).get("href") or "").strip()
            self.link_start = len(self.parts)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" or tag in _BLOCKS or tag in _LINES:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n\n")
            if tag == "pre":
                self.pre_depth = max(0, self.pre_depth - 1)
        elif tag == "a" and self.link_href:
            self._close_link()

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        if not self.pre_depth:
            data = re.sub(r"[ \t\r\n\f]+", " ", data)
        self.parts.append(data.replace("\xa0", " "))

    def _close_link(self) -> None:
        href, self.link_href = self.link_href, ""
        if not href.lower().startswith(_SAFE_SCHEMES):
            return
        label = "".join(self.parts[self.link_start :]).strip()
        shown = href[7:] if href.lower().startswith("mailto:") else href
        if label not in {href, shown}:
            self.parts.append(f" ({shown})" if label else shown)


def html_to_text(html: str) -> str:
    """Readable text of an HTML body: paragraphs, line breaks, list items and table rows
    survive as lines; link targets follow their text in parentheses when they differ."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    lines = [line.strip(" ") for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
