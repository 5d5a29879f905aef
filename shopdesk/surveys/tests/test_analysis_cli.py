"""`shopdesk survey analyze` on small CSVs in a tmp dir."""

import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shopdesk.cli import translate_argv
from shopdesk.surveys.analysis.csvfile import binary_column, parse_numbers, read_csv_table


def _write(tmp_path, header, rows, *, name="s.csv", delimiter=",", encoding="utf-8"):
    path = tmp_path / name
    lines = [delimiter.join(header)] + [delimiter.join(str(v) for v in r) for r in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def _survey(n=60, seed=5):
    rng = np.random.default_rng(seed)
    base = rng.normal(size=n)
    speed = np.clip(np.round(3 + base + rng.normal(scale=0.7, size=n)), 1, 5).astype(int)
    staff = np.clip(np.round(3 + 0.5 * base + rng.normal(scale=0.9, size=n)), 1, 5).astype(int)
    overall = np.clip(np.round(3 + base + rng.normal(scale=0.5, size=n)), 1, 5).astype(int)
    channel = np.where(np.arange(n) % 2 == 0, "app", "web")
    return speed, staff, overall, channel


def _analyze(path, *args):
    out = StringIO()
    call_command("survey_analyze", str(path), *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_the_json_has_the_issue_shape_and_values(tmp_path):
    # given
    speed, staff, overall, channel = _survey()
    rows = list(zip(overall, speed, staff, channel, ["物流很快"] * 60, strict=True))
    path = _write(tmp_path, ["overall", "speed", "staff", "channel", "comment"], rows)

    # when
    report = _analyze(path, "--overall", "overall", "--segment", "channel", "--text", "comment")

    # then
    assert report["n"] == 60
    assert report["overall_mean"] == pytest.approx(overall.mean(), abs=1e-6)
    assert [it["name"] for it in report["items"]] == ["speed", "staff"]  # text columns left out
    speed_item = report["items"][0]
    assert set(speed_item) >= {"name", "mean", "top2", "correlation", "importance", "rank"}
    assert speed_item["mean"] == pytest.approx(speed.mean(), abs=1e-6)
    assert speed_item["top2"] == pytest.approx(np.mean(speed >= 4), abs=1e-6)
    assert speed_item["correlation"] == pytest.approx(np.corrcoef(speed, overall)[0, 1], abs=1e-6)
    assert sum(it["importance"] for it in report["items"]) == pytest.approx(100.0, abs=1e-3)
    assert sorted(it["rank"] for it in report["items"]) == [1, 2]
    assert 0 < report["r2"] < 1
    assert [g["name"] for g in report["segments"]] == ["app", "web"]
    assert report["segment_test"]["test"] == "welch_t"
    themes = {t["keyword"]: t for t in report["themes"]}
    assert themes["物流"]["share"] == pytest.approx(1.0)
    assert themes["物流"]["sentiment"] == pytest.approx(1.0)
    assert report["csat"] == pytest.approx(np.mean(overall >= 4), abs=1e-6)
    assert "error" not in report


def test_a_two_valued_text_overall_becomes_1_and_0(tmp_path):
    # given: GB18030, semicolons, 满意 / 不满意
    speed, staff, overall, _channel = _survey()
    verdict = np.where(overall >= 4, "满意", "不满意")
    rows = list(zip(verdict, speed, staff, strict=True))
    path = _write(tmp_path, ["总体", "速度", "态度"], rows, delimiter=";", encoding="gb18030")

    # when
    report = _analyze(path, "--overall", "总体")

    # then
    assert report["encoding"] == "gb18030"
    assert report["delimiter"] == ";"
    assert report["overall_binary"]["one"] == "满意"
    assert report["overall_mean"] == pytest.approx(np.mean(overall >= 4), abs=1e-6)
    assert [it["name"] for it in report["items"]] == ["速度", "态度"]


def test_too_few_rows_says_how_many_are_needed(tmp_path):
    # given: 12 rows, 2 items -> 30 needed
    path = _write(
        tmp_path, ["overall", "a", "b"], [[i % 5 + 1, i % 4 + 1, i % 3 + 1] for i in range(12)]
    )

    # when
    report = _analyze(path, "--overall", "overall")

    # then
    assert report["needed"] == 30
    assert "30" in report["error"]
    assert report["r2"] is None
    assert report["items"][0]["correlation"] is not None  # 12 pairs are enough for r


def test_a_missing_column_lists_the_columns(tmp_path):
    path = _write(tmp_path, ["overall", "a"], [[1, 2]])
    with pytest.raises(CommandError, match="the columns are: overall, a"):
        _analyze(path, "--overall", "nps")


def test_a_non_numeric_item_is_refused_by_name(tmp_path):
    path = _write(tmp_path, ["overall", "a", "note"], [[1, 2, "x"], [2, 3, "y"]])
    with pytest.raises(CommandError, match="note"):
        _analyze(path, "--overall", "overall", "--items", "a,note")


def test_the_readable_table(tmp_path):
    # given
    speed, staff, overall, channel = _survey()
    path = _write(tmp_path, ["overall", "speed", "staff"], zip(overall, speed, staff, strict=True))
    out = StringIO()

    # when
    call_command("survey_analyze", str(path), "--overall", "overall", stdout=out)

    # then
    text = out.getvalue()
    assert "60 responses" in text
    assert "speed" in text
    assert "R²" in text


def test_reading_utf8_bom_tab_and_ninety_percent_numbers(tmp_path):
    # given: a BOM, tabs, one "n/a" and one stray word among 10 values in column a
    rows = [[i % 5 + 1, i] for i in range(8)] + [[1, "n/a"], [2, "abc"]]
    path = _write(tmp_path, ["overall", "a"], rows, delimiter="\t", encoding="utf-8-sig")

    # when
    table = read_csv_table(path)
    a = parse_numbers(table.column("a"))

    # then
    assert table.header == ["overall", "a"]
    assert table.delimiter == "\t"
    assert (a.non_empty, a.parsed) == (9, 8)
    assert not a.is_numeric  # 8 of 9 < 90 %
    assert parse_numbers(["1", "2", "", "x", "3", "4", "5", "6", "7", "8", "9", "10"]).is_numeric


def test_binary_rule_without_a_positive_word_takes_the_more_frequent():
    col = binary_column(["A", "B", "B", ""])
    assert col is not None
    assert (col.one, col.zero) == ("B", "A")
    assert np.isnan(col.values[3])
    yes = binary_column(["no", "yes", "no"])
    assert yes is not None
    assert yes.one == "yes"
    assert binary_column(["a", "b", "c"]) is None


def test_the_cli_word_survey_maps_to_the_command():
    assert translate_argv(["shopdesk", "survey", "analyze", "f.csv"])[1] == "survey_analyze"
