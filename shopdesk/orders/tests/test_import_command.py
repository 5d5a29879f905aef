import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shopdesk.cli import translate_argv
from shopdesk.orders.importers.synthetic import write_olist_folder
from shopdesk.orders.models import Order, OrderItem

FIXTURES = Path(__file__).parent / "fixtures"


def test_cli_maps_import_orders():
    # given / when / then
    assert translate_argv(["shopdesk", "import", "orders", "x", "--format", "olist"]) == [
        "shopdesk",
        "import_orders",
        "x",
        "--format",
        "olist",
    ]


@pytest.mark.django_db
def test_missing_folder_is_a_command_error(tmp_path):
    # given / when / then
    with pytest.raises(CommandError, match="does not exist"):
        call_command("import_orders", str(tmp_path / "nope"), "--format", "olist")


@pytest.mark.django_db
def test_folder_without_the_olist_files_names_them(tmp_path):
    # given / when / then
    with pytest.raises(CommandError, match="olist_orders_dataset.csv"):
        call_command("import_orders", str(tmp_path), "--format", "olist")


@pytest.mark.django_db
def test_csv_without_mapping_is_a_command_error():
    # given / when / then
    with pytest.raises(CommandError, match="--mapping"):
        call_command("import_orders", str(FIXTURES / "taobao_gbk.csv"), "--format", "csv")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not a readable JSON"),
        ('{"fields": {"order_number": "a"}}', "must map placed_at, sku, unit_price"),
        ('{"fields": {"order_nr": "a"}}', "unknown target field"),
        (
            '{"fields": {"order_number": "a", "placed_at": "b", "sku": "c", "unit_price": "d"},'
            ' "status_map": {"x": "lost"}}',
            "status_map values",
        ),
    ],
)
def test_bad_mapping_is_a_command_error(tmp_path, content, message):
    # given
    mapping = tmp_path / "m.json"
    mapping.write_text(content, encoding="utf-8")

    # when / then
    with pytest.raises(CommandError, match=message):
        call_command(
            "import_orders",
            str(FIXTURES / "taobao_gbk.csv"),
            "--format",
            "csv",
            "--mapping",
            str(mapping),
        )


@pytest.mark.django_db
def test_missing_mapping_file_is_a_command_error(tmp_path):
    # given / when / then
    with pytest.raises(CommandError, match="file not found"):
        call_command(
            "import_orders",
            str(FIXTURES / "taobao_gbk.csv"),
            "--format",
            "csv",
            "--mapping",
            str(tmp_path / "absent.json"),
        )


@pytest.mark.django_db
def test_mapped_column_missing_from_header_is_a_command_error(tmp_path):
    # given
    mapping = tmp_path / "m.json"
    mapping.write_text(
        json.dumps(
            {"fields": {"order_number": "单号", "placed_at": "b", "sku": "c", "unit_price": "d"}}
        ),
        encoding="utf-8",
    )

    # when / then
    with pytest.raises(CommandError, match="has no column 单号"):
        call_command(
            "import_orders",
            str(FIXTURES / "taobao_gbk.csv"),
            "--format",
            "csv",
            "--mapping",
            str(mapping),
        )


@pytest.mark.django_db
def test_synthetic_folder_imports_and_prints_one_json_object(tmp_path):
    # given
    write_olist_folder(tmp_path, orders=300, seed=3)
    out = StringIO()

    # when
    call_command(
        "import_orders",
        str(tmp_path),
        "--format",
        "olist",
        "--json",
        "--batch-size",
        "64",
        stdout=out,
    )

    # then
    summary = json.loads(out.getvalue())
    assert summary["orders"] == 300 == Order.objects.count()
    assert summary["items"] == OrderItem.objects.count()
    assert 1.0 < summary["items"] / summary["orders"] < 1.4
    assert summary["rejected"] == 0


@pytest.mark.django_db
def test_text_summary_without_json():
    # given
    out = StringIO()

    # when
    call_command("import_orders", str(FIXTURES / "olist"), "--format", "olist", stdout=out)

    # then
    text = out.getvalue()
    assert "olist_orders_dataset.csv:5:" in text
    assert not text.lstrip().startswith("{")


def test_synthetic_folder_is_deterministic(tmp_path):
    # given
    write_olist_folder(tmp_path / "a", orders=200, seed=5)
    write_olist_folder(tmp_path / "b", orders=200, seed=5)

    # when
    files = sorted(p.name for p in (tmp_path / "a").iterdir())

    # then
    assert len(files) == 5
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
