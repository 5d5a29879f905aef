import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from shopdesk.core.errors import DomainError
from shopdesk.orders import stats_views
from shopdesk.orders.states import OrderStatus
from shopdesk.orders.stats import order_processing_stats, percentile_cont
from shopdesk.orders.tests.factories import OrderFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
# Five orders with known stage durations in hours: (review, outbound, delivery, late?)
KNOWN = [
    (1, 10, 20, False),
    (2, 20, 30, False),
    (3, 30, 40, True),
    (4, 40, 50, False),
    (10, 50, 60, True),
]


def _known_orders(merchant=None):
    orders = []
    for n, (review, outbound, delivery, late) in enumerate(KNOWN):
        placed = T0 + timedelta(days=n)
        approved = placed + timedelta(hours=review)
        shipped = approved + timedelta(hours=outbound)
        delivered = shipped + timedelta(hours=delivery)
        promised = delivered + timedelta(hours=-1 if late else 0)  # equal counts as on time
        extra = {"merchant": merchant} if merchant else {}
        orders.append(
            OrderFactory(
                placed_at=placed,
                approved_at=approved,
                shipped_at=shipped,
                delivered_at=delivered,
                promised_delivery_at=promised,
                **extra,
            )
        )
    return orders


def test_percentile_cont_interpolates_linearly():
    # given sorted values 1, 2, 3, 4, 10
    values = [1.0, 2.0, 3.0, 4.0, 10.0]
    # when / then: h = (n - 1) p; p90 -> h = 3.6 -> 4 + 0.6 * (10 - 4)
    assert percentile_cont(values, 0.5) == 3.0
    assert percentile_cont(values, 0.9) == pytest.approx(7.6)
    assert percentile_cont([5.0], 0.9) == 5.0
    assert percentile_cont([], 0.5) is None


@pytest.mark.django_db
def test_stats_match_hand_computed_values():
    # given five delivered orders with known durations, two of them late
    _known_orders()
    # when
    stats = order_processing_stats(user=None, date_from=None, date_to=None, merchant_id=None)
    # then
    review, outbound, delivery, cycle = stats.stages
    assert (review.count, review.mean_hours, review.median_hours) == (5, 4.0, 3.0)
    assert review.p90_hours == pytest.approx(7.6)  # 4 + 0.6 * (10 - 4)
    assert (outbound.mean_hours, outbound.median_hours) == (30.0, 30.0)
    assert outbound.p90_hours == pytest.approx(46.0)  # 40 + 0.6 * 10
    assert (delivery.mean_hours, delivery.median_hours) == (40.0, 40.0)
    assert delivery.p90_hours == pytest.approx(56.0)
    # whole cycles: 31, 52, 73, 94, 120
    assert cycle.mean_hours == pytest.approx(74.0)
    assert cycle.median_hours == pytest.approx(73.0)
    assert cycle.p90_hours == pytest.approx(94 + 0.6 * 26)
    assert stats.status_counts[OrderStatus.DELIVERED] == 5
    assert stats.order_count == 5
    assert (stats.delivered_with_promise, stats.delivered_on_time) == (5, 3)
    assert stats.on_time_rate == pytest.approx(0.6)
    assert stats.meets_on_time_target is False


@pytest.mark.django_db
def test_stage_skips_orders_missing_a_timestamp_and_counts_every_status():
    # given one cancelled order that was never reviewed, and one known order
    OrderFactory(
        status=OrderStatus.CANCELLED,
        placed_at=T0,
        approved_at=None,
        shipped_at=None,
        delivered_at=None,
        cancelled_at=T0 + timedelta(hours=1),
    )
    OrderFactory(placed_at=T0, approved_at=T0 + timedelta(hours=2))
    # when
    stats = order_processing_stats(user=None)
    # then
    assert stats.stages[0].count == 1
    assert stats.stages[0].mean_hours == 2.0
    assert stats.status_counts == {
        "placed": 0,
        "paid": 0,
        "approved": 0,
        "shipped": 0,
        "delivered": 1,
        "completed": 0,
        "cancelled": 1,
    }


@pytest.mark.django_db
def test_empty_selection_gives_nulls_not_errors():
    # given no orders
    # when
    stats = order_processing_stats(user=None, date_from=date(2020, 1, 1), date_to=date(2020, 1, 2))
    # then
    assert stats.order_count == 0
    assert stats.on_time_rate is None
    assert stats.meets_on_time_target is None
    for stage in stats.stages:
        assert (stage.count, stage.mean_hours, stage.median_hours, stage.p90_hours) == (
            0,
            None,
            None,
            None,
        )


