from collections.abc import Iterator

import pytest
from django.core.cache import cache

from shopdesk.accounts.models import Team
from shopdesk.chat.bots import _load
from shopdesk.tickets.sla import sla_cache_clear
from shopdesk.tickets.tests.factories import BusinessCalendarFactory


@pytest.fixture(autouse=True)
def _fresh_chat_state(settings, db) -> Iterator[None]:
    """Typing marks, revisions and the bot live in the cache or per process: start clean."""
    settings.SHOPDESK_CHAT_BOT = None
    cache.clear()
    _load.cache_clear()
    sla_cache_clear()
    # The seeded service team keeps office hours; a test decides for itself when it is closed.
    Team.objects.filter(code="service").update(calendar=BusinessCalendarFactory(is_24x7=True))
    yield
    cache.clear()
    _load.cache_clear()
    sla_cache_clear()
