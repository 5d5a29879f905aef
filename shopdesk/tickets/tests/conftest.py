from collections.abc import Iterator

import pytest

from shopdesk.tickets.routing_roster import roster_cache_clear
from shopdesk.tickets.sla import sla_cache_clear


@pytest.fixture(autouse=True)
def _fresh_sla_cache() -> Iterator[None]:
    """SLA policies and calendars are cached per process; a test that turns the cache on must
    not leave its rows to the next test (database ids are reused after a rollback)."""
    sla_cache_clear()
    roster_cache_clear()
    yield
    sla_cache_clear()
    roster_cache_clear()
