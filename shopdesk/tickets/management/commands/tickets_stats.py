"""`shopdesk tickets stats`: service figures over all tickets (the CLI has full scope)."""

from datetime import date

from shopdesk.core.stats_command import PeriodStatsCommand
from shopdesk.tickets.stats import ReplyTimeStats, TicketStats, ticket_stats


def _num(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


class Command(PeriodStatsCommand):
    help = (
        "Ticket figures for tickets created in [--from, --to]: counts by status, category, "
        "channel and responsible party; first-reply time (mean, median, p90, std dev, CV, peak "
        "vs off-peak); first replies within 15 minutes; resolution, SLA breach, reopen and "
        "bounce rates; mean rating and CSAT."
    )

    day_word = "created"

    def compute(
        self, *, date_from: date | None, date_to: date | None, merchant_id: int | None
    ) -> TicketStats:
        return ticket_stats(
            user=None, date_from=date_from, date_to=date_to, merchant_id=merchant_id
        )

    def table(self, stats: TicketStats) -> None:
        self._table(stats)

    def _counts(self, title: str, counts: dict[str, int]) -> None:
        self.stdout.write(f"{title}:")
        for key, count in counts.items():
            self.stdout.write(f"  {key:<24} {count:>10}")

    def _table(self, stats: TicketStats) -> None:
        self.stdout.write(f"tickets: {stats.ticket_count}")
        self._counts("by status", stats.by_status)
        self._counts("by category", stats.by_category)
        self._counts("by channel", stats.by_channel)
        self._counts("by responsible party", stats.by_party)
        header = ("first reply (minutes)", "n", "mean", "median", "p90", "std dev", "CV")
        self.stdout.write("{:<24} {:>9} {:>9} {:>9} {:>9} {:>9} {:>6}".format(*header))
        rows: tuple[tuple[str, ReplyTimeStats], ...] = (
            ("all", stats.first_reply),
            ("peak hours", stats.first_reply_peak),
            ("off-peak hours", stats.first_reply_off_peak),
        )
        for label, r in rows:
            self.stdout.write(
                f"  {label:<22} {r.count:>9} {_num(r.mean):>9} {_num(r.median):>9} "
                f"{_num(r.p90):>9} {_num(r.std_dev):>9} {_num(r.cv, 2):>6}"
            )
        rates = stats.rates
        self.stdout.write(
            f"first reply within {stats.target_minutes} min: "
            f"{_pct(rates['first_reply_within_target'])} "
            f"({stats.within_target}/{stats.within_target_due}; "
            f"target {stats.target_share:.0%})"
        )
        for label, key, value in (
            ("resolution rate", "resolution", stats.resolved),
            ("SLA breach rate", "sla_breach", stats.breached),
            ("reopen rate", "reopen", stats.reopened),
            ("handed off", "handoff", stats.handed_off),
            ("bounced at least once", "bounce", stats.bounced),
        ):
            self.stdout.write(f"{label}: {_pct(rates[key])} ({value}/{stats.ticket_count})")
        self.stdout.write(f"bounces per ticket: {_num(rates['bounces_per_ticket'], 3)}")
        self.stdout.write(
            f"mean rating: {_num(rates['mean_rating'], 2)} ({stats.rated} rated); "
            f"CSAT: {_pct(rates['csat'])} ({stats.satisfied}/{stats.rated})"
        )
