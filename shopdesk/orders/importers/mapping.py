"""The mapping file of a csv/jsonl import: which source column feeds which order field.

See docs/import.md for the reference and docs/mappings/ for examples.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from shopdesk.orders.importers.pipeline import ImportFileError
from shopdesk.orders.importers.staging import ORDER_TIMESTAMPS
from shopdesk.orders.states import Carrier, OrderStatus

TARGETS = frozenset(
    {
        "order_number",
        "status",
        "currency",
        *ORDER_TIMESTAMPS,
        *(f"customer_{part}" for part in ("id", "name", "phone", "email", "address")),
        *(f"customer_{part}" for part in ("city", "region")),
        *(f"merchant_{part}" for part in ("id", "name", "city", "region")),
        "line_no",
        "sku",
        "product_name",
        "category",
        "quantity",
        "unit_price",
        "freight",
        "carrier",
        "tracking_number",
        "freight_insurance",
    }
)
REQUIRED = ("order_number", "placed_at", "sku", "unit_price")
DEFAULT_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M", "%Y%m%d%H%M%S")
DEFAULT_TRUE = ("1", "true", "yes", "y", "是", "有", "已投保")


@dataclass(frozen=True)
class Mapping:
    fields: dict[str, str]
    source: str = ""
    status_map: dict[str, str] | None = None
    carrier_map: dict[str, str] | None = None
    datetime_formats: tuple[str, ...] = DEFAULT_FORMATS
    currency: str = "CNY"
    timezone: str = ""
    true_values: frozenset[str] = frozenset(DEFAULT_TRUE)
    defaults: dict[str, str] | None = None
    delimiter: str = ","


def _fail(path: Path, problem: str) -> ImportFileError:
    return ImportFileError(_("Mapping %(path)s: %(problem)s") % {"path": path, "problem": problem})


def _str_dict(path: Path, raw: Any, name: str) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
    ):
        raise _fail(path, _('"%(name)s" must be an object of strings.') % {"name": name})
    return {k.strip(): v.strip() for k, v in raw.items()}


def _check_values(path: Path, mapping: Mapping) -> None:
    bad_status = sorted(set((mapping.status_map or {}).values()) - set(OrderStatus.values))
    if bad_status:
        raise _fail(
            path,
            _("status_map values must be one of %(ok)s, not %(bad)s.")
            % {"ok": ", ".join(OrderStatus.values), "bad": ", ".join(bad_status)},
        )
    bad_carrier = sorted(set((mapping.carrier_map or {}).values()) - set(Carrier.values))
    if bad_carrier:
        raise _fail(
            path,
            _("carrier_map values must be one of %(ok)s, not %(bad)s.")
            % {"ok": ", ".join(Carrier.values), "bad": ", ".join(bad_carrier)},
        )
    if len(mapping.currency) != 3:
        raise _fail(path, _('"currency" must be a 3-letter code such as CNY.'))


def load_mapping(path: Path) -> Mapping:
    """Read and check a mapping file; raises ImportFileError saying what to fix."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise _fail(path, _("file not found.")) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _fail(path, _("not a readable JSON file (%(error)s).") % {"error": exc}) from None
    if not isinstance(raw, dict):
        raise _fail(path, _("the file must hold one JSON object."))
    fields = _str_dict(path, raw.get("fields"), "fields")
    unknown = sorted(set(fields) - TARGETS)
    if unknown:
        raise _fail(
            path,
            _("unknown target field(s) %(bad)s; known: %(ok)s.")
            % {"bad": ", ".join(unknown), "ok": ", ".join(sorted(TARGETS))},
        )
    defaults = _str_dict(path, raw.get("defaults"), "defaults")
    missing = [name for name in REQUIRED if not fields.get(name) and name not in defaults]
    if missing:
        raise _fail(path, _('"fields" must map %(names)s.') % {"names": ", ".join(missing)})
    formats = raw.get("datetime_formats", list(DEFAULT_FORMATS))
    if isinstance(formats, str):
        formats = [formats]
    if not isinstance(formats, list) or not all(isinstance(f, str) for f in formats):
        raise _fail(path, _('"datetime_formats" must be a list of strftime formats.'))
    true_values = raw.get("true_values", list(DEFAULT_TRUE))
    if not isinstance(true_values, list):
        raise _fail(path, _('"true_values" must be a list of strings.'))
    mapping = Mapping(
        fields={k: v for k, v in fields.items() if v},
        source=str(raw.get("source", "")).strip(),
        status_map=_str_dict(path, raw.get("status_map"), "status_map"),
        carrier_map=_str_dict(path, raw.get("carrier_map"), "carrier_map"),
        datetime_formats=tuple(formats),
        currency=str(raw.get("currency", "CNY")).strip().upper(),
        timezone=str(raw.get("timezone", "")).strip(),
        true_values=frozenset(str(v).strip().casefold() for v in true_values),
        defaults=defaults,
        delimiter=str(raw.get("delimiter", ",")),
    )
    if len(mapping.delimiter) != 1:
        raise _fail(path, _('"delimiter" must be one character, e.g. "," or "\\t".'))
    _check_values(path, mapping)
    return mapping
