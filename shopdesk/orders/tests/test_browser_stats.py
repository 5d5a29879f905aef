"""The order-processing speed page in a real headless Chromium: figures, target, charts."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from shopdesk.accounts.roles import Role
from shopdesk.accounts.tests.factories import UserFactory
from shopdesk.core.tests.browser import log_in, screenshot
from shopdesk.orders.tests.factories import OrderFactory

pytestmark = pytest.mark.browser

ECHARTS = Path(settings.BASE_DIR) / "shopdesk" / "static" / "vendor" / "echarts.min.js"


def test_supervisor_sees_on_time_rate_and_stage_charts(page):
    # given three delivered orders, one of them after its promised time
    supervisor = UserFactory(role=Role.SUPERVISOR)
    placed = timezone.now() - timedelta(days=10)
    for late in (False, False, True):
        OrderFactory(
            placed_at=placed,
            approved_at=placed + timedelta(hours=2),
            shipped_at=placed + timedelta(hours=20),
            delivered_at=placed + timedelta(days=3),
            promised_delivery_at=placed + timedelta(days=2 if late else 4),
        )
    log_in(page, supervisor.username)
    # when
    page.goto("/orders/stats/")
    # then the on-time rate is 2 of 3, shown against its target
    kpi = page.locator("#kpi-on-time")
    assert "66.7" in kpi.inner_text()
    assert "95" in kpi.inner_text()
    assert page.locator("#stage-table tbody tr").count() >= 4
    if ECHARTS.exists():
        # the charts are drawn by ECharts into canvases once the script has loaded
        page.wait_for_selector("#stage-chart canvas")
        assert page.locator("#status-chart canvas").count() == 1
        page.wait_for_timeout(1500)  # let the chart animation finish for the screenshot
    screenshot(page, "orders-stats-zh")
