"""Apps above `orders` that read more of an Olist folder (the surveys app reads the order
reviews) register here from their AppConfig.ready(); the import runs them after the orders are
in, so the reviews find their orders. Dependencies keep pointing one way."""

from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

# (folder, source name of the imported orders) -> a summary for the import report
AfterOlistImport = Callable[[Path, str], dict[str, Any]]

_AFTER_OLIST: Final[dict[str, AfterOlistImport]] = {}


def after_olist_import_register(name: str, hook: AfterOlistImport) -> None:
    """Add (or replace, by name) a step run after each Olist-layout import."""
    _AFTER_OLIST[name] = hook


def after_olist_import_run(folder: Path, source: str) -> dict[str, Any]:
    return {name: hook(folder, source) for name, hook in _AFTER_OLIST.items()}