@pytest.mark.django_db
def test_dates_are_inclusive_local_days():
    # given orders placed on 2 to 6 March (Shanghai time)
    _known_orders()
    # when: 3 to 4 March, inclusive
    stats = order_processing_stats(user=None, date_from=date(2026, 3, 3), date_to=date(2026, 3, 4))
    # then: the orders of 3 and 4 March (reviews of 2 h and 3 h)
    assert stats.order_count == 2
    assert stats.stages[0].mean_hours == 2.5


@pytest.mark.django_db
def test_reversed_dates_are_refused():
    with pytest.raises(DomainError, match="after the end date"):
        order_processing_stats(user=None, date_from=date(2026, 3, 5), date_to=date(2026, 3, 4))


@pytest.mark.django_db
def test_merchant_staff_see_only_their_merchant(merchant_staff, admin_user):
    # given five orders of the staff's merchant and one of another merchant
    _known_orders(merchant=merchant_staff.merchant)
    OrderFactory(placed_at=T0)
    # when
    own = order_processing_stats(user=merchant_staff)
    everyone = order_processing_stats(user=admin_user)
    other = order_processing_stats(user=merchant_staff, merchant_id=everyone.order_count + 999)
    # then
    assert own.order_count == 5
    assert everyone.order_count == 6
    assert other.order_count == 0


@pytest.mark.django_db
def test_stats_command_prints_json(capsys):
    # given
    _known_orders()
    # when
    call_command("orders_stats", "--from", "2026-03-01", "--to", "2026-03-31", "--json")
    # then

    data = json.loads(capsys.readouterr().out)
    assert data["order_count"] == 5
    assert data["on_time_rate"] == pytest.approx(0.6)
    assert data["stages"][0]["median_hours"] == 3.0
    assert data["date_from"] == "2026-03-01"


@pytest.mark.django_db
def test_stats_command_explains_bad_dates():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("orders_stats", "--from", "03/01/2026")
    with pytest.raises(CommandError, match="swap"):
        call_command("orders_stats", "--from", "2026-03-05", "--to", "2026-03-01")


# The page --------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("customer_user", 403), ("agent", 403), ("supervisor", 200)],
)
def test_stats_page_auth_matrix(client, request, who, expected):
    # given one order, so a leak would show its count
    _known_orders()
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    # when
    response = client.get(reverse("orders:stats"))
    # then
    assert response.status_code == expected
    if expected != 200:
        assert b"stage-table" not in response.content


@pytest.mark.django_db
def test_stats_page_shows_figures_and_chart_data(client, supervisor, django_assert_max_num_queries):
    # given
    _known_orders()
    client.force_login(supervisor)
    # when
    with django_assert_max_num_queries(30):
        response = client.get(reverse("orders:stats"), {"date_from": "2026-03-01"})
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "60.0 %" in html  # on-time delivery rate, below the 95 % target
    assert 'class="badge late"' in html
    assert "7.60" in html  # review p90
    assert 'id="stats-chart-data"' in html
    assert "vendor/echarts.min.js" in html


@pytest.mark.django_db
def test_stats_page_for_merchant_staff_is_scoped(client, merchant_staff):
    # given five orders of another merchant only
    _known_orders()
    client.force_login(merchant_staff)
    # when
    response = client.get(reverse("orders:stats"))
    # then
    assert response.status_code == 200
    assert response.context["stats"].order_count == 0
    choices = list(response.context["form"].fields["merchant"].queryset)
    assert choices == [merchant_staff.merchant]


@pytest.mark.django_db
def test_stats_page_reports_bad_filter(client, supervisor):
    # given
    client.force_login(supervisor)
    # when
    response = client.get(
        reverse("orders:stats"), {"date_from": "2026-03-05", "date_to": "2026-03-01"}
    )
    # then
    assert response.status_code == 200
    assert response.context["stats"] is None
    assert "swap them" in response.content.decode()


@pytest.mark.django_db
def test_many_merchants_are_filtered_by_id(client, supervisor, monkeypatch):
    # given more merchants than a drop-down can hold (the limit lowered for the test)
    monkeypatch.setattr(stats_views, "MAX_MERCHANT_CHOICES", 3)
    orders = _known_orders()
    OrderFactory.create_batch(3, placed_at=T0)
    client.force_login(supervisor)
    # when
    response = client.get(reverse("orders:stats"), {"merchant": orders[0].merchant_id})
    # then
    html = response.content.decode()
    assert 'type="number"' in html
    assert "<option" not in html.split('name="merchant"')[1].split("</label>")[0]
    assert response.context["stats"].order_count == 1
