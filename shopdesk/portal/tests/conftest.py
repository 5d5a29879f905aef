from collections.abc import Iterator

import pytest

from shopdesk.notifications import backends


@pytest.fixture(autouse=True)
def _empty_sms_outbox() -> Iterator[None]:
    backends.outbox.clear()
    yield
    backends.outbox.clear()
