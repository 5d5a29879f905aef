"""`shopdesk survey analyze FILE.csv --overall COLUMN`: key drivers, segments, themes of any CSV."""

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from shopdesk.core.errors import DomainError
from shopdesk.surveys.analysis.csvfile import analyze_csv
from shopdesk.surveys.analysis.trend import PERIODS


def _f(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _names(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


class Command(BaseCommand):
    help = (
        "Analyse a survey CSV (UTF-8 or GB18030; comma, semicolon or tab): each item's mean, "
        "top-2 share, correlation with the overall column (95 % CI), relative importance "
        "(relative weights and Shapley R²), importance-performance quadrant, segment tests, "
        "open-text themes and trend. See docs/users/survey-analysis.md."
    )
    requires_system_checks: list[str] = []  # reads a file, touches no model

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", type=Path, help="the CSV, one response a row")
        parser.add_argument("--overall", required=True, help="the overall satisfaction column")
        parser.add_argument("--items", help="item columns, comma-separated (default: numeric)")
        parser.add_argument("--segment", help="a column of groups to compare")
        parser.add_argument("--text", help="an open-text column for themes")
        parser.add_argument("--date", help="a date column (YYYY-MM-DD...) for the trend")
        parser.add_argument("--period", choices=PERIODS, default="month", help="trend period")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = analyze_csv(
                options["path"],
                overall=options["overall"],
                items=_names(options["items"]),
                segment=options["segment"],
                text=options["text"],
                date=options["date"],
                period=options["period"],
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
        else:
            self._table(report)

    def _table(self, report: dict[str, Any]) -> None:
        w = self.stdout.write
        w(
            _("%(n)d responses; %(overall)s mean %(mean)s")
            % {"n": report["n"], "overall": report["overall"], "mean": _f(report["overall_mean"])}
        )
        if "overall_binary" in report:
            w(_("Overall as 1/0: %(rule)s.") % {"rule": report["overall_binary"]["rule"]})
        if "error" in report:
            w(f"{report['error']}")
        else:
            r2, adj = _f(report["r2"], 3), _f(report["adj_r2"], 3)
            w(f"R² {r2}  adj. R² {adj}  n {report['drivers_n']}")
        w(f"{'item':<24}{'mean':>7}{'top2':>7}{'r':>7}{'95% CI':>16}{'imp. %':>8}{'rank':>6}")
        for it in report["items"]:
            ci = it["ci"] or [None, None]
            w(
                f"{it['name'][:23]:<24}{_f(it['mean']):>7}{_f(it['top2']):>7}"
                f"{_f(it['correlation']):>7}{_f(ci[0]):>8}{_f(ci[1]):>8}"
                f"{_f(it['importance'], 1):>8}{it['rank'] or '-':>6}  {it['quadrant'] or ''}"
            )
        if report["fix_first"]:
            w(_("Fix first: %(names)s") % {"names": ", ".join(report["fix_first"])})
        self._segments(report)
        for note in report["notes"]:
            w(f"* {note}")

    def _segments(self, report: dict[str, Any]) -> None:
        w = self.stdout.write
        if report["segments"]:
            group, mean = _("group"), _("mean")
            w(f"  {group:<24}{'n':>7}{mean:>7}{'top2':>7}  p (Holm)")
        for g in report["segments"]:
            sig = {True: "*", False: "", None: _("not tested")}[g["significant"]]
            w(
                f"  {g['name'][:22]:<24}{g['n']:>7}{_f(g['mean']):>7}{_f(g['top2']):>7}"
                f"  p {_f(g['p_holm'], 3)} {sig}"
            )
        if report.get("themes"):
            keyword, share, sentiment = _("keyword"), _("share"), _("sentiment")
            w(f"  {keyword:<16}{share:>7}{sentiment:>10}")
        for theme in report.get("themes", []):
            w(f"  {theme['keyword']:<16}{theme['share']:>7.1%}{theme['sentiment']:>10.2f}")
