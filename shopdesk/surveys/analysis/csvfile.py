"""Reading any CSV for analysis: encoding, delimiter, numeric columns, a two-valued overall.

UTF-8 (with or without BOM) is tried first, then GB18030 (which covers GBK and GB2312, as
Excel saves in China). The delimiter is sniffed among comma, semicolon and tab. Columns are read
with the csv module and turned into numpy arrays column by column.
"""

import csv
import io
import itertools
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from shopdesk.core.errors import DomainError
from shopdesk.surveys.analysis.drivers import DriverItem, KeyDrivers, key_drivers
from shopdesk.surveys.analysis.scores import (
    CSAT_SCALE,
    NPS_SCALE,
    FloatArray,
    guess_scale,
    nps,
    safe_mean,
    top2_share,
)
from shopdesk.surveys.analysis.segments import SegmentComparison, segment_compare
from shopdesk.surveys.analysis.themes import polarity, themes, tokenize
from shopdesk.surveys.analysis.trend import trend
from shopdesk.surveys.errors import SurveysErrorCode

NUMERIC_SHARE = 0.9
MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "-", "—"})
YES_WORDS = frozenset({"yes", "y", "true", "t", "是", "对", "有", "已解决", "解决", "solved"})
NO_WORDS = frozenset({"no", "n", "false", "f", "否", "不是", "没有", "未解决", "unsolved"})


@dataclass(frozen=True)
class CsvTable:
    path: str
    encoding: str
    delimiter: str
    header: list[str]
    columns: dict[str, list[str]]
    rows: int

    def column(self, name: str) -> list[str]:
        """The column's raw text; a missing column lists the ones there are."""
        if name not in self.columns:
            raise DomainError(
                _("No column '%(name)s' in %(path)s; the columns are: %(columns)s")
                % {"name": name, "path": self.path, "columns": ", ".join(self.header)},
                code=SurveysErrorCode.BAD_MAPPING,
            )
        return self.columns[name]


