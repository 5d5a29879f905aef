"""`shopdesk orders stats`: order-processing speed over all orders (the CLI has full scope)."""

from datetime import date

from shopdesk.core.stats_command import PeriodStatsCommand
from shopdesk.orders.stats import OrderProcessingStats, order_processing_stats


def _fmt(hours: float | None) -> str:
    return "-" if hours is None else f"{hours:.2f}"


class Command(PeriodStatsCommand):
    help = (
        "Order counts by status, review / outbound / delivery / whole-cycle times in hours "
        "(mean, median, p90) and the on-time delivery rate, for orders placed in [--from, --to]."
    )

    day_word = "placed"

    def compute(
        self, *, date_from: date | None, date_to: date | None, merchant_id: int | None
    ) -> OrderProcessingStats:
        return order_processing_stats(
            user=None, date_from=date_from, date_to=date_to, merchant_id=merchant_id
        )

    def table(self, stats: OrderProcessingStats) -> None:
        self._table(stats)

    def _table(self, stats: OrderProcessingStats) -> None:
        self.stdout.write(f"orders: {stats.order_count}")
        for status, count in stats.status_counts.items():
            self.stdout.write(f"  {status:<10} {count:>10}")
        self.stdout.write(f"{'stage (hours)':<34} {'n':>9} {'mean':>9} {'median':>9} {'p90':>9}")
        for s in stats.stages:
            self.stdout.write(
                f"{s.label:<34} {s.count:>9} {_fmt(s.mean_hours):>9} "
                f"{_fmt(s.median_hours):>9} {_fmt(s.p90_hours):>9}"
            )
        rate = "-" if stats.on_time_rate is None else f"{stats.on_time_rate:.2%}"
        self.stdout.write(
            f"on-time delivery rate: {rate} ({stats.delivered_on_time}/"
            f"{stats.delivered_with_promise}; target {stats.on_time_target:.0%})"
        )