def csv_decode(data: bytes, path: str) -> tuple[str, str]:
    """The text of a CSV file and its encoding: UTF-8 (with or without BOM), else GB18030."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), "utf-8" if encoding == "utf-8-sig" else encoding
        except UnicodeDecodeError:
            continue
    raise DomainError(  # GB18030 decodes nearly anything: this is a binary file
        _("%(path)s is neither UTF-8 nor GB18030 text: save it as CSV (UTF-8).") % {"path": path},
        code=SurveysErrorCode.BAD_MAPPING,
    )


def csv_delimiter(text: str) -> str:
    """Comma, semicolon or tab, sniffed from the start of the text."""
    sample = text[:20000]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        first = sample.split("\n", 1)[0]
        return max(",;\t", key=first.count)


def read_csv_table(path: str | Path) -> CsvTable:
    """Read the whole file into text columns named by the header row.

    Raises DomainError when the file is missing, not text, or has no header.
    """
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise DomainError(
            _("Cannot read %(path)s: %(reason)s") % {"path": name, "reason": exc.strerror},
            code=SurveysErrorCode.BAD_MAPPING,
        ) from exc
    text, encoding = csv_decode(data, name)
    delimiter = csv_delimiter(text)
    rows = [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if row]
    if not rows:
        raise DomainError(
            _("%(path)s is empty: the first row must name the columns.") % {"path": name},
            code=SurveysErrorCode.BAD_MAPPING,
        )
    header = [h.strip() or f"column_{i + 1}" for i, h in enumerate(rows[0])]
    body = rows[1:]
    width = max([len(header), *(len(r) for r in body[:1000])])
    header += [f"column_{i + 1}" for i in range(len(header), width)]
    if body:
        transposed = list(itertools.zip_longest(*body, fillvalue=""))[: len(header)]
    else:
        transposed = [() for _h in header]
    columns = {h: list(col) for h, col in zip(header, transposed, strict=False)}
    for h in header:
        columns.setdefault(h, [""] * len(body))
    return CsvTable(
        path=name,
        encoding=encoding,
        delimiter=delimiter,
        header=header,
        columns=columns,
        rows=len(body),
    )


@dataclass(frozen=True)
class NumericColumn:
    values: FloatArray  # NaN where empty or not a number
    non_empty: int
    parsed: int

    @property
    def is_numeric(self) -> bool:
        """At least 90 % of the non-empty values are numbers."""
        return self.non_empty > 0 and self.parsed >= NUMERIC_SHARE * self.non_empty


def parse_numbers(raw: list[str]) -> NumericColumn:
    """Numbers of a text column; blanks and NA/null/- are missing (NaN)."""
    text = np.char.strip(np.asarray(raw, dtype=str))
    blank = text == ""
    try:  # the fast path: every value a number or blank
        values = np.where(blank, "nan", text).astype(np.float64)
        non_empty = int(np.count_nonzero(~blank))
    except ValueError:
        missing = np.isin(np.char.lower(text), list(MISSING))
        non_empty = int(np.count_nonzero(~missing))
        values = np.full(text.size, np.nan)
        for i in np.flatnonzero(~missing):
            try:
                values[i] = float(text[i])
            except ValueError:
                continue
    values[~np.isfinite(values)] = np.nan
    parsed = int(np.count_nonzero(~np.isnan(values)))
    return NumericColumn(values=values, non_empty=non_empty, parsed=parsed)


@dataclass(frozen=True)
class BinaryColumn:
    values: FloatArray  # 1, 0 or NaN
    one: str
    zero: str
    rule: str


def _reads_positive(value: str) -> int:
    low = value.strip().lower()
    if low in YES_WORDS:
        return 1
    if low in NO_WORDS:
        return -1
    p = polarity(tokenize(value))
    return 1 if p > 0 else -1 if p < 0 else 0


def binary_column(raw: list[str]) -> BinaryColumn | None:
    """A text column with exactly two values as 1/0; None when it has another count of values.

    The value that becomes 1: the one that reads positive (yes/true/是, or a positive word such
    as satisfied/满意 without a negation) when the other does not; otherwise the more frequent
    one (on a tie, the first in sorted order).
    """
    text = [v.strip() for v in raw]
    counts = Counter(v for v in text if v.lower() not in MISSING)
    if len(counts) != 2:
        return None
    (a, count_a), (b, count_b) = sorted(counts.items())
    sign_a, sign_b = _reads_positive(a), _reads_positive(b)
    if sign_a != sign_b:
        one, zero = (a, b) if sign_a > sign_b else (b, a)
        rule = _("'%(one)s' reads positive, so it is 1") % {"one": one}
    else:
        one, zero = (a, b) if count_a >= count_b else (b, a)
        rule = _("neither value reads positive: the more frequent '%(one)s' is 1") % {"one": one}
    arr = np.asarray(text, dtype=str)
    values = np.where(arr == one, 1.0, np.where(arr == zero, 0.0, np.nan))
    return BinaryColumn(values=values, one=one, zero=zero, rule=rule)


def _r(value: float | None) -> float | None:
    """8 significant digits, so that a p-value of 1e-20 stays 1e-20, not 0."""
    return None if value is None or not np.isfinite(value) else float(f"{value:.8g}")


def _overall(table: CsvTable, name: str) -> tuple[FloatArray, dict[str, object]]:
    raw = table.column(name)
    numbers = parse_numbers(raw)
    if numbers.is_numeric:
        return numbers.values, {}
    binary = binary_column(raw)
    if binary is None:
        raise DomainError(
            _(
                "The overall column '%(name)s' is neither numbers nor two values (such as "
                "satisfied / not satisfied): give a numeric column or a two-valued one."
            )
            % {"name": name},
            code=SurveysErrorCode.BAD_MAPPING,
        )
    return binary.values, {"one": binary.one, "zero": binary.zero, "rule": binary.rule}


def item_columns(
    table: CsvTable, *, items: list[str] | None, exclude: set[str]
) -> tuple[dict[str, FloatArray], list[str]]:
    """The item columns as numbers; without a list, every numeric column not excluded.

    Returns the columns and the names of the columns passed over as not numeric.
    """
    if items:
        found = {name: parse_numbers(table.column(name)) for name in items}
        bad = [name for name, col in found.items() if not col.is_numeric]
        if bad:
            raise DomainError(
                _("These item columns are not numeric (under 90 %% numbers): %(names)s")
                % {"names": ", ".join(bad)},
                code=SurveysErrorCode.BAD_MAPPING,
            )
        return {name: col.values for name, col in found.items()}, []
    chosen: dict[str, FloatArray] = {}
    skipped: list[str] = []
    for name in table.header:
        if name in exclude:
            continue
        col = parse_numbers(table.columns[name])
        if col.is_numeric:
            chosen[name] = col.values
        else:
            skipped.append(name)
    return chosen, skipped


def _item_dict(it: DriverItem) -> dict[str, Any]:
    c = it.correlation
    return {
        "name": it.name,
        "n": it.n_answers,
        "mean": _r(it.mean),
        "top2": _r(it.top2),
        "score": _r(it.score),
        "correlation": _r(c.r),
        "ci": [_r(c.ci_low), _r(c.ci_high)] if c.r is not None else None,
        "p": _r(c.p),
        "importance": _r(it.importance),
        "raw_weight": _r(it.raw_weight),
        "shapley": _r(it.shapley),
        "shapley_pct": _r(it.shapley_pct),
        "coefficient": _r(it.coefficient),
        "rank": it.rank,
        "quadrant": it.quadrant,
    }


def _drivers_dict(drivers: KeyDrivers) -> dict[str, Any]:
    out: dict[str, Any] = {
        "drivers_n": drivers.n,
        "drivers_dropped": drivers.n_dropped,
        "items": [_item_dict(it) for it in drivers.items],
        "r2": _r(drivers.r2),
        "adj_r2": _r(drivers.adj_r2),
        "fix_first": drivers.fix_first,
    }
    if not drivers.enough:
        out["error"], out["needed"] = drivers.message, drivers.needed
    return out


def _segments_dict(result: SegmentComparison) -> dict[str, Any]:
    test = {
        k: _r(v) if isinstance(v, float) else v
        for k, v in asdict(result).items()
        if k not in {"groups", "notes"}
    }
    groups = [
        {k: _r(v) if isinstance(v, float) else v for k, v in asdict(g).items()}
        for g in result.groups
    ]
    return {"segments": groups, "segment_test": test, "segment_notes": result.notes}


def analyze_csv(
    path: str | Path,
    *,
    overall: str,
    items: list[str] | None = None,
    segment: str | None = None,
    text: str | None = None,
    date: str | None = None,
    period: str = "month",
) -> dict[str, Any]:
    """Everything `shopdesk survey analyze` prints, as one JSON-ready dict.

    Raises DomainError for an unreadable file or a missing or unusable column.
    """
    table = read_csv_table(path)
    y, binary = _overall(table, overall)
    scale = guess_scale(y)
    exclude = {overall, *(c for c in (segment, text, date) if c)}
    columns, skipped = item_columns(table, items=items, exclude=exclude)
    drivers = key_drivers(columns, y)
    report: dict[str, Any] = {
        "file": table.path,
        "encoding": table.encoding,
        "delimiter": table.delimiter,
        "rows": table.rows,
        "n": int(np.count_nonzero(~np.isnan(y))),
        "overall": overall,
        "overall_mean": _r(safe_mean(y)),
        "overall_scale": list(scale),
        "overall_top2": _r(top2_share(y, scale=scale)),
    }
    if binary:
        report["overall_binary"] = binary
    if scale == CSAT_SCALE:
        report["csat"] = _r(top2_share(y, scale=scale))
    if scale == NPS_SCALE:
        report["nps"] = asdict(nps(y))
    report |= _drivers_dict(drivers)
    report["notes"] = drivers.notes + (
        [_("Not numeric, not used as items: %(names)s") % {"names": ", ".join(skipped)}]
        if skipped
        else []
    )
    report["segments"] = []
    if segment:
        report |= _segments_dict(segment_compare(y, table.column(segment), scale=scale))
    if text:
        found = themes(table.column(text), scores=y)
        report["themes"] = [asdict(t) for t in found.themes]
    if date:
        rows = trend(table.column(date), y, period=period, scale=scale)
        report["trend"] = [asdict(p) for p in rows]
    return report
